/**
 * `/api/v3/sources/user_connections/all/` — the seed's viewset (spec §5, decisions W2–W6):
 * list, retrieve, PUT, PATCH, DELETE, used_by. No POST (405). Answers are written by json.ts (the
 * nested source's JSON reused per source view); the response schemas describe them.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../domain/deps.js';
import * as connections from '../../../domain/user-source-connections/service.js';
import { paginated } from '../../list/envelope.js';
import { listQuerySchema, parseListQuery } from '../../list/list-query.js';
import { actorOf, parseId, withActor } from '../../route-helpers.js';
import { errorResponses, IdParamsSchema, notFoundResponse, UsedBySchema } from '../../schemas/common.js';
import { AnyObjectBodySchema, UserSourceConnectionSchema } from './schemas.js';
import { connectionJson, JSON_TYPE, pageJson } from './json.js';

const BASE = '/sources/user_connections/all/';
const tags = ['sources'];

export function allConnectionRoutes(app: FastifyInstance, deps: Deps, opts: { maxPageSize: number }): void {
  const spec = connections.allConnectionsListSpec;
  const PaginatedSchema = paginated(UserSourceConnectionSchema);
  app.addSchema(PaginatedSchema);

  // list, retrieve, PUT and PATCH take speculative callers (domain/auth.ts): their statements re-check them.
  const config = { speculativeAuth: true };
  app.get(BASE, {
    config,
    schema: {
      operationId: 'sources_user_connections_all_list', tags, description: 'User-source connection Viewset',
      querystring: listQuerySchema(spec),
      response: { 200: Type.Ref(PaginatedSchema), ...errorResponses, ...notFoundResponse },
    },
  }, async (req, reply) => {
    const query = parseListQuery(req.query, spec, opts.maxPageSize);
    const page = await withActor(req, (actor) => connections.listAll(deps, actor, query));
    return reply.type(JSON_TYPE).send(pageJson(page));
  });

  const detail = `${BASE}:id/`;
  app.get<{ Params: { id: string } }>(detail, {
    config,
    schema: {
      operationId: 'sources_user_connections_all_retrieve', tags, description: 'User-source connection Viewset',
      params: IdParamsSchema,
      response: { 200: Type.Ref(UserSourceConnectionSchema), ...errorResponses, ...notFoundResponse },
    },
  }, async (req, reply) => {
    const id = parseId(req.params.id);
    return reply.type(JSON_TYPE).send(connectionJson(await withActor(req, (actor) => connections.retrieve(deps, actor, id))));
  });

  for (const [method, operationId] of [['PUT', 'sources_user_connections_all_update'], ['PATCH', 'sources_user_connections_all_partial_update']] as const) {
    app.route<{ Params: { id: string } }>({
      method, url: detail, config,
      schema: {
        operationId, tags, description: 'User-source connection Viewset',
        params: IdParamsSchema,
        body: AnyObjectBodySchema,
        response: { 200: Type.Ref(UserSourceConnectionSchema), ...errorResponses, ...notFoundResponse },
      },
      handler: async (req, reply) => {
        const id = parseId(req.params.id);
        return reply.type(JSON_TYPE).send(connectionJson(await withActor(req, (actor) => connections.touch(deps, actor, id))));
      },
    });
  }

  app.delete<{ Params: { id: string } }>(detail, {
    schema: {
      operationId: 'sources_user_connections_all_destroy', tags, description: 'User-source connection Viewset',
      params: IdParamsSchema,
      response: { 204: Type.Null({ description: 'No response body' }), ...errorResponses, ...notFoundResponse },
    },
  }, async (req, reply) => {
    await connections.destroy(deps, actorOf(req), parseId(req.params.id));
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string } }>(`${detail}used_by/`, {
    schema: {
      operationId: 'sources_user_connections_all_used_by_list', tags, description: 'Get a list of all objects that use this object',
      params: IdParamsSchema,
      response: { 200: Type.Array(Type.Ref(UsedBySchema)), ...errorResponses, ...notFoundResponse },
    },
  }, async (req) => connections.usedBy(deps, actorOf(req), parseId(req.params.id)));
}
