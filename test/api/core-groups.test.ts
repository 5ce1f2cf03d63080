/**
 * `/api/v3/core/groups/` — spec §1.4; permissions.md §5 (object permissions, 403 without any view grant);
 * decisions F10 and docs/decisions.md U2, U4 (superuser reach, roles).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreFactories } from '../helpers/core-factories.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const BASE = '/core/groups/';
const GROUP_KEYS = ['pk', 'num_pk', 'name', 'is_superuser', 'parent', 'parent_name', 'users', 'users_obj', 'attributes', 'roles', 'roles_obj'];
let t: TestApp;
let c: ReturnType<typeof coreFactories>;
let admin: { pk: number; username: string }, alice: { pk: number; username: string }, bob: { pk: number; username: string };
let manager: { pk: number; username: string };
let adminKey: string, aliceKey: string, bobKey: string, managerKey: string;
let adminGroup: string, staff: string, devs: string, ops: string, role1: string;

beforeAll(async () => {
  t = await createTestApp();
  c = coreFactories(t.t.db);
  admin = await t.makeUser({ superuser: true, username: 'g-admin' });
  adminGroup = await t.superuserGroup();
  await t.t.db.updateTable('group').set({ name: 'zz-admins' }).where('group_uuid', '=', adminGroup).execute();
  alice = await t.makeUser({ username: 'g-alice' });
  bob = await t.makeUser({ username: 'g-bob' });
  manager = await t.makeUser({ username: 'g-manager' });
  [adminKey, aliceKey, bobKey, managerKey] = await Promise.all([admin, alice, bob, manager].map((u) => t.makeToken(u.pk)));
  staff = await c.makeGroup({ name: 'staff', attributes: { site: 'berlin' }, members: [alice.pk, bob.pk] });
  devs = await c.makeGroup({ name: 'devs', parent: staff, members: [bob.pk] });
  ops = await c.makeGroup({ name: 'ops' });
  role1 = await c.makeRole('role-one');
  await t.t.db.insertInto('group_role').values({ group_uuid: devs, role_uuid: role1 }).execute();
  for (const p of ['view', 'add', 'change', 'delete']) await c.grant(manager.pk, `authentik_core.${p}_group`);
});
afterAll(async () => t?.close());

describe('shape', () => {
  it('retrieve gives the Group object in authentik key order', async () => {
    const r = await t.api('GET', `${BASE}${devs}/`, { token: adminKey });
    expect(r.statusCode).toBe(200);
    const b = r.json();
    expect(Object.keys(b)).toEqual(GROUP_KEYS);
    expect(b).toMatchObject({
      pk: devs, name: 'devs', is_superuser: false, parent: staff, parent_name: 'staff', users: [bob.pk],
      attributes: {}, roles: [role1], roles_obj: [{ pk: role1, name: 'role-one' }],
    });
    expect(Number.isInteger(b.num_pk)).toBe(true);
    expect(b.users_obj).toHaveLength(1);
    expect(Object.keys(b.users_obj[0])).toEqual(['pk', 'username', 'name', 'is_active', 'last_login', 'email', 'attributes', 'uid']);
    expect(b.users_obj[0]).toMatchObject({ pk: bob.pk, username: 'g-bob', name: 'g-bob', is_active: true, last_login: null, email: 'g-bob@example.org', attributes: {} });
    const bobUser = (await t.api('GET', `/core/users/${bob.pk}/`, { token: adminKey })).json();
    expect(b.users_obj[0].uid).toBe(bobUser.uid);
  });
  it('include_users=false → users_obj null (users kept); uppercase uuid works; malformed/unknown → 404', async () => {
    const r = await t.api('GET', `${BASE}${staff.toUpperCase()}/?include_users=false`, { token: adminKey });
    expect(r.statusCode).toBe(200);
    expect(r.json().users_obj).toBeNull();
    expect(r.json().users.sort()).toEqual([alice.pk, bob.pk].sort());
    expect((await t.api('GET', `${BASE}not-a-uuid/`, { token: adminKey })).statusCode).toBe(404);
    const r404 = await t.api('GET', `${BASE}00000000-0000-0000-0000-000000000001/`, { token: adminKey });
    expect(r404.statusCode).toBe(404);
    expect(r404.json()).toEqual({ detail: 'Not found.' });
  });
});

describe('list', () => {
  const names = (r: any) => r.json().results.map((g: any) => g.name);
  it('default ordering by name, pagination, ordering', async () => {
    const r = await t.api('GET', BASE, { token: adminKey });
    expect(r.statusCode).toBe(200);
    expect(names(r)).toEqual(['devs', 'ops', 'staff', 'zz-admins']);
    expect(r.json().pagination).toEqual({ next: 0, previous: 0, count: 4, current: 1, total_pages: 1, start_index: 1, end_index: 4 });
    const p = await t.api('GET', `${BASE}?page_size=3&page=last`, { token: adminKey });
    expect(p.json().pagination).toMatchObject({ current: 2, previous: 1, next: 0, start_index: 4, end_index: 4 });
    expect(names(await t.api('GET', `${BASE}?ordering=-name`, { token: adminKey }))).toEqual(['zz-admins', 'staff', 'ops', 'devs']);
    expect(names(await t.api('GET', `${BASE}?ordering=-is_superuser,bogus,name`, { token: adminKey }))).toEqual(['zz-admins', 'devs', 'ops', 'staff']);
  });
  it('filters and search', async () => {
    expect(names(await t.api('GET', `${BASE}?name=ops`, { token: adminKey }))).toEqual(['ops']);
    expect(names(await t.api('GET', `${BASE}?is_superuser=true`, { token: adminKey }))).toEqual(['zz-admins']);
    expect(names(await t.api('GET', `${BASE}?members_by_pk=${bob.pk}`, { token: adminKey }))).toEqual(['devs', 'staff']);
    expect(names(await t.api('GET', `${BASE}?members_by_username=g-alice&members_by_username=g-admin`, { token: adminKey }))).toEqual(['staff', 'zz-admins']);
    expect(names(await t.api('GET', `${BASE}?attributes=${encodeURIComponent('{"site":"berlin"}')}`, { token: adminKey }))).toEqual(['staff']);
    expect(names(await t.api('GET', `${BASE}?search=TAF`, { token: adminKey }))).toEqual(['staff']);
    const bad = await t.api('GET', `${BASE}?members_by_pk=999999`, { token: adminKey });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ members_by_pk: ['Select a valid choice. 999999 is not one of the available choices.'] });
    expect((await t.api('GET', `${BASE}?members_by_pk=x`, { token: adminKey })).json()).toEqual({ members_by_pk: ['“x” is not a valid value.'] });
    expect((await t.api('GET', `${BASE}?members_by_username=ghost`, { token: adminKey })).json())
      .toEqual({ members_by_username: ['Select a valid choice. ghost is not one of the available choices.'] });
  });
  it('no view grant at all → 403; object grants → only those; detail outside them → 404', async () => {
    const r = await t.api('GET', BASE, { token: aliceKey });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toEqual({ detail: 'You do not have permission to perform this action.' });
    expect((await t.api('GET', `${BASE}${staff}/`, { token: aliceKey })).statusCode).toBe(403);
    await c.grant(bob.pk, 'authentik_core.view_group', ops);
    expect(names(await t.api('GET', BASE, { token: bobKey }))).toEqual(['ops']);
    expect((await t.api('GET', `${BASE}${ops}/`, { token: bobKey })).statusCode).toBe(200);
    expect((await t.api('GET', `${BASE}${staff}/`, { token: bobKey })).statusCode).toBe(404);
  });
  it('anonymous → 403', async () => {
    const r = await t.api('GET', `${BASE}${staff}/`);
    expect(r.statusCode).toBe(403);
    expect(r.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
  });
});

describe('create', () => {
  it('201 with members, parent, attributes, roles; event written', async () => {
    const r = await t.api('POST', BASE, {
      token: adminKey,
      body: { name: ' qa ', parent: staff, users: [alice.pk], attributes: { k: [1, 2] }, roles: [role1], num_pk: 1, parent_name: 'x' },
    });
    expect(r.statusCode).toBe(201);
    const b = r.json();
    expect(Object.keys(b)).toEqual(GROUP_KEYS);
    expect(b).toMatchObject({ name: 'qa', is_superuser: false, parent: staff, parent_name: 'staff', users: [alice.pk], attributes: { k: [1, 2] }, roles: [role1] });
    const alice2 = (await t.api('GET', `/core/users/${alice.pk}/`, { token: adminKey })).json();
    expect(alice2.groups).toContain(b.pk);
    const ev = (await c.events('model_created')).at(-1)!;
    expect(ev.context).toEqual({ model: { app: 'authentik_core', model_name: 'group', pk: b.pk.replace(/-/g, ''), name: 'Group qa' } });
  });
  it('400 bodies; unique (name, parent); nothing written', async () => {
    const before = (await t.t.db.selectFrom('group').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    const cases: Array<[unknown, Record<string, string[]>]> = [
      [{}, { name: ['This field is required.'] }],
      [{ name: '  ' }, { name: ['This field may not be blank.'] }],
      [{ name: null }, { name: ['This field may not be null.'] }],
      [{ name: 'ops' }, { non_field_errors: ['The fields name, parent must make a unique set.'] }],
      [{ name: 'devs', parent: staff }, { non_field_errors: ['The fields name, parent must make a unique set.'] }],
      [{ name: 'x1', parent: '00000000-0000-0000-0000-000000000009' }, { parent: ['Invalid pk "00000000-0000-0000-0000-000000000009" - object does not exist.'] }],
      [{ name: 'x1', parent: 'nope' }, { parent: ['“nope” is not a valid UUID.'] }],
      [{ name: 'x1', users: [999999] }, { users: ['Invalid pk "999999" - object does not exist.'] }],
      [{ name: 'x1', users: ['abc'] }, { users: ['A valid integer is required.'] }],
      [{ name: 'x1', roles: ['00000000-0000-0000-0000-000000000009'] }, { roles: ['Invalid pk "00000000-0000-0000-0000-000000000009" - object does not exist.'] }],
      [{ name: 'x1', attributes: 'str' }, { attributes: ['Invalid data. Expected a dictionary, but got str.'] }],
      [{ name: 'x1', is_superuser: null }, { is_superuser: ['This field may not be null.'] }],
    ];
    for (const [body, expected] of cases) {
      const r = await t.api('POST', BASE, { token: adminKey, body });
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json(), JSON.stringify(body)).toEqual(expected);
    }
    const after = (await t.t.db.selectFrom('group').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    expect(after).toBe(before);
  });
  it('superuser group: only a superuser may create one', async () => {
    const denied = await t.api('POST', BASE, { token: managerKey, body: { name: 'shadow-admins', is_superuser: true } });
    expect(denied.statusCode).toBe(400);
    expect(denied.json()).toEqual({ is_superuser: ['User does not have permission to set superuser status to True.'] });
    const under = await t.api('POST', BASE, { token: managerKey, body: { name: 'under-admins', parent: adminGroup, users: [manager.pk] } });
    expect(under.statusCode).toBe(400);
    expect(under.json()).toEqual({ parent: ['Only superusers can place a group under a superuser group.'] });
    const roles = await t.api('POST', BASE, { token: managerKey, body: { name: 'with-role', roles: [role1] } });
    expect(roles.statusCode).toBe(400);
    expect(roles.json()).toEqual({ roles: ['Only superusers can change the roles of a group.'] });
    expect((await t.api('GET', '/core/users/me/', { token: managerKey })).json().user.is_superuser).toBe(false);
    const ok = await t.api('POST', BASE, { token: adminKey, body: { name: 'second-admins', is_superuser: true } });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().is_superuser).toBe(true);
    const plain = await t.api('POST', BASE, { token: managerKey, body: { name: 'plain-team', users: [manager.pk], is_superuser: false } });
    expect(plain.statusCode).toBe(201);
  });
  it('without add_group → 403', async () => {
    const r = await t.api('POST', BASE, { token: aliceKey, body: { name: 'nope' } });
    expect(r.statusCode).toBe(403);
  });
});

describe('update and delete', () => {
  it('PATCH name/attributes/users; PUT replaces users (omitted = none)', async () => {
    const g = await c.makeGroup({ name: 'edit-me', members: [alice.pk] });
    const r = await t.api('PATCH', `${BASE}${g}/`, { token: managerKey, body: { name: 'edited', attributes: { a: 1 } } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ name: 'edited', attributes: { a: 1 }, users: [alice.pk] });
    const p = await t.api('PUT', `${BASE}${g}/`, { token: managerKey, body: { name: 'edited' } });
    expect(p.statusCode).toBe(200);
    expect(p.json()).toMatchObject({ users: [], users_obj: [], attributes: { a: 1 } });
    const ev = (await c.events('model_updated')).at(-1)!;
    expect(ev.context.model).toEqual({ app: 'authentik_core', model_name: 'group', pk: g.replace(/-/g, ''), name: 'Group edited' });
  });
  it('parent: not itself, not a descendant', async () => {
    const self = await t.api('PATCH', `${BASE}${staff}/`, { token: adminKey, body: { parent: staff } });
    expect(self.json()).toEqual({ parent: ['Cannot set group as parent of itself.'] });
    const cycle = await t.api('PATCH', `${BASE}${staff}/`, { token: adminKey, body: { parent: devs } });
    expect(cycle.statusCode).toBe(400);
    expect(cycle.json()).toEqual({ parent: ['Cannot set a descendant of this group as its parent.'] });
  });
  it('non-superusers cannot flip the flag or touch a group that grants superuser', async () => {
    const flip = await t.api('PATCH', `${BASE}${ops}/`, { token: managerKey, body: { is_superuser: true } });
    expect(flip.statusCode).toBe(400);
    expect(flip.json()).toEqual({ is_superuser: ['User does not have permission to set superuser status to True.'] });
    const join = await t.api('PATCH', `${BASE}${adminGroup}/`, { token: managerKey, body: { users: [manager.pk] } });
    expect(join.statusCode).toBe(403);
    const child = await c.makeGroup({ name: 'admins-sub', parent: adminGroup });
    expect((await t.api('PATCH', `${BASE}${child}/`, { token: managerKey, body: { users: [manager.pk] } })).statusCode).toBe(403);
    expect((await t.api('DELETE', `${BASE}${adminGroup}/`, { token: managerKey })).statusCode).toBe(403);
    expect((await t.api('PATCH', `${BASE}${ops}/`, { token: managerKey, body: { parent: adminGroup } })).json())
      .toEqual({ parent: ['Only superusers can place a group under a superuser group.'] });
    expect((await t.api('GET', '/core/users/me/', { token: managerKey })).json().user.is_superuser).toBe(false);
    const same = await t.api('PATCH', `${BASE}${ops}/`, { token: managerKey, body: { is_superuser: false, roles: [] } });
    expect(same.statusCode).toBe(200);
    const unflip = await t.api('PATCH', `${BASE}${adminGroup}/`, { token: adminKey, body: { name: 'zz-admins', is_superuser: true } });
    expect(unflip.statusCode).toBe(200);
  });
  it('write permissions: view only → 403, invisible → 404 before body errors', async () => {
    await c.grant(alice.pk, 'authentik_core.view_group', ops);
    expect((await t.api('PATCH', `${BASE}${ops}/`, { token: aliceKey, body: { name: 'x' } })).statusCode).toBe(403);
    expect((await t.api('PATCH', `${BASE}${staff}/`, { token: aliceKey, body: { name: null } })).statusCode).toBe(404);
    expect((await t.api('DELETE', `${BASE}${ops}/`, { token: aliceKey })).statusCode).toBe(403);
  });
  it('DELETE 204: memberships go, children become top-level, event written; name clash → 400', async () => {
    const parent = await c.makeGroup({ name: 'to-delete', members: [alice.pk] });
    const kid = await c.makeGroup({ name: 'kid', parent });
    const r = await t.api('DELETE', `${BASE}${parent}/`, { token: managerKey });
    expect(r.statusCode).toBe(204);
    expect((await t.api('GET', `${BASE}${parent}/`, { token: adminKey })).statusCode).toBe(404);
    expect((await t.api('GET', `${BASE}${kid}/`, { token: adminKey })).json()).toMatchObject({ parent: null, parent_name: null });
    expect((await c.events('model_deleted')).at(-1)!.context.model).toEqual({ app: 'authentik_core', model_name: 'group', pk: parent.replace(/-/g, ''), name: 'Group to-delete' });
    const p2 = await c.makeGroup({ name: 'p2' });
    await c.makeGroup({ name: 'ops', parent: p2 });
    const clash = await t.api('DELETE', `${BASE}${p2}/`, { token: adminKey });
    expect(clash.statusCode).toBe(400);
    expect(Object.keys(clash.json())).toEqual(['non_field_errors']);
    expect((await t.api('GET', `${BASE}${p2}/`, { token: adminKey })).statusCode).toBe(200);
  });
});
