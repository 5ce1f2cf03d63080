/**
 * `/api/v3/sources/user_connections/{oauth,saml,plex,kerberos}/` — spec §6, permissions.md §3,
 * decisions F1–F3, F7, F9, F10: list, create, retrieve, PUT, PATCH, DELETE, used_by, one route set per kind.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../../domain/deps.js';
import type { TypedConnectionKind } from '../../../domain/user-source-connections/typed-kinds.js';
import * as connections from '../../../domain/user-source-connections/typed-service.js';
import type { TypedConnectionInput } from '../../../domain/user-source-connections/typed-service.js';
import { normalizeBody } from '../../body-normalize.js';
import { envelope, paginated } from '../../list/envelope.js';
import { listQuerySchema, parseListQuery } from '../../list/list-query.js';
import { actorOf, parseId } from '../../route-helpers.js';
import { errorResponses, IdParamsSchema, notFoundResponse, UsedBySchema } from '../../schemas/common.js';
import { serializeTypedConnection } from './serialize.js';
import { TYPED_CONNECTION_SCHEMAS } from './typed-schemas.js';

const tags = ['sources'];
const description = 'Source Viewset';

type IdReq = FastifyRequest<{ Params: { id: string } }>;

/** Keeps the known request keys: `source` only on create, `user` on create and (Kerberos) afterwards. */
function input(k: TypedConnectionKind, body: unknown, create: boolean): TypedConnectionInput {
  const b = (body ?? {}) as Record<string, unknown>;
  const keys = ['identifier'];
  if (k.secret) keys.push(k.secret.field);
  if (create) keys.push('source', 'user');
  else if (k.userWritable) keys.push('user');
  const out: Record<string, unknown> = {};
  for (const key of keys) if (Object.prototype.hasOwnProperty.call(b, key)) out[key] = b[key];
  return out as TypedConnectionInput;
}

/** Registers the routes of one connection kind under `/sources/user_connections/<kind>/`. */
export function typedConnectionRoutes(app: FastifyInstance, deps: Deps, k: TypedConnectionKind, opts: { maxPageSize: number }): void {
  const base = `/sources/user_connections/${k.kind}/`;
  const op = (suffix: string) => `sources_user_connections_${k.kind}_${suffix}`;
  const schemas = TYPED_CONNECTION_SCHEMAS[k.kind];
  const spec = k.listSpec;
  const PaginatedSchema = paginated(schemas.response);
  app.addSchema(PaginatedSchema);
  const one = { 200: Type.Ref(schemas.response), ...errorResponses, ...notFoundResponse };
  const serialize = serializeTypedConnection;

  app.get(base, {
    schema: {
      operationId: op('list'), tags, description,
      querystring: listQuerySchema(spec),
      response: { 200: Type.Ref(PaginatedSchema), ...errorResponses, ...notFoundResponse },
    },
  }, async (req) => {
    const page = await connections.list(deps, k, actorOf(req), parseListQuery(req.query, spec, opts.maxPageSize));
    return envelope(page, serialize);
  });

  app.post(base, {
    schema: {
      operationId: op('create'), tags, description,
      body: Type.Ref(schemas.create),
      response: { 201: Type.Ref(schemas.response), ...errorResponses },
    },
    preValidation: normalizeBody(schemas.create, { pkFields: ['user'] }),
  }, async (req, reply) => {
    const view = await connections.create(deps, k, actorOf(req), input(k, req.body, true));
    return reply.code(201).send(serialize(view));
  });

  const detail = `${base}:id/`;
  app.get(detail, {
    schema: { operationId: op('retrieve'), tags, description, params: IdParamsSchema, response: one },
  }, async (req: IdReq) => serialize(await connections.retrieve(deps, k, actorOf(req), parseId(req.params.id))));

  for (const [method, suffix, bodySchema, partial] of [
    ['PUT', 'update', schemas.update, false],
    ['PATCH', 'partial_update', schemas.patch, true],
  ] as const) {
    const normalize = normalizeBody(bodySchema, { pkFields: k.userWritable ? ['user'] : [] });
    app.route({
      method, url: detail,
      schema: { operationId: op(suffix), tags, description, params: IdParamsSchema, body: Type.Ref(bodySchema), response: one },
      // Look the row up (404) before judging the body, as DRF's get_object runs first.
      preValidation: async (req: IdReq) => {
        await connections.retrieve(deps, k, actorOf(req), parseId(req.params.id));
        await normalize(req);
      },
      handler: async (req: IdReq) => serialize(
        await connections.update(deps, k, actorOf(req), parseId(req.params.id), input(k, req.body, false), partial),
      ),
    });
  }

  app.delete(detail, {
    schema: {
      operationId: op('destroy'), tags, description, params: IdParamsSchema,
      response: { 204: Type.Null({ description: 'No response body' }), ...errorResponses, ...notFoundResponse },
    },
  }, async (req: IdReq, reply) => {
    await connections.destroy(deps, k, actorOf(req), parseId(req.params.id));
    return reply.code(204).send();
  });

  app.get(`${detail}used_by/`, {
    schema: {
      operationId: op('used_by_list'), tags, description: 'Get a list of all objects that use this object',
      params: IdParamsSchema,
      response: { 200: Type.Array(Type.Ref(UsedBySchema)), ...errorResponses, ...notFoundResponse },
    },
  }, async (req: IdReq) => connections.usedBy(deps, k, actorOf(req), parseId(req.params.id)));
}
