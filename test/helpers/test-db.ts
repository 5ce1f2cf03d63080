/**
 * A fresh database per test file, cloned from the migrated template that global-setup.ts made.
 * Usage: `const t = await createTestDb();` … `await t.drop();`
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { inject } from 'vitest';
import { createPool } from '../../src/db/connect.js';
import type { Database } from '../../src/db/database.js';

export interface TestDb {
  db: Kysely<Database>;
  pool: pg.Pool;
  url: string;
  name: string;
  drop(): Promise<void>;
}

export function databaseUrl(adminUrl: string, db: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${db}`;
  return u.toString();
}

/** Creates an empty, migrated database for this test file. */
export async function createTestDb(): Promise<TestDb> {
  const adminUrl = inject('adminUrl');
  const template = inject('templateDb');
  const name = `fedlink_t_${template.split('_')[2]}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  await admin.end();
  const url = databaseUrl(adminUrl, name);
  const pool = createPool(url, 5);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db, pool, url, name,
    async drop() {
      await db.destroy();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await a.end();
    },
  };
}
