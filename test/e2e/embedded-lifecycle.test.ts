/**
 * The embedded database as a user meets it: `fedlink serve` with no DATABASE_URL initialises PostgreSQL
 * in the data directory, keeps data across restarts, and recovers after the process is SIGKILLed
 * (orphaned PostgreSQL server left running) and after a stale postmaster.pid.
 * Runs once (embedded project only): it tests the embedded mode itself.
 */
import { mkdtempSync, chmodSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startServer } from '../helpers/server-process.js';

const TOKEN = 'lifecycle-token-0123456789';
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fedlink-life-'));
chmodSync(dataDir, 0o755);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function whoami(url: string) {
  const r = await fetch(`${url}/api/v3/sources/user_connections/all/`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return r.status;
}

function pidAlive(pid: number) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

// Generous timeouts: PostgreSQL start/recovery takes seconds, tens of seconds on a loaded 2-core machine.
describe.runIf(inject('dbMode') === 'embedded')('embedded PostgreSQL lifecycle', { timeout: 240_000 }, () => {
  it('first start initialises, bootstraps the token, and a clean stop stops PostgreSQL', async () => {
    const s = await startServer({ dataDir, env: { FEDLINK_BOOTSTRAP_TOKEN: TOKEN } });
    expect(await whoami(s.url)).toBe(200);
    const pgPid = Number(readFileSync(path.join(dataDir, 'postgres/postmaster.pid'), 'utf8').split('\n')[0]);
    expect(pidAlive(pgPid)).toBe(true);
    await s.stop();
    await new Promise((r) => setTimeout(r, 500));
    expect(pidAlive(pgPid)).toBe(false);
    expect(existsSync(path.join(dataDir, 'postgres/postmaster.pid'))).toBe(false);
  });

  it('recovers after SIGKILL left an orphaned PostgreSQL running; data persists', async () => {
    const s1 = await startServer({ dataDir }); // token from the first start is still valid
    expect(await whoami(s1.url)).toBe(200);
    const pgPid = Number(readFileSync(path.join(dataDir, 'postgres/postmaster.pid'), 'utf8').split('\n')[0]);
    s1.proc.kill('SIGKILL');
    await new Promise((r) => s1.proc.once('exit', r));
    expect(pidAlive(pgPid)).toBe(true); // orphan still holds the data directory
    const s2 = await startServer({ dataDir });
    expect(await whoami(s2.url)).toBe(200);
    expect(s2.output()).toContain(`stopping orphaned server (pid ${pgPid})`);
    await s2.stop();
  });

  it('a second server on the same data directory refuses to start and leaves the first one working', async () => {
    const s1 = await startServer({ dataDir });
    await expect(startServer({ dataDir })).rejects.toThrow(/in use by a running server/);
    expect(await whoami(s1.url)).toBe(200);
    await s1.stop();
  });

  it('a renamed bootstrap token does not break the next start with the same FEDLINK_BOOTSTRAP_TOKEN', async () => {
    const s1 = await startServer({ dataDir, env: { FEDLINK_BOOTSTRAP_TOKEN: TOKEN } });
    const r = await fetch(`${s1.url}/api/v3/core/tokens/authentik-bootstrap-token/`, {
      method: 'PATCH', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ identifier: 'renamed-bootstrap' }),
    });
    expect(r.status).toBe(200);
    await s1.stop();
    const s2 = await startServer({ dataDir, env: { FEDLINK_BOOTSTRAP_TOKEN: TOKEN } });
    expect(await whoami(s2.url)).toBe(200);
    await s2.stop();
  });

  it('recovers from a stale postmaster.pid of a dead process', async () => {
    writeFileSync(path.join(dataDir, 'postgres/postmaster.pid'), '999999\n/nonexistent\n');
    const s = await startServer({ dataDir });
    expect(s.output()).toContain('removing stale');
    expect(await whoami(s.url)).toBe(200);
    await s.stop();
  });
});
