/**
 * buildApp over a fresh test database, plus factories and an `api()` helper for app.inject.
 * Usage: `const t = await createTestApp(); const r = await t.api('GET', '/sources/…', { token })`.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { createSecretBox, type SecretBox } from '../../src/domain/secrets.js';
import type { Deps } from '../../src/domain/deps.js';
import { createTestDb, type TestDb } from './test-db.js';
import { factories, type Factories } from './factories.js';

export interface TestApp extends Factories {
  app: FastifyInstance;
  t: TestDb;
  deps: Deps;
  secrets: SecretBox;
  config: Config;
  /** Sends a request under /api/v3 with an optional bearer token; `body` is JSON-encoded unless `raw`. */
  api(method: string, path: string, o?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function createTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const t = await createTestDb();
  const config = loadConfig({}, { databaseUrl: t.url, logLevel: 'silent', ...overrides });
  const secrets = createSecretBox('test-secret-key-0123456789');
  const deps: Deps = { db: t.db, secrets };
  const app = await buildApp({ config, deps, logger: false });
  const f = factories(t.db, secrets);
  return {
    ...f, app, t, deps, secrets, config,
    api(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      let payload: string | undefined;
      if (o.raw !== undefined) payload = o.raw;
      else if (o.body !== undefined) {
        payload = JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      return app.inject({ method: method as any, url: `/api/v3${path}`, headers, payload });
    },
    async close() {
      await app.close();
      await t.drop();
    },
  };
}
