/**
 * `/api/v3/sources/oauth/` — spec §4.1, §7; permissions.md §5: list, create, retrieve, PUT, PATCH,
 * DELETE, used_by, and `source_types/`. Lookup by slug.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../../domain/deps.js';
import * as oauth from '../../../domain/sources/oauth-service.js';
import type { OAuthSourceInput } from '../../../domain/sources/oauth-service.js';
import { normalizeBody } from '../../body-normalize.js';
import { envelope, paginated } from '../../list/envelope.js';
import { listQuerySchema, parseListQuery } from '../../list/list-query.js';
import { actorOf } from '../../route-helpers.js';
import { errorResponses, notFoundResponse, UsedBySchema } from '../../schemas/common.js';
import {
  OAuthSourceRequestSchema, OAuthSourceSchema, PatchedOAuthSourceRequestSchema, SlugParamsSchema, SourceTypeSchema,
} from './oauth-schemas.js';
import { requestOrigin, serializeOAuthSource } from './oauth-serialize.js';

const BASE = '/sources/oauth/';
const tags = ['sources'];
const description = 'Source Viewset';

type SlugReq = FastifyRequest<{ Params: { slug: string } }>;

/** Keeps only the request fields the endpoint knows (read-only and unknown keys are ignored, spec §0.2). */
function input(body: unknown): OAuthSourceInput {
  const b = (body ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(OAuthSourceRequestSchema.properties)) {
    if (Object.prototype.hasOwnProperty.call(b, k)) out[k] = b[k];
  }
  return out as OAuthSourceInput;
}

export function oauthSourceRoutes(app: FastifyInstance, deps: Deps, opts: { maxPageSize: number }): void {
  const spec = oauth.oauthSourceListSpec;
  const PaginatedSchema = paginated(OAuthSourceSchema);
  app.addSchema(PaginatedSchema);
  const one = { 200: Type.Ref(OAuthSourceSchema), ...errorResponses, ...notFoundResponse };
  const normalizeCreate = normalizeBody(OAuthSourceRequestSchema);

  app.get(BASE, {
    schema: {
      operationId: 'sources_oauth_list', tags, description,
      querystring: listQuerySchema(spec),
      response: { 200: Type.Ref(PaginatedSchema), ...errorResponses, ...notFoundResponse },
    },
  }, async (req) => {
    const page = await oauth.list(deps, actorOf(req), parseListQuery(req.query, spec, opts.maxPageSize));
    const origin = requestOrigin(req);
    return envelope(page, (r) => serializeOAuthSource(r, origin));
  });

  app.post(BASE, {
    schema: {
      operationId: 'sources_oauth_create', tags, description,
      body: Type.Ref(OAuthSourceRequestSchema),
      response: { 201: Type.Ref(OAuthSourceSchema), ...errorResponses },
    },
    preValidation: async (req) => {
      await oauth.checkAccess(deps, actorOf(req), 'add');
      await normalizeCreate(req);
    },
  }, async (req, reply) => {
    const row = await oauth.create(deps, actorOf(req), input(req.body));
    return reply.code(201).send(serializeOAuthSource(row, requestOrigin(req)));
  });

  app.get(`${BASE}source_types/`, {
    schema: {
      operationId: 'sources_oauth_source_types_list', tags,
      description: 'Get all creatable source types. If ?name is set, only returns the type for <name>.',
      querystring: Type.Object({ name: Type.Optional(Type.String()) }, { additionalProperties: true }),
      response: { 200: Type.Array(Type.Ref(SourceTypeSchema)), ...errorResponses },
    },
  }, async (req) => {
    actorOf(req);
    const name = (req.query as { name?: unknown }).name;
    return oauth.sourceTypes(typeof name === 'string' ? name : undefined);
  });

  const detail = `${BASE}:slug/`;
  app.get(detail, {
    schema: { operationId: 'sources_oauth_retrieve', tags, description, params: SlugParamsSchema, response: one },
  }, async (req: SlugReq) => serializeOAuthSource(await oauth.retrieve(deps, actorOf(req), req.params.slug), requestOrigin(req)));

  for (const [method, operationId, bodySchema, partial] of [
    ['PUT', 'sources_oauth_update', OAuthSourceRequestSchema, false],
    ['PATCH', 'sources_oauth_partial_update', PatchedOAuthSourceRequestSchema, true],
  ] as const) {
    const normalize = normalizeBody(bodySchema);
    app.route({
      method, url: detail,
      schema: { operationId, tags, description, params: SlugParamsSchema, body: Type.Ref(bodySchema), response: one },
      // Visibility and the change permission are judged before the body, as DRF does.
      preValidation: async (req: SlugReq) => {
        await oauth.checkAccess(deps, actorOf(req), 'change', req.params.slug);
        await normalize(req);
      },
      handler: async (req: SlugReq) => {
        const row = await oauth.update(deps, actorOf(req), req.params.slug, input(req.body), partial);
        return serializeOAuthSource(row, requestOrigin(req));
      },
    });
  }

  app.delete(detail, {
    schema: {
      operationId: 'sources_oauth_destroy', tags, description, params: SlugParamsSchema,
      response: { 204: Type.Null({ description: 'No response body' }), ...errorResponses, ...notFoundResponse },
    },
  }, async (req: SlugReq, reply) => {
    await oauth.destroy(deps, actorOf(req), req.params.slug);
    return reply.code(204).send();
  });

  app.get(`${detail}used_by/`, {
    schema: {
      operationId: 'sources_oauth_used_by_list', tags, description: 'Get a list of all objects that use this object',
      params: SlugParamsSchema,
      response: { 200: Type.Array(Type.Ref(UsedBySchema)), ...errorResponses, ...notFoundResponse },
    },
  }, async (req: SlugReq) => oauth.usedBy(deps, actorOf(req), req.params.slug));
}
