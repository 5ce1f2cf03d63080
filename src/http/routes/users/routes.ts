/**
 * `/api/v3/core/users/` — list, create, retrieve, PUT, PATCH, DELETE, `me/` (authentik 2024.8 UserViewSet).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../domain/deps.js';
import * as users from '../../../domain/users/service.js';
import { envelope, paginated } from '../../list/envelope.js';
import { listQuerySchema, parseListQuery } from '../../list/list-query.js';
import { deferredBody, flagDefaultTrue, queryValues } from '../../request-guards.js';
import { actorOf, parseId } from '../../route-helpers.js';
import { errorResponses, IdParamsSchema, notFoundResponse } from '../../schemas/common.js';
import { PatchedUserRequestSchema, SessionUserSchema, UserRequestSchema, UserSchema } from './schemas.js';
import { serializeUser, serializeUserSelf } from './serialize.js';

const BASE = '/core/users/';
const tags = ['core'];
const description = 'User Viewset';

export function userRoutes(app: FastifyInstance, deps: Deps, opts: { maxPageSize: number }): void {
  const spec = users.userListSpec;
  const PaginatedSchema = paginated(UserSchema);
  app.addSchema(PaginatedSchema);

  app.get(BASE, {
    schema: {
      operationId: 'core_users_list', tags, description,
      querystring: listQuerySchema(spec),
      response: { 200: Type.Ref(PaginatedSchema), ...errorResponses, ...notFoundResponse },
    },
  }, async (req) => {
    const page = await users.list(deps, actorOf(req), parseListQuery(req.query, spec, opts.maxPageSize), {
      groupsByName: queryValues(req, 'groups_by_name'),
      groupsByPk: queryValues(req, 'groups_by_pk'),
      types: queryValues(req, 'type'),
      includeGroups: flagDefaultTrue(req, 'include_groups'),
    });
    return envelope(page, serializeUser);
  });

  const createBody = deferredBody(UserRequestSchema);
  app.post(BASE, {
    schema: {
      operationId: 'core_users_create', tags, description,
      body: Type.Ref(UserRequestSchema),
      response: { 201: Type.Ref(UserSchema), ...errorResponses },
    },
    attachValidation: true,
    preValidation: createBody.preValidation,
  }, async (req, reply) => {
    const v = await users.create(deps, actorOf(req), req.body as Record<string, unknown>, createBody.check(req));
    return reply.code(201).send(serializeUser(v));
  });

  app.get(`${BASE}me/`, {
    schema: {
      operationId: 'core_users_me_retrieve', tags, description: 'Get information about current user',
      response: { 200: Type.Ref(SessionUserSchema), ...errorResponses },
    },
  }, async (req) => ({ user: serializeUserSelf(await users.me(deps, actorOf(req))) }));

  const detail = `${BASE}:id/`;
  app.get<{ Params: { id: string } }>(detail, {
    schema: {
      operationId: 'core_users_retrieve', tags, description,
      params: IdParamsSchema,
      response: { 200: Type.Ref(UserSchema), ...errorResponses, ...notFoundResponse },
    },
  }, async (req) => serializeUser(await users.retrieve(deps, actorOf(req), parseId(req.params.id))));

  for (const [method, operationId, schema, partial] of [
    ['PUT', 'core_users_update', UserRequestSchema, false],
    ['PATCH', 'core_users_partial_update', PatchedUserRequestSchema, true],
  ] as const) {
    const body = deferredBody(schema);
    app.route<{ Params: { id: string } }>({
      method, url: detail,
      schema: {
        operationId, tags, description,
        params: IdParamsSchema,
        body: Type.Ref(schema),
        response: { 200: Type.Ref(UserSchema), ...errorResponses, ...notFoundResponse },
      },
      attachValidation: true,
      preValidation: body.preValidation,
      handler: async (req) => serializeUser(
        await users.update(deps, actorOf(req), parseId(req.params.id), req.body as Record<string, unknown>, partial, body.check(req)),
      ),
    });
  }

  app.delete<{ Params: { id: string } }>(detail, {
    schema: {
      operationId: 'core_users_destroy', tags, description,
      params: IdParamsSchema,
      response: { 204: Type.Null({ description: 'No response body' }), ...errorResponses, ...notFoundResponse },
    },
  }, async (req, reply) => {
    await users.destroy(deps, actorOf(req), parseId(req.params.id));
    return reply.code(204).send();
  });
}
