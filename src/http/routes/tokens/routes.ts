/**
 * `/api/v3/core/tokens/` — list, create, retrieve, PUT, PATCH, DELETE by identifier, and
 * `GET {identifier}/view_key/` (authentik 2024.8 TokenViewSet).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../domain/deps.js';
import * as tokens from '../../../domain/tokens/service.js';
import { envelope, paginated } from '../../list/envelope.js';
import { listQuerySchema, parseListQuery } from '../../list/list-query.js';
import { deferredBody } from '../../request-guards.js';
import { actorOf } from '../../route-helpers.js';
import { errorResponses, notFoundResponse } from '../../schemas/common.js';
import { IdentifierParamsSchema, PatchedTokenRequestSchema, TokenRequestSchema, TokenSchema, TokenViewSchema } from './schemas.js';
import { serializeToken } from './serialize.js';

const BASE = '/core/tokens/';
const tags = ['core'];
const description = 'Token Viewset';

export function tokenRoutes(app: FastifyInstance, deps: Deps, opts: { maxPageSize: number }): void {
  const spec = tokens.tokenListSpec;
  const PaginatedSchema = paginated(TokenSchema);
  app.addSchema(PaginatedSchema);

  app.get(BASE, {
    schema: {
      operationId: 'core_tokens_list', tags, description,
      querystring: listQuerySchema(spec),
      response: { 200: Type.Ref(PaginatedSchema), ...errorResponses, ...notFoundResponse },
    },
  }, async (req) => envelope(await tokens.list(deps, actorOf(req), parseListQuery(req.query, spec, opts.maxPageSize)), serializeToken));

  const createBody = deferredBody(TokenRequestSchema);
  app.post(BASE, {
    schema: {
      operationId: 'core_tokens_create', tags, description,
      body: Type.Ref(TokenRequestSchema),
      response: { 201: Type.Ref(TokenSchema), ...errorResponses },
    },
    attachValidation: true,
    preValidation: createBody.preValidation,
  }, async (req, reply) => {
    const v = await tokens.create(deps, actorOf(req), req.body as Record<string, unknown>, createBody.check(req));
    return reply.code(201).send(serializeToken(v));
  });

  const detail = `${BASE}:identifier/`;
  type P = { Params: { identifier: string } };
  app.get<P>(detail, {
    schema: {
      operationId: 'core_tokens_retrieve', tags, description,
      params: IdentifierParamsSchema,
      response: { 200: Type.Ref(TokenSchema), ...errorResponses, ...notFoundResponse },
    },
  }, async (req) => serializeToken(await tokens.retrieve(deps, actorOf(req), req.params.identifier)));

  for (const [method, operationId, schema, partial] of [
    ['PUT', 'core_tokens_update', TokenRequestSchema, false],
    ['PATCH', 'core_tokens_partial_update', PatchedTokenRequestSchema, true],
  ] as const) {
    const body = deferredBody(schema);
    app.route<P>({
      method, url: detail,
      schema: {
        operationId, tags, description,
        params: IdentifierParamsSchema,
        body: Type.Ref(schema),
        response: { 200: Type.Ref(TokenSchema), ...errorResponses, ...notFoundResponse },
      },
      attachValidation: true,
      preValidation: body.preValidation,
      handler: async (req) => serializeToken(
        await tokens.update(deps, actorOf(req), req.params.identifier, req.body as Record<string, unknown>, partial, body.check(req)),
      ),
    });
  }

  app.delete<P>(detail, {
    schema: {
      operationId: 'core_tokens_destroy', tags, description,
      params: IdentifierParamsSchema,
      response: { 204: Type.Null({ description: 'No response body' }), ...errorResponses, ...notFoundResponse },
    },
  }, async (req, reply) => {
    await tokens.destroy(deps, actorOf(req), req.params.identifier);
    return reply.code(204).send();
  });

  app.get<P>(`${detail}view_key/`, {
    schema: {
      operationId: 'core_tokens_view_key_retrieve', tags, description: 'Return token key and log access',
      params: IdentifierParamsSchema,
      response: { 200: Type.Ref(TokenViewSchema), ...errorResponses, ...notFoundResponse },
    },
  }, async (req, reply) => {
    const body = await tokens.viewKey(deps, actorOf(req), req.params.identifier);
    return reply.header('cache-control', 'no-store').send(body);
  });
}
