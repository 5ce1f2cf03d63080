/** Small process helpers for the bench runner (no dependencies beyond Node). */
import { spawn, spawnSync } from 'node:child_process';

/** Timestamped log line on stderr. */
export function log(msg) {
  process.stderr.write(`[fedlink-bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/**
 * Runs a command to completion, inheriting stdio unless `capture`.
 * @returns {{code: number, stdout: string, stderr: string}}
 */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    stdio: opts.capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ...(opts.env ?? {}) },
    cwd: opts.cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) return { code: 127, stdout: '', stderr: String(r.error.message) };
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Like `run`, but throws when the exit status is not 0. */
export function must(cmd, args, opts = {}) {
  const r = run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}${r.stderr ? `: ${r.stderr.slice(-2000)}` : ''}`);
  return r;
}

/** Is `cmd` on PATH? */
export function have(cmd) {
  return run('sh', ['-c', `command -v ${cmd}`], { capture: true }).code === 0;
}

/** Starts a long-running child; output goes to `logFd`. @returns the ChildProcess. */
export function start(cmd, args, opts = {}) {
  return spawn(cmd, args, {
    stdio: ['ignore', opts.logFd ?? 'ignore', opts.logFd ?? 'ignore'],
    env: { ...process.env, ...(opts.env ?? {}) },
    cwd: opts.cwd,
  });
}

/** Stops a child we started: SIGTERM, then SIGKILL after `graceMs`. */
export async function stop(child, graceMs = 10_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `url` (with a bearer token) until it answers 200, for at most `timeoutMs`. */
export async function waitHttp(url, token, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
      await r.arrayBuffer();
      if (r.status === 200) return;
    } catch {
      // not up yet
    }
    await sleep(300);
  }
  throw new Error(`no 200 from ${url} within ${timeoutMs / 1000} s`);
}

/** Median of numbers (undefined for none). */
export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
