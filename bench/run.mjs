#!/usr/bin/env node
/**
 * `npm run bench`: Fedlink against the DRF reference (../shared/bench-reference), same data, same
 * run, same scenarios; results to bench/results/<date>.md. bench/README.md explains every step.
 *
 *   npm run bench                      build, load, contract check, BENCH_ROUNDS interleaved rounds
 *   npm run bench -- --quick           1 round, 5 s measured, 2 s warm-up (a smoke run, ~5 min)
 *   npm run bench -- --growth          the above, then the growth series (200k, 1M, 5M connections)
 *   npm run bench -- --growth-only     only the growth series
 *   npm run bench -- --no-reference    Fedlink only
 *
 * Environment (defaults):
 *   BENCH_DATABASE_URL   postgres://postgres@127.0.0.1:5432/postgres   admin URL of the external PostgreSQL
 *   BENCH_FEDLINK_DB     fedlink_bench        database created (dropped first) for Fedlink
 *   BENCH_PORT           18310                Fedlink's port
 *   BENCH_POOL_SIZE      2 × CPUs, 4…10       Fedlink's PostgreSQL pool (FEDLINK_DB_POOL_SIZE; default: the product's)
 *   BENCH_ROUNDS         3                    interleaved rounds (reference, then Fedlink), at most
 *   BENCH_BUDGET_MINUTES 24                   no new round starts when it would end past this (noisy
 *                                             machines make loadrun repeat steps); growth not counted
 *   BENCH_DURATION       15                   measured seconds per scenario
 *   BENCH_WARMUP         3                    warm-up seconds per scenario
 *   BENCH_CONNS          32                   concurrent connections
 *   BENCH_REFERENCE      auto                 auto | skip
 *   BENCH_GROWTH_SIZES   "200000 1000000 5000000"   connections per growth step (20 sources)
 *   BENCH_OUT            new temp dir         raw rows, logs (shared with the reference scripts)
 *   BENCH_RESULTS_DIR    bench/results
 *   BENCH_REFERENCE_DIR  ../shared/bench-reference (beside the repository)
 */
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderGrowth, renderMedianTable, renderTargets, summarize } from './lib/report.mjs';
import { have, log, must, run, start, stop, waitHttp } from './lib/util.mjs';
import { OAUTH_SOURCE_PK, tokenKey } from './seed.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = new Set(process.argv.slice(2));
const env = (k, d) => (process.env[k] !== undefined && process.env[k] !== '' ? process.env[k] : d);
const quick = argv.has('--quick');

const cfg = {
  adminUrl: env('BENCH_DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/postgres'),
  db: env('BENCH_FEDLINK_DB', 'fedlink_bench'),
  port: Number(env('BENCH_PORT', '18310')),
  // The product default (src/config/schema.ts DEFAULT_POOL_SIZE).
  poolSize: Number(env('BENCH_POOL_SIZE', String(Math.min(10, Math.max(4, 2 * os.availableParallelism()))))),
  rounds: Number(env('BENCH_ROUNDS', quick ? '1' : '3')),
  budgetMinutes: Number(env('BENCH_BUDGET_MINUTES', '24')),
  duration: Number(env('BENCH_DURATION', quick ? '5' : '15')),
  warmup: Number(env('BENCH_WARMUP', quick ? '2' : '3')),
  conns: Number(env('BENCH_CONNS', '32')),
  reference: argv.has('--no-reference') ? 'skip' : env('BENCH_REFERENCE', 'auto'),
  growthSizes: env('BENCH_GROWTH_SIZES', '200000 1000000 5000000').split(/[\s,]+/).filter(Boolean).map(Number),
  resultsDir: path.resolve(ROOT, env('BENCH_RESULTS_DIR', 'bench/results')),
  refDir: path.resolve(ROOT, env('BENCH_REFERENCE_DIR', '../shared/bench-reference')),
  secretKey: 'fedlink-bench-secret-key-not-secret',
  sources: 20,
};
const SCENARIOS = ['list_p1', 'list_user', 'retrieve', 'put', 'deep_page'];
const REF_PACKAGES = ['python3-django', 'python3-djangorestframework', 'python3-django-filters', 'python3-psycopg2', 'gunicorn', 'wrk'];
const ADMIN_TOKEN = tokenKey(1);
const API = '/api/v3/sources/user_connections/all/';
// VACUUM (ANALYZE) before every measured attempt, as the baseline does for the anchor's table.
const PREPARE_TABLES = 'user_source_connection, source_connection_count, source_connection_block_count';

const out = env('BENCH_OUT', '') || mkdtempSync(path.join(os.tmpdir(), 'fedlink-bench.'));
mkdirSync(out, { recursive: true });
process.env.BENCH_OUT = out;
const notes = [];

function pythonWithDjango() {
  const probe = "import django, rest_framework, django_filters, psycopg2, gunicorn";
  for (const py of ['/usr/bin/python3', 'python3']) if (run(py, ['-c', probe], { capture: true }).code === 0) return py;
  return undefined;
}

/**
 * Makes sure the reference can run: Debian packages present, or installed with apt-get when root.
 * @returns {{reference: boolean, wrk: boolean}}
 */
function ensureTools() {
  if (!existsSync(path.join(cfg.refDir, 'run-baseline.sh'))) {
    notes.push(`Reference folder ${cfg.refDir} not found: reference skipped.`);
    return { reference: false, wrk: have('wrk') };
  }
  const missing = () => !pythonWithDjango() || !have('wrk');
  if (cfg.reference !== 'skip' && missing()) {
    if (process.getuid?.() === 0 && have('apt-get')) {
      log(`installing the reference's Debian packages: ${REF_PACKAGES.join(' ')}`);
      const aptEnv = { DEBIAN_FRONTEND: 'noninteractive' };
      if (run('apt-get', ['install', '-y', ...REF_PACKAGES], { env: aptEnv }).code !== 0) {
        run('apt-get', ['update'], { env: aptEnv });
        run('apt-get', ['install', '-y', ...REF_PACKAGES], { env: aptEnv });
      }
    }
  }
  if (!have('wrk') && process.getuid?.() === 0 && have('apt-get')) run('apt-get', ['install', '-y', 'wrk'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
  const wrk = have('wrk');
  if (cfg.reference === 'skip') {
    notes.push('Reference skipped (BENCH_REFERENCE=skip / --no-reference): no ratios.');
    return { reference: false, wrk };
  }
  const ok = !missing() && have('pg_lsclusters') && have('pgbench');
  if (!ok) {
    notes.push('Reference skipped: its Debian packages (' + REF_PACKAGES.join(', ') + ', postgresql) are missing and could not be '
      + 'installed (not root or no apt-get). Install them and re-run for the ratios.');
  }
  return { reference: ok, wrk };
}

function gitCommit() {
  const r = run('git', ['rev-parse', '--short', 'HEAD'], { capture: true, cwd: ROOT });
  const dirty = run('git', ['status', '--porcelain', '--untracked-files=no'], { capture: true, cwd: ROOT }).stdout.trim() !== '';
  return r.code === 0 ? `${r.stdout.trim()}${dirty ? ' (+ uncommitted changes)' : ''}` : 'unknown';
}

/** Starts `fedlink serve` on the bench database; resolves when the list answers 200. */
async function startFedlink(dbUrl, label) {
  const fd = openSync(path.join(out, `fedlink-${label}.log`), 'a');
  const child = start(process.execPath, [path.join(ROOT, 'bin/fedlink.js'), 'serve'], {
    cwd: ROOT,
    logFd: fd,
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: dbUrl,
      FEDLINK_SECRET_KEY: cfg.secretKey,
      FEDLINK_LOG_LEVEL: 'warn',
      FEDLINK_HOST: '127.0.0.1',
      FEDLINK_PORT: String(cfg.port),
      FEDLINK_DATA_DIR: path.join(out, 'fedlink-data'),
      FEDLINK_DB_POOL_SIZE: String(cfg.poolSize),
    },
  });
  closeSync(fd);
  child.once('exit', (code, sig) => { if (code !== 0 && sig !== 'SIGTERM') log(`fedlink exited (${code ?? sig}); see ${out}/fedlink-${label}.log`); });
  await waitHttp(`http://127.0.0.1:${cfg.port}${API}?page_size=1`, ADMIN_TOKEN);
  log(`fedlink up (pid ${child.pid}) on 127.0.0.1:${cfg.port}, pool ${cfg.poolSize}`);
  return child;
}

/** Runs the reference contract check. @returns {{ok: boolean, summary: string, failures: string[]}} */
function contractCheck(users, connections) {
  const r = run(process.execPath, [path.join(cfg.refDir, 'contract/contract-check.mjs'), '--url', `http://127.0.0.1:${cfg.port}`,
    '--users', String(users), '--sources', String(cfg.sources), '--connections', String(connections)], { capture: true });
  const lines = r.stdout.trim().split('\n');
  const summary = lines[lines.length - 1] ?? '(no output)';
  const failures = lines.filter((l) => l.startsWith('not ok'));
  log(`contract check (${connections}): ${summary}`);
  for (const f of failures) log(`  ${f}`);
  return { ok: r.code === 0, summary, failures };
}

function psqlPrepare(dbUrl, tables) {
  return `psql -X -q "${dbUrl}" -c 'VACUUM (ANALYZE) ${tables}' -c CHECKPOINT`;
}

function runTarget(label, dbUrl, pid, extra = []) {
  return run('bash', [path.join(cfg.refDir, 'run-target.sh'), '--label', label, '--url', `http://127.0.0.1:${cfg.port}`,
    '--pid', String(pid), '--duration', String(cfg.duration), '--warmup', String(cfg.warmup), '--conns', String(cfg.conns),
    '--prepare-cmd', psqlPrepare(dbUrl, PREPARE_TABLES), ...extra]);
}

/**
 * One HTTP request on a new connection. Not fetch: its pooled keep-alive socket from the previous
 * round was closed by the server minutes earlier while this process sat in spawnSync, and a POST on
 * such a socket fails ("fetch failed") instead of being retried.
 * @returns {Promise<{status: number, text: string}>}
 */
function freshRequest(method, url, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The typed OAuth create+delete pair. Preflight: one POST; 404/405 → "n/a" (endpoint not built on
 * this branch). Warm-up is run here (then leftovers are removed), so loadrun measures with --warmup 0.
 * @returns 'measured' | 'n/a: …'
 */
async function oauthScenario(dbUrl, pid, round) {
  const url = `http://127.0.0.1:${cfg.port}/api/v3/sources/user_connections/oauth/`;
  const res = await freshRequest('POST', url, { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    JSON.stringify({ source: OAUTH_SOURCE_PK, user: 1, identifier: `bench-preflight-${Date.now()}` }));
  if (res.status === 404 || res.status === 405) return `n/a: POST ${url} answered ${res.status} (endpoint not on this branch)`;
  if (res.status !== 201) return `n/a: POST answered ${res.status} ${res.text.slice(0, 200)}`;
  const pk = JSON.parse(res.text).pk;
  const del = await freshRequest('DELETE', `${url}${pk}/`, { Authorization: `Bearer ${ADMIN_TOKEN}` });
  if (del.status !== 204) return `n/a: DELETE answered ${del.status}`;
  const cleanup = `psql -X -q "${dbUrl}" -c "DELETE FROM user_source_connection WHERE source_id = '${OAUTH_SOURCE_PK}'"`;
  const lua = path.join(ROOT, 'bench/wrk/oauth-create-delete.lua');
  const wrkEnv = { BENCH_ADMIN_TOKEN: ADMIN_TOKEN, BENCH_OAUTH_SOURCE: OAUTH_SOURCE_PK, BENCH_USERS: '10000' };
  if (cfg.warmup > 0) {
    run('wrk', ['-t1', `-c${cfg.conns}`, `-d${cfg.warmup}s`, '-s', lua, `http://127.0.0.1:${cfg.port}`], { capture: true, env: { ...wrkEnv, BENCH_NONCE: `w${round}-${Date.now()}` } });
  }
  const r = run('python3', [path.join(cfg.refDir, 'lib/loadrun.py'), 'wrk', '--target', 'fedlink', '--scenario', 'oauth_create_delete',
    '--url', `http://127.0.0.1:${cfg.port}`, '--pid', String(pid), '--lua', lua, '--conns', String(cfg.conns),
    '--duration', String(cfg.duration), '--warmup', '0',
    '--prepare-cmd', `${cleanup} && ${psqlPrepare(dbUrl, `${PREPARE_TABLES}, event`)}`,
    '--out', path.join(out, `fedlink-oauth-${round}.jsonl`), '--attempts-out', path.join(out, `fedlink-oauth-${round}.attempts.jsonl`),
    '--tmpdir', out], { env: wrkEnv });
  run('sh', ['-c', cleanup]);
  return r.code === 0 ? 'measured' : `n/a: loadrun exited ${r.code}`;
}

/**
 * The put scenario's database work alone (bench/pgbench/put_tx.sql through pgbench, as many clients
 * as Fedlink's pool): what PostgreSQL does with it on this machine, no HTTP, no Node. Target
 * `pg-only`, scenario `put`, so table.py puts it next to the two servers.
 */
async function pgPutCeiling(dbUrl) {
  const { createSecretBox } = await import(`${ROOT}/dist/domain/secrets.js`);
  const u = new URL(dbUrl);
  const r = run('python3', [path.join(cfg.refDir, 'lib/loadrun.py'), 'pgbench', '--target', 'pg-only', '--scenario', 'put',
    '--conns', String(cfg.poolSize), '--duration', String(cfg.duration), '--warmup', String(cfg.warmup),
    '--cwd', path.join(ROOT, 'bench/pgbench'), '--sampling-rate', '0.1',
    '--prepare-cmd', psqlPrepare(dbUrl, `${PREPARE_TABLES}, event`),
    '--out', path.join(out, 'pg-only-put.jsonl'), '--attempts-out', path.join(out, 'pg-only-put.attempts.jsonl'), '--tmpdir', out,
    '--', '-n', '-M', 'prepared', '-f', 'put_tx.sql', '-c', String(cfg.poolSize), '-j', '2',
    '-D', 'max_id=200000', '-D', `key_hash=${createSecretBox(cfg.secretKey).digest(ADMIN_TOKEN)}`,
    '-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres'), u.pathname.slice(1)],
  { env: u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {} });
  if (r.code !== 0) notes.push(`pgbench put ceiling failed (exit ${r.code}).`);
}

function readRows(prefixes) {
  const rows = [];
  for (const f of readdirSync(out).sort()) {
    if (!f.endsWith('.jsonl') || f.includes('.attempts.')) continue;
    if (!prefixes.some((p) => f.startsWith(p))) continue;
    for (const line of readFileSync(path.join(out, f), 'utf8').split('\n')) if (line.trim()) rows.push({ ...JSON.parse(line), file: f });
  }
  return rows;
}

async function main() {
  const t0 = Date.now();
  log(`results and logs: ${out}`);
  // A clean clone: install the locked dependencies first (database.mjs needs pg and kysely).
  if (!existsSync(path.join(ROOT, 'node_modules/kysely')) || !existsSync(path.join(ROOT, 'node_modules/pg'))) {
    log('npm ci');
    must('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT });
  }
  const { prepareDatabase, serverVersion } = await import('./lib/database.mjs');
  const pgVersion = await serverVersion(cfg.adminUrl).catch((e) => {
    throw new Error(`PostgreSQL not reachable at ${cfg.adminUrl} (${e.message}); set BENCH_DATABASE_URL`);
  });
  if (!argv.has('--no-build')) {
    log('npm run build');
    must('npm', ['run', 'build', '--silent'], { cwd: ROOT });
  }
  const tools = ensureTools();
  if (!tools.wrk) throw new Error('wrk is missing (apt-get install wrk); nothing can be measured');
  const sections = [];
  const growthOnly = argv.has('--growth-only');
  let contract;

  if (!growthOnly) {
    const users = 10000;
    const connections = 200000;
    log(`loading the dataset (${users} users, ${cfg.sources} sources, ${connections} connections) into ${cfg.db}`);
    const dbUrl = await prepareDatabase({ adminUrl: cfg.adminUrl, db: cfg.db, users, sources: cfg.sources, connections, secretKey: cfg.secretKey, root: ROOT });
    const server = await startFedlink(dbUrl, 'main');
    try {
      contract = contractCheck(users, connections);
      if (!contract.ok && env('BENCH_ALLOW_CONTRACT_FAILURE', '0') !== '1') {
        throw new Error(`contract check failed (${contract.summary}); numbers of a failing server mean little (BENCH_ALLOW_CONTRACT_FAILURE=1 to measure anyway)`);
      }
      let oauthState = 'not run';
      const roundsStart = Date.now();
      for (let round = 1; round <= cfg.rounds; round++) {
        const perRound = round > 1 ? (Date.now() - roundsStart) / (round - 1) : 0;
        if (round > 1 && Date.now() + perRound - t0 > cfg.budgetMinutes * 60_000) {
          notes.push(`Stopped after ${round - 1} of ${cfg.rounds} rounds: another round (~${(perRound / 60_000).toFixed(1)} min) `
            + `would pass the ${cfg.budgetMinutes}-minute budget (BENCH_BUDGET_MINUTES).`);
          break;
        }
        log(`round ${round}/${cfg.rounds}`);
        if (tools.reference) {
          const r = run('bash', [path.join(cfg.refDir, 'run-baseline.sh')], {
            env: { STEPS: 'drf', DURATION: String(cfg.duration), WARMUP: String(cfg.warmup), CONNS: String(cfg.conns) },
          });
          if (r.code !== 0) notes.push(`Round ${round}: run-baseline.sh exited ${r.code}.`);
        }
        const t = runTarget('fedlink', dbUrl, server.pid);
        if (t.code !== 0) notes.push(`Round ${round}: run-target.sh exited ${t.code}.`);
        if (!oauthState.startsWith('n/a')) oauthState = await oauthScenario(dbUrl, server.pid, round);
        log(`oauth_create_delete: ${oauthState}`);
      }
      if (have('pgbench')) await pgPutCeiling(dbUrl);
      const rows = readRows(['baseline-', 'fedlink-', 'pg-only-']);
      sections.push({ kind: 'main', rows, oauthState, contract });
    } finally {
      await stop(server);
    }
  }

  if (argv.has('--growth') || growthOnly) {
    const growth = [];
    for (const connections of cfg.growthSizes) {
      const users = Math.ceil(connections / cfg.sources);
      log(`growth: ${connections} connections (${users} users × ${cfg.sources} sources)`);
      const db = `${cfg.db}_growth`;
      const dbUrl = await prepareDatabase({ adminUrl: cfg.adminUrl, db, users, sources: cfg.sources, connections, secretKey: cfg.secretKey, root: ROOT });
      const server = await startFedlink(dbUrl, `growth-${connections}`);
      try {
        const c = contractCheck(users, connections);
        const label = `fedlink-${connections}`;
        runTarget(label, dbUrl, server.pid, ['--scenarios', 'list_p1 deep_page retrieve', '--max-id', String(connections)]);
        runTarget(`${label}-c1`, dbUrl, server.pid, ['--scenarios', 'list_p1 deep_page retrieve', '--max-id', String(connections),
          '--conns', '1', '--duration', String(Math.min(cfg.duration, 5)), '--warmup', '1']);
        growth.push({ connections, users, contract: c });
      } finally {
        await stop(server);
      }
    }
    const rows = readRows(cfg.growthSizes.map((n) => `fedlink-${n}-`));
    sections.push({ kind: 'growth', rows, growth });
  }

  // ---- the results file ----
  const date = new Date().toISOString().slice(0, 10);
  mkdirSync(cfg.resultsDir, { recursive: true });
  let file = path.join(cfg.resultsDir, `${date}.md`);
  if (existsSync(file)) file = path.join(cfg.resultsDir, `${date}-${new Date().toISOString().slice(11, 16).replace(':', '')}.md`);
  const sys = run('python3', [path.join(cfg.refDir, 'lib/sysinfo.py'), '--run-id', path.basename(out), '--pg-version', pgVersion,
    '--duration', String(cfg.duration), '--warmup', String(cfg.warmup), '--conns', String(cfg.conns)], { capture: true }).stdout.trim();
  const md = [];
  md.push(`# Fedlink vs the DRF reference — ${date}`, '');
  md.push(`\`npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`, commit ${gitCommit()}, `
    + `${cfg.rounds} round(s), ${cfg.duration} s measured + ${cfg.warmup} s warm-up per scenario, ${cfg.conns} connections. `
    + `Fedlink: \`node bin/fedlink.js serve\` (NODE_ENV=production, log level warn, pool ${cfg.poolSize}) on database \`${cfg.db}\` `
    + `(PostgreSQL ${pgVersion} at ${new URL(cfg.adminUrl).host}). Raw rows and logs: \`${out}\` (not kept in the repository). `
    + `Total time ${((Date.now() - t0) / 60000).toFixed(1)} min.`, '');
  if (sys) md.push(sys, '');
  for (const s of sections) {
    if (s.kind === 'main') {
      md.push('## Reference and Fedlink, same run', '');
      md.push(`Contract check (\`contract-check.mjs\`, 24 checks) against Fedlink: **${s.contract.summary}**`
        + `${s.contract.failures.length ? `\n\n${s.contract.failures.map((f) => `- ${f}`).join('\n')}` : ''}`, '');
      const summary = summarize(s.rows);
      md.push(renderMedianTable(cfg.refDir, out, s.rows), '');
      md.push('### Targets', '', renderTargets(summary, s.oauthState), '');
    } else {
      md.push('## Growth', '', renderGrowth(s.rows, s.growth), '');
    }
  }
  if (notes.length) md.push('## Notes', '', ...notes.map((n) => `- ${n}`), '');
  writeFileSync(file, md.join('\n'));
  log(`results: ${file} (total ${((Date.now() - t0) / 60000).toFixed(1)} min)`);
}

main().catch((e) => {
  log(`ERROR: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
