/**
 * Conformance: a real `fedlink serve` process driven by authentik's own generated client
 * (npm @goauthentik/api@2024.8.3-1729836831). Data is made through the API as a user would:
 * bootstrap token → users → OAuth source → connections; then the six sourcesUserConnectionsAll*
 * operations with filters, search, ordering and pages, asserting values.
 * Project `embedded`: the server starts its own embedded PostgreSQL (no DATABASE_URL);
 * project `system`: DATABASE_URL points at a fresh database on TEST_DATABASE_URL's server.
 */
import { Configuration, CoreApi, ResponseError, SourcesApi } from '@goauthentik/api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { createTestDb, type TestDb } from '../helpers/test-db.js';

const ADMIN_TOKEN = 'conformance-admin-token-0123456789';
let server: ServerProcess;
let testDb: TestDb | undefined;
let base: string;
let adminApi: SourcesApi;
const users: { pk: number; username: string; token: string }[] = [];
const sources: { pk: string; slug: string }[] = [];
const conns: { pk: number; user: number; source: string }[] = [];

async function call(method: string, path: string, token: string, body?: unknown) {
  const r = await fetch(`${base}/api/v3${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

function client(token: string) {
  return new SourcesApi(new Configuration({ basePath: `${base}/api/v3`, accessToken: async () => token }));
}

beforeAll(async () => {
  if (inject('dbMode') === 'system') testDb = await createTestDb();
  server = await startServer({ databaseUrl: testDb?.url, env: { FEDLINK_BOOTSTRAP_TOKEN: ADMIN_TOKEN } });
  base = server.url;
  adminApi = client(ADMIN_TOKEN);
  // Users, each with an API token made through the API.
  const core = new CoreApi(new Configuration({ basePath: `${base}/api/v3`, accessToken: async () => ADMIN_TOKEN }));
  for (const name of ['alice', 'bob']) {
    const u = await core.coreUsersCreate({ userRequest: { username: name, name: `${name} example`, email: `${name}@example.org` } });
    await call('POST', '/core/tokens/', ADMIN_TOKEN, { identifier: `${name}-token`, intent: 'api', user: u.pk, expiring: false });
    const { key } = await call('GET', `/core/tokens/${name}-token/view_key/`, ADMIN_TOKEN);
    users.push({ pk: u.pk, username: name, token: key });
  }
  for (const slug of ['zeta-oidc', 'alpha-oidc', 'mid-github']) {
    const s = await call('POST', '/sources/oauth/', ADMIN_TOKEN, {
      name: `Source ${slug}`, slug, provider_type: 'openidconnect', consumer_key: 'ck', consumer_secret: 'cs',
      authorization_url: 'http://127.0.0.1:1/auth', access_token_url: 'http://127.0.0.1:1/token', profile_url: 'http://127.0.0.1:1/userinfo',
    });
    sources.push({ pk: s.pk, slug });
  }
  // alice: all three sources; bob: two.
  for (const [ui, si] of [[0, 0], [0, 1], [0, 2], [1, 0], [1, 2]] as const) {
    const c = await call('POST', '/sources/user_connections/oauth/', ADMIN_TOKEN, {
      source: sources[si].pk, user: users[ui].pk, identifier: `${users[ui].username}@${sources[si].slug}`,
    });
    conns.push({ pk: c.pk, user: users[ui].pk, source: sources[si].slug });
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await testDb?.drop();
});

describe('sourcesUserConnectionsAll* with the generated client', () => {
  it('list: default ordering (source slug, pk), envelope values', async () => {
    const page = await adminApi.sourcesUserConnectionsAllList({});
    expect(page.pagination).toEqual({ next: 0, previous: 0, count: 5, current: 1, totalPages: 1, startIndex: 1, endIndex: 5 });
    const expected = [...conns].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.pk - b.pk)).map((c) => c.pk);
    expect(page.results.map((r) => r.pk)).toEqual(expected);
    const first = page.results[0];
    expect(first.source.slug).toBe('alpha-oidc');
    expect(first.source.component).toBe('');
    expect(first.source.metaModelName).toBe('authentik_core.source');
    expect(first.created).toBeInstanceOf(Date);
  });

  it('list: filters, search, ordering, pages', async () => {
    const byUser = await adminApi.sourcesUserConnectionsAllList({ user: users[1].pk });
    expect(byUser.results.map((r) => r.user)).toEqual([users[1].pk, users[1].pk]);
    const bySlug = await adminApi.sourcesUserConnectionsAllList({ sourceSlug: 'zeta-oidc' });
    expect(bySlug.results.map((r) => r.pk).sort()).toEqual(conns.filter((c) => c.source === 'zeta-oidc').map((c) => c.pk).sort());
    const search = await adminApi.sourcesUserConnectionsAllList({ search: 'OIDC' });
    expect(search.pagination.count).toBe(3);
    const desc = await adminApi.sourcesUserConnectionsAllList({ ordering: '-pk' });
    expect(desc.results.map((r) => r.pk)).toEqual(conns.map((c) => c.pk).sort((a, b) => b - a));
    const p2 = await adminApi.sourcesUserConnectionsAllList({ ordering: 'pk', page: 2, pageSize: 2 });
    expect(p2.pagination).toEqual({ next: 3, previous: 1, count: 5, current: 2, totalPages: 3, startIndex: 3, endIndex: 4 });
    expect(p2.results.map((r) => r.pk)).toEqual(conns.map((c) => c.pk).sort((a, b) => a - b).slice(2, 4));
    // An ordinary user sees only their own rows.
    const own = await client(users[1].token).sourcesUserConnectionsAllList({});
    expect(own.pagination.count).toBe(2);
    expect(new Set(own.results.map((r) => r.user))).toEqual(new Set([users[1].pk]));
  });

  it('retrieve, update (PUT), partialUpdate (PATCH), usedByList', async () => {
    const c = conns[0];
    const got = await client(users[0].token).sourcesUserConnectionsAllRetrieve({ id: c.pk });
    expect(got.pk).toBe(c.pk);
    expect(got.user).toBe(users[0].pk);
    expect(got.source.slug).toBe(c.source);
    const put = await client(users[0].token).sourcesUserConnectionsAllUpdate({ id: c.pk });
    expect(put).toEqual(got);
    const patch = await adminApi.sourcesUserConnectionsAllPartialUpdate({ id: c.pk });
    expect(patch).toEqual(got);
    expect(await client(users[0].token).sourcesUserConnectionsAllUsedByList({ id: c.pk })).toEqual([]);
    // Another user's connection: 404 on retrieve/update, 403 on used_by (permissions.md §3.2).
    const bob = client(users[1].token);
    await expect(bob.sourcesUserConnectionsAllRetrieve({ id: c.pk })).rejects.toSatisfy((e: unknown) => e instanceof ResponseError && e.response.status === 404);
    await expect(bob.sourcesUserConnectionsAllUpdate({ id: c.pk })).rejects.toSatisfy((e: unknown) => e instanceof ResponseError && e.response.status === 404);
    await expect(bob.sourcesUserConnectionsAllUsedByList({ id: c.pk })).rejects.toSatisfy((e: unknown) => e instanceof ResponseError && e.response.status === 403);
  });

  it('destroy removes the connection (and its typed row)', async () => {
    const c = conns[4];
    await client(users[1].token).sourcesUserConnectionsAllDestroy({ id: c.pk });
    await expect(adminApi.sourcesUserConnectionsAllRetrieve({ id: c.pk })).rejects.toSatisfy((e: unknown) => e instanceof ResponseError && e.response.status === 404);
    const typed = await fetch(`${base}/api/v3/sources/user_connections/oauth/${c.pk}/`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(typed.status).toBe(404);
    expect((await adminApi.sourcesUserConnectionsAllList({})).pagination.count).toBe(4);
  });

  it('the seed: PUT /api/v3/sources/user_connections/all/{id}/ answers 200 with the seed shape', async () => {
    const r = await fetch(`${base}/api/v3/sources/user_connections/all/${conns[1].pk}/`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(Object.keys(body)).toEqual(['pk', 'user', 'source', 'created']);
    expect(body).toMatchObject({ pk: conns[1].pk, user: users[0].pk, source: { slug: 'alpha-oidc', verbose_name: 'source' } });
  });
});
