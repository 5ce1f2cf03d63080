/**
 * Process entry: config → database (embedded or DATABASE_URL) → migrate → bootstrap → buildApp → listen,
 * and the reverse on SIGTERM/SIGINT (HTTP server first, then the database).
 */
import { pino, type Logger } from 'pino';
import { buildApp } from './app.js';
import { resolveSecretKey } from './cli/secret-key.js';
import { loadConfig } from './config/load.js';
import { connectDatabase } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import { bootstrap } from './domain/bootstrap.js';
import { createSecretBox } from './domain/secrets.js';
import { createSessionResolver } from './http/browser/session-resolver.js';

export async function serve(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel });
  const handle = await connectDatabase({
    databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize,
    log: (m) => logger.debug({ component: 'postgres' }, m),
    warn: (m) => logger.warn({ component: 'postgres' }, m),
  });
  logger.info({ database: handle.kind }, 'database ready');
  try {
    await startServing(config, logger, handle);
  } catch (e) {
    // A failed start must not leave the embedded PostgreSQL running.
    await handle.close().catch(() => undefined);
    throw e;
  }
}

async function startServing(config: ReturnType<typeof loadConfig>, logger: Logger, handle: Awaited<ReturnType<typeof connectDatabase>>): Promise<void> {
  const applied = await migrateToLatest(handle.db);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  const secrets = createSecretBox(resolveSecretKey(config.secretKey, config.dataDir));
  const deps = { db: handle.db, secrets };
  const boot = await bootstrap(deps, { token: config.bootstrapToken, password: config.bootstrapPassword, email: config.bootstrapEmail });
  if (boot.generatedToken) {
    process.stdout.write(`\nCreated user akadmin with API token (shown once): ${boot.generatedToken}\n\n`);
  }
  const app = await buildApp({ config, deps, logger, sessions: createSessionResolver(deps) });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    await app.close().catch((e) => logger.error(e));
    await handle.close().catch((e) => logger.error(e));
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  const address = await app.listen({ host: config.host, port: config.port });
  logger.info({ address }, 'fedlink listening');
}

export async function migrate(): Promise<void> {
  const config = loadConfig();
  const handle = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
  try {
    const applied = await migrateToLatest(handle.db);
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Database is up to date.\n');
  } finally {
    await handle.close();
  }
}
