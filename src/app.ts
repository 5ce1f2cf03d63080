/**
 * buildApp(deps): a ready Fastify instance with every route; never listens (main.ts and tests do).
 * Layout of a request: body parsing → auth hook (onRequest) → schema validation → thin handler →
 * domain service → db repository → response schema serialization (fast-json-stringify).
 */
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { actorFromToken } from './domain/auth.js';
import type { Deps } from './domain/deps.js';
import { registerAuth, type SessionResolver, type TokenResolver } from './http/plugins/auth.js';
import { registerBodyParsers } from './http/plugins/body-parsers.js';
import { registerErrorHandler } from './http/plugins/error-handler.js';
import { registerNotFound } from './http/plugins/method-not-allowed.js';
import { openApiOptions, registerSchemaRoute } from './http/plugins/openapi.js';
import { buildSimplifyingSerializer } from './http/plugins/serializer.js';
import { registerApiRoutes } from './http/routes/index.js';

export const API_PREFIX = '/api/v3';

export interface AppOptions {
  config: Config;
  deps: Deps;
  logger: Logger | false;
  /** Session resolution for browser callers (sign-in flow); absent → bearer tokens only. */
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
      maxParamLength: 200,
      // Last value wins for repeated keys, like Django's QueryDict.get; fromEntries cannot set __proto__.
      querystringParser: (s: string) => Object.fromEntries(new URLSearchParams(s)),
    },
    ajv: { customOptions: { allErrors: true, verbose: true, coerceTypes: 'array', removeAdditional: false } },
    // fast-json-stringify from the route schemas, without per-value Ajv checks for enums/nullables.
    schemaController: { compilersFactory: { buildSerializer: buildSimplifyingSerializer() } },
    logController: new LogController({ disableRequestLogging: true }),
  } as any) as unknown as FastifyInstance;

  registerErrorHandler(app);
  registerBodyParsers(app, opts.config.bodyLimitBytes);
  await app.register(swagger, openApiOptions());

  const tokens: TokenResolver = (key, ip) => actorFromToken(opts.deps, key, ip);
  await app.register(async (api) => {
    registerAuth(api, tokens, opts.sessions);
    registerNotFound(api, API_PREFIX, tokens, opts.sessions);
    // PUT/PATCH/POST without a body validate as an empty object (DRF: no data → {}).
    api.addHook('preValidation', async (req) => {
      if (req.body === undefined && (req.method === 'PUT' || req.method === 'PATCH' || req.method === 'POST')) req.body = {};
    });
    registerSchemaRoute(api);
    await registerApiRoutes(api, opts.deps, opts.config);
  }, { prefix: API_PREFIX });

  await app.ready();
  return app;
}
