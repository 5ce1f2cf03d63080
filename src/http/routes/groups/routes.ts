/**
 * `/api/v3/core/groups/` — list, create, retrieve, PUT, PATCH, DELETE by group uuid (authentik 2024.8 GroupViewSet).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../domain/deps.js';
import * as groups from '../../../domain/groups/service.js';
import { envelope, paginated } from '../../list/envelope.js';
import { listQuerySchema, parseListQuery } from '../../list/list-query.js';
import { deferredBody, flagDefaultTrue, queryValues } from '../../request-guards.js';
import { actorOf } from '../../route-helpers.js';
import { errorResponses, notFoundResponse } from '../../schemas/common.js';
import {
  GroupRequestSchema, GroupRetrieveQuerySchema, GroupSchema, GroupUuidParamsSchema, PatchedGroupRequestSchema,
} from './schemas.js';
import { serializeGroup } from './serialize.js';

const BASE = '/core/groups/';
const tags = ['core'];
const description = 'Group Viewset';

export function groupRoutes(app: FastifyInstance, deps: Deps, opts: { maxPageSize: number }): void {
  const spec = groups.groupListSpec;
  const PaginatedSchema = paginated(GroupSchema);
  app.addSchema(PaginatedSchema);

  app.get(BASE, {
    schema: {
      operationId: 'core_groups_list', tags, description,
      querystring: listQuerySchema(spec),
      response: { 200: Type.Ref(PaginatedSchema), ...errorResponses, ...notFoundResponse },
    },
  }, async (req) => {
    const page = await groups.list(deps, actorOf(req), parseListQuery(req.query, spec, opts.maxPageSize), {
      membersByPk: queryValues(req, 'members_by_pk'),
      membersByUsername: queryValues(req, 'members_by_username'),
      includeUsers: flagDefaultTrue(req, 'include_users'),
    });
    return envelope(page, serializeGroup);
  });

  const createBody = deferredBody(GroupRequestSchema);
  app.post(BASE, {
    schema: {
      operationId: 'core_groups_create', tags, description,
      body: Type.Ref(GroupRequestSchema),
      response: { 201: Type.Ref(GroupSchema), ...errorResponses },
    },
    attachValidation: true,
    preValidation: createBody.preValidation,
  }, async (req, reply) => {
    const v = await groups.create(deps, actorOf(req), req.body as Record<string, unknown>, createBody.check(req));
    return reply.code(201).send(serializeGroup(v));
  });

  const detail = `${BASE}:group_uuid/`;
  type P = { Params: { group_uuid: string } };
  app.get<P>(detail, {
    schema: {
      operationId: 'core_groups_retrieve', tags, description,
      params: GroupUuidParamsSchema,
      querystring: GroupRetrieveQuerySchema,
      response: { 200: Type.Ref(GroupSchema), ...errorResponses, ...notFoundResponse },
    },
  }, async (req) => serializeGroup(await groups.retrieve(deps, actorOf(req), req.params.group_uuid, flagDefaultTrue(req, 'include_users'))));

  for (const [method, operationId, schema, partial] of [
    ['PUT', 'core_groups_update', GroupRequestSchema, false],
    ['PATCH', 'core_groups_partial_update', PatchedGroupRequestSchema, true],
  ] as const) {
    const body = deferredBody(schema);
    app.route<P>({
      method, url: detail,
      schema: {
        operationId, tags, description,
        params: GroupUuidParamsSchema,
        body: Type.Ref(schema),
        response: { 200: Type.Ref(GroupSchema), ...errorResponses, ...notFoundResponse },
      },
      attachValidation: true,
      preValidation: body.preValidation,
      handler: async (req) => serializeGroup(
        await groups.update(deps, actorOf(req), req.params.group_uuid, req.body as Record<string, unknown>, partial, body.check(req)),
      ),
    });
  }

  app.delete<P>(detail, {
    schema: {
      operationId: 'core_groups_destroy', tags, description,
      params: GroupUuidParamsSchema,
      response: { 204: Type.Null({ description: 'No response body' }), ...errorResponses, ...notFoundResponse },
    },
  }, async (req, reply) => {
    await groups.destroy(deps, actorOf(req), req.params.group_uuid);
    return reply.code(204).send();
  });
}
