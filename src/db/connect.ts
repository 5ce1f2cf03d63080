/**
 * Opens Fedlink's database: the server named by DATABASE_URL, else the embedded PostgreSQL under the
 * data directory. Nothing outside this file and db/embedded.ts knows which one is active.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.js';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedServer } from './embedded.js';
import { PreparingClient } from './prepared.js';

export type Db = Kysely<Database>;

const TIMESTAMPTZ_OID = 1184;
const TIMESTAMP_OID = 1114;
const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * Converts PostgreSQL's text form of a UTC timestamp (`2024-09-13 14:05:42.5+00`) into authentik's
 * wire form (`2024-09-13T14:05:42.500000Z`): microseconds kept, six digits when non-zero, none when zero.
 */
export function formatPgTimestamp(text: string): string {
  const m = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(?:\+00(?::00)?)?$/.exec(text);
  if (!m) return text; // infinity / BC dates: passed through unchanged
  const frac = m[3] ? `.${m[3].padEnd(6, '0')}` : '';
  return `${m[1]}T${m[2]}${frac === '.000000' ? '' : frac}Z`;
}

/** Type parsers for our pools: timestamps as authentik-style ISO strings, int8/numeric as numbers. */
export const pgTypes = {
  getTypeParser(oid: number, format?: string): any {
    if (oid === TIMESTAMPTZ_OID || oid === TIMESTAMP_OID) return formatPgTimestamp;
    if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => Number(v);
    return (pg.types.getTypeParser as any)(oid, format);
  },
};

/**
 * Creates a pg pool whose sessions run in UTC with our type parsers. Its clients send registered hot
 * queries as named prepared statements (db/prepared.ts), which always use their generic plan.
 */
export function createPool(connectionString: string, max: number, log?: (msg: string) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    Client: PreparingClient,
    types: pgTypes,
    // plan_cache_mode: statements with parameters run their generic plan instead of one planned for the
    // values. With PostgreSQL's default (auto) the hot named statements (db/prepared.ts) with optional
    // conditions (`$1::int IS NULL OR …`) were re-planned on every execution: retrieve's round trip went
    // from 0.59 to 0.24 ms (bench/README.md "Generic plans"). It also applies to the unnamed statements
    // (each is still planned once per execution, without knowing the values); the plans of the generic
    // list path were checked (index scan kept for ORDER BY pk LIMIT $n); others were not.
    options: '-c TimeZone=UTC -c DateStyle=ISO -c plan_cache_mode=force_generic_plan',
    application_name: 'fedlink',
  } as pg.PoolConfig);
  // An idle connection closed by the server (restart, shutdown) must not crash the process;
  // the pool replaces it on next use.
  pool.on('error', (e) => log?.(`idle PostgreSQL connection lost: ${e.message}`));
  return pool;
}

export interface DbHandle {
  db: Db;
  pool: pg.Pool;
  /** The connection string in use (password included: do not log). */
  url: string;
  /** 'external' when DATABASE_URL is set, else 'embedded'. */
  kind: 'external' | 'embedded';
  /** Closes the pool, then stops the embedded server if we started one. */
  close(): Promise<void>;
}

/**
 * Connects to PostgreSQL as configured.
 * @param opts.databaseUrl external server; when absent the embedded server in `opts.dataDir` is started.
 * @throws Error when the database cannot be reached or the embedded server does not start.
 */
export async function connectDatabase(opts: {
  databaseUrl?: string;
  dataDir: string;
  poolSize: number;
  log?: (msg: string) => void;
  warn?: (msg: string) => void;
}): Promise<DbHandle> {
  let embedded: EmbeddedServer | undefined;
  let url = opts.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: opts.dataDir, log: opts.log, warn: opts.warn });
    await ensureDatabase(embedded.urlFor('postgres'), 'fedlink');
    url = embedded.urlFor('fedlink');
  }
  const pool = createPool(url, opts.poolSize, opts.log);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // Fail fast on a wrong URL instead of at the first request.
  await pool.query('SELECT 1');
  return {
    db,
    pool,
    url,
    kind: embedded ? 'embedded' : 'external',
    async close() {
      await db.destroy();
      if (embedded) await embedded.stop();
    },
  };
}
