/**
 * `/api/v3/sources/user_connections/all/` — spec §5, permissions.md §3, decisions W2–W6, F7, F8, F10.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const BASE = '/sources/user_connections/all/';
let t: TestApp;
let admin: { pk: number }, alice: { pk: number }, bob: { pk: number };
let adminKey: string, aliceKey: string, bobKey: string;
let src1: { pk: string; slug: string }, src2: { pk: string; slug: string };
let aliceConn1: number, aliceConn2: number, bobConn1: number;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.makeUser({ superuser: true });
  alice = await t.makeUser({ password: 'x' });
  bob = await t.makeUser({ password: 'x' });
  adminKey = await t.makeToken(admin.pk);
  aliceKey = await t.makeToken(alice.pk);
  bobKey = await t.makeToken(bob.pk);
  src1 = await t.makeSource({ slug: 'b-github', icon: 'https://x.example/i.svg' });
  src2 = await t.makeSource({ slug: 'a-gitlab', kind: 'saml' });
  aliceConn1 = await t.makeConnection(alice.pk, src1.pk);
  aliceConn2 = await t.makeConnection(alice.pk, src2.pk, { kind: 'saml' });
  bobConn1 = await t.makeConnection(bob.pk, src1.pk);
});
afterAll(async () => t?.close());

describe('shape (W2)', () => {
  it('retrieve gives {pk, user, source, created} with the base source view', async () => {
    const r = await t.api('GET', `${BASE}${aliceConn1}/`, { token: aliceKey });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(Object.keys(body)).toEqual(['pk', 'user', 'source', 'created']);
    expect(body.pk).toBe(aliceConn1);
    expect(body.user).toBe(alice.pk);
    expect(body.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
    expect(Object.keys(body.source)).toEqual([
      'pk', 'name', 'slug', 'enabled', 'authentication_flow', 'enrollment_flow', 'user_property_mappings',
      'group_property_mappings', 'component', 'verbose_name', 'verbose_name_plural', 'meta_model_name',
      'policy_engine_mode', 'user_matching_mode', 'managed', 'user_path_template', 'icon',
    ]);
    expect(body.source).toMatchObject({
      pk: src1.pk, slug: 'b-github', enabled: true, authentication_flow: null, enrollment_flow: null,
      user_property_mappings: [], group_property_mappings: [], component: '', verbose_name: 'source',
      verbose_name_plural: 'sources', meta_model_name: 'authentik_core.source', policy_engine_mode: 'any',
      user_matching_mode: 'identifier', managed: null, user_path_template: 'goauthentik.io/sources/%(slug)s',
      icon: 'https://x.example/i.svg',
    });
    expect(body).not.toHaveProperty('identifier');
  });
});

describe('list', () => {
  it('owner sees own rows in default order (source slug, pk)', async () => {
    const r = await t.api('GET', BASE, { token: aliceKey });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(Object.keys(body)).toEqual(['pagination', 'results']);
    expect(body.pagination).toEqual({ next: 0, previous: 0, count: 2, current: 1, total_pages: 1, start_index: 1, end_index: 2 });
    expect(body.results.map((x: any) => x.pk)).toEqual([aliceConn2, aliceConn1]);
  });
  it('superuser sees all rows', async () => {
    const r = await t.api('GET', BASE, { token: adminKey });
    expect(r.json().pagination.count).toBe(3);
  });
  it('user filter: other user → empty page; unknown user → 400', async () => {
    expect((await t.api('GET', `${BASE}?user=${bob.pk}`, { token: aliceKey })).json().pagination.count).toBe(0);
    const r = await t.api('GET', `${BASE}?user=999999`, { token: aliceKey });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ user: ['Select a valid choice. That choice is not one of the available choices.'] });
    expect((await t.api('GET', `${BASE}?user=abc`, { token: aliceKey })).statusCode).toBe(400);
  });
  it('bad page → 404 Invalid page (W5)', async () => {
    for (const p of ['0', '-1', 'x', '2', '1.5']) {
      const r = await t.api('GET', `${BASE}?page=${p}`, { token: aliceKey });
      expect(r.statusCode, p).toBe(404);
      expect(r.json()).toEqual({ detail: 'Invalid page.' });
    }
    expect((await t.api('GET', `${BASE}?page=last`, { token: aliceKey })).statusCode).toBe(200);
  });
});

describe('PUT/PATCH (W3)', () => {
  it('accepts any object or no body, ignores keys, answers the unchanged object and writes an event', async () => {
    const before = (await t.api('GET', `${BASE}${aliceConn1}/`, { token: aliceKey })).json();
    const lu0 = await t.t.db.selectFrom('user_source_connection').select('last_updated').where('id', '=', aliceConn1).executeTakeFirstOrThrow();
    for (const [method, body] of [['PUT', { user: bob.pk, source: src2.pk, identifier: 'x' }], ['PATCH', {}], ['PUT', undefined]] as const) {
      const r = await t.api(method, `${BASE}${aliceConn1}/`, { token: aliceKey, body });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual(before);
    }
    const lu1 = await t.t.db.selectFrom('user_source_connection').select('last_updated').where('id', '=', aliceConn1).executeTakeFirstOrThrow();
    expect(lu1.last_updated > lu0.last_updated).toBe(true);
    const ev = await t.t.db.selectFrom('event').selectAll().where('action', '=', 'model_updated').execute();
    expect(ev.length).toBeGreaterThanOrEqual(3);
  });
  it('non-object body → 400 non_field_errors; malformed JSON → 400 detail', async () => {
    const r = await t.api('PUT', `${BASE}${aliceConn1}/`, { token: aliceKey, body: [] });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
    const r2 = await t.api('PATCH', `${BASE}${aliceConn1}/`, { token: aliceKey, raw: '{"a":', headers: { 'content-type': 'application/json' } });
    expect(r2.statusCode).toBe(400);
    expect(r2.json().detail).toMatch(/^JSON parse error - /);
  });
  it("another user's connection → 404", async () => {
    const r = await t.api('PUT', `${BASE}${bobConn1}/`, { token: aliceKey, body: {} });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({ detail: 'Not found.' });
  });
});

describe('auth (W4)', () => {
  it('anonymous → 403 before lookup', async () => {
    const r = await t.api('GET', `${BASE}999999/`);
    expect(r.statusCode).toBe(403);
    expect(r.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
  });
  it('bad token → 403 Token invalid/expired; other scheme → Unsupported authentication type', async () => {
    expect((await t.api('GET', BASE, { token: 'nope' })).json()).toEqual({ detail: 'Token invalid/expired' });
    const r = await t.api('GET', BASE, { headers: { authorization: 'Basic abc' } });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toEqual({ detail: 'Unsupported authentication type' });
  });
});
