#!/usr/bin/env node
/**
 * `node bench/explain.mjs [DATABASE_URL]`: EXPLAIN (ANALYZE, BUFFERS) of the statements Fedlink
 * runs per benchmark scenario, next to the plain statements they replace, on a loaded bench
 * database (default postgres://postgres@127.0.0.1:5432/fedlink_bench, as `npm run bench` leaves it).
 * The statements are captured from the compiled repositories (dist/, `npm run build` first) through
 * Kysely's query log, so what is explained is what the server sends. Writes (PUT) run inside a
 * transaction that is rolled back. Each statement is also timed: mean round trip over EXPLAIN_RUNS
 * (200) executions as a named prepared statement, as the server runs it (EXPLAIN ANALYZE's own
 * timing overhead is large on small VMs, so plans are shown with TIMING OFF).
 * Output: markdown on stdout (bench/README.md quotes it).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { uuid } from './seed.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const url = process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/fedlink_bench';
const RUNS = Number(process.env.EXPLAIN_RUNS ?? 200);
const { createPool } = await import(`${ROOT}/dist/db/connect.js`);
const { listConnections, findVisibleConnection, touchConnectionAudited } = await import(`${ROOT}/dist/db/repositories/user-source-connections.js`);
const { findSourceViews } = await import(`${ROOT}/dist/db/repositories/sources.js`);
const { findLiveApiToken } = await import(`${ROOT}/dist/db/repositories/tokens.js`);
const { createSecretBox } = await import(`${ROOT}/dist/domain/secrets.js`);
const { parseListQuery } = await import(`${ROOT}/dist/http/list/list-query.js`);
const { allConnectionsListSpec } = await import(`${ROOT}/dist/domain/user-source-connections/service.js`);

let captured = [];
const db = new Kysely({
  dialect: new PostgresDialect({ pool: createPool(url, 2) }),
  log: (e) => { if (e.level === 'query') captured.push({ sql: e.query.sql, parameters: [...e.query.parameters] }); },
});
const raw = new pg.Client({ connectionString: url });
await raw.connect();
await raw.query("SET TimeZone = 'UTC'");

/** Runs `fn`, returns the statements it sent (in order). */
async function capture(fn) {
  captured = [];
  await fn();
  return captured;
}

const arrayText = (v) => `{${v.map((x) => `"${String(x).replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
const literal = (v) => (v === null ? 'NULL' : `'${(Array.isArray(v) ? arrayText(v) : String(v)).replace(/'/g, "''")}'`);

/** Mean round trip of the statement run as a named prepared statement, `n` times (ms). */
async function timed(statement, n, values = () => statement.parameters) {
  const name = `explain_${Math.random().toString(36).slice(2)}`;
  for (let i = 0; i < 5; i++) await raw.query({ name, text: statement.sql, values: values() });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await raw.query({ name, text: statement.sql, values: values() });
  return Number(process.hrtime.bigint() - t0) / 1e6 / n;
}

async function explain(title, statement, { rollback = false, runs = RUNS, values } = {}) {
  // Parameters inlined as literals (EXPLAIN cannot take them); the server runs the same text prepared.
  const text = statement.sql.replace(/\$(\d+)/g, (_, i) => literal(statement.parameters[Number(i) - 1]));
  if (rollback) await raw.query('BEGIN');
  const r = await raw.query(`EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, COSTS OFF) ${text}`);
  const ms = await timed(statement, runs, values);
  if (rollback) await raw.query('ROLLBACK');
  console.log(`#### ${title}\n\nMean round trip as a named prepared statement over ${runs} runs: **${ms.toFixed(3)} ms**.\n\n`
    + `\`\`\`sql\n${statement.sql.replace(/\n\s*\n/g, '\n').trim()}\n\`\`\`\n\n\`\`\`\n${r.rows.map((x) => x['QUERY PLAN']).join('\n')}\n\`\`\`\n`);
}

const q = (params) => parseListQuery(params, allConnectionsListSpec, 1000);
const warm = async (fn) => { for (let i = 0; i < 3; i++) await fn(); };

const scenarios = [
  ['list_p1: page 1, superuser', () => listConnections(db, { query: q({ page: '1', page_size: '100' }) })],
  ['deep_page: page 1000, superuser', () => listConnections(db, { query: q({ page: '1000', page_size: '100' }) })],
  ['list_user: ?user=2 as user 2', () => listConnections(db, { ownerPk: 2, query: q({ user: '2' }) })],
  ['source views of a page (1 source)', () => findSourceViews(db, [uuid('bench-source-14')])],
  ['retrieve: connection + its source revision', () => findVisibleConnection(db, 123457, {})],
];
const secrets = createSecretBox('fedlink-bench-secret-key-not-secret');
scenarios.push(['auth: token lookup (every request)', () => findLiveApiToken(db, secrets.digest('887be81049d6a1e254c8a23b18f5c749'))]);

console.log(`### Plans on ${new URL(url).pathname.slice(1)} (${(await raw.query('SELECT count(*)::int AS n FROM user_source_connection')).rows[0].n} connections)\n`);
for (const [title, fn] of scenarios) {
  await warm(fn);
  const stmts = await capture(fn);
  for (const [i, s] of stmts.entries()) await explain(stmts.length > 1 ? `${title} (${i + 1}/${stmts.length})` : title, s);
}
const putEvent = {
  action: 'model_updated', app: 'authentik.events.signals', user: { pk: 1, username: 'akadmin', email: 'akadmin@bench.example' },
  context: { model: { app: 'authentik_core', model_name: 'usersourceconnection', pk: 123457, name: '' } }, clientIp: '127.0.0.1',
};
const put = await capture(() => db.transaction().execute(async (tx) => {
  await touchConnectionAudited(tx, 123457, { event: putEvent, nameTemplate: 'User-source connection (user=%s, source=%s)' });
  throw new Error('rollback');
}).catch(() => undefined));
const putStatement = put.find((s) => s.sql.startsWith('with'));
// Each timed run needs a new event uuid (the primary key); the other parameters stay as captured.
const uuidAt = putStatement.parameters.findIndex((v) => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-4/.test(v));
await explain('put: UPDATE + audit event in one statement (rolled back)', putStatement, {
  rollback: true, values: () => putStatement.parameters.map((v, i) => (i === uuidAt ? randomUUID() : v)),
});

console.log('### The plain statements they replace\n');
await explain('plain count (what every list page ran)', { sql: 'SELECT count(*)::int FROM user_source_connection c JOIN source s ON s.pbm_uuid = c.source_id', parameters: [] }, { runs: 10 });
await explain('plain page 1 (ORDER BY slug, pk LIMIT 100)', {
  sql: 'SELECT c.id, c.user_id, c.source_id, c.identifier, c.created FROM user_source_connection c JOIN source s ON s.pbm_uuid = c.source_id ORDER BY s.slug, c.id LIMIT 100',
  parameters: [],
}, { runs: 10 });
await explain('plain page 1000 (ORDER BY slug, pk OFFSET 99 900)', {
  sql: 'SELECT c.id, c.user_id, c.source_id, c.identifier, c.created FROM user_source_connection c JOIN source s ON s.pbm_uuid = c.source_id ORDER BY s.slug, c.id LIMIT 100 OFFSET 99900',
  parameters: [],
}, { runs: 10 });
await raw.end();
await db.destroy();
