/**
 * The two in-memory shortcuts of `/sources/user_connections/all/` never show stale data:
 *
 * - speculative token authentication (domain/auth.ts): list, retrieve, PUT and PATCH may start from a
 *   cached actor, which their statement re-checks. A deleted or expired token, a deactivated user, a
 *   lost superuser flag or a renamed user take effect on the very next request; a PUT under a stale
 *   actor writes nothing; no error answer (400, 404) reaches a caller whose token no longer works.
 * - the source view cache (domain/sources/view-cache.ts): a renamed source or a changed property-mapping
 *   list shows on the next request, also when the change came from another server process (a second
 *   app with its own pool and caches on the same database) or from plain SQL.
 */
import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createPool } from '../../src/db/connect.js';
import type { Database } from '../../src/db/database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const BASE = '/sources/user_connections/all/';
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const eventCount = async () => (await t.t.db.selectFrom('event').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
const lastUpdated = async (id: number) =>
  (await t.t.db.selectFrom('user_source_connection').select('last_updated').where('id', '=', id).executeTakeFirstOrThrow()).last_updated;

/** A user with a token and one connection; every speculative route answered 200 once (the cache is warm). */
async function warmCaller(o: { superuser?: boolean } = {}) {
  const user = await t.makeUser({ superuser: o.superuser, password: 'x' });
  const key = await t.makeToken(user.pk);
  const src = await t.makeSource();
  const id = await t.makeConnection(user.pk, src.pk);
  for (const [method, path] of [['GET', BASE], ['GET', `${BASE}?user=${user.pk}`], ['GET', `${BASE}${id}/`], ['PUT', `${BASE}${id}/`], ['PATCH', `${BASE}${id}/`]]) {
    const r = await t.api(method, path, { token: key, body: method === 'GET' ? undefined : {} });
    expect(r.statusCode, `${method} ${path}`).toBe(200);
  }
  return { user, key, src, id };
}

describe('speculative authentication', () => {
  // A failed re-check forgets the key, so every case below starts from its own warm caller: the request
  // after the change is the speculative one.
  const ROUTES = (user: { pk: number }, id: number) => [
    ['GET', BASE], ['GET', `${BASE}?user=${user.pk}`], ['GET', `${BASE}${id}/`], ['PUT', `${BASE}${id}/`], ['PATCH', `${BASE}${id}/`],
  ] as const;

  for (const [label, revoke] of [
    ['deleted', (pk: number) => sql`DELETE FROM token WHERE user_id = ${pk}`],
    ['expired', (pk: number) => sql`UPDATE token SET expiring = true, expires = now() - interval '1 second' WHERE user_id = ${pk}`],
    ['of a deactivated user', (pk: number) => sql`UPDATE "user" SET is_active = false WHERE id = ${pk}`],
  ] as const) {
    it(`a token ${label} after it was cached: each route answers 403 at once and PUT/PATCH write nothing`, async () => {
      for (let i = 0; i < 5; i++) {
        const { user, key, id } = await warmCaller();
        const [method, path] = ROUTES(user, id)[i];
        await revoke(user.pk).execute(t.t.db);
        const events = await eventCount();
        const stamp = await lastUpdated(id);
        const r = await t.api(method, path, { token: key, body: method === 'GET' ? undefined : {} });
        expect(r.statusCode, `${method} ${path}`).toBe(403);
        expect(r.json()).toEqual({ detail: 'Token invalid/expired' });
        expect(await eventCount()).toBe(events);
        expect(await lastUpdated(id)).toEqual(stamp);
      }
    });
  }

  it('the same caller works again once the change is undone', async () => {
    const { user, key, id } = await warmCaller();
    await sql`UPDATE "user" SET is_active = false WHERE id = ${user.pk}`.execute(t.t.db);
    expect((await t.api('PUT', `${BASE}${id}/`, { token: key, body: {} })).statusCode).toBe(403);
    await sql`UPDATE "user" SET is_active = true WHERE id = ${user.pk}`.execute(t.t.db);
    const events = await eventCount();
    expect((await t.api('PUT', `${BASE}${id}/`, { token: key, body: {} })).statusCode).toBe(200);
    expect(await eventCount()).toBe(events + 1);
  });

  it('a superuser who loses the flag sees only their own rows on the next request, and everything again once restored', async () => {
    const { user, key, id } = await warmCaller({ superuser: true });
    const other = await t.makeUser();
    const otherId = await t.makeConnection(other.pk, (await t.makeSource()).pk);
    const all = (await t.api('GET', `${BASE}?page_size=1000`, { token: key })).json();
    expect(all.pagination.count).toBeGreaterThan(1);
    expect((await t.api('GET', `${BASE}${otherId}/`, { token: key })).statusCode).toBe(200);

    const groups = await t.t.db.selectFrom('user_group').select('group_uuid').where('user_id', '=', user.pk).execute();
    await sql`DELETE FROM user_group WHERE user_id = ${user.pk}`.execute(t.t.db);
    const own = (await t.api('GET', `${BASE}?page_size=1000`, { token: key })).json();
    expect(own.pagination.count).toBe(1);
    expect(own.results.map((r: any) => r.pk)).toEqual([id]);
    expect((await t.api('GET', `${BASE}${otherId}/`, { token: key })).statusCode).toBe(404);
    const events = await eventCount();
    expect((await t.api('PUT', `${BASE}${otherId}/`, { token: key, body: {} })).statusCode).toBe(404);
    expect(await eventCount()).toBe(events);

    for (const g of groups) await sql`INSERT INTO user_group (user_id, group_uuid) VALUES (${user.pk}, ${g.group_uuid})`.execute(t.t.db);
    expect((await t.api('GET', `${BASE}?page_size=1000`, { token: key })).json().pagination.count).toBe(all.pagination.count);
    expect((await t.api('GET', `${BASE}${otherId}/`, { token: key })).statusCode).toBe(200);
  });

  it('a superuser group that stops being one takes effect on the next request', async () => {
    const { key } = await warmCaller({ superuser: true });
    const group = await t.superuserGroup();
    expect((await t.api('GET', BASE, { token: key })).json().pagination.count).toBeGreaterThan(1);
    await sql`UPDATE "group" SET is_superuser = false WHERE group_uuid = ${group}`.execute(t.t.db);
    try {
      expect((await t.api('GET', BASE, { token: key })).json().pagination.count).toBe(1);
    } finally {
      await sql`UPDATE "group" SET is_superuser = true WHERE group_uuid = ${group}`.execute(t.t.db);
    }
  });

  it('a renamed user: the next PUT records the new username in its event', async () => {
    const { user, key, id } = await warmCaller();
    const renamed = `renamed-${randomUUID().slice(0, 8)}`;
    await sql`UPDATE "user" SET username = ${renamed} WHERE id = ${user.pk}`.execute(t.t.db);
    expect((await t.api('PUT', `${BASE}${id}/`, { token: key, body: {} })).statusCode).toBe(200);
    const [e] = await t.t.db.selectFrom('event').select(['user', 'context']).where('action', '=', 'model_updated')
      .orderBy('created', 'desc').limit(1).execute();
    expect((e.user as any).username).toBe(renamed);
    expect((e.context as any).model.pk).toBe(id);
  });

  it('no error answer reaches a caller whose cached token was deleted: 403 comes first', async () => {
    const other = await t.makeUser();
    const cases: [string, (id: number) => string, string | undefined][] = [
      ['GET', () => `${BASE}?user=abc`, undefined],              // 400 for a valid token
      ['GET', () => `${BASE}?page=999`, undefined],              // 404 Invalid page.
      ['GET', () => `${BASE}?user=${other.pk}`, undefined],       // another user's pk: looked up before the list
      ['GET', () => `${BASE}?user=987654`, undefined],            // 400 unknown user
      ['GET', () => `${BASE}?ordering=-created`, undefined],      // the generic (non-fast) path
      ['GET', () => `${BASE}abc/`, undefined],                    // 404 malformed id
      ['GET', () => `${BASE}2000000000/`, undefined],             // 404 absent
      ['PUT', (id) => `${BASE}${id}/`, '[1, 2]'],                 // 400 non-object body
      ['PUT', (id) => `${BASE}${id}/`, '{"broken'],               // 400 malformed JSON
    ];
    for (const [method, path, raw] of cases) {
      const { user, key, id } = await warmCaller();
      await sql`DELETE FROM token WHERE user_id = ${user.pk}`.execute(t.t.db);
      const r = await t.api(method, path(id), { token: key, raw, headers: raw ? { 'content-type': 'application/json' } : {} });
      expect(r.statusCode, `${method} ${path(id)} ${raw ?? ''}`).toBe(403);
      expect(r.json()).toEqual({ detail: 'Token invalid/expired' });
    }
  });

  it('with a live token the same bad inputs keep their answers', async () => {
    const { key, id } = await warmCaller();
    expect((await t.api('GET', `${BASE}?user=abc`, { token: key })).statusCode).toBe(400);
    expect((await t.api('GET', `${BASE}?page=999`, { token: key })).json()).toEqual({ detail: 'Invalid page.' });
    expect((await t.api('GET', `${BASE}?user=987654`, { token: key })).statusCode).toBe(400);
    expect((await t.api('GET', `${BASE}abc/`, { token: key })).json()).toEqual({ detail: 'Not found.' });
    const bad = await t.api('PUT', `${BASE}${id}/`, { token: key, raw: '[1, 2]', headers: { 'content-type': 'application/json' } });
    expect(bad.statusCode).toBe(400);
  });
});

describe('source view cache', () => {
  it('a renamed source and changed mapping lists show on the next list, retrieve and PUT', async () => {
    const { user, key, src, id } = await warmCaller({ superuser: true });
    const name = `renamed-${randomUUID().slice(0, 8)}`;
    await sql`UPDATE source SET name = ${name} WHERE pbm_uuid = ${src.pk}`.execute(t.t.db);
    const seen = async () => {
      const list = (await t.api('GET', `${BASE}?source__slug=${src.slug}`, { token: key })).json().results[0].source;
      const own = (await t.api('GET', `${BASE}?user=${user.pk}`, { token: key })).json().results[0].source;
      const one = (await t.api('GET', `${BASE}${id}/`, { token: key })).json().source;
      const put = (await t.api('PUT', `${BASE}${id}/`, { token: key, body: {} })).json().source;
      return [list, own, one, put];
    };
    for (const s of await seen()) expect(s.name).toBe(name);

    const pm = randomUUID();
    await sql`INSERT INTO property_mapping (pm_uuid, name) VALUES (${pm}, ${`pm-${pm}`})`.execute(t.t.db);
    await sql`INSERT INTO source_user_property_mapping (source_id, property_mapping_id) VALUES (${src.pk}, ${pm})`.execute(t.t.db);
    await sql`INSERT INTO source_group_property_mapping (source_id, property_mapping_id) VALUES (${src.pk}, ${pm})`.execute(t.t.db);
    for (const s of await seen()) {
      expect(s.user_property_mappings).toEqual([pm]);
      expect(s.group_property_mappings).toEqual([pm]);
    }
    await sql`DELETE FROM property_mapping WHERE pm_uuid = ${pm}`.execute(t.t.db); // cascades to both link tables
    for (const s of await seen()) {
      expect(s.user_property_mappings).toEqual([]);
      expect(s.group_property_mappings).toEqual([]);
    }
  });

  it('a change made through another server process shows in this one on the next request', async () => {
    const { key, src, id } = await warmCaller({ superuser: true });
    // A second server on the same database: its own pool, token cache and source view cache.
    const pool = createPool(t.t.url, 2);
    const db2 = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const app2 = await buildApp({ config: t.config, deps: { db: db2, secrets: t.secrets }, logger: false });
    try {
      const inject2 = (method: string, url: string, body?: unknown) => app2.inject({
        method: method as any, url: `/api/v3${url}`, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        payload: body === undefined ? undefined : JSON.stringify(body),
      });
      expect((await inject2('GET', `${BASE}${id}/`)).json().source.name).not.toBe('from-the-other-process');
      const patched = await inject2('PATCH', `/sources/oauth/${src.slug}/`, {
        name: 'from-the-other-process', authorization_url: 'https://idp.example/authorize',
        access_token_url: 'https://idp.example/token', profile_url: 'https://idp.example/userinfo',
      });
      expect(patched.statusCode, patched.body).toBe(200);
      expect((await t.api('GET', `${BASE}${id}/`, { token: key })).json().source.name).toBe('from-the-other-process');
      expect((await t.api('GET', `${BASE}?source__slug=${src.slug}`, { token: key })).json().results[0].source.name).toBe('from-the-other-process');
      // …and the other way round: a token revoked through this process stops working there too.
      await sql`DELETE FROM token WHERE key_hash = ${t.secrets.digest(key)}`.execute(t.t.db);
      expect((await inject2('GET', `${BASE}${id}/`)).statusCode).toBe(403);
    } finally {
      await app2.close();
      await db2.destroy();
    }
  });
});

describe('source.revision (migration 1070_add_source_revision)', () => {
  const revision = async (pk: string) =>
    Number((await t.t.db.selectFrom('source').select('revision').where('pbm_uuid', '=', pk).executeTakeFirstOrThrow()).revision);

  it('is bumped by every source update and every change of its mapping links, in the same transaction', async () => {
    const a = await t.makeSource();
    const b = await t.makeSource();
    let [ra, rb] = [await revision(a.pk), await revision(b.pk)];
    await sql`UPDATE source SET enabled = enabled WHERE pbm_uuid = ${a.pk}`.execute(t.t.db);
    expect(await revision(a.pk)).toBeGreaterThan(ra);
    expect(await revision(b.pk)).toBe(rb);
    ra = await revision(a.pk);

    const [p1, p2] = [randomUUID(), randomUUID()];
    await sql`INSERT INTO property_mapping (pm_uuid, name) VALUES (${p1}, ${`r-${p1}`}), (${p2}, ${`r-${p2}`})`.execute(t.t.db);
    await sql`INSERT INTO source_user_property_mapping (source_id, property_mapping_id)
      VALUES (${a.pk}, ${p1}), (${a.pk}, ${p2}), (${b.pk}, ${p1})`.execute(t.t.db);
    expect(await revision(a.pk)).toBeGreaterThan(ra);
    expect(await revision(b.pk)).toBeGreaterThan(rb);
    [ra, rb] = [await revision(a.pk), await revision(b.pk)];

    await sql`UPDATE source_user_property_mapping SET source_id = ${b.pk} WHERE source_id = ${a.pk} AND property_mapping_id = ${p2}`.execute(t.t.db);
    expect(await revision(a.pk)).toBeGreaterThan(ra);
    expect(await revision(b.pk)).toBeGreaterThan(rb);
    [ra, rb] = [await revision(a.pk), await revision(b.pk)];

    await sql`DELETE FROM property_mapping WHERE pm_uuid = ${p1}`.execute(t.t.db);
    expect(await revision(a.pk)).toBeGreaterThan(ra);
    expect(await revision(b.pk)).toBeGreaterThan(rb);
  });

  it('a source re-created with the same pk never gets an old revision back', async () => {
    const a = await t.makeSource();
    const row = await t.t.db.selectFrom('source').selectAll().where('pbm_uuid', '=', a.pk).executeTakeFirstOrThrow();
    const before = Number(row.revision);
    await sql`DELETE FROM source WHERE pbm_uuid = ${a.pk}`.execute(t.t.db);
    const { revision: _r, ...rest } = row as any;
    await t.t.db.insertInto('source').values(rest).execute();
    expect(await revision(a.pk)).not.toBe(before);
  });

  it('a rolled-back change leaves the revision as it was; deleting a source with links works', async () => {
    const a = await t.makeSource();
    const r0 = await revision(a.pk);
    await t.t.db.transaction().execute(async (tx) => {
      await sql`UPDATE source SET name = 'x' WHERE pbm_uuid = ${a.pk}`.execute(tx);
      throw new Error('rollback');
    }).catch(() => undefined);
    expect(await revision(a.pk)).toBe(r0);

    const p = randomUUID();
    await sql`INSERT INTO property_mapping (pm_uuid, name) VALUES (${p}, ${`d-${p}`})`.execute(t.t.db);
    await sql`INSERT INTO source_user_property_mapping (source_id, property_mapping_id) VALUES (${a.pk}, ${p})`.execute(t.t.db);
    await sql`DELETE FROM source WHERE pbm_uuid = ${a.pk}`.execute(t.t.db);
    expect(await t.t.db.selectFrom('source').select('pbm_uuid').where('pbm_uuid', '=', a.pk).execute()).toEqual([]);
  });
});
