/**
 * `/api/v3/propertymappings/all/` (list, retrieve, destroy, used_by) and
 * `/api/v3/propertymappings/source/<kind>/` (CRUD + used_by) for the six source kinds.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SourceKind } from '../../../db/database.js';
import type { Deps } from '../../../domain/deps.js';
import * as mappings from '../../../domain/property-mappings/service.js';
import { envelope, paginated } from '../../list/envelope.js';
import { listQuerySchema, parseListQuery } from '../../list/list-query.js';
import { trimStrings } from '../../request-strings.js';
import { actorOf } from '../../route-helpers.js';
import { errorResponses, notFoundResponse, UsedBySchema } from '../../schemas/common.js';
import { kindSchemas, PropertyMappingSchema } from './schemas.js';
import { serializePropertyMapping } from './serialize.js';

const tags = ['propertymappings'];
// Lookup values are checked by the service (non-uuid → 404, as Django answers), not by the params schema.
const PmParamsLenient = Type.Object({ pm_uuid: Type.String({ description: 'A UUID string identifying this object.' }) });
const noContent = { 204: Type.Null({ description: 'No response body' }) };
type MappingBody = { name?: string; expression?: string; managed?: string | null };

/** `managed` may repeat (`?managed=a&managed=b`); the shared query parser keeps only the last value. */
function managedValues(req: FastifyRequest): string[] {
  const q = req.url.indexOf('?');
  if (q < 0) return [];
  return new URLSearchParams(req.url.slice(q + 1)).getAll('managed').map((v) => v.replace(/\0/g, ''));
}

function listSchema() {
  const s = listQuerySchema(mappings.mappingListSpec);
  (s.properties as Record<string, unknown>).managed = Type.Optional(Type.Array(Type.String()));
  return s;
}

function pickBody(b: MappingBody): mappings.MappingInput {
  const out: mappings.MappingInput = {};
  if (b.name !== undefined) out.name = b.name;
  if (b.expression !== undefined) out.expression = b.expression;
  if (b.managed !== undefined) out.managed = b.managed;
  return out;
}

export function propertyMappingRoutes(app: FastifyInstance, deps: Deps, opts: { maxPageSize: number }): void {
  const parse = (req: FastifyRequest) => parseListQuery(req.query, mappings.mappingListSpec, opts.maxPageSize);
  const hook = trimStrings({ fields: ['name', 'expression', 'managed'], nullable: ['managed'] });

  const registerDetail = (base: string, op: string, kind: SourceKind | undefined, item: TSchema) => {
    const detail = `${base}:pm_uuid/`;
    app.get<{ Params: { pm_uuid: string } }>(detail, {
      schema: { operationId: `${op}_retrieve`, tags, params: PmParamsLenient, response: { 200: Type.Ref(item), ...errorResponses, ...notFoundResponse } },
    }, async (req) => serializePropertyMapping(await mappings.retrieve(deps, actorOf(req), kind, req.params.pm_uuid)));
    app.delete<{ Params: { pm_uuid: string } }>(detail, {
      schema: { operationId: `${op}_destroy`, tags, params: PmParamsLenient, response: { ...noContent, ...errorResponses, ...notFoundResponse } },
    }, async (req, reply) => {
      await mappings.destroy(deps, actorOf(req), kind, req.params.pm_uuid);
      return reply.code(204).send();
    });
    app.get<{ Params: { pm_uuid: string } }>(`${detail}used_by/`, {
      schema: { operationId: `${op}_used_by_list`, tags, description: 'Get a list of all objects that use this object', params: PmParamsLenient, response: { 200: Type.Array(Type.Ref(UsedBySchema)), ...errorResponses, ...notFoundResponse } },
    }, async (req) => mappings.usedBy(deps, actorOf(req), kind, req.params.pm_uuid));
  };

  // /propertymappings/all/
  const PaginatedAll = paginated(PropertyMappingSchema);
  app.addSchema(PaginatedAll);
  app.get('/propertymappings/all/', {
    schema: { operationId: 'propertymappings_all_list', tags, description: 'PropertyMapping Viewset', querystring: listSchema(), response: { 200: Type.Ref(PaginatedAll), ...errorResponses, ...notFoundResponse } },
  }, async (req) => envelope(await mappings.list(deps, actorOf(req), undefined, parse(req), managedValues(req)), serializePropertyMapping));
  registerDetail('/propertymappings/all/', 'propertymappings_all', undefined, PropertyMappingSchema);

  // /propertymappings/source/<kind>/
  for (const kind of mappings.MAPPING_KINDS) {
    const s = kindSchemas[kind];
    const base = `/propertymappings/source/${kind}/`;
    const op = `propertymappings_source_${kind}`;
    const Paginated = paginated(s.item);
    app.addSchema(Paginated);

    app.get(base, {
      schema: { operationId: `${op}_list`, tags, querystring: listSchema(), response: { 200: Type.Ref(Paginated), ...errorResponses, ...notFoundResponse } },
    }, async (req) => envelope(await mappings.list(deps, actorOf(req), kind, parse(req), managedValues(req)), serializePropertyMapping));

    app.post<{ Body: Required<Pick<MappingBody, 'name' | 'expression'>> & MappingBody }>(base, {
      preValidation: hook,
      schema: { operationId: `${op}_create`, tags, body: Type.Ref(s.request), response: { 201: Type.Ref(s.item), ...errorResponses } },
    }, async (req, reply) => reply.code(201).send(serializePropertyMapping(
      await mappings.create(deps, actorOf(req), kind, { ...pickBody(req.body), name: req.body.name, expression: req.body.expression }),
    )));

    for (const [method, operationId, body] of [['PUT', `${op}_update`, s.request], ['PATCH', `${op}_partial_update`, s.patched]] as const) {
      app.route<{ Params: { pm_uuid: string }; Body: MappingBody }>({
        method, url: `${base}:pm_uuid/`, preValidation: hook,
        schema: { operationId, tags, params: PmParamsLenient, body: Type.Ref(body), response: { 200: Type.Ref(s.item), ...errorResponses, ...notFoundResponse } },
        handler: async (req) => serializePropertyMapping(await mappings.update(deps, actorOf(req), kind, req.params.pm_uuid, pickBody(req.body))),
      });
    }
    registerDetail(base, op, kind, s.item);
  }
}
