/**
 * `/api/v3/events/events/` — the audit trail of decisions F10 in authentik's Event shape: list
 * (filters, search, ordering), retrieve, actions; visible to superusers and holders of
 * `authentik_events.view_event` (permissions.md §5.1); read-only over the API.
 */
import { randomUUID } from 'node:crypto';
import { EventFromJSON, PaginatedEventListFromJSON } from '@goauthentik/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { rand } from '../helpers/factories.js';

const BASE = '/events/events/';
let t: TestApp;
let admin: { pk: number; username: string }, adminKey: string;
const tag = rand();
const ids: Record<string, string> = {};
const sourcePk = randomUUID();

async function insert(name: string, o: { action?: string; app?: string; user?: object; context?: object; client_ip?: string | null; brand?: object; created?: string }) {
  const uuid = randomUUID();
  ids[name] = uuid;
  await t.t.db.insertInto('event').values({
    event_uuid: uuid, action: o.action ?? 'custom_test', app: o.app ?? 'tests', user: JSON.stringify(o.user ?? {}),
    context: JSON.stringify(o.context ?? {}), client_ip: o.client_ip ?? null, brand: JSON.stringify(o.brand ?? {}),
    ...(o.created ? { created: o.created, expires: o.created } : {}),
  }).execute();
  return uuid;
}
const countEvents = async () => (await t.t.db.selectFrom('event').select('event_uuid').execute()).length;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.makeUser({ superuser: true });
  adminKey = await t.makeToken(admin.pk);
  await insert('login', { action: 'login', app: 'authentik.events.signals', user: { pk: 7, username: `carol-${tag}`, email: 'c@example.org' }, client_ip: '10.0.0.7', created: '2024-01-01T00:00:01Z', brand: { name: 'Main brand' } });
  await insert('src', {
    action: 'model_updated', app: 'authentik.events.signals', user: { pk: 8, username: `dave-${tag}` },
    context: { model: { app: 'authentik_core', model_name: 'source', pk: sourcePk.replace(/-/g, ''), name: `needle-${tag}` } },
    client_ip: '10.0.0.8', created: '2024-01-01T00:00:02Z',
  });
  await insert('conn', {
    action: 'model_deleted', app: 'authentik.events.signals', user: { pk: 8, username: `dave-${tag}` },
    context: { model: { app: 'authentik_core', model_name: 'usersourceconnection', pk: 4242, name: 'User-source connection' }, authorized_application: { pk: 'abc123' } },
    client_ip: '10.0.0.8', created: '2024-01-01T00:00:03Z',
  });
});
afterAll(async () => t?.close());

describe('list', () => {
  it('Event shape in authentik key order, newest first by default', async () => {
    const r = await t.api('GET', `${BASE}?search=${tag}`, { token: adminKey });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(() => PaginatedEventListFromJSON(body)).not.toThrow();
    expect(body.results.map((e: any) => e.pk)).toEqual([ids.conn, ids.src, ids.login]);
    const e = body.results[2];
    expect(Object.keys(e)).toEqual(['pk', 'user', 'action', 'app', 'context', 'client_ip', 'created', 'expires', 'brand']);
    expect(e).toEqual({
      pk: ids.login, user: { pk: 7, username: `carol-${tag}`, email: 'c@example.org' }, action: 'login', app: 'authentik.events.signals',
      context: {}, client_ip: '10.0.0.7', created: '2024-01-01T00:00:01Z', expires: '2024-01-01T00:00:01Z', brand: { name: 'Main brand' },
    });
    expect(EventFromJSON(e).created.toISOString()).toBe('2024-01-01T00:00:01.000Z');
  });

  it('filters: action (contains), username, client_ip, context model app/name/pk (uuid with or without dashes, integers), authorized app, brand', async () => {
    const q = async (qs: string) => (await t.api('GET', `${BASE}?${qs}`, { token: adminKey })).json().results.map((e: any) => e.pk);
    expect(await q(`action=MODEL_&search=${tag}`)).toEqual([ids.conn, ids.src]);
    expect(await q(`username=dave-${tag}`)).toEqual([ids.conn, ids.src]);
    expect(await q(`username=DAVE-${tag}`)).toEqual([]);
    expect(await q(`client_ip=10.0.0.7`)).toEqual([ids.login]);
    expect(await q(`context_model_app=authentik_core&context_model_name=source&search=${tag}`)).toEqual([ids.src]);
    expect(await q(`context_model_pk=${sourcePk}`)).toEqual([ids.src]);
    expect(await q(`context_model_pk=${sourcePk.replace(/-/g, '')}`)).toEqual([ids.src]);
    expect(await q('context_model_pk=4242')).toEqual([ids.conn]);
    expect(await q('context_authorized_app=abc123')).toEqual([ids.conn]);
    expect(await q('brand_name=Main brand')).toEqual([ids.login]);
  });

  it('search (every term must match uuid, user, action, app, context or client ip), ordering, pagination', async () => {
    const q = async (qs: string) => (await t.api('GET', `${BASE}?${qs}`, { token: adminKey })).json();
    expect((await q(`search=needle-${tag}`)).results.map((e: any) => e.pk)).toEqual([ids.src]);
    expect((await q(`search=${tag} 10.0.0.7`)).results.map((e: any) => e.pk)).toEqual([ids.login]);
    expect((await q(`search=${ids.conn}`)).results.map((e: any) => e.pk)).toEqual([ids.conn]);
    expect((await q(`search=${tag}&ordering=action`)).results.map((e: any) => e.action)).toEqual(['login', 'model_deleted', 'model_updated']);
    expect((await q(`search=${tag}&ordering=created,nonsense`)).results.map((e: any) => e.pk)).toEqual([ids.login, ids.src, ids.conn]);
    expect((await q(`search=${tag}&page_size=2&page=2`)).pagination).toEqual({ next: 0, previous: 1, count: 3, current: 2, total_pages: 2, start_index: 3, end_index: 3 });
    const bad = await t.api('GET', `${BASE}?page=0`, { token: adminKey });
    expect(bad.statusCode).toBe(404);
    expect(bad.json()).toEqual({ detail: 'Invalid page.' });
  });
});

describe('retrieve, actions, read-only', () => {
  it('retrieve by uuid; 404 unknown or malformed', async () => {
    const r = await t.api('GET', `${BASE}${ids.src}/`, { token: adminKey });
    expect(r.statusCode).toBe(200);
    expect(r.json().context.model.name).toBe(`needle-${tag}`);
    for (const id of [randomUUID(), 'nope', '1']) {
      const x = await t.api('GET', `${BASE}${id}/`, { token: adminKey });
      expect(x.statusCode).toBe(404);
      expect(x.json()).toEqual({ detail: 'Not found.' });
    }
  });

  it('actions lists authentik EventActions as TypeCreate objects', async () => {
    const r = await t.api('GET', `${BASE}actions/`, { token: adminKey });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toContainEqual({ name: 'Model Created', description: '', component: 'model_created', model_name: '', requires_enterprise: false });
    expect((await t.api('GET', `${BASE}actions/`)).statusCode).toBe(403);
  });

  it('create/update/delete are not allowed (405) and change nothing', async () => {
    const before = await countEvents();
    expect((await t.api('POST', BASE, { token: adminKey, body: { action: 'login', app: 'x' } })).statusCode).toBe(405);
    expect((await t.api('PUT', `${BASE}${ids.login}/`, { token: adminKey, body: { action: 'logout', app: 'x' } })).statusCode).toBe(405);
    expect((await t.api('PATCH', `${BASE}${ids.login}/`, { token: adminKey, body: { action: 'logout' } })).statusCode).toBe(405);
    expect((await t.api('DELETE', `${BASE}${ids.login}/`, { token: adminKey })).statusCode).toBe(405);
    expect(await countEvents()).toBe(before);
    expect((await t.api('GET', `${BASE}${ids.login}/`, { token: adminKey })).json().action).toBe('login');
  });
});

describe('permissions (permissions.md §5.1)', () => {
  it('anonymous → 403 before lookup', async () => {
    for (const p of [BASE, `${BASE}${ids.login}/`, `${BASE}${randomUUID()}/`]) {
      const r = await t.api('GET', p);
      expect(r.statusCode).toBe(403);
      expect(r.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
    }
  });

  it('no view_event → 403; global view_event → everything; per-object → those events only', async () => {
    const u = await t.makeUser();
    const key = await t.makeToken(u.pk);
    const r = await t.api('GET', BASE, { token: key });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toEqual({ detail: 'You do not have permission to perform this action.' });
    expect((await t.api('GET', `${BASE}${ids.login}/`, { token: key })).statusCode).toBe(403);

    await t.t.db.insertInto('permission_grant').values({ user_id: u.pk, role_uuid: null, codename: 'authentik_events.view_event', object_pk: ids.src }).execute();
    expect((await t.api('GET', BASE, { token: key })).json().results.map((e: any) => e.pk)).toEqual([ids.src]);
    expect((await t.api('GET', `${BASE}${ids.src}/`, { token: key })).statusCode).toBe(200);
    expect((await t.api('GET', `${BASE}${ids.login}/`, { token: key })).statusCode).toBe(404);

    const v = await t.makeUser();
    const vKey = await t.makeToken(v.pk);
    const role = (await t.api('POST', '/rbac/roles/', { token: adminKey, body: { name: `viewers-${rand()}` } })).json();
    await t.api('POST', `/rbac/permissions/assigned_by_roles/${role.pk}/assign/`, { token: adminKey, body: { permissions: ['authentik_events.view_event'] } });
    const group = randomUUID();
    await t.t.db.insertInto('group').values({ group_uuid: group, name: `g-${rand()}`, is_superuser: false, parent_uuid: null, attributes: '{}' }).execute();
    await t.t.db.insertInto('user_group').values({ user_id: v.pk, group_uuid: group }).execute();
    await t.t.db.insertInto('group_role').values({ group_uuid: group, role_uuid: role.pk }).execute();
    expect((await t.api('GET', `${BASE}?search=${tag}`, { token: vKey })).json().pagination.count).toBe(3);
  });
});

describe('audit of this subsystem\'s own writes (F10)', () => {
  it('successful writes add exactly one event each; rejected writes add none; no secrets or expressions in events', async () => {
    const n0 = await countEvents();
    const role = await t.api('POST', '/rbac/roles/', { token: adminKey, body: { name: `aud-${rand()}` } });
    const flow = await t.api('POST', '/flows/instances/', { token: adminKey, body: { name: 'F', slug: `aud-${rand()}`, title: 'T', designation: 'recovery' } });
    const pm = await t.api('POST', '/propertymappings/source/oauth/', { token: adminKey, body: { name: `aud-${rand()}`, expression: 'return {"api_key": "s3cr3t"}' } });
    expect([role.statusCode, flow.statusCode, pm.statusCode]).toEqual([201, 201, 201]);
    expect(await countEvents()).toBe(n0 + 3);
    // rejected: duplicate names, forbidden, not found
    await t.api('POST', '/rbac/roles/', { token: adminKey, body: { name: role.json().name } });
    await t.api('POST', '/flows/instances/', { token: adminKey, body: { name: 'F', slug: flow.json().slug, title: 'T', designation: 'recovery' } });
    await t.api('DELETE', `/flows/instances/nope-${rand()}/`, { token: adminKey });
    await t.api('POST', `/rbac/permissions/assigned_by_users/${admin.pk}/assign/`, { token: adminKey, body: { permissions: ['nope.nope'] } });
    expect(await countEvents()).toBe(n0 + 3);
    const all = await t.t.db.selectFrom('event').selectAll().execute();
    expect(JSON.stringify(all)).not.toContain('s3cr3t');
    expect(JSON.stringify(all)).not.toContain(adminKey);
    const mine = (await t.api('GET', `${BASE}?username=${admin.username}&ordering=-created&page_size=3`, { token: adminKey })).json();
    expect(mine.results.map((e: any) => [e.action, e.context.model.model_name])).toEqual([
      ['model_created', 'oauthsourcepropertymapping'], ['model_created', 'flow'], ['model_created', 'role'],
    ]);
    expect(mine.results[0].client_ip).toBe('127.0.0.1');
  });
});
