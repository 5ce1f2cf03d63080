/**
 * `/api/v3/core/users/` — spec §1.4, §9.1; permissions.md §5 (object permissions, users see themselves);
 * decisions F10 (audit) and docs/decisions.md U1–U3 (superuser reach).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreFactories } from '../helpers/core-factories.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const BASE = '/core/users/';
const USER_KEYS = ['pk', 'username', 'name', 'is_active', 'last_login', 'is_superuser', 'groups', 'groups_obj', 'email', 'avatar', 'attributes', 'uid', 'path', 'type', 'uuid'];
let t: TestApp;
let c: ReturnType<typeof coreFactories>;
let admin: { pk: number; username: string }, alice: { pk: number; username: string }, bob: { pk: number; username: string };
let viewer: { pk: number; username: string };
let adminKey: string, aliceKey: string, bobKey: string, viewerKey: string;
let adminGroup: string, staff: string, devs: string;

beforeAll(async () => {
  t = await createTestApp();
  c = coreFactories(t.t.db);
  admin = await t.makeUser({ superuser: true, username: 'u-admin' });
  adminGroup = await t.superuserGroup();
  alice = await t.makeUser({ username: 'u-alice', email: 'alice@example.org' });
  bob = await t.makeUser({ username: 'u-bob', email: 'bob@corp.example' });
  viewer = await t.makeUser({ username: 'u-viewer' });
  adminKey = await t.makeToken(admin.pk);
  aliceKey = await t.makeToken(alice.pk);
  bobKey = await t.makeToken(bob.pk);
  viewerKey = await t.makeToken(viewer.pk);
  staff = await c.makeGroup({ name: 'staff', attributes: { settings: { theme: 'dark', locale: 'de' } }, members: [alice.pk] });
  devs = await c.makeGroup({ name: 'devs', parent: staff, attributes: { settings: { theme: 'light' } }, members: [alice.pk, bob.pk] });
  await c.grant(viewer.pk, 'authentik_core.view_user');
  await t.t.db.updateTable('user').set({ attributes: JSON.stringify({ team: 'blue', nested: { level: 2 } }), path: 'users/eu/berlin' })
    .where('id', '=', bob.pk).execute();
});
afterAll(async () => t?.close());

describe('shape', () => {
  it('retrieve gives the User object in authentik key order with real values', async () => {
    const r = await t.api('GET', `${BASE}${alice.pk}/`, { token: adminKey });
    expect(r.statusCode).toBe(200);
    const b = r.json();
    expect(Object.keys(b)).toEqual(USER_KEYS);
    expect(b).toMatchObject({
      pk: alice.pk, username: 'u-alice', name: 'u-alice', is_active: true, last_login: null, is_superuser: false,
      email: 'alice@example.org', attributes: {}, path: 'users', type: 'internal',
    });
    expect(b.groups.sort()).toEqual([devs, staff].sort());
    expect(b.groups_obj.map((g: any) => g.name)).toEqual(['devs', 'staff']);
    expect(Object.keys(b.groups_obj[0])).toEqual(['pk', 'num_pk', 'name', 'is_superuser', 'parent', 'parent_name', 'attributes']);
    expect(b.groups_obj[0]).toMatchObject({ pk: devs, name: 'devs', is_superuser: false, parent: staff, parent_name: 'staff', attributes: { settings: { theme: 'light' } } });
    expect(typeof b.groups_obj[0].num_pk).toBe('number');
    expect(b.avatar).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(b.avatar.split(',')[1], 'base64').toString()).toContain('>U</text>');
    expect(b.uid).toMatch(/^[0-9a-f]{64}$/);
    expect(b.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const again = (await t.api('GET', `${BASE}${alice.pk}/`, { token: adminKey })).json();
    expect(again.uid).toBe(b.uid);
    const bobBody = (await t.api('GET', `${BASE}${bob.pk}/`, { token: adminKey })).json();
    expect(bobBody.uid).not.toBe(b.uid);
  });

  it('is_superuser is computed from groups, including a superuser ancestor', async () => {
    expect((await t.api('GET', `${BASE}${admin.pk}/`, { token: adminKey })).json().is_superuser).toBe(true);
    const child = await c.makeGroup({ name: 'ops-child', parent: adminGroup });
    const u = await t.makeUser({ username: 'u-childmember' });
    await t.t.db.insertInto('user_group').values({ user_id: u.pk, group_uuid: child }).execute();
    expect((await t.api('GET', `${BASE}${u.pk}/`, { token: adminKey })).json().is_superuser).toBe(true);
    await t.t.db.deleteFrom('user').where('id', '=', u.pk).execute();
    await t.t.db.deleteFrom('group').where('group_uuid', '=', child).execute();
  });
});

describe('list', () => {
  const names = (r: any) => r.json().results.map((u: any) => u.username);

  it('superuser: every user, default ordering by username, envelope', async () => {
    const r = await t.api('GET', BASE, { token: adminKey });
    expect(r.statusCode).toBe(200);
    expect(Object.keys(r.json())).toEqual(['pagination', 'results']);
    expect(r.json().pagination).toEqual({ next: 0, previous: 0, count: 4, current: 1, total_pages: 1, start_index: 1, end_index: 4 });
    expect(names(r)).toEqual(['u-admin', 'u-alice', 'u-bob', 'u-viewer']);
    expect(Object.keys(r.json().results[0])).toEqual(USER_KEYS);
  });

  it('pagination and ordering (unknown fields ignored)', async () => {
    const p2 = await t.api('GET', `${BASE}?page_size=3&page=2`, { token: adminKey });
    expect(p2.json().pagination).toEqual({ next: 0, previous: 1, count: 4, current: 2, total_pages: 2, start_index: 4, end_index: 4 });
    expect(names(p2)).toEqual(['u-viewer']);
    expect((await t.api('GET', `${BASE}?page=3&page_size=3`, { token: adminKey })).statusCode).toBe(404);
    expect(names(await t.api('GET', `${BASE}?ordering=-username`, { token: adminKey }))).toEqual(['u-viewer', 'u-bob', 'u-alice', 'u-admin']);
    expect(names(await t.api('GET', `${BASE}?ordering=nope,-email`, { token: adminKey }))).toEqual(['u-viewer', 'u-admin', 'u-bob', 'u-alice']);
    const byPk = (await t.api('GET', `${BASE}?ordering=-pk`, { token: adminKey })).json().results.map((u: any) => u.pk);
    expect(byPk).toEqual([...byPk].sort((a: number, b: number) => b - a));
  });

  it('search matches every term against username, name or email', async () => {
    expect(names(await t.api('GET', `${BASE}?search=corp.example`, { token: adminKey }))).toEqual(['u-bob']);
    expect(names(await t.api('GET', `${BASE}?search=u-%20ALICE`, { token: adminKey }))).toEqual(['u-alice']);
    expect(names(await t.api('GET', `${BASE}?search=%25`, { token: adminKey }))).toEqual([]);
  });

  it('exact filters', async () => {
    expect(names(await t.api('GET', `${BASE}?username=u-bob`, { token: adminKey }))).toEqual(['u-bob']);
    expect(names(await t.api('GET', `${BASE}?email=alice@example.org`, { token: adminKey }))).toEqual(['u-alice']);
    expect(names(await t.api('GET', `${BASE}?name=u-viewer`, { token: adminKey }))).toEqual(['u-viewer']);
    expect(names(await t.api('GET', `${BASE}?is_active=false`, { token: adminKey }))).toEqual([]);
    expect(names(await t.api('GET', `${BASE}?is_superuser=true`, { token: adminKey }))).toEqual(['u-admin']);
    expect(names(await t.api('GET', `${BASE}?is_superuser=false`, { token: adminKey }))).toEqual(['u-alice', 'u-bob', 'u-viewer']);
    expect(names(await t.api('GET', `${BASE}?path=users/eu/berlin`, { token: adminKey }))).toEqual(['u-bob']);
    expect(names(await t.api('GET', `${BASE}?path_startswith=users/eu`, { token: adminKey }))).toEqual(['u-bob']);
    expect(names(await t.api('GET', `${BASE}?path_startswith=users%25`, { token: adminKey }))).toEqual([]);
    expect(names(await t.api('GET', `${BASE}?type=internal&type=external`, { token: adminKey }))).toHaveLength(4);
    expect(names(await t.api('GET', `${BASE}?type=external`, { token: adminKey }))).toEqual([]);
    const bobUuid = (await t.api('GET', `${BASE}${bob.pk}/`, { token: adminKey })).json().uuid;
    expect(names(await t.api('GET', `${BASE}?uuid=${bobUuid.toUpperCase()}`, { token: adminKey }))).toEqual(['u-bob']);
    expect(names(await t.api('GET', `${BASE}?attributes=${encodeURIComponent('{"team":"blue","nested__level":2}')}`, { token: adminKey }))).toEqual(['u-bob']);
  });

  it('group filters (multi-valued, any of)', async () => {
    expect(names(await t.api('GET', `${BASE}?groups_by_name=staff`, { token: adminKey }))).toEqual(['u-alice']);
    expect(names(await t.api('GET', `${BASE}?groups_by_name=staff&groups_by_name=devs`, { token: adminKey }))).toEqual(['u-alice', 'u-bob']);
    expect(names(await t.api('GET', `${BASE}?groups_by_pk=${devs}`, { token: adminKey }))).toEqual(['u-alice', 'u-bob']);
  });

  it('bad filter values → 400 in DRF wording', async () => {
    const cases: Array<[string, Record<string, string[]>]> = [
      ['groups_by_name=nope', { groups_by_name: ['Select a valid choice. nope is not one of the available choices.'] }],
      ['groups_by_pk=abc', { groups_by_pk: ['“abc” is not a valid value.'] }],
      ['groups_by_pk=00000000-0000-0000-0000-000000000001', { groups_by_pk: ['Select a valid choice. 00000000-0000-0000-0000-000000000001 is not one of the available choices.'] }],
      ['type=robot', { type: ['Select a valid choice. robot is not one of the available choices.'] }],
      ['uuid=xyz', { uuid: ['Enter a valid UUID.'] }],
      ['attributes=%7Bnope', { attributes: ['filter: failed to parse JSON'] }],
      ['attributes=%5B1%5D', { attributes: ['filter: value must be key:value mapping'] }],
    ];
    for (const [qs, body] of cases) {
      const r = await t.api('GET', `${BASE}?${qs}`, { token: adminKey });
      expect(r.statusCode, qs).toBe(400);
      expect(r.json(), qs).toEqual(body);
    }
  });

  it('include_groups=false → groups_obj null, groups kept', async () => {
    const r = await t.api('GET', `${BASE}?username=u-alice&include_groups=false`, { token: adminKey });
    const u = r.json().results[0];
    expect(u.groups_obj).toBeNull();
    expect(u.groups).toHaveLength(2);
  });
});

describe('visibility (permissions.md §5 + self)', () => {
  it('a user without grants sees only themselves', async () => {
    const r = await t.api('GET', BASE, { token: aliceKey });
    expect(r.statusCode).toBe(200);
    expect(r.json().results.map((u: any) => u.pk)).toEqual([alice.pk]);
    expect((await t.api('GET', `${BASE}${alice.pk}/`, { token: aliceKey })).statusCode).toBe(200);
    const other = await t.api('GET', `${BASE}${bob.pk}/`, { token: aliceKey });
    expect(other.statusCode).toBe(404);
    expect(other.json()).toEqual({ detail: 'Not found.' });
  });
  it('global view_user sees everyone; an object grant adds that user', async () => {
    expect((await t.api('GET', BASE, { token: viewerKey })).json().pagination.count).toBe(4);
    await c.grant(bob.pk, 'authentik_core.view_user', alice.pk);
    const r = await t.api('GET', BASE, { token: bobKey });
    expect(r.json().results.map((u: any) => u.pk).sort()).toEqual([alice.pk, bob.pk].sort());
    expect((await t.api('GET', `${BASE}${alice.pk}/`, { token: bobKey })).statusCode).toBe(200);
    expect((await t.api('GET', `${BASE}${admin.pk}/`, { token: bobKey })).statusCode).toBe(404);
  });
  it('unknown or non-integer pk → 404; anonymous → 403 before lookup', async () => {
    expect((await t.api('GET', `${BASE}999999/`, { token: adminKey })).statusCode).toBe(404);
    expect((await t.api('GET', `${BASE}abc/`, { token: adminKey })).statusCode).toBe(404);
    for (const [m, p] of [['GET', BASE], ['POST', BASE], ['GET', `${BASE}999999/`], ['GET', `${BASE}me/`], ['DELETE', `${BASE}1/`]] as const) {
      const r = await t.api(m, p, { body: m === 'POST' ? {} : undefined });
      expect(r.statusCode, `${m} ${p}`).toBe(403);
      expect(r.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
    }
  });
});

describe('create', () => {
  it('superuser creates a user: 201, defaults, trimmed strings, groups, event without secrets', async () => {
    const r = await t.api('POST', BASE, {
      token: adminKey,
      body: { username: '  new-user ', name: 'New User', email: 'new@example.org', groups: [staff], attributes: { a: 1 }, pk: 5, is_superuser: true, uid: 'x' },
    });
    expect(r.statusCode).toBe(201);
    const b = r.json();
    expect(Object.keys(b)).toEqual(USER_KEYS);
    expect(b).toMatchObject({
      username: 'new-user', name: 'New User', is_active: true, last_login: null, is_superuser: false, groups: [staff],
      email: 'new@example.org', attributes: { a: 1 }, path: 'users', type: 'internal',
    });
    expect(b.pk).not.toBe(5);
    expect(Buffer.from(b.avatar.split(',')[1], 'base64').toString()).toContain('>NU</text>');
    const row = await t.t.db.selectFrom('user').select(['password']).where('id', '=', b.pk).executeTakeFirstOrThrow();
    expect(row.password).toBeNull();
    const ev = (await c.events('model_created')).filter((e: any) => e.context.model.model_name === 'user');
    expect(ev.at(-1)).toMatchObject({
      app: 'authentik.events.signals',
      user: { pk: admin.pk, username: 'u-admin' },
      context: { model: { app: 'authentik_core', model_name: 'user', pk: b.pk, name: 'new-user' } },
    });
    expect(JSON.stringify(ev.at(-1))).not.toMatch(/password/);
  });

  it('400 bodies in DRF wording, nothing written', async () => {
    const before = (await t.t.db.selectFrom('user').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    const cases: Array<[unknown, Record<string, string[]>]> = [
      [{}, { username: ['This field is required.'], name: ['This field is required.'] }],
      [{ username: '   ', name: '' }, { username: ['This field may not be blank.'] }],
      [{ username: null, name: 'x' }, { username: ['This field may not be null.'] }],
      [{ username: 'u-alice', name: 'x' }, { username: ['This field must be unique.'] }],
      [{ username: 'x'.repeat(151), name: 'x' }, { username: ['Ensure this field has no more than 150 characters.'] }],
      [{ username: 'ok1', name: 'x', email: 'not-an-email' }, { email: ['Enter a valid email address.'] }],
      [{ username: 'ok1', name: 'x', path: '/abs' }, { path: ['No leading or trailing slashes allowed.'] }],
      [{ username: 'ok1', name: 'x', path: 'a//b' }, { path: ['No empty segments in user path allowed.'] }],
      [{ username: 'ok1', name: 'x', type: 'internal_service_account' }, { type: ['Setting a user to internal service account is not allowed.'] }],
      [{ username: 'ok1', name: 'x', type: 'robot' }, { type: ['"robot" is not a valid choice.'] }],
      [{ username: 'ok1', name: 'x', groups: ['00000000-0000-0000-0000-000000000001'] }, { groups: ['Invalid pk "00000000-0000-0000-0000-000000000001" - object does not exist.'] }],
      [{ username: 'ok1', name: 'x', groups: ['nope'] }, { groups: ['“nope” is not a valid UUID.'] }],
      [{ username: 'ok1', name: 'x', attributes: [1] }, { attributes: ['Invalid data. Expected a dictionary, but got list.'] }],
      [{ username: 'ok1', name: 'x', attributes: { k: 'a\u0000b' } }, { attributes: ['Null characters are not allowed.'] }],
      [{ username: 'ok\u0000', name: 'x' }, { username: ['Null characters are not allowed.'] }],
      [{ username: 'ok1', name: 'x', last_login: 'yesterday' }, { last_login: ['Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].'] }],
      [{ username: 'ok1', name: 'x', is_active: 'maybe' }, { is_active: ['Must be a valid boolean.'] }],
      [[], { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }],
    ];
    for (const [body, expected] of cases) {
      const r = await t.api('POST', BASE, { token: adminKey, body });
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json(), JSON.stringify(body)).toEqual(expected);
    }
    const after = (await t.t.db.selectFrom('user').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    expect(after).toBe(before);
  });

  it('without add_user → 403 (before validation); with it → 201, but superuser groups stay off-limits', async () => {
    const denied = await t.api('POST', BASE, { token: aliceKey, body: {} });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toEqual({ detail: 'You do not have permission to perform this action.' });
    const creator = await t.makeUser({ username: 'u-creator' });
    const key = await t.makeToken(creator.pk);
    await c.grant(creator.pk, 'authentik_core.add_user');
    const esc = await t.api('POST', BASE, { token: key, body: { username: 'sneaky', name: 'S', groups: [adminGroup] } });
    expect(esc.statusCode).toBe(400);
    expect(esc.json()).toEqual({ groups: ['Only superusers can add users to or remove users from a superuser group.'] });
    expect(await t.t.db.selectFrom('user').select('id').where('username', '=', 'sneaky').executeTakeFirst()).toBeUndefined();
    const ok = await t.api('POST', BASE, { token: key, body: { username: 'plain', name: 'P', groups: [devs] } });
    expect(ok.statusCode).toBe(201);
  });
});

describe('update', () => {
  it('PATCH changes only what is sent; event written', async () => {
    const r = await t.api('PATCH', `${BASE}${bob.pk}/`, { token: adminKey, body: { name: ' Bob B ', email: '', last_login: '2024-09-13T14:05:42.566123Z' } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ username: 'u-bob', name: 'Bob B', email: '', last_login: '2024-09-13T14:05:42.566123Z', path: 'users/eu/berlin' });
    expect(r.json().attributes).toEqual({ team: 'blue', nested: { level: 2 } });
    const ev = (await c.events('model_updated')).filter((e: any) => e.context.model.model_name === 'user');
    expect(ev.at(-1)!.context).toEqual({ model: { app: 'authentik_core', model_name: 'user', pk: bob.pk, name: 'u-bob' } });
  });

  it('PUT needs username and name and replaces groups (omitted = none)', async () => {
    const u = await t.makeUser({ username: 'u-put' });
    await t.t.db.insertInto('user_group').values({ user_id: u.pk, group_uuid: devs }).execute();
    const bad = await t.api('PUT', `${BASE}${u.pk}/`, { token: adminKey, body: { name: 'x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ username: ['This field is required.'] });
    const r = await t.api('PUT', `${BASE}${u.pk}/`, { token: adminKey, body: { username: 'u-put', name: 'Put', is_active: false } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ name: 'Put', is_active: false, groups: [], groups_obj: [] });
  });

  it('username uniqueness on update; own username is fine', async () => {
    const dup = await t.api('PATCH', `${BASE}${bob.pk}/`, { token: adminKey, body: { username: 'u-alice' } });
    expect(dup.statusCode).toBe(400);
    expect(dup.json()).toEqual({ username: ['This field must be unique.'] });
    expect((await t.api('PATCH', `${BASE}${bob.pk}/`, { token: adminKey, body: { username: 'u-bob' } })).statusCode).toBe(200);
  });

  it('no change permission: own user → 403, other user → 404 (before body validation)', async () => {
    const self = await t.api('PATCH', `${BASE}${alice.pk}/`, { token: aliceKey, body: { name: 'Me' } });
    expect(self.statusCode).toBe(403);
    expect((await t.api('PATCH', `${BASE}${admin.pk}/`, { token: aliceKey, body: { username: null } })).statusCode).toBe(404);
    expect((await t.api('PATCH', `${BASE}999999/`, { token: adminKey, body: { username: null } })).statusCode).toBe(404);
    expect((await t.api('PATCH', `${BASE}${alice.pk}/`, { token: aliceKey, body: { username: null } })).statusCode).toBe(403);
  });

  it('a non-superuser with change_user cannot make themselves (or anyone) superuser, nor touch a superuser', async () => {
    const mallory = await t.makeUser({ username: 'u-mallory' });
    const key = await t.makeToken(mallory.pk);
    await c.grant(mallory.pk, 'authentik_core.change_user');
    await c.grant(mallory.pk, 'authentik_core.view_user');
    const r = await t.api('PATCH', `${BASE}${mallory.pk}/`, { token: key, body: { groups: [adminGroup] } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ groups: ['Only superusers can add users to or remove users from a superuser group.'] });
    const childOfAdmins = await c.makeGroup({ name: 'admins-child', parent: adminGroup });
    expect((await t.api('PATCH', `${BASE}${mallory.pk}/`, { token: key, body: { groups: [childOfAdmins] } })).statusCode).toBe(400);
    const me = (await t.api('GET', `${BASE}me/`, { token: key })).json();
    expect(me.user.is_superuser).toBe(false);
    expect((await t.api('PATCH', `${BASE}${admin.pk}/`, { token: key, body: { email: 'mine@evil.example' } })).statusCode).toBe(403);
    expect((await t.api('DELETE', `${BASE}${admin.pk}/`, { token: key })).statusCode).toBe(403);
    const ok = await t.api('PATCH', `${BASE}${mallory.pk}/`, { token: key, body: { groups: [devs], name: 'Mal' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ name: 'Mal', groups: [devs], is_superuser: false });
  });
});

describe('delete', () => {
  it('204; connections and tokens go with the user; the token stops working; event written', async () => {
    const victim = await t.makeUser({ username: 'u-victim' });
    const key = await t.makeToken(victim.pk);
    const src = await t.makeSource();
    const conn = await t.makeConnection(victim.pk, src.pk);
    expect((await t.api('GET', `${BASE}me/`, { token: key })).statusCode).toBe(200);
    const r = await t.api('DELETE', `${BASE}${victim.pk}/`, { token: adminKey });
    expect(r.statusCode).toBe(204);
    expect(r.body).toBe('');
    expect((await t.api('GET', `${BASE}${victim.pk}/`, { token: adminKey })).statusCode).toBe(404);
    expect(await t.t.db.selectFrom('user_source_connection').select('id').where('id', '=', conn).executeTakeFirst()).toBeUndefined();
    expect(await t.t.db.selectFrom('token').select('identifier').where('user_id', '=', victim.pk).executeTakeFirst()).toBeUndefined();
    expect((await t.api('GET', `${BASE}me/`, { token: key })).json()).toEqual({ detail: 'Token invalid/expired' });
    const ev = (await c.events('model_deleted')).at(-1)!;
    expect(ev.context).toEqual({ model: { app: 'authentik_core', model_name: 'user', pk: victim.pk, name: 'u-victim' } });
    expect((await t.api('DELETE', `${BASE}${victim.pk}/`, { token: adminKey })).statusCode).toBe(404);
  });
  it('without delete_user → 403', async () => {
    expect((await t.api('DELETE', `${BASE}${alice.pk}/`, { token: aliceKey })).statusCode).toBe(403);
    expect((await t.api('DELETE', `${BASE}${alice.pk}/`, { token: viewerKey })).statusCode).toBe(403);
  });
});

describe('me/', () => {
  it('gives {user: UserSelf} for any authenticated user', async () => {
    const r = await t.api('GET', `${BASE}me/`, { token: aliceKey });
    expect(r.statusCode).toBe(200);
    const b = r.json();
    expect(Object.keys(b)).toEqual(['user']);
    expect(Object.keys(b.user)).toEqual(['pk', 'username', 'name', 'is_active', 'is_superuser', 'groups', 'email', 'avatar', 'uid', 'settings', 'type', 'system_permissions']);
    expect(b.user).toMatchObject({
      pk: alice.pk, username: 'u-alice', is_active: true, is_superuser: false, email: 'alice@example.org', type: 'internal',
      groups: [{ name: 'devs', pk: devs }, { name: 'staff', pk: staff }],
      settings: { theme: 'dark', locale: 'de' },
      system_permissions: [],
    });
    const retrieved = (await t.api('GET', `${BASE}${alice.pk}/`, { token: aliceKey })).json();
    expect(b.user.uid).toBe(retrieved.uid);
  });
  it('superuser: is_superuser true and every system permission', async () => {
    const b = (await t.api('GET', `${BASE}me/`, { token: adminKey })).json();
    expect(b.user.is_superuser).toBe(true);
    expect(b.user.system_permissions).toContain('access_admin_interface');
  });
});
