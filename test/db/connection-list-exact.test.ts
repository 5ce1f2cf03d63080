/**
 * The optimized connection lists (counters + index walk, db/repositories/user-source-connections.ts)
 * give exactly what the plain query gives: same count, same rows in the same order, same page
 * validity, for many combinations of scope, filters, search, ordering, page size and page; and they
 * keep doing so after inserts, deletes (single, bulk, cascaded from users and sources), updates that
 * move rows, TRUNCATE, rolled-back transactions and concurrent writers. The counter tables are also
 * compared with GROUP BY counts directly.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidPage } from '../../src/domain/errors.js';
import type { ListQuery } from '../../src/domain/list.js';
import { allConnectionsListSpec } from '../../src/domain/user-source-connections/service.js';
import {
  deleteConnection, insertConnection, listConnections, type ConnectionBaseRow,
} from '../../src/db/repositories/user-source-connections.js';
import { parseListQuery } from '../../src/http/list/list-query.js';
import { createTestDb, type TestDb } from '../helpers/test-db.js';

let t: TestDb;
let users: number[] = [];
let sources: { pk: string; slug: string }[] = [];

/** Deterministic PRNG (MINSTD), so a failure reproduces. */
function prng(seed: number) {
  let x = seed;
  return (n: number) => {
    x = (x * 48271) % 2147483647;
    return x % n;
  };
}

// Slugs chosen for the search and sort edge cases: shared prefixes, upper case, LIKE metacharacters.
const SLUGS = ['github-1', 'github-11', 'gitlab-5', 'Git_hub', 'okta-3', 'a%b', 'zeta', 'b-src', 'ab', 'empty-source'];
const ORDER_SQL: Record<string, string> = { pk: 'c.id', user: 'c.user_id', source: 'c.source_id', created: 'c.created', source__slug: 's.slug' };

type Outcome = 'invalid page' | { count: number; page: number; ids: number[] };

/** The plain statement: scope → filters → search → ORDER BY → LIMIT/OFFSET, and count(*). */
async function plain(q: ListQuery, ownerPk?: number): Promise<Outcome> {
  const where = [sql`true`];
  if (ownerPk !== undefined) where.push(sql`c.user_id = ${ownerPk}`);
  if (q.filters.user !== undefined) where.push(sql`c.user_id = ${q.filters.user}`);
  if (q.filters.source__slug !== undefined) where.push(sql`s.slug = ${q.filters.source__slug}`);
  for (const term of q.search) where.push(sql`s.slug ILIKE ${`%${term.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`}`);
  const cond = sql.join(where, sql` AND `);
  const from = sql`user_source_connection c JOIN source s ON s.pbm_uuid = c.source_id`;
  const { rows: [{ n }] } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${from} WHERE ${cond}`.execute(t.db);
  const totalPages = Math.max(1, Math.ceil(n / q.pageSize));
  const page = q.page === 'last' ? totalPages : q.page;
  if (page > totalPages) return 'invalid page';
  const order = sql.raw(q.ordering.map((o) => `${ORDER_SQL[o.field]} ${o.desc ? 'DESC' : 'ASC'}`).join(', '));
  const { rows } = await sql<{ id: number }>`SELECT c.id FROM ${from} WHERE ${cond} ORDER BY ${order}
    LIMIT ${q.pageSize} OFFSET ${(page - 1) * q.pageSize}`.execute(t.db);
  return { count: n, page, ids: rows.map((r) => r.id) };
}

async function optimized(q: ListQuery, ownerPk?: number): Promise<Outcome> {
  try {
    const p = await listConnections(t.db, { ownerPk, query: q });
    return { count: p.count, page: p.page, ids: p.rows.map((r: ConnectionBaseRow) => r.id) };
  } catch (e) {
    if (e instanceof InvalidPage) return 'invalid page';
    throw e;
  }
}

function query(params: Record<string, string | number>): ListQuery {
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) raw[k] = String(v);
  return parseListQuery(raw, allConnectionsListSpec, 1000);
}

/** Compares both for every page of interest of `params` (first, second, middle, last, 'last', past the end). */
async function expectSame(params: Record<string, string | number>, ownerPk?: number): Promise<number> {
  const first = await plain(query({ ...params, page: 1 }), ownerPk);
  const total = first === 'invalid page' ? 1 : Math.max(1, Math.ceil(first.count / query(params).pageSize));
  const pages = [...new Set([1, 2, Math.ceil(total / 2), total - 1, total, total + 1].filter((p) => p >= 1))];
  let compared = 0;
  for (const page of [...pages, 'last'] as const) {
    const q = query({ ...params, page });
    const want = await plain(q, ownerPk);
    const got = await optimized(q, ownerPk);
    expect(got, `${JSON.stringify({ ...params, page })} owner=${ownerPk}`).toEqual(want);
    compared += 1;
  }
  return compared;
}

/** Counter tables equal GROUP BY counts of the connections (no zero rows, no strays). */
async function expectCountersExact(): Promise<void> {
  const a = await sql<{ source_id: string; n: number }>`
    SELECT source_id, count(*)::int AS n FROM user_source_connection GROUP BY 1 ORDER BY 1`.execute(t.db);
  const b = await sql<{ source_id: string; n: number }>`SELECT source_id, n::int AS n FROM source_connection_count ORDER BY 1`.execute(t.db);
  expect(b.rows).toEqual(a.rows);
  const c = await sql<{ source_id: string; shift: number; block: number; n: number }>`
    SELECT source_id, s.shift, id >> s.shift AS block, count(*)::int AS n FROM user_source_connection CROSS JOIN (VALUES (14), (20), (26)) AS s(shift) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`.execute(t.db);
  const d = await sql<{ source_id: string; shift: number; block: number; n: number }>`
    SELECT source_id, shift, block, n FROM source_connection_block_count ORDER BY 1, 2, 3`.execute(t.db);
  expect(d.rows).toEqual(c.rows);
}

/** The default-order checks run after every mutation (superuser and one owner). */
async function defaultOrderChecks(): Promise<void> {
  for (const page_size of [1, 7, 100, 1000]) {
    for (const search of ['', 'git']) {
      await expectSame({ page_size, ...(search ? { search } : {}) });
    }
  }
  await expectSame({ page_size: 3 }, users[3]);
  await expectCountersExact();
}

beforeAll(async () => {
  t = await createTestDb();
  const rnd = prng(20261129);
  for (let u = 1; u <= 60; u++) {
    const r = await t.db.insertInto('user').values({ uuid: crypto.randomUUID(), username: `u${u}`, attributes: '{}', password: null })
      .returning('id').executeTakeFirstOrThrow();
    users.push(r.id);
  }
  for (const slug of SLUGS) {
    const pk = crypto.randomUUID();
    await t.db.insertInto('source').values({ pbm_uuid: pk, kind: null, name: slug, slug, icon: null, authentication_flow_id: null, enrollment_flow_id: null, managed: null }).execute();
    sources.push({ pk, slug });
  }
  // One bulk statement (the statement-level trigger aggregates it). Ids spread over several ranges
  // at every level of the range counters (2^14, 2^20 and 2^26 ids); few distinct `created` values,
  // so orderings by created need the pk tie-breaker.
  const values: { id: number; user_id: number; source_id: string; created: string }[] = [];
  const usedIds = new Set<number>();
  for (const u of users) {
    for (const s of sources.slice(0, -1)) {
      if (rnd(10) < 7) continue;
      let id: number;
      const spread = [130_000, 130_000, 5_000_000, 200_000_000][rnd(4)];
      do id = 1 + rnd(spread); while (usedIds.has(id));
      usedIds.add(id);
      values.push({ id, user_id: u, source_id: s.pk, created: `2024-01-0${1 + rnd(3)}T00:00:00Z` });
    }
  }
  await t.db.insertInto('user_source_connection').values(values).execute();
  await sql`SELECT setval(pg_get_serial_sequence('user_source_connection', 'id'), 300000000)`.execute(t.db);
});
afterAll(async () => t?.drop());

describe('optimized connection lists equal the plain query', () => {
  it('the counters match after the bulk load', async () => {
    expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM user_source_connection`.execute(t.db)).rows[0].n).toBeGreaterThan(100);
    for (const [shift, atLeast] of [[14, 10], [20, 4], [26, 2]]) {
      const r = await sql<{ n: number }>`SELECT count(DISTINCT id >> ${shift})::int AS n FROM user_source_connection`.execute(t.db);
      expect(r.rows[0].n, `ranges at shift ${shift}`).toBeGreaterThanOrEqual(atLeast);
    }
    await expectCountersExact();
  });

  it('default order: every scope × user filter × slug filter × search × page size × page', async () => {
    let compared = 0;
    const u3 = users[3];
    const u5 = users[5];
    const scopes: [number | undefined, number | undefined][] = [[undefined, undefined], [undefined, u3], [u3, undefined], [u3, u3], [u3, u5]];
    for (const [owner, user] of scopes) {
      for (const source__slug of ['', 'github-1', 'a%b', 'nope']) {
        for (const search of ['', 'git', 'GIT 1', 'git,hub', '%', '_', 'b', 'zzz']) {
          for (const page_size of [1, 7, 100]) {
            const params: Record<string, string | number> = { page_size };
            if (user !== undefined) params.user = user;
            if (source__slug) params.source__slug = source__slug;
            if (search) params.search = search;
            compared += await expectSame(params, owner);
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  }, 180_000);

  it('other orderings (generic path, count from the counters when unscoped)', async () => {
    for (const ordering of ['pk', '-pk', 'created', '-created', '-user,created', 'source,-pk', 'user', 'no_such', '-no_such,pk']) {
      for (const page_size of [1, 13, 100]) {
        await expectSame({ ordering, page_size });
        await expectSame({ ordering, page_size, search: 'git' });
        await expectSame({ ordering, page_size, source__slug: 'okta-3' });
        await expectSame({ ordering, page_size }, users[7]);
      }
    }
  }, 120_000);

  it('after single inserts and deletes through the repository', async () => {
    const free = sources[sources.length - 1];
    const made: number[] = [];
    for (const u of users.slice(0, 10)) {
      made.push((await insertConnection(t.db, { kind: 'oauth', userPk: u, sourcePk: free.pk, identifier: `x-${u}` })).id);
    }
    await defaultOrderChecks();
    for (const id of made.slice(0, 4)) expect(await deleteConnection(t.db, id)).toBe(true);
    await defaultOrderChecks();
  });

  it('after a bulk delete over several sources and blocks', async () => {
    await sql`DELETE FROM user_source_connection WHERE id % 5 = 0`.execute(t.db);
    await defaultOrderChecks();
  });

  it('after deleting users (ON DELETE CASCADE)', async () => {
    await sql`DELETE FROM "user" WHERE id IN (${users[10]}, ${users[11]}, ${users[12]})`.execute(t.db);
    await defaultOrderChecks();
  });

  it('after deleting a source (ON DELETE CASCADE) and re-creating its slug', async () => {
    const gone = sources.find((s) => s.slug === 'gitlab-5')!;
    await sql`DELETE FROM source WHERE pbm_uuid = ${gone.pk}`.execute(t.db);
    await defaultOrderChecks();
    const pk = crypto.randomUUID();
    await t.db.insertInto('source').values({ pbm_uuid: pk, kind: null, name: 'again', slug: 'gitlab-5', icon: null, authentication_flow_id: null, enrollment_flow_id: null, managed: null }).execute();
    await t.db.insertInto('user_source_connection').values(users.slice(20, 40).map((u, i) => ({ user_id: u, source_id: pk, identifier: `again-${i}` }))).execute();
    await defaultOrderChecks();
  });

  it('after updates that move rows to another source or id, and updates that do not', async () => {
    const free = sources.find((s) => s.slug === 'empty-source')!;
    await sql`UPDATE user_source_connection SET source_id = ${free.pk}
      WHERE id IN (SELECT id FROM user_source_connection c WHERE c.source_id <> ${free.pk}
        AND NOT EXISTS (SELECT 1 FROM user_source_connection o WHERE o.user_id = c.user_id AND o.source_id = ${free.pk})
        ORDER BY id LIMIT 5)`.execute(t.db);
    await sql`UPDATE user_source_connection SET id = id + 500000 WHERE id IN (SELECT id FROM user_source_connection ORDER BY id LIMIT 3)`.execute(t.db);
    await sql`UPDATE user_source_connection SET last_updated = now(), identifier = 'm-' || id`.execute(t.db);
    await defaultOrderChecks();
  });

  it('a rolled-back transaction leaves the counters alone', async () => {
    await t.db.transaction().execute(async (tx) => {
      await sql`DELETE FROM user_source_connection WHERE id % 3 = 0`.execute(tx);
      await sql`SELECT 1`.execute(tx);
      throw new Error('roll back');
    }).catch((e: Error) => expect(e.message).toBe('roll back'));
    await defaultOrderChecks();
  });

  it('concurrent writers on several connections keep the counters exact', async () => {
    const target = sources.filter((s) => s.slug !== 'gitlab-5').slice(0, 3);
    const rnd = prng(7);
    const worker = async (w: number) => {
      for (let i = 0; i < 15; i++) {
        const u = users[30 + rnd(30)];
        const s = target[rnd(target.length)];
        await t.db.transaction().execute(async (tx) => {
          const existing = await tx.selectFrom('user_source_connection').select('id').where('user_id', '=', u).where('source_id', '=', s.pk).forUpdate().executeTakeFirst();
          if (existing) await tx.deleteFrom('user_source_connection').where('id', '=', existing.id).execute();
          else await tx.insertInto('user_source_connection').values({ user_id: u, source_id: s.pk, identifier: `w${w}-${i}-${u}` }).onConflict((oc) => oc.doNothing()).execute();
        });
      }
    };
    await Promise.all([0, 1, 2, 3, 4, 5].map(worker));
    await defaultOrderChecks();
  });

  it('TRUNCATE clears the counters; an empty table lists as one empty page', async () => {
    await sql`TRUNCATE user_source_connection CASCADE`.execute(t.db);
    await expectCountersExact();
    expect(await optimized(query({}))).toEqual({ count: 0, page: 1, ids: [] });
    expect(await optimized(query({ page: 2 }))).toBe('invalid page');
    await expectSame({ page_size: 5 });
    await t.db.insertInto('user_source_connection').values(users.slice(0, 5).map((u) => ({ user_id: u, source_id: sources[0].pk, identifier: `t-${u}` }))).execute();
    await defaultOrderChecks();
  });
});
