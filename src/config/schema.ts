import { availableParallelism } from 'node:os';
import { Type, type Static } from '@sinclair/typebox';

/**
 * Fedlink's settings, parsed once from the environment by `loadConfig` (config/load.ts).
 * Environment names are `FEDLINK_<KEY>` (upper case), except `DATABASE_URL`; units are in the names.
 */
/**
 * Default PostgreSQL pool: 2 × this machine's CPUs, at least 4 and at most 10 (the former default;
 * several processes on a many-core host must stay under PostgreSQL's max_connections, and
 * availableParallelism() does not see container CPU quotas). More connections than the CPUs can
 * serve only add context switches: on the 2-core bench machine a pool of 4 answered 7–10 % more
 * requests than 10, with lower p99 (bench/README.md "Pool size and memory").
 */
export const DEFAULT_POOL_SIZE = Math.min(10, Math.max(4, 2 * availableParallelism()));

export const ConfigSchema = Type.Object({
  host: Type.String({ default: '127.0.0.1', description: 'FEDLINK_HOST: address the HTTP server binds to.' }),
  port: Type.Integer({ default: 9000, minimum: 0, maximum: 65535, description: 'FEDLINK_PORT: TCP port; 0 picks a free one.' }),
  dataDir: Type.String({ default: './data', description: 'FEDLINK_DATA_DIR: embedded database files, generated secret key, uploaded icons.' }),
  databaseUrl: Type.Optional(Type.String({ description: 'DATABASE_URL: an external PostgreSQL; when unset the embedded one under dataDir is used.' })),
  secretKey: Type.Optional(Type.String({ minLength: 16, description: 'FEDLINK_SECRET_KEY: keys the encryption and hashing of secrets; generated into dataDir/secret_key when unset.' })),
  bootstrapToken: Type.Optional(Type.String({ minLength: 8, description: 'FEDLINK_BOOTSTRAP_TOKEN: API token key given to akadmin on first start.' })),
  bootstrapPassword: Type.Optional(Type.String({ minLength: 1, description: 'FEDLINK_BOOTSTRAP_PASSWORD: akadmin password set on first start.' })),
  bootstrapEmail: Type.Optional(Type.String({ description: 'FEDLINK_BOOTSTRAP_EMAIL: akadmin email set on first start.' })),
  logLevel: Type.Union([
    Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'),
    Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent'),
  ], { default: 'info', description: 'FEDLINK_LOG_LEVEL: pino log level.' }),
  maxPageSize: Type.Integer({ default: 1000, minimum: 1, description: 'FEDLINK_MAX_PAGE_SIZE: page_size above this is clamped (decisions F8).' }),
  bodyLimitBytes: Type.Integer({ default: 1048576, minimum: 1024, description: 'FEDLINK_BODY_LIMIT_BYTES: larger request bodies get 413.' }),
  dbPoolSize: Type.Integer({ default: DEFAULT_POOL_SIZE, minimum: 1, description: 'FEDLINK_DB_POOL_SIZE: PostgreSQL connections held by the server (default: twice the CPU count, 4 to 10).' }),
  sessionTtlSeconds: Type.Integer({ default: 86400, minimum: 60, description: 'FEDLINK_SESSION_TTL_SECONDS: lifetime of a browser session.' }),
  cookieSecure: Type.Boolean({ default: false, description: 'FEDLINK_COOKIE_SECURE: mark session cookies Secure (set true behind HTTPS).' }),
});

export type Config = Static<typeof ConfigSchema>;

/** Environment variable name for each config key (the only place the mapping lives). */
export const ENV_NAMES: Record<keyof Config, string> = {
  host: 'FEDLINK_HOST',
  port: 'FEDLINK_PORT',
  dataDir: 'FEDLINK_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  secretKey: 'FEDLINK_SECRET_KEY',
  bootstrapToken: 'FEDLINK_BOOTSTRAP_TOKEN',
  bootstrapPassword: 'FEDLINK_BOOTSTRAP_PASSWORD',
  bootstrapEmail: 'FEDLINK_BOOTSTRAP_EMAIL',
  logLevel: 'FEDLINK_LOG_LEVEL',
  maxPageSize: 'FEDLINK_MAX_PAGE_SIZE',
  bodyLimitBytes: 'FEDLINK_BODY_LIMIT_BYTES',
  dbPoolSize: 'FEDLINK_DB_POOL_SIZE',
  sessionTtlSeconds: 'FEDLINK_SESSION_TTL_SECONDS',
  cookieSecure: 'FEDLINK_COOKIE_SECURE',
};
