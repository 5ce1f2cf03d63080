/**
 * preparedStatement: built once, parameters bound by name in the compiled order, constants kept;
 * registerPrepared: one stable name per SQL text. No database: a driver that records queries.
 */
import {
  Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler,
  type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult,
} from 'kysely';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from './database.js';
import { preparedStatement, registerPrepared } from './prepared.js';

function recordingDb() {
  const seen: CompiledQuery[] = [];
  const connection: DatabaseConnection = {
    async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
      seen.push(q);
      return { rows: [] };
    },
    async *streamQuery() { /* unused */ },
  };
  const driver: Driver = {
    async init() {},
    async acquireConnection() { return connection; },
    async beginTransaction() {},
    async commitTransaction() {},
    async rollbackTransaction() {},
    async releaseConnection() {},
    async destroy() {},
  };
  const db = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  return { db, seen };
}

describe('preparedStatement', () => {
  it('builds once and binds arguments by name, keeping constants', async () => {
    const { db, seen } = recordingDb();
    let builds = 0;
    const st = preparedStatement('test_user_by_pk', (k, p: { pk: number; name: string | null }) => {
      builds += 1;
      return k.selectFrom('user').select('id').where('id', '=', p.pk).where('username', '<>', 'constant')
        .where(sql<boolean>`(${p.name}::text IS NULL OR username = ${p.name}::text)`);
    });
    await st.execute(db, { pk: 7, name: null });
    await st.execute(db, { pk: 8, name: 'alice' });
    expect(builds).toBe(1);
    expect(seen.map((q) => q.parameters)).toEqual([[7, 'constant', null, null], [8, 'constant', 'alice', 'alice']]);
    expect(seen[0].sql).toBe(seen[1].sql);
    expect(seen[0].sql).toContain('$4');
  });

  it('refuses a placeholder embedded in a larger value', async () => {
    const { db } = recordingDb();
    const st = preparedStatement('test_embedded', (k, p: { term: string }) =>
      k.selectFrom('user').select('id').where('username', 'like', `%${p.term}%`));
    await expect(st.execute(db, { term: 'x' })).rejects.toThrow(/embeds a placeholder/);
  });
});

describe('registerPrepared', () => {
  it('gives one stable name per text, distinct names for distinct texts', () => {
    const a = registerPrepared('test_same', 'SELECT 1 AS test_a');
    expect(registerPrepared('test_other_name', 'SELECT 1 AS test_a')).toBe(a);
    const b = registerPrepared('test_same', 'SELECT 2 AS test_b');
    expect(a).toMatch(/^test_same_[0-9a-f]{8}$/);
    expect(b).toMatch(/^test_same_[0-9a-f]{8}$/);
    expect(b).not.toBe(a);
  });
});
