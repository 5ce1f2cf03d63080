/**
 * `/api/v3/sources/user_connections/oauth/` — spec §6, permissions.md §3, decisions F1–F3, F7, F9, F10:
 * list, create, retrieve, PUT, PATCH, DELETE, used_by.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../../domain/deps.js';
import * as connections from '../../../domain/user-source-connections/oauth-service.js';
import type { OAuthConnectionInput } from '../../../domain/user-source-connections/oauth-service.js';
import { normalizeBody } from '../../body-normalize.js';
import { envelope, paginated } from '../../list/envelope.js';
import { listQuerySchema, parseListQuery } from '../../list/list-query.js';
import { actorOf, parseId } from '../../route-helpers.js';
import { errorResponses, IdParamsSchema, notFoundResponse, UsedBySchema } from '../../schemas/common.js';
import {
  PatchedUserOAuthSourceConnectionRequestSchema, UserOAuthSourceConnectionRequestSchema, UserOAuthSourceConnectionSchema,
  UserOAuthSourceConnectionUpdateRequestSchema,
} from './oauth-schemas.js';
import { serializeTypedConnection } from './serialize.js';

const BASE = '/sources/user_connections/oauth/';
const tags = ['sources'];
const description = 'Source Viewset';

type IdReq = FastifyRequest<{ Params: { id: string } }>;

/** Keeps the known request keys; `source`/`user` only on create (read-only afterwards). */
function input(body: unknown, create: boolean): OAuthConnectionInput {
  const b = (body ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of create ? ['source', 'user', 'identifier', 'access_token'] : ['identifier', 'access_token']) {
    if (Object.prototype.hasOwnProperty.call(b, k)) out[k] = b[k];
  }
  return out as OAuthConnectionInput;
}

export function oauthConnectionRoutes(app: FastifyInstance, deps: Deps, opts: { maxPageSize: number }): void {
  const spec = connections.oauthConnectionListSpec;
  const PaginatedSchema = paginated(UserOAuthSourceConnectionSchema);
  app.addSchema(PaginatedSchema);
  const one = { 200: Type.Ref(UserOAuthSourceConnectionSchema), ...errorResponses, ...notFoundResponse };

  app.get(BASE, {
    schema: {
      operationId: 'sources_user_connections_oauth_list', tags, description,
      querystring: listQuerySchema(spec),
      response: { 200: Type.Ref(PaginatedSchema), ...errorResponses, ...notFoundResponse },
    },
  }, async (req) => {
    const page = await connections.list(deps, actorOf(req), parseListQuery(req.query, spec, opts.maxPageSize));
    return envelope(page, serializeTypedConnection);
  });

  app.post(BASE, {
    schema: {
      operationId: 'sources_user_connections_oauth_create', tags, description,
      body: Type.Ref(UserOAuthSourceConnectionRequestSchema),
      response: { 201: Type.Ref(UserOAuthSourceConnectionSchema), ...errorResponses },
    },
    preValidation: normalizeBody(UserOAuthSourceConnectionRequestSchema, { pkFields: ['user'] }),
  }, async (req, reply) => {
    const view = await connections.create(deps, actorOf(req), input(req.body, true));
    return reply.code(201).send(serializeTypedConnection(view));
  });

  const detail = `${BASE}:id/`;
  app.get(detail, {
    schema: { operationId: 'sources_user_connections_oauth_retrieve', tags, description, params: IdParamsSchema, response: one },
  }, async (req: IdReq) => serializeTypedConnection(await connections.retrieve(deps, actorOf(req), parseId(req.params.id))));

  for (const [method, operationId, bodySchema, partial] of [
    ['PUT', 'sources_user_connections_oauth_update', UserOAuthSourceConnectionUpdateRequestSchema, false],
    ['PATCH', 'sources_user_connections_oauth_partial_update', PatchedUserOAuthSourceConnectionRequestSchema, true],
  ] as const) {
    const normalize = normalizeBody(bodySchema);
    app.route({
      method, url: detail,
      schema: { operationId, tags, description, params: IdParamsSchema, body: Type.Ref(bodySchema), response: one },
      // Look the row up (404) before judging the body, as DRF's get_object runs first.
      preValidation: async (req: IdReq) => {
        await connections.retrieve(deps, actorOf(req), parseId(req.params.id));
        await normalize(req);
      },
      handler: async (req: IdReq) => serializeTypedConnection(
        await connections.update(deps, actorOf(req), parseId(req.params.id), input(req.body, false), partial),
      ),
    });
  }

  app.delete(detail, {
    schema: {
      operationId: 'sources_user_connections_oauth_destroy', tags, description, params: IdParamsSchema,
      response: { 204: Type.Null({ description: 'No response body' }), ...errorResponses, ...notFoundResponse },
    },
  }, async (req: IdReq, reply) => {
    await connections.destroy(deps, actorOf(req), parseId(req.params.id));
    return reply.code(204).send();
  });

  app.get(`${detail}used_by/`, {
    schema: {
      operationId: 'sources_user_connections_oauth_used_by_list', tags, description: 'Get a list of all objects that use this object',
      params: IdParamsSchema,
      response: { 200: Type.Array(Type.Ref(UsedBySchema)), ...errorResponses, ...notFoundResponse },
    },
  }, async (req: IdReq) => connections.usedBy(deps, actorOf(req), parseId(req.params.id)));
}
