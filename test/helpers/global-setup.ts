/**
 * Starts the test PostgreSQL for one project and builds a migrated template database that each test
 * file clones (`CREATE DATABASE … TEMPLATE …`), then provides the admin URL and template name.
 * - `embedded`: a fresh embedded PostgreSQL in a temporary directory, stopped at the end.
 * - `system`: the server at TEST_DATABASE_URL (its database is used only for CREATE/DROP DATABASE).
 */
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { migrateToLatest } from '../../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dbMode: 'embedded' | 'system';
    adminUrl: string;
    templateDb: string;
  }
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export default async function setup(project: TestProject) {
  const mode = project.config.provide?.dbMode ?? 'embedded';
  let adminUrl: string;
  let stop: () => Promise<void> = async () => undefined;
  if (mode === 'embedded') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fedlink-test-pg-'));
    chmodSync(dir, 0o755); // PostgreSQL runs as user postgres when tests run as root
    const server = await startEmbeddedPostgres({ dataDir: dir, settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } });
    adminUrl = server.urlFor('postgres');
    stop = async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  } else {
    adminUrl = process.env.TEST_DATABASE_URL!;
  }
  const templateDb = `fedlink_tpl_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${templateDb}"`);
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: withDatabase(adminUrl, templateDb), max: 1 }) }) });
  await migrateToLatest(db);
  await db.destroy();
  project.provide('adminUrl', adminUrl);
  project.provide('templateDb', templateDb);
  return async () => {
    // Drop leftovers of this run (test files drop their own; a crashed file may not have).
    const r = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`, [`fedlink_t_${process.pid}_%`, templateDb]);
    for (const row of r.rows) await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    await admin.end();
    await stop();
  };
}
