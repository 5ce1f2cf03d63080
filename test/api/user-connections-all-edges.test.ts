/**
 * `/sources/user_connections/all/`: every cell of permissions.md §3.2, every list parameter edge of
 * spec §2, hostile input, and decisions F7/F8. Companion of user-connections-all.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const BASE = '/sources/user_connections/all/';
let t: TestApp;
let admin: { pk: number }, owner: { pk: number }, other: { pk: number }, granted: { pk: number };
let adminKey: string, ownerKey: string, otherKey: string, grantedKey: string;
let conn: number;
const many: number[] = [];
const slugs = ['s_a', 's%b', 'S-C', 'sd', 'git-x'];

beforeAll(async () => {
  t = await createTestApp({ maxPageSize: 7 });
  admin = await t.makeUser();
  // superuser through a parent group (permissions.md §3.1 rule 6)
  const parent = await t.superuserGroup();
  const child = randomUUID();
  await t.t.db.insertInto('group').values({ group_uuid: child, name: 'child', is_superuser: false, parent_uuid: parent, attributes: '{}' }).execute();
  await t.t.db.insertInto('user_group').values({ user_id: admin.pk, group_uuid: child }).execute();
  owner = await t.makeUser({ password: 'pw' });
  other = await t.makeUser({ password: 'pw' });
  granted = await t.makeUser({ password: 'pw' });
  for (const c of ['view', 'change', 'delete']) {
    await t.t.db.insertInto('permission_grant').values({ user_id: granted.pk, role_uuid: null, codename: `authentik_core.${c}_usersourceconnection`, object_pk: null }).execute();
  }
  [adminKey, ownerKey, otherKey, grantedKey] = await Promise.all([admin, owner, other, granted].map((u) => t.makeToken(u.pk)));
  const srcs = [];
  for (const slug of slugs) srcs.push(await t.makeSource({ slug }));
  conn = await t.makeConnection(owner.pk, srcs[0].pk);
  many.push(conn);
  for (let i = 1; i < srcs.length; i++) many.push(await t.makeConnection(owner.pk, srcs[i].pk));
  for (let i = 0; i < srcs.length; i++) many.push(await t.makeConnection(other.pk, srcs[i].pk));
});
afterAll(async () => t?.close());

describe('permissions.md §3.2 matrix', () => {
  const ops = (id: number | string) => [
    ['GET', `${BASE}${id}/`], ['PUT', `${BASE}${id}/`], ['PATCH', `${BASE}${id}/`], ['DELETE', `${BASE}${id}/`], ['GET', `${BASE}${id}/used_by/`],
  ] as const;

  it('anonymous: 403 everywhere, before lookup and before 405', async () => {
    for (const [m, p] of [...ops(conn), ...ops(999999), ['GET', BASE], ['POST', BASE]] as const) {
      const r = await t.api(m, p);
      expect(r.statusCode, `${m} ${p}`).toBe(403);
      expect(r.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
    }
  });

  it('bad, expired, wrong-intent tokens and inactive users: 403 Token invalid/expired', async () => {
    const expired = await t.makeToken(owner.pk, { expiring: true, expires: new Date(Date.now() - 1000) });
    const recovery = await t.makeToken(owner.pk, { intent: 'recovery' });
    const inactive = await t.makeUser({ isActive: false });
    const inactiveKey = await t.makeToken(inactive.pk);
    for (const key of ['nope', expired, recovery, inactiveKey]) {
      for (const [m, p] of [...ops(conn), ['GET', BASE]] as const) {
        const r = await t.api(m, p, { token: key });
        expect(r.statusCode).toBe(403);
        expect(r.json()).toEqual({ detail: 'Token invalid/expired' });
      }
    }
    // A future expiry still works.
    const future = await t.makeToken(owner.pk, { expiring: true, expires: new Date(Date.now() + 3600_000) });
    expect((await t.api('GET', BASE, { token: future })).statusCode).toBe(200);
  });

  it('header without a space is treated as no token (anonymous 403)', async () => {
    const r = await t.api('GET', BASE, { headers: { authorization: 'Bearer' } });
    expect(r.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
  });

  it('non-owner (with or without RBAC grants): list omits, detail 404, used_by 403', async () => {
    for (const key of [otherKey, grantedKey]) {
      const list = await t.api('GET', BASE, { token: key });
      expect(list.json().results.map((x: any) => x.pk)).not.toContain(conn);
      for (const [m, p] of ops(conn).slice(0, 4)) {
        const r = await t.api(m, p, { token: key, body: m === 'PUT' || m === 'PATCH' ? {} : undefined });
        expect(r.statusCode, `${m} ${p}`).toBe(404);
        expect(r.json()).toEqual({ detail: 'Not found.' });
      }
      const ub = await t.api('GET', `${BASE}${conn}/used_by/`, { token: key });
      expect(ub.statusCode).toBe(403);
      expect(ub.json()).toEqual({ detail: 'You do not have permission to perform this action.' });
    }
  });

  it('missing and non-integer ids: 404 on every route', async () => {
    for (const id of [999999, 'abc', '1.5', '-1', '99999999999999']) {
      for (const [m, p] of ops(id)) {
        const r = await t.api(m, p, { token: adminKey });
        expect(r.statusCode, `${m} ${p}`).toBe(404);
      }
    }
  });

  it('POST on /all/ (authenticated) → 405', async () => {
    const r = await t.api('POST', BASE, { token: ownerKey, body: {} });
    expect(r.statusCode).toBe(405);
    expect(r.json()).toEqual({ detail: 'Method "POST" not allowed.' });
  });

  it('superuser (via parent group) sees and touches every row', async () => {
    expect((await t.api('GET', BASE, { token: adminKey })).json().pagination.count).toBe(many.length);
    expect((await t.api('GET', `${BASE}${conn}/`, { token: adminKey })).statusCode).toBe(200);
    expect((await t.api('PATCH', `${BASE}${conn}/`, { token: adminKey })).statusCode).toBe(200);
    expect((await t.api('GET', `${BASE}${conn}/used_by/`, { token: adminKey })).json()).toEqual([]);
  });
});

describe('list parameters (spec §2)', () => {
  const list = async (qs: string, key = adminKey) => {
    const r = await t.api('GET', `${BASE}?${qs}`, { token: key });
    expect(r.statusCode, qs).toBe(200);
    return r.json();
  };

  it('page_size: invalid values fall back to 100; above the max (F8, here 7) is clamped', async () => {
    for (const v of ['0', '-3', 'x', '', '2.5']) expect((await list(`page_size=${v}`)).results.length, v).toBe(many.length);
    const big = await list('page_size=100000');
    expect(big.results.length).toBe(7);
    expect(big.pagination.total_pages).toBe(2);
  });

  it('pages: next/previous/start/end indexes and page=last', async () => {
    const p2 = await list('page_size=4&page=2&ordering=pk');
    expect(p2.pagination).toEqual({ next: 3, previous: 1, count: 10, current: 2, total_pages: 3, start_index: 5, end_index: 8 });
    expect(p2.results.map((x: any) => x.pk)).toEqual([...many].sort((a, b) => a - b).slice(4, 8));
    const last = await list('page_size=4&page=last&ordering=pk');
    expect(last.pagination).toMatchObject({ current: 3, next: 0, previous: 2, start_index: 9, end_index: 10 });
    const r = await t.api('GET', `${BASE}?page_size=4&page=4`, { token: adminKey });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({ detail: 'Invalid page.' });
  });

  it('empty result: page 1 is valid with total_pages 1 and zero indexes', async () => {
    const e = await list('source__slug=nothing-here');
    expect(e.pagination).toEqual({ next: 0, previous: 0, count: 0, current: 1, total_pages: 1, start_index: 0, end_index: 0 });
    expect((await t.api('GET', `${BASE}?source__slug=nothing-here&page=2`, { token: adminKey })).statusCode).toBe(404);
  });

  it('ordering: allowed fields, descending, unknown and hostile terms ignored, pk tie-breaker', async () => {
    const byPkDesc = await list('ordering=-pk');
    expect(byPkDesc.results.map((x: any) => x.pk)).toEqual([...many].sort((a, b) => b - a));
    const byUser = await list('ordering=-user,pk');
    expect(byUser.results[0].user).toBe(other.pk);
    for (const hostile of ['nonexistent', 'icon', 'pk;DROP TABLE source', '(select 1)', 'source__slug', '--', ',,,']) {
      const r = await list(`ordering=${encodeURIComponent(hostile)}`);
      // falls back to the default (source slug, pk)
      expect(r.results.map((x: any) => x.source.slug)).toEqual([...r.results.map((x: any) => x.source.slug)].sort((a: string, b: string) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1)));
    }
    const created = await list('ordering=created');
    expect(created.results.map((x: any) => x.pk)).toEqual([...many].sort((a, b) => a - b));
    const bySource = await list('ordering=source,pk');
    const uuids = bySource.results.map((x: any) => x.source.pk);
    expect(uuids).toEqual([...uuids].sort());
  });

  it('search: case-insensitive substring of source slug; every term must match; % and _ literal', async () => {
    expect((await list('search=GIT')).pagination.count).toBe(2);
    expect((await list('search=s_a')).pagination.count).toBe(2); // '_' is literal: matches only s_a
    expect((await list('search=%25')).pagination.count).toBe(2); // '%' literal: s%b
    expect((await list('search=s-c')).pagination.count).toBe(2);
    expect((await list('search=git,x')).pagination.count).toBe(2);
    expect((await list('search=git%20zzz')).pagination.count).toBe(0);
    expect((await list(`search=${encodeURIComponent("'; DROP TABLE source; --")}`)).pagination.count).toBe(0);
    expect((await list('search=')).pagination.count).toBe(many.length);
  });

  it('filters: source__slug exact and case-sensitive; user; unknown params ignored; combined with scoping', async () => {
    expect((await list('source__slug=S-C')).pagination.count).toBe(2);
    expect((await list('source__slug=s-c')).pagination.count).toBe(0);
    expect((await list(`user=${owner.pk}`)).pagination.count).toBe(5);
    expect((await list(`user=${owner.pk}&source__slug=sd`)).pagination.count).toBe(1);
    expect((await list('foo=bar&identifier=x')).pagination.count).toBe(many.length);
    expect((await list(`user=${owner.pk}`, otherKey)).pagination.count).toBe(0);
    const r = await t.api('GET', `${BASE}?user=99999999999`, { token: otherKey });
    expect(r.statusCode).toBe(400);
  });
});

describe('bad input changes nothing', () => {
  it('oversized body → 413; unsupported media type → 415; nulls/strings as bodies → 400', async () => {
    const huge = JSON.stringify({ x: 'a'.repeat(2 * 1024 * 1024) });
    const r = await t.api('PUT', `${BASE}${conn}/`, { token: ownerKey, raw: huge, headers: { 'content-type': 'application/json' } });
    expect(r.statusCode).toBe(413);
    const r2 = await t.api('PUT', `${BASE}${conn}/`, { token: ownerKey, raw: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(r2.statusCode).toBe(415);
    expect(r2.json()).toEqual({ detail: 'Unsupported media type "application/x-www-form-urlencoded" in request.' });
    for (const [raw, type] of [['"x"', 'str'], ['1', 'int'], ['true', 'bool'], ['null', 'NoneType']]) {
      const r3 = await t.api('PATCH', `${BASE}${conn}/`, { token: ownerKey, raw, headers: { 'content-type': 'application/json' } });
      expect(r3.statusCode, raw).toBe(400);
      expect(r3.json()).toEqual({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${type}.`] });
    }
    const proto = await t.api('PUT', `${BASE}${conn}/`, { token: ownerKey, raw: '{"__proto__": {"isSuperuser": true}}', headers: { 'content-type': 'application/json' } });
    expect(proto.statusCode).toBe(200);
    expect((await t.api('GET', BASE, { token: ownerKey })).json().pagination.count).toBe(5);
  });
});

describe('DELETE and the last way in (F7)', () => {
  it('owner deletes own connection: 204, typed row gone, event written', async () => {
    const id = many[1];
    const r = await t.api('DELETE', `${BASE}${id}/`, { token: ownerKey });
    expect(r.statusCode).toBe(204);
    expect(r.body).toBe('');
    expect(await t.t.db.selectFrom('user_oauth_source_connection').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
    const ev = await t.t.db.selectFrom('event').select(['action', 'context']).where('action', '=', 'model_deleted').execute();
    expect(ev.some((e: any) => e.context.model.pk === id && e.context.model.model_name === 'usersourceconnection')).toBe(true);
  });

  it('a user without a password cannot delete their only connection; a superuser can', async () => {
    const lone = await t.makeUser({ password: null });
    const key = await t.makeToken(lone.pk);
    const src = await t.makeSource();
    const id = await t.makeConnection(lone.pk, src.pk);
    const r = await t.api('DELETE', `${BASE}${id}/`, { token: key });
    expect(r.statusCode).toBe(400);
    expect(r.json().non_field_errors[0]).toMatch(/only way to sign in/);
    expect((await t.api('GET', `${BASE}${id}/`, { token: key })).statusCode).toBe(200);
    expect((await t.api('DELETE', `${BASE}${id}/`, { token: adminKey })).statusCode).toBe(204);
  });
});

describe('malformed URLs', () => {
  it('bad percent-encoding → 400 detail; over-long path parameter → 4xx detail, never a 500', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v3/sources/user_connections/all/%C0/', headers: { authorization: `Bearer ${adminKey}` } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ detail: 'Malformed request URL.' });
    const long = await t.app.inject({ method: 'GET', url: `/api/v3/sources/user_connections/all/${'9'.repeat(400)}/`, headers: { authorization: `Bearer ${adminKey}` } });
    expect(long.statusCode).toBeGreaterThanOrEqual(400);
    expect(long.statusCode).toBeLessThan(500);
    expect(long.json()).toHaveProperty('detail');
  });
});

describe('odd text in audited writes', () => {
  it('a lone surrogate in a source name is stored (as U+FFFD in the event), never a 500', async () => {
    const r = await t.api('POST', '/sources/oauth/', { token: adminKey, raw: '{"name":"x\\ud800y","slug":"surrogate-src","provider_type":"github","consumer_key":"k","consumer_secret":"s"}', headers: { 'content-type': 'application/json' } });
    expect(r.statusCode).toBeLessThan(500);
  });
});
