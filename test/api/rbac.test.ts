/**
 * `/api/v3/rbac/…` — roles, the permission catalogue, assign/unassign, who-holds-what lists, and the
 * proof that grants written through the API are what domain/permissions.ts `can()` / `visibility()` read.
 * permissions.md §5, docs/decisions.md (RBAC entries), decisions F10.
 */
import { randomUUID } from 'node:crypto';
import {
  PaginatedPermissionListFromJSON, PaginatedRoleAssignedObjectPermissionListFromJSON,
  PaginatedUserAssignedObjectPermissionListFromJSON, PermissionFromJSON, RoleFromJSON,
} from '@goauthentik/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachRoleToGroup } from '../../src/db/repositories/roles.js';
import type { Actor } from '../../src/domain/actor.js';
import { can, visibility } from '../../src/domain/permissions.js';
import { findPermission } from '../../src/domain/rbac/catalogue.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { rand } from '../helpers/factories.js';

let t: TestApp;
let admin: { pk: number; username: string }, alice: { pk: number; username: string; email: string }, bob: { pk: number; username: string };
let adminKey: string, aliceKey: string, bobKey: string;

const actorFor = (u: { pk: number; username: string; email?: string }): Actor => ({
  userPk: u.pk, username: u.username, email: u.email ?? '', isSuperuser: false, via: 'token', clientIp: '127.0.0.1',
});

async function makeGroup(o: { parent?: string } = {}): Promise<string> {
  const uuid = randomUUID();
  await t.t.db.insertInto('group').values({ group_uuid: uuid, name: `g-${rand()}`, is_superuser: false, parent_uuid: o.parent ?? null, attributes: '{}' }).execute();
  return uuid;
}
async function addToGroup(userPk: number, group: string) {
  await t.t.db.insertInto('user_group').values({ user_id: userPk, group_uuid: group }).execute();
}
async function grant(userPk: number, codename: string, objectPk: string | null = null) {
  await t.t.db.insertInto('permission_grant').values({ user_id: userPk, role_uuid: null, codename, object_pk: objectPk }).execute();
}
async function grantCount() {
  return (await t.t.db.selectFrom('permission_grant').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
}
async function lastEvent() {
  return t.t.db.selectFrom('event').selectAll().orderBy('created', 'desc').limit(1).executeTakeFirstOrThrow();
}
async function makeFlow(slug = `f-${rand()}`) {
  const r = await t.api('POST', '/flows/instances/', { token: adminKey, body: { name: `Flow ${slug}`, slug, title: 'T', designation: 'authentication' } });
  expect(r.statusCode).toBe(201);
  return r.json() as { pk: string; slug: string };
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.makeUser({ superuser: true, username: `admin-${rand()}` });
  alice = await t.makeUser({ username: `alice-${rand()}` });
  bob = await t.makeUser({ username: `bob-${rand()}` });
  adminKey = await t.makeToken(admin.pk);
  aliceKey = await t.makeToken(alice.pk);
  bobKey = await t.makeToken(bob.pk);
});
afterAll(async () => t?.close());

describe('/rbac/roles/', () => {
  it('create → 201 {pk, name}, name trimmed, event model_created', async () => {
    const r = await t.api('POST', '/rbac/roles/', { token: adminKey, body: { name: '  Auditors  ', pk: 'ignored' } });
    expect(r.statusCode).toBe(201);
    const body = r.json();
    expect(Object.keys(body)).toEqual(['pk', 'name']);
    expect(body.name).toBe('Auditors');
    expect(body.pk).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(RoleFromJSON(body).pk).toBe(body.pk);
    const ev = await lastEvent();
    expect(ev.action).toBe('model_created');
    expect(ev.context).toEqual({ model: { app: 'authentik_rbac', model_name: 'role', pk: body.pk.replace(/-/g, ''), name: 'Role Auditors' } });
    expect(ev.user).toMatchObject({ pk: admin.pk, username: admin.username });
  });

  it('validation: blank, missing, null, too long, duplicate, non-object → 400 and nothing written', async () => {
    const before = await t.t.db.selectFrom('role').select('role_uuid').execute();
    const cases: Array<[unknown, unknown]> = [
      [{ name: '   ' }, { name: ['This field may not be blank.'] }],
      [{}, { name: ['This field is required.'] }],
      [{ name: null }, { name: ['This field may not be null.'] }],
      [{ name: 'x'.repeat(151) }, { name: ['Ensure this field has no more than 150 characters.'] }],
      [{ name: 'a\u0000b' }, { name: ['Null characters are not allowed.'] }],
      [[], { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }],
    ];
    for (const [body, expected] of cases) {
      const r = await t.api('POST', '/rbac/roles/', { token: adminKey, body });
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json()).toEqual(expected);
    }
    const dup = await t.api('POST', '/rbac/roles/', { token: adminKey, body: { name: 'Auditors' } });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().name).toEqual(['Role with this name already exists.']);
    expect((await t.t.db.selectFrom('role').select('role_uuid').execute()).length).toBe(before.length);
  });

  it('list: envelope, default order by name, group__name filter, search, ordering', async () => {
    for (const n of ['b-role', 'a-role', 'c-role']) await t.api('POST', '/rbac/roles/', { token: adminKey, body: { name: n } });
    const r = await t.api('GET', '/rbac/roles/', { token: adminKey });
    expect(r.statusCode).toBe(200);
    const names = r.json().results.map((x: any) => x.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['a-role', 'b-role', 'c-role']));
    expect((await t.api('GET', '/rbac/roles/?group__name=b-role', { token: adminKey })).json().results.map((x: any) => x.name)).toEqual(['b-role']);
    expect((await t.api('GET', '/rbac/roles/?search=-ROLE', { token: adminKey })).json().pagination.count).toBe(3);
    const desc = (await t.api('GET', '/rbac/roles/?ordering=-name,bogus&search=role', { token: adminKey })).json().results.map((x: any) => x.name);
    expect(desc).toEqual(['c-role', 'b-role', 'a-role']);
    const p = (await t.api('GET', '/rbac/roles/?page_size=1&page=2&search=role', { token: adminKey })).json();
    expect(p.pagination).toEqual({ next: 3, previous: 1, count: 3, current: 2, total_pages: 3, start_index: 2, end_index: 2 });
    expect((await t.api('GET', '/rbac/roles/?page=9', { token: adminKey })).json()).toEqual({ detail: 'Invalid page.' });
  });

  it('retrieve / PUT / PATCH / DELETE with events; 404 for unknown and malformed uuids', async () => {
    const role = (await t.api('POST', '/rbac/roles/', { token: adminKey, body: { name: 'crud-role' } })).json();
    expect((await t.api('GET', `/rbac/roles/${role.pk}/`, { token: adminKey })).json()).toEqual(role);
    expect((await t.api('GET', `/rbac/roles/${role.pk.toUpperCase()}/`, { token: adminKey })).statusCode).toBe(200);
    const put = await t.api('PUT', `/rbac/roles/${role.pk}/`, { token: adminKey, body: { name: 'crud-role-2' } });
    expect(put.json()).toEqual({ pk: role.pk, name: 'crud-role-2' });
    expect((await lastEvent()).action).toBe('model_updated');
    expect((await t.api('PUT', `/rbac/roles/${role.pk}/`, { token: adminKey, body: {} })).json()).toEqual({ name: ['This field is required.'] });
    const patch = await t.api('PATCH', `/rbac/roles/${role.pk}/`, { token: adminKey, body: {} });
    expect(patch.json()).toEqual({ pk: role.pk, name: 'crud-role-2' });
    const taken = await t.api('PATCH', `/rbac/roles/${role.pk}/`, { token: adminKey, body: { name: 'a-role' } });
    expect(taken.statusCode).toBe(400);
    expect((await t.api('GET', `/rbac/roles/${role.pk}/`, { token: adminKey })).json().name).toBe('crud-role-2');
    const del = await t.api('DELETE', `/rbac/roles/${role.pk}/`, { token: adminKey });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    expect((await lastEvent()).action).toBe('model_deleted');
    for (const id of [role.pk, 'not-a-uuid', randomUUID()]) {
      const r = await t.api('GET', `/rbac/roles/${id}/`, { token: adminKey });
      expect(r.statusCode).toBe(404);
      expect(r.json()).toEqual({ detail: 'Not found.' });
    }
    expect((await t.api('DELETE', `/rbac/roles/${role.pk}/`, { token: adminKey })).statusCode).toBe(404);
  });

  it('anonymous → 403 before lookup; bad method → 405', async () => {
    for (const [m, p] of [['GET', '/rbac/roles/'], ['POST', '/rbac/roles/'], ['GET', `/rbac/roles/${randomUUID()}/`], ['DELETE', `/rbac/roles/${randomUUID()}/`]] as const) {
      const r = await t.api(m, p, { body: m === 'POST' ? { name: 'x' } : undefined });
      expect(r.statusCode).toBe(403);
      expect(r.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
    }
    expect((await t.api('POST', `/rbac/roles/${randomUUID()}/`, { token: adminKey, body: {} })).statusCode).toBe(405);
  });

  it('object-permission model: no view grant → 403; per-object view → that role only; write needs change/delete', async () => {
    const r1 = (await t.api('POST', '/rbac/roles/', { token: adminKey, body: { name: `obj-${rand()}` } })).json();
    const r2 = (await t.api('POST', '/rbac/roles/', { token: adminKey, body: { name: `obj-${rand()}` } })).json();
    const carol = await t.makeUser();
    const carolKey = await t.makeToken(carol.pk);
    const list = await t.api('GET', '/rbac/roles/', { token: carolKey });
    expect(list.statusCode).toBe(403);
    expect(list.json()).toEqual({ detail: 'You do not have permission to perform this action.' });
    expect((await t.api('GET', `/rbac/roles/${r1.pk}/`, { token: carolKey })).statusCode).toBe(403);
    expect((await t.api('POST', '/rbac/roles/', { token: carolKey, body: { name: 'nope' } })).statusCode).toBe(403);

    await grant(carol.pk, 'authentik_rbac.view_role', r1.pk);
    const scoped = (await t.api('GET', '/rbac/roles/', { token: carolKey })).json();
    expect(scoped.results.map((x: any) => x.pk)).toEqual([r1.pk]);
    expect((await t.api('GET', `/rbac/roles/${r2.pk}/`, { token: carolKey })).statusCode).toBe(404);
    expect((await t.api('PATCH', `/rbac/roles/${r1.pk}/`, { token: carolKey, body: { name: 'renamed' } })).statusCode).toBe(403);
    expect((await t.api('DELETE', `/rbac/roles/${r1.pk}/`, { token: carolKey })).statusCode).toBe(403);
    expect((await t.api('GET', `/rbac/roles/${r1.pk}/`, { token: carolKey })).json().name).toBe(r1.name);

    await grant(carol.pk, 'authentik_rbac.change_role', r1.pk);
    expect((await t.api('PATCH', `/rbac/roles/${r1.pk}/`, { token: carolKey, body: { name: `${r1.name}-x` } })).statusCode).toBe(200);
    await grant(carol.pk, 'authentik_rbac.add_role');
    expect((await t.api('POST', '/rbac/roles/', { token: carolKey, body: { name: `carol-${rand()}` } })).statusCode).toBe(201);
  });

  it('used_by: groups the role is attached to (cascade_many), filtered by view_group; any authenticated caller', async () => {
    const role = (await t.api('POST', '/rbac/roles/', { token: adminKey, body: { name: `ub-${rand()}` } })).json();
    const g = await makeGroup();
    await attachRoleToGroup(t.t.db, g, role.pk);
    await attachRoleToGroup(t.t.db, g, role.pk); // idempotent
    const name = (await t.t.db.selectFrom('group').select('name').where('group_uuid', '=', g).executeTakeFirstOrThrow()).name;
    const r = await t.api('GET', `/rbac/roles/${role.pk}/used_by/`, { token: adminKey });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual([{ app: 'authentik_core', model_name: 'group', pk: g, name: `Group ${name}`, action: 'cascade_many' }]);
    expect((await t.api('GET', `/rbac/roles/${role.pk}/used_by/`, { token: bobKey })).json()).toEqual([]);
    expect((await t.api('GET', `/rbac/roles/${randomUUID()}/used_by/`, { token: bobKey })).statusCode).toBe(404);
  });
});

describe('/rbac/permissions/ (catalogue)', () => {
  it('list shape, stable ids, any authenticated user', async () => {
    const r = await t.api('GET', '/rbac/permissions/?codename=view_oauthsource', { token: bobKey });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.results).toEqual([{
      id: 114, name: 'Can view OAuth Source', codename: 'view_oauthsource', model: 'oauthsource',
      app_label: 'authentik_sources_oauth', app_label_verbose: 'authentik Sources.OAuth', model_verbose: 'OAuth Source',
    }]);
    expect(PaginatedPermissionListFromJSON(body).results[0].appLabel).toBe('authentik_sources_oauth');
    const one = await t.api('GET', '/rbac/permissions/114/', { token: bobKey });
    expect(PermissionFromJSON(one.json()).codename).toBe('view_oauthsource');
    expect((await t.api('GET', '/rbac/permissions/99999/', { token: bobKey })).statusCode).toBe(404);
    expect((await t.api('GET', '/rbac/permissions/abc/', { token: bobKey })).statusCode).toBe(404);
    expect((await t.api('GET', '/rbac/permissions/')).statusCode).toBe(403);
  });

  it('covers every model of the subsystem with the four verbs', async () => {
    const models = [
      'authentik_core.source', 'authentik_core.user', 'authentik_core.group', 'authentik_core.token',
      'authentik_core.usersourceconnection', 'authentik_core.groupsourceconnection', 'authentik_core.propertymapping',
      'authentik_flows.flow', 'authentik_rbac.role', 'authentik_events.event',
      'authentik_sources_oauth.oauthsource', 'authentik_sources_oauth.useroauthsourceconnection', 'authentik_sources_oauth.oauthsourcepropertymapping',
      'authentik_sources_saml.usersamlsourceconnection', 'authentik_sources_plex.userplexsourceconnection', 'authentik_sources_kerberos.userkerberossourceconnection',
      'authentik_sources_ldap.ldapsource', 'authentik_sources_scim.scimsource', 'authentik_sources_scim.scimsourceuser',
    ];
    for (const m of models) {
      const [app, model] = m.split('.');
      for (const verb of ['view', 'add', 'change', 'delete']) expect(findPermission(`${app}.${verb}_${model}`), `${verb} ${m}`).toBeDefined();
    }
    const all = (await t.api('GET', '/rbac/permissions/?page_size=1000', { token: bobKey })).json();
    const ids = all.results.map((p: any) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('filters, search and ordering', async () => {
    const byApp = (await t.api('GET', '/rbac/permissions/?content_type__app_label=authentik_flows&content_type__model=flow&ordering=id', { token: bobKey })).json();
    expect(byApp.results.map((p: any) => p.codename)).toEqual(['add_flow', 'change_flow', 'delete_flow', 'view_flow']);
    const search = (await t.api('GET', '/rbac/permissions/?search=kerberos view', { token: bobKey })).json();
    expect(search.results.every((p: any) => p.codename.startsWith('view_') && p.app_label === 'authentik_sources_kerberos')).toBe(true);
    expect(search.pagination.count).toBe(4);
    const desc = (await t.api('GET', '/rbac/permissions/?content_type__model=role&ordering=-codename', { token: bobKey })).json();
    expect(desc.results.map((p: any) => p.codename)).toEqual(['view_role', 'unassign_role_permissions', 'delete_role', 'change_role', 'assign_role_permissions', 'add_role']);
  });

  it('user / role filters: own and permitted only, 400 otherwise', async () => {
    const dave = await t.makeUser();
    const daveKey = await t.makeToken(dave.pk);
    await grant(dave.pk, 'authentik_flows.view_flow');
    const own = (await t.api('GET', `/rbac/permissions/?user=${dave.pk}`, { token: daveKey })).json();
    expect(own.results.map((p: any) => p.codename)).toEqual(['view_flow']);
    expect((await t.api('GET', `/rbac/permissions/?user=${dave.pk}`, { token: adminKey })).json().pagination.count).toBe(1);
    const other = await t.api('GET', `/rbac/permissions/?user=${dave.pk}`, { token: bobKey });
    expect(other.statusCode).toBe(400);
    expect(other.json()).toEqual({ user: ['Select a valid choice. That choice is not one of the available choices.'] });
    expect((await t.api('GET', '/rbac/permissions/?user=999999', { token: adminKey })).statusCode).toBe(400);
    expect((await t.api('GET', '/rbac/permissions/?role=nope', { token: adminKey })).json()).toEqual({ role: ['Select a valid choice. That choice is not one of the available choices.'] });
    const role = (await t.api('POST', '/rbac/roles/', { token: adminKey, body: { name: `rf-${rand()}` } })).json();
    await t.api('POST', `/rbac/permissions/assigned_by_roles/${role.pk}/assign/`, { token: adminKey, body: { permissions: ['authentik_core.view_source'] } });
    const held = (await t.api('GET', `/rbac/permissions/?role=${role.pk}`, { token: adminKey })).json();
    expect(held.results.map((p: any) => `${p.app_label}.${p.codename}`)).toEqual(['authentik_core.view_source']);
    expect((await t.api('GET', `/rbac/permissions/?role=${role.pk}`, { token: bobKey })).statusCode).toBe(400);
  });
});

describe('assign / unassign → honoured by can() and visibility()', () => {
  it('user, global: result id is the permission id; can() without object; unassign removes it', async () => {
    const u = await t.makeUser();
    const actor = actorFor(u);
    expect(await can(t.deps, actor, 'authentik_core.view_source')).toBe(false);
    await expect(visibility(t.deps, actor, 'authentik_core.view_source')).rejects.toMatchObject({ code: 'permission_denied' });
    const r = await t.api('POST', `/rbac/permissions/assigned_by_users/${u.pk}/assign/`, {
      token: adminKey, body: { permissions: ['authentik_core.view_source', ' authentik_core.change_source '] },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual([{ id: String(findPermission('authentik_core.view_source')!.id) }, { id: String(findPermission('authentik_core.change_source')!.id) }]);
    expect(await can(t.deps, actor, 'authentik_core.view_source')).toBe(true);
    expect(await can(t.deps, actor, 'authentik_core.change_source', randomUUID())).toBe(true);
    expect(await visibility(t.deps, actor, 'authentik_core.view_source')).toEqual({ all: true });
    const ev = await lastEvent();
    expect(ev.action).toBe('model_updated');
    expect(ev.context).toEqual({
      model: { app: 'authentik_core', model_name: 'user', pk: u.pk, name: u.username },
      permissions: { assigned: ['authentik_core.view_source', 'authentik_core.change_source'], model: null, object_pk: null },
    });
    // assigning again is idempotent
    expect((await t.api('POST', `/rbac/permissions/assigned_by_users/${u.pk}/assign/`, { token: adminKey, body: { permissions: ['authentik_core.view_source'] } })).statusCode).toBe(200);
    const un = await t.api('PATCH', `/rbac/permissions/assigned_by_users/${u.pk}/unassign/`, { token: adminKey, body: { permissions: ['authentik_core.view_source'] } });
    expect(un.statusCode).toBe(204);
    expect(await can(t.deps, actor, 'authentik_core.view_source')).toBe(false);
    expect(await can(t.deps, actor, 'authentik_core.change_source')).toBe(true);
  });

  it('user, per object: only that object; visibility lists it; bare codename accepted with model', async () => {
    const u = await t.makeUser();
    const actor = actorFor(u);
    const s1 = await t.makeSource();
    const s2 = await t.makeSource();
    const r = await t.api('POST', `/rbac/permissions/assigned_by_users/${u.pk}/assign/`, {
      token: adminKey, body: { permissions: ['view_source', 'authentik_core.delete_source'], model: 'authentik_core.source', object_pk: s1.pk.toUpperCase() },
    });
    expect(r.statusCode).toBe(200);
    const ids = r.json().map((x: any) => Number(x.id));
    const rows = await t.t.db.selectFrom('permission_grant').selectAll().where('user_id', '=', u.pk).orderBy('id').execute();
    expect(rows.map((x) => x.id)).toEqual(ids);
    expect(rows.map((x) => [x.codename, x.object_pk])).toEqual([['authentik_core.view_source', s1.pk], ['authentik_core.delete_source', s1.pk]]);
    expect(await can(t.deps, actor, 'authentik_core.view_source', s1.pk)).toBe(true);
    expect(await can(t.deps, actor, 'authentik_core.view_source', s2.pk)).toBe(false);
    expect(await can(t.deps, actor, 'authentik_core.view_source')).toBe(false);
    expect(await visibility(t.deps, actor, 'authentik_core.view_source')).toEqual({ all: false, pks: [s1.pk] });
    await t.api('PATCH', `/rbac/permissions/assigned_by_users/${u.pk}/unassign/`, {
      token: adminKey, body: { permissions: ['authentik_core.view_source'], model: 'authentik_core.source', object_pk: s1.pk },
    });
    expect(await can(t.deps, actor, 'authentik_core.view_source', s1.pk)).toBe(false);
    expect(await can(t.deps, actor, 'authentik_core.delete_source', s1.pk)).toBe(true);
  });

  it('role attached to the user\'s group (and to a parent group): global and per object', async () => {
    const u = await t.makeUser();
    const actor = actorFor(u);
    const parent = await makeGroup();
    const child = await makeGroup({ parent });
    await addToGroup(u.pk, child);
    const role = (await t.api('POST', '/rbac/roles/', { token: adminKey, body: { name: `grp-${rand()}` } })).json();
    await attachRoleToGroup(t.t.db, parent, role.pk);
    const flow = await makeFlow();
    const g = await t.api('POST', `/rbac/permissions/assigned_by_roles/${role.pk}/assign/`, { token: adminKey, body: { permissions: ['authentik_flows.view_flow'] } });
    expect(g.statusCode).toBe(200);
    expect(g.json()).toEqual([{ id: String(findPermission('authentik_flows.view_flow')!.id) }]);
    expect(await can(t.deps, actor, 'authentik_flows.view_flow')).toBe(true);
    const o = await t.api('POST', `/rbac/permissions/assigned_by_roles/${role.pk}/assign/`, {
      token: adminKey, body: { permissions: ['authentik_flows.change_flow'], model: 'authentik_flows.flow', object_pk: flow.pk },
    });
    expect(o.statusCode).toBe(200);
    expect(await can(t.deps, actor, 'authentik_flows.change_flow', flow.pk)).toBe(true);
    expect(await can(t.deps, actor, 'authentik_flows.change_flow')).toBe(false);
    const ev = await lastEvent();
    expect(ev.context).toMatchObject({ model: { app: 'authentik_rbac', model_name: 'role', name: `Role ${role.name}` } });
    // the API honours it too: the member can now patch that flow
    const key = await t.makeToken(u.pk);
    expect((await t.api('PATCH', `/flows/instances/${flow.slug}/`, { token: key, body: { title: 'changed' } })).json().title).toBe('changed');
    // unassign through the role
    await t.api('PATCH', `/rbac/permissions/assigned_by_roles/${role.pk}/unassign/`, {
      token: adminKey, body: { permissions: ['change_flow'], model: 'authentik_flows.flow', object_pk: flow.pk },
    });
    expect(await can(t.deps, actor, 'authentik_flows.change_flow', flow.pk)).toBe(false);
    expect(await visibility(t.deps, actor, 'authentik_flows.view_flow')).toEqual({ all: true });
  });

  it('validation failures → 400 and nothing assigned', async () => {
    const u = await t.makeUser();
    const before = await grantCount();
    const src = await t.makeSource();
    const cases: Array<[unknown, Record<string, unknown>]> = [
      [{}, { permissions: ['This field is required.'] }],
      [{ permissions: 'authentik_core.view_source' }, { permissions: ['Expected a list of items but got type "str".'] }],
      [{ permissions: ['view_source'] }, { permissions: ['When assigning global permissions, codename must be given as app_label.codename'] }],
      [{ permissions: ['authentik_core.fly_source'] }, { permissions: ['Permission "authentik_core.fly_source" does not exist.'] }],
      [{ permissions: ['authentik_core.view_source'], model: 'authentik_core.nothing' }, { model: ['"authentik_core.nothing" is not a valid choice.'] }],
      [{ permissions: ['authentik_core.view_source'], object_pk: src.pk }, { model: ['This field is required when object_pk is set.'] }],
      [{ permissions: ['authentik_flows.view_flow'], model: 'authentik_core.source', object_pk: src.pk }, { permissions: ['Permission "authentik_flows.view_flow" does not apply to model "authentik_core.source".'] }],
      [{ permissions: ['view_source'], model: 'authentik_core.source', object_pk: randomUUID() }, { object_pk: [expect.stringMatching(/^No authentik_core.source object with primary key/)] }],
      [{ permissions: ['view_source'], model: 'authentik_core.source', object_pk: 'not-a-uuid' }, { object_pk: [expect.any(String)] }],
      [{ permissions: ['view_user'], model: 'authentik_core.user', object_pk: '99999999999' }, { object_pk: [expect.any(String)] }],
      [{ permissions: ['a\u0000b'] }, { permissions: ['Null characters are not allowed.'] }],
    ];
    for (const [body, expected] of cases) {
      const r = await t.api('POST', `/rbac/permissions/assigned_by_users/${u.pk}/assign/`, { token: adminKey, body });
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json(), JSON.stringify(body)).toEqual(expected);
      const r2 = await t.api('PATCH', `/rbac/permissions/assigned_by_users/${u.pk}/unassign/`, { token: adminKey, body });
      expect(r2.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect(await grantCount()).toBe(before);
  });

  it('internal service account → 400; unknown holder → 404 for superusers', async () => {
    const svc = await t.makeUser();
    await t.t.db.updateTable('user').set({ type: 'internal_service_account' }).where('id', '=', svc.pk).execute();
    const r = await t.api('POST', `/rbac/permissions/assigned_by_users/${svc.pk}/assign/`, { token: adminKey, body: { permissions: ['authentik_core.view_source'] } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ non_field_errors: ['Permissions cannot be assigned to an internal service account.'] });
    for (const p of ['/rbac/permissions/assigned_by_users/999999/assign/', '/rbac/permissions/assigned_by_users/abc/assign/', `/rbac/permissions/assigned_by_roles/${randomUUID()}/assign/`, '/rbac/permissions/assigned_by_roles/xyz/assign/']) {
      const x = await t.api('POST', p, { token: adminKey, body: { permissions: ['authentik_core.view_source'] } });
      expect(x.statusCode, p).toBe(404);
      expect(x.json()).toEqual({ detail: 'Not found.' });
    }
  });

  it('non-superusers: 403 without the guarding permission (even for unknown holders); anonymous 403', async () => {
    const target = await t.makeUser();
    const before = await grantCount();
    for (const [m, p] of [
      ['POST', `/rbac/permissions/assigned_by_users/${target.pk}/assign/`], ['PATCH', `/rbac/permissions/assigned_by_users/${target.pk}/unassign/`],
      ['POST', '/rbac/permissions/assigned_by_users/999999/assign/'],
    ] as const) {
      const r = await t.api(m, p, { token: bobKey, body: { permissions: ['authentik_core.view_source'] } });
      expect(r.statusCode).toBe(403);
      expect(r.json()).toEqual({ detail: 'You do not have permission to perform this action.' });
      expect((await t.api(m, p, { body: { permissions: ['authentik_core.view_source'] } })).statusCode).toBe(403);
    }
    expect(await grantCount()).toBe(before);
  });

  it('holder of assign_user_permissions may hand out only permissions it holds itself', async () => {
    const delegate = await t.makeUser();
    const key = await t.makeToken(delegate.pk);
    const target = await t.makeUser();
    await grant(delegate.pk, 'authentik_core.assign_user_permissions');
    await grant(delegate.pk, 'authentik_flows.view_flow');
    const ok = await t.api('POST', `/rbac/permissions/assigned_by_users/${target.pk}/assign/`, { token: key, body: { permissions: ['authentik_flows.view_flow'] } });
    expect(ok.statusCode).toBe(200);
    expect(await can(t.deps, actorFor(target), 'authentik_flows.view_flow')).toBe(true);
    const esc = await t.api('POST', `/rbac/permissions/assigned_by_users/${target.pk}/assign/`, { token: key, body: { permissions: ['authentik_flows.view_flow', 'authentik_core.delete_user'] } });
    expect(esc.statusCode).toBe(403);
    expect(await can(t.deps, actorFor(target), 'authentik_core.delete_user')).toBe(false);
    const obj = await t.api('POST', `/rbac/permissions/assigned_by_users/${target.pk}/assign/`, { token: key, body: { permissions: ['authentik_core.delete_user'], model: 'authentik_core.user', object_pk: String(delegate.pk) } });
    expect(obj.statusCode).toBe(403);
    // unassign needs its own guard
    expect((await t.api('PATCH', `/rbac/permissions/assigned_by_users/${target.pk}/unassign/`, { token: key, body: { permissions: ['authentik_flows.view_flow'] } })).statusCode).toBe(403);
    // per-object guard: assign_user_permissions on one user only
    const delegate2 = await t.makeUser();
    const key2 = await t.makeToken(delegate2.pk);
    await grant(delegate2.pk, 'authentik_core.assign_user_permissions', String(target.pk));
    await grant(delegate2.pk, 'authentik_flows.view_flow');
    expect((await t.api('POST', `/rbac/permissions/assigned_by_users/${target.pk}/assign/`, { token: key2, body: { permissions: ['authentik_flows.view_flow'] } })).statusCode).toBe(200);
    expect((await t.api('POST', `/rbac/permissions/assigned_by_users/${bob.pk}/assign/`, { token: key2, body: { permissions: ['authentik_flows.view_flow'] } })).statusCode).toBe(403);
  });
});

describe('who holds what', () => {
  it('assigned_by_users: model required; superusers, global and object holders with their object grants', async () => {
    expect((await t.api('GET', '/rbac/permissions/assigned_by_users/', { token: adminKey })).json()).toEqual({ model: ['This field is required.'] });
    expect((await t.api('GET', '/rbac/permissions/assigned_by_users/?model=nope.nope', { token: adminKey })).json())
      .toEqual({ model: ['Select a valid choice. nope.nope is not one of the available choices.'] });
    const flow = await makeFlow();
    const holderGlobal = await t.makeUser();
    const holderObj = await t.makeUser();
    await t.api('POST', `/rbac/permissions/assigned_by_users/${holderGlobal.pk}/assign/`, { token: adminKey, body: { permissions: ['authentik_flows.view_flow'] } });
    await t.api('POST', `/rbac/permissions/assigned_by_users/${holderObj.pk}/assign/`, {
      token: adminKey, body: { permissions: ['view_flow', 'change_flow'], model: 'authentik_flows.flow', object_pk: flow.pk },
    });
    const r = await t.api('GET', `/rbac/permissions/assigned_by_users/?model=authentik_flows.flow&object_pk=${flow.pk}`, { token: adminKey });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(() => PaginatedUserAssignedObjectPermissionListFromJSON(body)).not.toThrow();
    const byPk = new Map(body.results.map((x: any) => [x.pk, x]));
    expect(byPk.has(admin.pk)).toBe(true);
    expect(byPk.has(holderGlobal.pk)).toBe(true);
    const o: any = byPk.get(holderObj.pk);
    expect(Object.keys(o)).toEqual(['pk', 'username', 'name', 'is_active', 'last_login', 'email', 'attributes', 'uid', 'permissions', 'is_superuser']);
    expect(o.is_superuser).toBe(false);
    expect(o.uid).toMatch(/^[0-9a-f]{64}$/);
    expect(o.permissions.map((p: any) => [p.codename, p.app_label, p.model, p.object_pk, p.name])).toEqual([
      ['view_flow', 'authentik_flows', 'flow', flow.pk, 'Can view Flow'], ['change_flow', 'authentik_flows', 'flow', flow.pk, 'Can change Flow'],
    ]);
    expect((byPk.get(admin.pk) as any).is_superuser).toBe(true);
    expect(byPk.has(bob.pk)).toBe(false);
    const names = body.results.map((x: any) => x.username);
    expect(names).toEqual([...names].sort());
    // without object_pk only global holders (and superusers)
    const g = (await t.api('GET', '/rbac/permissions/assigned_by_users/?model=authentik_flows.flow', { token: adminKey })).json();
    expect(g.results.map((x: any) => x.pk)).not.toContain(holderObj.pk);
    // view_user needed
    expect((await t.api('GET', '/rbac/permissions/assigned_by_users/?model=authentik_flows.flow', { token: bobKey })).statusCode).toBe(403);
  });

  it('assigned_by_roles: roles with global or object grants on the model', async () => {
    const flow = await makeFlow();
    const role = (await t.api('POST', '/rbac/roles/', { token: adminKey, body: { name: `abr-${rand()}` } })).json();
    await t.api('POST', `/rbac/permissions/assigned_by_roles/${role.pk}/assign/`, {
      token: adminKey, body: { permissions: ['delete_flow'], model: 'authentik_flows.flow', object_pk: flow.pk },
    });
    expect((await t.api('GET', '/rbac/permissions/assigned_by_roles/', { token: adminKey })).statusCode).toBe(400);
    const body = (await t.api('GET', `/rbac/permissions/assigned_by_roles/?model=authentik_flows.flow&object_pk=${flow.pk}`, { token: adminKey })).json();
    expect(() => PaginatedRoleAssignedObjectPermissionListFromJSON(body)).not.toThrow();
    const mine = body.results.find((x: any) => x.role_pk === role.pk);
    expect(mine).toEqual({
      role_pk: role.pk, name: role.name,
      permissions: [{ id: expect.any(Number), codename: 'delete_flow', model: 'flow', app_label: 'authentik_flows', object_pk: flow.pk, name: 'Can delete Flow' }],
    });
    expect((await t.api('GET', `/rbac/permissions/assigned_by_roles/?model=authentik_flows.flow&object_pk=${randomUUID()}`, { token: adminKey })).json().results
      .some((x: any) => x.role_pk === role.pk)).toBe(false);
  });

  it('/rbac/permissions/users/: per-object grants of one user; retrieve, move, delete; superusers only; 10 per page', async () => {
    const u = await t.makeUser();
    const flows = [];
    for (let i = 0; i < 12; i++) flows.push(await makeFlow());
    for (const f of flows) {
      await t.api('POST', `/rbac/permissions/assigned_by_users/${u.pk}/assign/`, { token: adminKey, body: { permissions: ['view_flow'], model: 'authentik_flows.flow', object_pk: f.pk } });
    }
    expect((await t.api('GET', '/rbac/permissions/users/', { token: adminKey })).json()).toEqual({ user_id: ['This field is required.'] });
    expect((await t.api('GET', '/rbac/permissions/users/?user_id=x', { token: adminKey })).json()).toEqual({ user_id: ['Enter a number.'] });
    expect((await t.api('GET', `/rbac/permissions/users/?user_id=${u.pk}`, { token: bobKey })).statusCode).toBe(403);
    const page = (await t.api('GET', `/rbac/permissions/users/?user_id=${u.pk}`, { token: adminKey })).json();
    expect(page.pagination).toMatchObject({ count: 12, total_pages: 2, end_index: 10 });
    const first = page.results[0];
    expect(Object.keys(first)).toEqual(['id', 'codename', 'model', 'app_label', 'object_pk', 'name', 'app_label_verbose', 'model_verbose', 'object_description']);
    expect(first).toMatchObject({ codename: 'view_flow', app_label_verbose: 'authentik Flows', model_verbose: 'Flow', object_pk: flows[0].pk, object_description: `Flow Flow ${flows[0].slug} (${flows[0].slug})` });
    expect((await t.api('GET', `/rbac/permissions/users/${first.id}/`, { token: adminKey })).json()).toEqual(first);
    const moved = await t.api('PATCH', `/rbac/permissions/users/${first.id}/`, { token: adminKey, body: { object_pk: flows[11].pk } });
    expect(moved.statusCode).toBe(400); // already holds view_flow on flows[11]
    const spare = await makeFlow();
    const ok = await t.api('PUT', `/rbac/permissions/users/${first.id}/`, { token: adminKey, body: { object_pk: spare.pk } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().object_pk).toBe(spare.pk);
    expect(await can(t.deps, actorFor(u), 'authentik_flows.view_flow', spare.pk)).toBe(true);
    expect(await can(t.deps, actorFor(u), 'authentik_flows.view_flow', flows[0].pk)).toBe(false);
    expect((await t.api('PUT', `/rbac/permissions/users/${first.id}/`, { token: adminKey, body: { object_pk: randomUUID() } })).statusCode).toBe(400);
    expect((await t.api('DELETE', `/rbac/permissions/users/${first.id}/`, { token: adminKey })).statusCode).toBe(204);
    expect((await t.api('GET', `/rbac/permissions/users/${first.id}/`, { token: adminKey })).statusCode).toBe(404);
    expect(await can(t.deps, actorFor(u), 'authentik_flows.view_flow', spare.pk)).toBe(false);
    expect((await t.api('DELETE', `/rbac/permissions/users/${first.id}/`, { token: bobKey })).statusCode).toBe(403);
  });

  it('/rbac/permissions/roles/: uuid required and validated; lists the role\'s object grants', async () => {
    const role = (await t.api('POST', '/rbac/roles/', { token: adminKey, body: { name: `pr-${rand()}` } })).json();
    const src = await t.makeSource();
    await t.api('POST', `/rbac/permissions/assigned_by_roles/${role.pk}/assign/`, { token: adminKey, body: { permissions: ['view_source'], model: 'authentik_core.source', object_pk: src.pk } });
    expect((await t.api('GET', '/rbac/permissions/roles/', { token: adminKey })).json()).toEqual({ uuid: ['This field is required.'] });
    expect((await t.api('GET', '/rbac/permissions/roles/?uuid=zzz', { token: adminKey })).json()).toEqual({ uuid: ['Enter a valid UUID.'] });
    const body = (await t.api('GET', `/rbac/permissions/roles/?uuid=${role.pk}`, { token: adminKey })).json();
    expect(body.results).toEqual([{
      id: expect.any(Number), codename: 'view_source', model: 'source', app_label: 'authentik_core', object_pk: src.pk, name: 'Can view source',
      app_label_verbose: 'authentik Core', model_verbose: 'source', object_description: `Source ${src.slug}`,
    }]);
    expect((await t.api('GET', `/rbac/permissions/roles/?uuid=${role.pk}`, { token: aliceKey })).statusCode).toBe(403);
    expect((await t.api('DELETE', `/rbac/permissions/roles/${body.results[0].id}/`, { token: adminKey })).statusCode).toBe(204);
    expect((await t.api('GET', `/rbac/permissions/roles/?uuid=${role.pk}`, { token: adminKey })).json().pagination.count).toBe(0);
  });
});

describe('authentik generated client, unchanged', () => {
  it('RbacApi + FlowsApi + PropertymappingsApi + EventsApi round trip', async () => {
    const { RbacApi, FlowsApi, PropertymappingsApi, EventsApi, FlowDesignationEnum, ModelEnum } = await import('@goauthentik/api');
    const { clientConfig } = await import('../helpers/authentik-client.js');
    const cfg = clientConfig(t.app, adminKey);
    const rbacApi = new RbacApi(cfg);
    const role = await rbacApi.rbacRolesCreate({ roleRequest: { name: `client-${rand()}` } });
    expect((await rbacApi.rbacRolesRetrieve({ uuid: role.pk })).name).toBe(role.name);
    expect((await rbacApi.rbacRolesList({ search: role.name })).results.map((r) => r.pk)).toEqual([role.pk]);
    const perms = await rbacApi.rbacPermissionsList({ contentTypeAppLabel: 'authentik_flows', ordering: 'id' });
    expect(perms.results.map((p) => p.codename)).toEqual(['add_flow', 'change_flow', 'delete_flow', 'view_flow']);

    const flow = await new FlowsApi(cfg).flowsInstancesCreate({ flowRequest: { name: 'C', slug: `client-${rand()}`, title: 'T', designation: FlowDesignationEnum.Enrollment } });
    expect(flow.designation).toBe('enrollment');
    const u = await t.makeUser();
    const assigned = await rbacApi.rbacPermissionsAssignedByUsersAssign({
      id: u.pk, permissionAssignRequest: { permissions: ['authentik_flows.view_flow'], model: ModelEnum.FlowsFlow, objectPk: flow.pk },
    });
    expect(assigned).toHaveLength(1);
    expect(await can(t.deps, actorFor(u), 'authentik_flows.view_flow', flow.pk)).toBe(true);
    const holders = await rbacApi.rbacPermissionsAssignedByUsersList({ model: 'authentik_flows.flow' as any, objectPk: flow.pk });
    expect(holders.results.find((h) => h.pk === u.pk)?.permissions[0].objectPk).toBe(flow.pk);
    const grants = await rbacApi.rbacPermissionsUsersList({ userId: u.pk });
    expect(grants.results[0].objectDescription).toBe(`Flow C (${flow.slug})`);
    await rbacApi.rbacPermissionsAssignedByUsersUnassignPartialUpdate({
      id: u.pk, patchedPermissionAssignRequest: { permissions: ['authentik_flows.view_flow'], model: ModelEnum.FlowsFlow, objectPk: flow.pk },
    });
    expect(await can(t.deps, actorFor(u), 'authentik_flows.view_flow', flow.pk)).toBe(false);
    await rbacApi.rbacPermissionsAssignedByRolesAssign({ uuid: role.pk, permissionAssignRequest: { permissions: ['authentik_flows.change_flow'] } });
    expect((await rbacApi.rbacPermissionsList({ role: role.pk })).results.map((p) => p.codename)).toEqual(['change_flow']);

    const pmApi = new PropertymappingsApi(cfg);
    const m = await pmApi.propertymappingsSourceOauthCreate({ oAuthSourcePropertyMappingRequest: { name: `client-${rand()}`, expression: 'return {}' } });
    expect((await pmApi.propertymappingsAllList({ name: m.name })).results[0].metaModelName).toBe('authentik_sources_oauth.oauthsourcepropertymapping');
    expect(await pmApi.propertymappingsAllUsedByList({ pmUuid: m.pk })).toEqual([]);
    await pmApi.propertymappingsSourceOauthDestroy({ pmUuid: m.pk });

    const events = await new EventsApi(cfg).eventsEventsList({ contextModelName: 'flow', contextModelPk: flow.pk });
    expect(events.results.map((e) => e.action)).toEqual(['model_created']);
    await rbacApi.rbacRolesDestroy({ uuid: role.pk });
    await expect(rbacApi.rbacRolesRetrieve({ uuid: role.pk })).rejects.toMatchObject({ response: { status: 404 } });
  });
});
