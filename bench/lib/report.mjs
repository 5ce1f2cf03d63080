/**
 * Markdown for the results file: the reference's own median table (lib/table.py), the targets
 * of the issue per scenario (met / missed, by how much) and the growth series.
 */
import path from 'node:path';
import { median, run } from './util.mjs';

export const REFERENCE_TARGET = 'drf-sync-5w';

/** Required Fedlink ÷ reference req/s per scenario (the issue's targets). */
export const RATIO_TARGETS = { list_p1: 25, list_user: 30, retrieve: 30, put: 30, deep_page: 50 };
export const P99_LIMIT_MS = 50;
export const RSS_LIMIT_MB = 150;

/**
 * Medians per (target, scenario) over rounds.
 * @returns Map key `${target}/${scenario}` → {rps, p50, p99, p99Max, errors (sum), rss (max), runs, serverCpu, pgCpu}
 */
export function summarize(rows) {
  const groups = new Map();
  for (const r of rows) {
    const k = `${r.target}/${r.scenario}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(r);
  }
  const out = new Map();
  for (const [k, g] of groups) {
    out.set(k, {
      rps: median(g.map((r) => r.rps)),
      rpsMin: Math.min(...g.map((r) => r.rps)),
      rpsMax: Math.max(...g.map((r) => r.rps)),
      p50: median(g.map((r) => r.p50_ms)),
      p99: median(g.map((r) => r.p99_ms)),
      p99Max: Math.max(...g.map((r) => r.p99_ms)),
      errors: g.reduce((n, r) => n + (r.errors ?? 0), 0),
      rss: Math.max(...g.map((r) => r.server_rss_mb ?? 0)),
      serverCpu: median(g.map((r) => r.server_cpu_ms_per_req)),
      foreign: median(g.map((r) => r.foreign_cpu_pct)),
      pgCpu: median(g.map((r) => r.pg_cpu_ms_per_req)),
      runs: g.length,
    });
  }
  return out;
}

/** The reference's `table.py --median --ratio-to drf-sync-5w` over this run's files. */
export function renderMedianTable(refDir, out, rows) {
  const files = [...new Set(rows.map((r) => path.join(out, r.file)))];
  const r = run('python3', [path.join(refDir, 'lib/table.py'), '--median', '--ratio-to', REFERENCE_TARGET, ...files], { capture: true });
  return r.code === 0 ? r.stdout.trim() : `(table.py failed: ${r.stderr.trim()})`;
}

const f1 = (x) => (x === undefined ? '-' : x.toFixed(1));

/** One line per scenario: ratio vs target, p99, errors, RSS, verdict. */
export function renderTargets(summary, oauthState) {
  const lines = [
    '| scenario | Fedlink req/s (median, range) | reference req/s | ratio | target | p99 ms (median / worst) | errors | RSS MB (peak) | foreign CPU % (Fedlink / ref.) | verdict |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [scenario, want] of Object.entries({ ...RATIO_TARGETS, oauth_create_delete: undefined })) {
    const f = summary.get(`fedlink/${scenario}`);
    if (!f) {
      if (scenario === 'oauth_create_delete') lines.push(`| ${scenario} | ${oauthState} | - | - | - | - | - | - | - | n/a |`);
      continue;
    }
    const ref = summary.get(`${REFERENCE_TARGET}/${scenario}`);
    const ratio = ref ? f.rps / ref.rps : undefined;
    const misses = [];
    if (want !== undefined && ratio !== undefined && ratio < want) misses.push(`ratio ${ratio.toFixed(1)}× < ${want}× (${((1 - ratio / want) * 100).toFixed(0)}% short)`);
    if (f.p99 > P99_LIMIT_MS) misses.push(`p99 ${f.p99.toFixed(1)} ms > ${P99_LIMIT_MS} ms`);
    if (f.errors > 0) misses.push(`${f.errors} errors`);
    if (f.rss > RSS_LIMIT_MB) misses.push(`RSS ${f.rss.toFixed(0)} MB > ${RSS_LIMIT_MB} MB`);
    const verdict = misses.length ? `missed: ${misses.join('; ')}` : ratio === undefined && want !== undefined ? 'met (no reference ratio)' : 'met';
    lines.push(`| ${scenario} | ${f1(f.rps)} (${f1(f.rpsMin)}–${f1(f.rpsMax)}) | ${ref ? f1(ref.rps) : '-'} | ${ratio === undefined ? '-' : `${ratio.toFixed(1)}×`} | `
      + `${want === undefined ? '-' : `≥ ${want}×`} | ${f.p99.toFixed(1)} / ${f.p99Max.toFixed(1)} | ${f.errors} | ${f.rss.toFixed(1)} | `
      + `${f1(f.foreign)} / ${ref ? f1(ref.foreign) : '-'} | ${verdict} |`);
  }
  lines.push('', `Targets: ratio per scenario as listed; p99 ≤ ${P99_LIMIT_MS} ms (median over rounds), zero errors (sum over rounds), `
    + `peak RSS ≤ ${RSS_LIMIT_MB} MB of the Fedlink process. oauth_create_delete has no reference counterpart (the anchor has no typed endpoints).`);
  return lines.join('\n');
}

/** Growth: per scenario, req/s and latency at 32 connections and single-connection latency, per size. */
export function renderGrowth(rows, growth) {
  const lines = [
    '| connections | contract | scenario | req/s (32 conns) | p50 ms | p99 ms | PG CPU ms/req | server CPU ms/req | foreign CPU % | p50 ms (1 conn) | p99 ms (1 conn) | foreign CPU % (1 conn) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const g of growth) {
    for (const scenario of ['list_p1', 'deep_page', 'retrieve']) {
      const a = rows.find((r) => r.target === `fedlink-${g.connections}` && r.scenario === scenario);
      const b = rows.find((r) => r.target === `fedlink-${g.connections}-c1` && r.scenario === scenario);
      lines.push(`| ${g.connections.toLocaleString('en-US')} | ${g.contract.summary} | ${scenario} | ${a ? f1(a.rps) : '-'} | ${a ? a.p50_ms.toFixed(2) : '-'} | `
        + `${a ? a.p99_ms.toFixed(2) : '-'} | ${a?.pg_cpu_ms_per_req?.toFixed(2) ?? '-'} | ${a?.server_cpu_ms_per_req?.toFixed(2) ?? '-'} | `
        + `${a ? f1(a.foreign_cpu_pct) : '-'} | ${b ? b.p50_ms.toFixed(2) : '-'} | ${b ? b.p99_ms.toFixed(2) : '-'} | ${b ? f1(b.foreign_cpu_pct) : '-'} |`);
    }
  }
  lines.push('', 'Dataset per size: SEED.md rules with users = connections ÷ 20 (every user-source pair once); '
    + 'page 1000 is always OFFSET 99 900. "1 conn": the same scenario with one connection (latency without queueing). '
    + 'Foreign CPU: work of other processes on the machine during the step (% of all cores); loadrun repeats a step above 10 % '
    + 'at most twice and keeps the cleanest attempt.');
  return lines.join('\n');
}
