/**
 * The bench database on an external PostgreSQL: created fresh, migrated with Fedlink's own
 * migrations (compiled, dist/), filled by seed.mjs, vacuumed and analysed.
 * Needs `npm run build` first (imports dist/).
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { seedBench } from '../seed.mjs';
import { log } from './util.mjs';

/** `adminUrl` with its database name replaced by `db`. */
export function databaseUrl(adminUrl, db) {
  const u = new URL(adminUrl);
  u.pathname = `/${db}`;
  return u.toString();
}

async function withClient(url, fn) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** @returns the server's version string, e.g. "15.20"; throws when PostgreSQL is unreachable. */
export async function serverVersion(adminUrl) {
  return withClient(adminUrl, async (c) => (await c.query('SHOW server_version')).rows[0].server_version.split(' ')[0]);
}

/**
 * Drops and re-creates `db`, migrates it to latest and loads the dataset.
 * @param {{adminUrl: string, db: string, users: number, sources: number, connections: number, secretKey: string, root: string}} o
 * @returns the database URL.
 */
export async function prepareDatabase(o) {
  const { migrateToLatest } = await import(`${o.root}/dist/db/migrate.js`);
  const { createSecretBox } = await import(`${o.root}/dist/domain/secrets.js`);
  await withClient(o.adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${o.db}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${o.db}"`);
  });
  const url = databaseUrl(o.adminUrl, o.db);
  const kdb = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
  const applied = await migrateToLatest(kdb);
  await kdb.destroy();
  log(`migrated ${o.db}: ${applied.join(', ')}`);
  const t0 = Date.now();
  await withClient(url, async (c) => {
    await seedBench(c, {
      users: o.users, sources: o.sources, connections: o.connections,
      secrets: createSecretBox(o.secretKey), log: (m) => log(`seed: ${m}`),
    });
    log(`seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s; VACUUM (ANALYZE)`);
    await c.query('VACUUM (ANALYZE)');
    await c.query('CHECKPOINT');
  });
  return url;
}
