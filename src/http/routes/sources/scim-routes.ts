/**
 * `/api/v3/sources/scim/` (spec §4.6) and `/api/v3/sources/scim_users/`, `/api/v3/sources/scim_groups/`
 * (spec §8.2; permissions.md §5): the typed-source CRUD routes for SCIM sources, and CRUD + used_by for the
 * provisioned users and groups, looked up by their string `id`.
 */
import { Type, type TObject } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GroupBrief, TokenBrief, UserBrief } from '../../../db/repositories/scim-sources.js';
import type { Deps } from '../../../domain/deps.js';
import { scimSources } from '../../../domain/sources/scim.js';
import {
  checkScimObjectAccess, createScimObject, destroyScimObject, listScimObjectViews, retrieveScimObject, scimObjectListSpecs,
  scimObjectUsedBy, updateScimObjectView, type ScimObjectInput, type ScimObjectKind, type ScimObjectView,
} from '../../../domain/sources/scim-objects.js';
import { initialsAvatar, userUid } from '../../../domain/users/identity.js';
import { normalizeBody } from '../../body-normalize.js';
import { envelope } from '../../list/envelope.js';
import { listQuerySchema, parseListQuery } from '../../list/list-query.js';
import { actorOf } from '../../route-helpers.js';
import { errorResponses, notFoundResponse, UsedBySchema } from '../../schemas/common.js';
import { scimGroupSchemas, scimSourceSchemas, scimUserSchemas } from './scim-schemas.js';
import { pickInput, requestOrigin, typedSourceRoutes, typedWire, type TypedSourceRouteOptions } from './typed-source-routes.js';

function userGroup(g: GroupBrief) {
  return { pk: g.group_uuid, num_pk: g.num_pk, name: g.name, is_superuser: g.is_superuser, parent: g.parent_uuid, parent_name: g.parent_name, attributes: g.attributes ?? {} };
}

function user(deps: Deps, u: UserBrief) {
  return {
    pk: u.id, username: u.username, name: u.name, is_active: u.is_active, last_login: u.last_login, is_superuser: u.is_superuser,
    groups: u.groups.map((g) => g.group_uuid), groups_obj: u.groups.map(userGroup), email: u.email, avatar: initialsAvatar(u.name, u.username),
    attributes: u.attributes ?? {}, uid: userUid(deps.secrets, u.id), path: u.path, type: u.type, uuid: u.uuid,
  };
}

function token(deps: Deps, t: TokenBrief) {
  return {
    pk: t.token_uuid, managed: t.managed, identifier: t.identifier, intent: t.intent, user: t.user_id, user_obj: user(deps, t.user),
    description: t.description, expires: t.expires, expiring: t.expiring,
  };
}

function serializeScimObject(deps: Deps, kind: ScimObjectKind, v: ScimObjectView) {
  const r = v.row;
  if (kind === 'group') {
    return { id: r.id, group: r.ref, group_obj: v.group ? userGroup(v.group) : null, source: r.source_id, attributes: r.attributes };
  }
  const u = v.user!;
  return {
    id: r.id, user: r.ref, source: r.source_id, attributes: r.attributes,
    user_obj: { pk: u.id, username: u.username, name: u.name, is_active: u.is_active, last_login: u.last_login, email: u.email, attributes: u.attributes ?? {}, uid: userUid(deps.secrets, u.id) },
  };
}

type IdReq = FastifyRequest<{ Params: { id: string } }>;
const IdParams = Type.Object({ id: Type.String({ description: 'The object\'s SCIM id.' }) });

function scimObjectRoutes(app: FastifyInstance, deps: Deps, opts: { maxPageSize: number }, kind: ScimObjectKind) {
  const schemas = kind === 'user' ? scimUserSchemas : scimGroupSchemas;
  const segment = kind === 'user' ? 'scim_users' : 'scim_groups';
  const base = `/sources/${segment}/`;
  const detail = `${base}:id/`;
  const op = (name: string) => `sources_${segment}_${name}`;
  const tags = ['sources'];
  const description = `SCIMSource${kind === 'user' ? 'User' : 'Group'} Viewset`;
  const spec = scimObjectListSpecs[kind];
  const one = { 200: Type.Ref(schemas.response), ...errorResponses, ...notFoundResponse };
  const pkFields = kind === 'user' ? ['user'] : [];
  const input = (schema: TObject, body: unknown) => pickInput(schema, body) as ScimObjectInput;
  const serialize = (v: ScimObjectView) => serializeScimObject(deps, kind, v);

  app.get(base, {
    schema: { operationId: op('list'), tags, description, querystring: listQuerySchema(spec), response: { 200: Type.Ref(schemas.paginated), ...errorResponses, ...notFoundResponse } },
  }, async (req) => envelope(await listScimObjectViews(deps, actorOf(req), kind, parseListQuery(req.query, spec, opts.maxPageSize)), serialize));

  const normalizeCreate = normalizeBody(schemas.request, { pkFields });
  app.post(base, {
    schema: { operationId: op('create'), tags, description, body: Type.Ref(schemas.request), response: { 201: Type.Ref(schemas.response), ...errorResponses } },
    preValidation: async (req) => {
      await checkScimObjectAccess(deps, actorOf(req), kind, 'add');
      await normalizeCreate(req);
    },
  }, async (req, reply) => reply.code(201).send(serialize(await createScimObject(deps, actorOf(req), kind, input(schemas.request, req.body)))));

  app.get(detail, {
    schema: { operationId: op('retrieve'), tags, description, params: IdParams, response: one },
  }, async (req: IdReq) => serialize(await retrieveScimObject(deps, actorOf(req), kind, req.params.id)));

  for (const [method, name, bodySchema, partial] of [
    ['PUT', 'update', schemas.request, false], ['PATCH', 'partial_update', schemas.patched, true],
  ] as const) {
    const normalize = normalizeBody(bodySchema, { pkFields });
    app.route({
      method, url: detail,
      schema: { operationId: op(name), tags, description, params: IdParams, body: Type.Ref(bodySchema), response: one },
      preValidation: async (req: IdReq) => {
        await checkScimObjectAccess(deps, actorOf(req), kind, 'change', req.params.id);
        await normalize(req);
      },
      handler: async (req: IdReq) => serialize(await updateScimObjectView(deps, actorOf(req), kind, req.params.id, input(bodySchema, req.body), partial)),
    });
  }

  app.delete(detail, {
    schema: { operationId: op('destroy'), tags, description, params: IdParams, response: { 204: Type.Null({ description: 'No response body' }), ...errorResponses, ...notFoundResponse } },
  }, async (req: IdReq, reply) => {
    await destroyScimObject(deps, actorOf(req), kind, req.params.id);
    return reply.code(204).send();
  });

  app.get(`${detail}used_by/`, {
    schema: { operationId: op('used_by_list'), tags, description: 'Get a list of all objects that use this object', params: IdParams, response: { 200: Type.Array(Type.Ref(UsedBySchema)), ...errorResponses, ...notFoundResponse } },
  }, async (req: IdReq) => {
    actorOf(req);
    return scimObjectUsedBy(deps, kind, req.params.id);
  });
}

export function scimSourceRoutes(app: FastifyInstance, deps: Deps, opts: TypedSourceRouteOptions): void {
  typedSourceRoutes(app, deps, opts, {
    path: 'scim', service: scimSources, schemas: scimSourceSchemas,
    serialize: (row, req) => typedWire(row, {
      root_url: `${requestOrigin(req)}/source/scim/${encodeURIComponent(row.slug)}/v2`,
      token_obj: row.token ? token(deps, row.token) : null,
    }),
  });
  scimObjectRoutes(app, deps, opts, 'user');
  scimObjectRoutes(app, deps, opts, 'group');
}
