/**
 * `/api/v3/core/tokens/` — spec §1.4, §9.2; decisions F9 (keys never in responses or events, stored as
 * digest + ciphertext), F10 (audit); docs/decisions.md U5–U7.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreFactories } from '../helpers/core-factories.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const BASE = '/core/tokens/';
const TOKEN_KEYS = ['pk', 'managed', 'identifier', 'intent', 'user', 'user_obj', 'description', 'expires', 'expiring'];
let t: TestApp;
let c: ReturnType<typeof coreFactories>;
let admin: { pk: number; username: string }, alice: { pk: number; username: string }, bob: { pk: number; username: string };
let adminKey: string, aliceKey: string, bobKey: string;
let aliceCreatedKey: string;

/** Every key string ever shown must stay out of these places. */
async function assertKeyNowhere(key: string, responses: string[]) {
  for (const body of responses) expect(body).not.toContain(key);
  const events = await t.t.db.selectFrom('event').selectAll().execute();
  expect(JSON.stringify(events)).not.toContain(key);
  const rows = await t.t.db.selectFrom('token').select(['key_hash', 'key_encrypted']).execute();
  expect(JSON.stringify(rows)).not.toContain(key);
}

beforeAll(async () => {
  t = await createTestApp();
  c = coreFactories(t.t.db);
  admin = await t.makeUser({ superuser: true, username: 't-admin' });
  alice = await t.makeUser({ username: 't-alice' });
  bob = await t.makeUser({ username: 't-bob' });
  [adminKey, aliceKey, bobKey] = await Promise.all([admin, alice, bob].map((u) => t.makeToken(u.pk)));
  await t.t.db.updateTable('token').set({ identifier: 'a-admin-bootstrap', description: 'bootstrap' }).where('user_id', '=', admin.pk).execute();
  await t.t.db.updateTable('token').set({ identifier: 'b-alice-bootstrap' }).where('user_id', '=', alice.pk).execute();
  await t.t.db.updateTable('token').set({ identifier: 'c-bob-bootstrap', intent: 'api' }).where('user_id', '=', bob.pk).execute();
});
afterAll(async () => t?.close());

describe('create, view_key, authenticate (F9)', () => {
  it('a user creates their own API token: 201, shape, no key; default 30-minute expiry', async () => {
    const before = Date.now();
    const r = await t.api('POST', BASE, { token: aliceKey, body: { identifier: 'alice-cli', description: ' laptop ', key: 'chosen-key', managed: 'goauthentik.io/x' } });
    expect(r.statusCode).toBe(201);
    const b = r.json();
    expect(Object.keys(b)).toEqual(TOKEN_KEYS);
    expect(b).toMatchObject({ managed: null, identifier: 'alice-cli', intent: 'api', user: alice.pk, description: 'laptop', expiring: true });
    expect(b.pk).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(b.user_obj)).toEqual(['pk', 'username', 'name', 'is_active', 'last_login', 'is_superuser', 'groups', 'groups_obj', 'email', 'avatar', 'attributes', 'uid', 'path', 'type', 'uuid']);
    expect(b.user_obj).toMatchObject({ pk: alice.pk, username: 't-alice' });
    const exp = Date.parse(b.expires);
    expect(exp).toBeGreaterThanOrEqual(before + 30 * 60_000 - 2000);
    expect(exp).toBeLessThanOrEqual(Date.now() + 30 * 60_000 + 2000);
    expect(r.body).not.toMatch(/"key"/);
  });

  it('view_key gives the key to its owner; the key authenticates; stored only as digest + ciphertext', async () => {
    const r = await t.api('GET', `${BASE}alice-cli/view_key/`, { token: aliceKey });
    expect(r.statusCode).toBe(200);
    expect(Object.keys(r.json())).toEqual(['key']);
    aliceCreatedKey = r.json().key;
    expect(aliceCreatedKey).toMatch(/^[A-Za-z0-9_-]{60}$/);
    expect(aliceCreatedKey).not.toBe('chosen-key');
    expect(r.headers['cache-control']).toBe('no-store');
    const me = await t.api('GET', '/core/users/me/', { token: aliceCreatedKey });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.pk).toBe(alice.pk);
    const row = await t.t.db.selectFrom('token').select(['key_hash', 'key_encrypted']).where('identifier', '=', 'alice-cli').executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(t.secrets.digest(aliceCreatedKey));
    expect(t.secrets.decrypt(row.key_encrypted)).toBe(aliceCreatedKey);
    const ev = (await c.events('secret_view')).at(-1)!;
    expect(ev.user).toMatchObject({ pk: alice.pk });
    expect(ev.context).toMatchObject({ secret: { app: 'authentik_core', model_name: 'token', name: 'alice-cli' } });
    const list = await t.api('GET', BASE, { token: aliceKey });
    const one = await t.api('GET', `${BASE}alice-cli/`, { token: aliceKey });
    await assertKeyNowhere(aliceCreatedKey, [list.body, one.body]);
    const created = (await c.events('model_created')).at(-1)!;
    expect(created.context).toEqual({ model: { app: 'authentik_core', model_name: 'token', pk: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'alice-cli' } });
  });

  it("view_key: another user's token → 404; a superuser may read any key", async () => {
    expect((await t.api('GET', `${BASE}alice-cli/view_key/`, { token: bobKey })).statusCode).toBe(404);
    const r = await t.api('GET', `${BASE}alice-cli/view_key/`, { token: adminKey });
    expect(r.json()).toEqual({ key: aliceCreatedKey });
    expect((await t.api('GET', `${BASE}nope/view_key/`, { token: adminKey })).statusCode).toBe(404);
  });

  it('superuser creates for another user (non-expiring); the owner can read it; non-superusers cannot name others', async () => {
    const r = await t.api('POST', BASE, { token: adminKey, body: { identifier: 'bob-service', user: bob.pk, expiring: false, intent: 'api' } });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ user: bob.pk, expiring: false, intent: 'api' });
    const key = (await t.api('GET', `${BASE}bob-service/view_key/`, { token: bobKey })).json().key;
    expect((await t.api('GET', '/core/users/me/', { token: key })).json().user.username).toBe('t-bob');
    const denied = await t.api('POST', BASE, { token: aliceKey, body: { identifier: 'for-bob', user: bob.pk } });
    expect(denied.statusCode).toBe(403);
    expect(await t.t.db.selectFrom('token').select('identifier').where('identifier', '=', 'for-bob').executeTakeFirst()).toBeUndefined();
    const self = await t.api('POST', BASE, { token: aliceKey, body: { identifier: 'alice-self', user: alice.pk } });
    expect(self.statusCode).toBe(201);
  });

  it('non-superusers cannot opt out of expiry unless their account allows it', async () => {
    const r = await t.api('POST', BASE, { token: aliceKey, body: { identifier: 'alice-forever', expiring: false } });
    expect(r.json().expiring).toBe(true);
    await t.t.db.updateTable('user').set({ attributes: JSON.stringify({ 'goauthentik.io/user/token-expires': false }) }).where('id', '=', bob.pk).execute();
    const b = await t.api('POST', BASE, { token: bobKey, body: { identifier: 'bob-forever' } });
    expect(b.json().expiring).toBe(false);
  });

  it('app passwords: expires within the maximum lifetime; they do not authenticate API calls', async () => {
    const soon = new Date(Date.now() + 10 * 60_000).toISOString();
    const ok = await t.api('POST', BASE, { token: aliceKey, body: { identifier: 'alice-app', intent: 'app_password', expires: soon } });
    expect(ok.statusCode).toBe(201);
    expect(Date.parse(ok.json().expires)).toBe(Date.parse(soon));
    const late = await t.api('POST', BASE, { token: aliceKey, body: { identifier: 'alice-app2', intent: 'app_password', expires: '2999-01-01T00:00:00Z' } });
    expect(late.statusCode).toBe(400);
    expect(late.json().expires[0]).toMatch(/^Token expires exceeds maximum lifetime \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00:00 UTC\)\.$/);
    const key = (await t.api('GET', `${BASE}alice-app/view_key/`, { token: aliceKey })).json().key;
    expect((await t.api('GET', '/core/users/me/', { token: key })).json()).toEqual({ detail: 'Token invalid/expired' });
  });

  it('400 bodies, nothing written', async () => {
    const before = (await t.t.db.selectFrom('token').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    const cases: Array<[unknown, Record<string, string[]>]> = [
      [{}, { identifier: ['This field is required.'] }],
      [{ identifier: '' }, { identifier: ['This field may not be blank.'] }],
      [{ identifier: 'has space' }, { identifier: ['Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.'] }],
      [{ identifier: 'x'.repeat(256) }, { identifier: ['Ensure this field has no more than 255 characters.'] }],
      [{ identifier: 'alice-cli' }, { identifier: ['Token with this identifier already exists.'] }],
      [{ identifier: 'new1', intent: 'verification' }, { intent: ['Invalid intent verification'] }],
      [{ identifier: 'new1', intent: 'bogus' }, { intent: ['"bogus" is not a valid choice.'] }],
      [{ identifier: 'new1', user: 999999 }, { user: ['Invalid pk "999999" - object does not exist.'] }],
      [{ identifier: 'new1', user: 99999999999 }, { user: ['Invalid pk "99999999999" - object does not exist.'] }],
      [{ identifier: 'new1', expires: 'soon' }, { expires: ['Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].'] }],
      [{ identifier: 'new1', expiring: null }, { expiring: ['This field may not be null.'] }],
      [{ identifier: 'new1', intent: 'app_password', expires: '2024-02-30T00:00:00Z' }, { expires: ['Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].'] }],
      ['"str"', { non_field_errors: ['Invalid data. Expected a dictionary, but got str.'] }],
    ];
    for (const [body, expected] of cases) {
      const r = await t.api('POST', BASE, typeof body === 'string'
        ? { token: adminKey, raw: body, headers: { 'content-type': 'application/json' } }
        : { token: adminKey, body });
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json(), JSON.stringify(body)).toEqual(expected);
    }
    const after = (await t.t.db.selectFrom('token').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    expect(after).toBe(before);
  });

  it('anonymous → 403', async () => {
    for (const [m, p] of [['GET', BASE], ['POST', BASE], ['GET', `${BASE}alice-cli/view_key/`]] as const) {
      const r = await t.api(m, p, { body: m === 'POST' ? { identifier: 'x' } : undefined });
      expect(r.statusCode).toBe(403);
      expect(r.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
    }
  });
});

describe('list and retrieve (owner scoping)', () => {
  const ids = (r: any) => r.json().results.map((x: any) => x.identifier);
  it('non-superusers see their own tokens only; superusers see all; default ordering identifier', async () => {
    const a = await t.api('GET', BASE, { token: aliceKey });
    expect(a.statusCode).toBe(200);
    expect(ids(a)).toEqual(['alice-app', 'alice-cli', 'alice-forever', 'alice-self', 'b-alice-bootstrap']);
    expect(Object.keys(a.json().results[0])).toEqual(TOKEN_KEYS);
    const all = await t.api('GET', BASE, { token: adminKey });
    expect(all.json().pagination.count).toBe(9);
    expect(ids(all)[0]).toBe('a-admin-bootstrap');
    expect((await t.api('GET', `${BASE}bob-service/`, { token: aliceKey })).statusCode).toBe(404);
    expect((await t.api('GET', `${BASE}bob-service/`, { token: adminKey })).json().user).toBe(bob.pk);
  });
  it('filters, search, ordering, pagination', async () => {
    expect(ids(await t.api('GET', `${BASE}?identifier=alice-cli`, { token: adminKey }))).toEqual(['alice-cli']);
    expect(ids(await t.api('GET', `${BASE}?intent=app_password`, { token: adminKey }))).toEqual(['alice-app']);
    expect(ids(await t.api('GET', `${BASE}?user__username=t-bob`, { token: adminKey }))).toEqual(['bob-forever', 'bob-service', 'c-bob-bootstrap']);
    expect(ids(await t.api('GET', `${BASE}?user__username=t-bob`, { token: aliceKey }))).toEqual([]);
    expect(ids(await t.api('GET', `${BASE}?description=laptop`, { token: adminKey }))).toEqual(['alice-cli']);
    expect(ids(await t.api('GET', `${BASE}?expiring=false`, { token: adminKey }))).toEqual(['a-admin-bootstrap', 'b-alice-bootstrap', 'bob-forever', 'bob-service', 'c-bob-bootstrap']);
    expect(ids(await t.api('GET', `${BASE}?managed=x`, { token: adminKey }))).toEqual([]);
    const cli = (await t.api('GET', `${BASE}alice-cli/`, { token: adminKey })).json();
    expect(ids(await t.api('GET', `${BASE}?expires=${encodeURIComponent(cli.expires)}`, { token: adminKey }))).toEqual(['alice-cli']);
    expect((await t.api('GET', `${BASE}?expires=tomorrow`, { token: adminKey })).json()).toEqual({ expires: ['Enter a valid date/time.'] });
    expect((await t.api('GET', `${BASE}?intent=bogus`, { token: adminKey })).json()).toEqual({ intent: ['Select a valid choice. bogus is not one of the available choices.'] });
    expect(ids(await t.api('GET', `${BASE}?search=t-bob%20service`, { token: adminKey }))).toEqual(['bob-service']);
    expect(ids(await t.api('GET', `${BASE}?search=bootstrap`, { token: adminKey }))).toEqual(['a-admin-bootstrap', 'b-alice-bootstrap', 'c-bob-bootstrap']);
    expect(ids(await t.api('GET', `${BASE}?ordering=-identifier,unknown&page_size=2`, { token: adminKey }))).toEqual(['c-bob-bootstrap', 'bob-service']);
    const p = await t.api('GET', `${BASE}?page_size=4&page=3`, { token: adminKey });
    expect(p.json().pagination).toEqual({ next: 0, previous: 2, count: 9, current: 3, total_pages: 3, start_index: 9, end_index: 9 });
  });
  it('expired tokens are listed but do not authenticate', async () => {
    const key = await t.makeToken(alice.pk, { expiring: true, expires: new Date(Date.now() - 60_000) });
    expect((await t.api('GET', '/core/users/me/', { token: key })).json()).toEqual({ detail: 'Token invalid/expired' });
    expect((await t.api('GET', BASE, { token: aliceKey })).json().pagination.count).toBe(6);
    await t.t.db.deleteFrom('token').where('key_hash', '=', t.secrets.digest(key)).execute();
  });
  it('odd identifiers in the URL → 404, never 500; a 255-character identifier is reachable', async () => {
    for (const id of ['%00', 'x'.repeat(256), '%F0%9F%98%80', '..', '%25']) {
      const r = await t.api('GET', `${BASE}${id}/`, { token: adminKey });
      expect(r.statusCode, id).toBe(404);
      expect(r.json()).toEqual({ detail: 'Not found.' });
    }
    const long = 'L'.repeat(255);
    expect((await t.api('POST', BASE, { token: adminKey, body: { identifier: long } })).statusCode).toBe(201);
    expect((await t.api('GET', `${BASE}${long}/`, { token: adminKey })).json().identifier).toBe(long);
    expect((await t.api('DELETE', `${BASE}${long}/`, { token: adminKey })).statusCode).toBe(204);
  });
});

describe('update and delete', () => {
  it('owner PATCHes description and renames; API token expiry is refreshed; expiring stays for non-superusers', async () => {
    await t.t.db.updateTable('token').set({ expires: new Date(Date.now() + 60_000) }).where('identifier', '=', 'alice-cli').execute();
    const r = await t.api('PATCH', `${BASE}alice-cli/`, { token: aliceKey, body: { description: 'desktop', identifier: 'alice-desktop', expiring: false } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ identifier: 'alice-desktop', description: 'desktop', intent: 'api', expiring: true });
    expect(Date.parse(r.json().expires)).toBeGreaterThan(Date.now() + 29 * 60_000);
    expect((await t.api('GET', `${BASE}alice-cli/`, { token: aliceKey })).statusCode).toBe(404);
    expect((await t.api('GET', '/core/users/me/', { token: aliceCreatedKey })).statusCode).toBe(200);
    const ev = (await c.events('model_updated')).at(-1)!;
    expect(ev.context.model.name).toBe('alice-desktop');
  });
  it('user cannot be changed; PUT needs identifier; an omitted intent keeps the current one', async () => {
    const u = await t.api('PATCH', `${BASE}alice-desktop/`, { token: adminKey, body: { user: bob.pk } });
    expect(u.statusCode).toBe(400);
    expect(u.json()).toEqual({ user: ['User cannot be changed'] });
    const p = await t.api('PUT', `${BASE}alice-desktop/`, { token: aliceKey, body: { description: 'x' } });
    expect(p.json()).toEqual({ identifier: ['This field is required.'] });
    const app = await t.api('PATCH', `${BASE}alice-app/`, { token: aliceKey, body: { description: 'mail' } });
    expect(app.json()).toMatchObject({ intent: 'app_password', description: 'mail' });
    const dup = await t.api('PATCH', `${BASE}alice-app/`, { token: aliceKey, body: { identifier: 'bob-service' } });
    expect(dup.json()).toEqual({ identifier: ['Token with this identifier already exists.'] });
    const superPatch = await t.api('PATCH', `${BASE}alice-forever/`, { token: adminKey, body: { expiring: false } });
    expect(superPatch.json().expiring).toBe(false);
  });
  it("another user's token → 404 for update and delete", async () => {
    expect((await t.api('PATCH', `${BASE}bob-service/`, { token: aliceKey, body: { description: 'mine' } })).statusCode).toBe(404);
    expect((await t.api('DELETE', `${BASE}bob-service/`, { token: aliceKey })).statusCode).toBe(404);
  });
  it('DELETE 204; the key stops working; event written', async () => {
    const r = await t.api('DELETE', `${BASE}alice-desktop/`, { token: aliceKey });
    expect(r.statusCode).toBe(204);
    expect((await t.api('GET', '/core/users/me/', { token: aliceCreatedKey })).json()).toEqual({ detail: 'Token invalid/expired' });
    expect((await c.events('model_deleted')).at(-1)!.context.model).toMatchObject({ model_name: 'token', name: 'alice-desktop' });
    await assertKeyNowhere(aliceCreatedKey, []);
  });
});
