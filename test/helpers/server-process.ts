/**
 * Starts `fedlink serve` as a real child process (compiled dist/, as a user runs it) on a free port and
 * waits until it listens. With `databaseUrl` it uses that server; without, it starts its own embedded
 * PostgreSQL in a fresh data directory — exactly what README's start command does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ServerProcess {
  url: string;
  proc: ChildProcess;
  dataDir: string;
  output(): string;
  stop(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

export async function startServer(opts: { databaseUrl?: string; dataDir?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<ServerProcess> {
  if (!existsSync(path.join(ROOT, 'dist/cli/main.js'))) throw new Error('dist/ missing: run `npm run build` (npm test does it)');
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'fedlink-e2e-'));
  chmodSync(dataDir, 0o755);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp',
    FEDLINK_DATA_DIR: dataDir, FEDLINK_PORT: '0', FEDLINK_HOST: '127.0.0.1', FEDLINK_LOG_LEVEL: 'info',
    ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
    ...opts.env,
  };
  const proc = spawn(process.execPath, [path.join(ROOT, 'bin/fedlink.js'), 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), opts.timeoutMs ?? 150_000);
    const check = () => {
      const m = /"address":"(http:\/\/[^"]+)","msg":"fedlink listening"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return {
    url, proc, dataDir,
    output: () => out,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
