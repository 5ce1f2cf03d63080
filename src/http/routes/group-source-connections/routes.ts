/**
 * `/api/v3/sources/group_connections/{oauth,saml,plex,kerberos}/` — spec §8.1, permissions.md §4,
 * decisions F4, F10: list, create, retrieve, PUT, PATCH (no-ops), DELETE, used_by; superusers only.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConnectionKind } from '../../../db/repositories/user-source-connections.js';
import type { Deps } from '../../../domain/deps.js';
import * as groupConnections from '../../../domain/group-source-connections/service.js';
import type { GroupConnectionInput } from '../../../domain/group-source-connections/service.js';
import { normalizeBody } from '../../body-normalize.js';
import { envelope, paginated } from '../../list/envelope.js';
import { listQuerySchema, parseListQuery } from '../../list/list-query.js';
import { actorOf, parseId } from '../../route-helpers.js';
import { errorResponses, IdParamsSchema, notFoundResponse, UsedBySchema } from '../../schemas/common.js';
import { AnyObjectBodySchema } from '../user-source-connections/schemas.js';
import { GROUP_CONNECTION_SCHEMAS } from './schemas.js';
import { serializeGroupConnection } from './serialize.js';

const tags = ['sources'];
const description = 'Group-source connection Viewset';

type IdReq = FastifyRequest<{ Params: { id: string } }>;

function input(body: unknown): GroupConnectionInput {
  const b = (body ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of ['group', 'source', 'identifier']) if (Object.prototype.hasOwnProperty.call(b, k)) out[k] = b[k];
  return out as GroupConnectionInput;
}

/** Registers the routes of one kind under `/sources/group_connections/<kind>/`. */
export function groupConnectionRoutes(app: FastifyInstance, deps: Deps, kind: ConnectionKind, opts: { maxPageSize: number }): void {
  const base = `/sources/group_connections/${kind}/`;
  const op = (suffix: string) => `sources_group_connections_${kind}_${suffix}`;
  const schemas = GROUP_CONNECTION_SCHEMAS[kind];
  const spec = groupConnections.groupConnectionListSpec;
  const PaginatedSchema = paginated(schemas.response);
  app.addSchema(PaginatedSchema);
  const one = { 200: Type.Ref(schemas.response), ...errorResponses, ...notFoundResponse };

  app.get(base, {
    schema: {
      operationId: op('list'), tags, description,
      querystring: listQuerySchema(spec),
      response: { 200: Type.Ref(PaginatedSchema), ...errorResponses, ...notFoundResponse },
    },
  }, async (req) => {
    const page = await groupConnections.list(deps, kind, actorOf(req), parseListQuery(req.query, spec, opts.maxPageSize));
    return envelope(page, serializeGroupConnection);
  });

  const normalize = normalizeBody(schemas.create);
  app.post(base, {
    schema: {
      operationId: op('create'), tags, description,
      body: Type.Ref(schemas.create),
      response: { 201: Type.Ref(schemas.response), ...errorResponses },
    },
    // Permission before the body, as DRF checks permissions first.
    preValidation: async (req) => {
      groupConnections.checkCreate(actorOf(req));
      await normalize(req);
    },
  }, async (req, reply) => {
    const view = await groupConnections.create(deps, kind, actorOf(req), input(req.body));
    return reply.code(201).send(serializeGroupConnection(view));
  });

  const detail = `${base}:id/`;
  app.get(detail, {
    schema: { operationId: op('retrieve'), tags, description, params: IdParamsSchema, response: one },
  }, async (req: IdReq) => serializeGroupConnection(await groupConnections.retrieve(deps, kind, actorOf(req), parseId(req.params.id))));

  for (const [method, suffix] of [['PUT', 'update'], ['PATCH', 'partial_update']] as const) {
    app.route({
      method, url: detail,
      schema: { operationId: op(suffix), tags, description, params: IdParamsSchema, body: AnyObjectBodySchema, response: one },
      // Look the row up (404) before judging the body, as DRF's get_object runs first.
      preValidation: async (req: IdReq) => {
        await groupConnections.retrieve(deps, kind, actorOf(req), parseId(req.params.id));
      },
      handler: async (req: IdReq) => serializeGroupConnection(await groupConnections.touch(deps, kind, actorOf(req), parseId(req.params.id))),
    });
  }

  app.delete(detail, {
    schema: {
      operationId: op('destroy'), tags, description, params: IdParamsSchema,
      response: { 204: Type.Null({ description: 'No response body' }), ...errorResponses, ...notFoundResponse },
    },
  }, async (req: IdReq, reply) => {
    await groupConnections.destroy(deps, kind, actorOf(req), parseId(req.params.id));
    return reply.code(204).send();
  });

  app.get(`${detail}used_by/`, {
    schema: {
      operationId: op('used_by_list'), tags, description: 'Get a list of all objects that use this object',
      params: IdParamsSchema,
      response: { 200: Type.Array(Type.Ref(UsedBySchema)), ...errorResponses, ...notFoundResponse },
    },
  }, async (req: IdReq) => groupConnections.usedBy(deps, kind, actorOf(req), parseId(req.params.id)));
}
