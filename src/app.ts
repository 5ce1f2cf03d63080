/**
 * buildApp(deps): a ready Fastify instance with every route; never listens (main.ts and tests do).
 * Layout of a request: body parsing → auth hook (onRequest) → schema validation → thin handler →
 * domain service → db repository → response schema serialization (fast-json-stringify).
 */
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { createTokenAuthenticator } from './domain/auth.js';
import type { Deps } from './domain/deps.js';
import { registerBrowserRoutes } from './http/browser/routes.js';
import { createSessionResolver } from './http/browser/session-resolver.js';
import { registerAuth, type SessionResolver, type TokenResolver } from './http/plugins/auth.js';
import { registerBodyParsers } from './http/plugins/body-parsers.js';
import { registerErrorHandler } from './http/plugins/error-handler.js';
import { registerNotFound } from './http/plugins/method-not-allowed.js';
import { buildSerializerFactory } from './http/plugins/serializer.js';
import { openApiOptions, registerSchemaRoute } from './http/plugins/openapi.js';
import { registerApiRoutes } from './http/routes/index.js';
import { mediaRoutes } from './http/routes/media.js';
import { createMediaStore } from './storage/media-store.js';

export const API_PREFIX = '/api/v3';

export interface AppOptions {
  config: Config;
  deps: Deps;
  logger: Logger | false;
  /**
   * Session resolution for browser callers of /api/v3/ (sign-in flow, http/browser/); absent → the
   * `authentik_session` cookie resolver over `deps` (createSessionResolver).
   */
  sessions?: SessionResolver;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.logger || undefined,
    logger: opts.logger ? undefined : false,
    bodyLimit: opts.config.bodyLimitBytes,
    trustProxy: false,
    routerOptions: {
      ignoreTrailingSlash: false,
      maxParamLength: 300, // ≥ 255: token identifiers (a slug of up to 255 characters) are path parameters
      // Last value wins for repeated keys, like Django's QueryDict.get; fromEntries cannot set __proto__.
      querystringParser: (s: string) => Object.fromEntries(new URLSearchParams(s)),
    },
    schemaController: { compilersFactory: { buildSerializer: buildSerializerFactory } },
    ajv: { customOptions: { allErrors: true, verbose: true, coerceTypes: 'array', removeAdditional: false } },
    // fast-json-stringify from the route schemas, without per-value Ajv checks for enums/nullables.
    logController: new LogController({ disableRequestLogging: true }),
    // Malformed percent-encoding in the path: a DRF-shaped 400 instead of Fastify's own body.
    frameworkErrors: (_err: Error, _req: unknown, reply: { code(n: number): { send(b: unknown): void } }) =>
      reply.code(400).send({ detail: 'Malformed request URL.' }),
  } as any) as unknown as FastifyInstance;

  registerErrorHandler(app);
  registerBodyParsers(app, opts.config.bodyLimitBytes);
  await app.register(swagger, openApiOptions());
  await app.register(cookie);

  // Token lookups, with the speculative cache for routes that opt in (domain/auth.ts).
  const authenticator = createTokenAuthenticator(opts.deps);
  const tokens: TokenResolver = (key, ip, speculative = false) => authenticator.resolve(key, ip, speculative);
  const sessions = opts.sessions ?? createSessionResolver(opts.deps);
  // Uploaded media (source icons) under <dataDir>/media, served publicly at /media/.
  const media = createMediaStore(opts.config.dataDir);
  mediaRoutes(app, media);
  await app.register(async (api) => {
    registerAuth(api, tokens, sessions);
    registerNotFound(api, API_PREFIX, tokens, sessions);
    // PUT/PATCH/POST without a body validate as an empty object (DRF: no data → {}).
    api.addHook('preValidation', async (req) => {
      if (req.body === undefined && (req.method === 'PUT' || req.method === 'PATCH' || req.method === 'POST')) req.body = {};
    });
    registerSchemaRoute(api);
    await registerApiRoutes(api, opts.deps, opts.config, media);
  }, { prefix: API_PREFIX });
  // Browser side: sign-in pages and the OAuth source redirect/callback (docs/login.md).
  await registerBrowserRoutes(app, opts.deps, opts.config);

  await app.ready();
  return app;
}
