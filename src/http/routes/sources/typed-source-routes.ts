/**
 * The CRUD routes every typed source endpoint has (spec §4, §7; permissions.md §5): list, create,
 * retrieve, PUT, PATCH, DELETE and used_by under `/sources/<kind>/`, lookup by slug, with authentik's
 * operation ids (`sources_<kind>_list`, …). Kinds add their extra actions in their own route modules.
 */
import { Type, type TObject } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SourceView } from '../../../db/repositories/sources.js';
import type { Deps } from '../../../domain/deps.js';
import type { MediaStore } from '../../../domain/media.js';
import type { SourceInput, TypedSourceService } from '../../../domain/sources/typed-source.js';
import { normalizeBody } from '../../body-normalize.js';
import { envelope } from '../../list/envelope.js';
import { listQuerySchema, parseListQuery } from '../../list/list-query.js';
import { actorOf } from '../../route-helpers.js';
import { errorResponses, notFoundResponse, UsedBySchema } from '../../schemas/common.js';
import { serializeSource } from './serialize.js';
import { SlugParamsSchema } from './typed-source-schemas.js';

export type SlugReq = FastifyRequest<{ Params: { slug: string } }>;

/** One kind's routes: its path segment, use cases, schemas and serializer. */
export interface TypedSourceRoutes<Row extends SourceView> {
  /** Path segment and operation id part: `saml` → `/sources/saml/`, `sources_saml_list`. */
  path: string;
  service: TypedSourceService<Row>;
  schemas: { response: TObject; request: TObject; patched: TObject; paginated: TObject };
  serialize(row: Row, req: FastifyRequest): unknown;
  /** Multi-valued filters on the mapping lists (`?user_property_mappings=a&user_property_mappings=b`). */
  mappingFilters?: boolean;
  description?: string;
}

/** Keeps only the request fields the endpoint knows (read-only and unknown keys are ignored, spec §0.2). */
export function pickInput(schema: TObject, body: unknown): SourceInput {
  const b = (body ?? {}) as Record<string, unknown>;
  const out: SourceInput = {};
  for (const k of Object.keys(schema.properties)) {
    if (Object.prototype.hasOwnProperty.call(b, k)) out[k] = b[k];
  }
  return out;
}

/** Every value of a repeated query parameter (the app's query parser keeps only the last one). */
function allValues(req: FastifyRequest, name: string): string[] {
  const at = req.url.indexOf('?');
  if (at < 0) return [];
  return new URLSearchParams(req.url.slice(at + 1)).getAll(name).filter((v) => v !== '');
}

/** `http://<host>` of the request, for absolute URLs (Django's build_absolute_uri). */
export function requestOrigin(req: { protocol: string; headers: Record<string, string | string[] | undefined> }): string {
  const host = req.headers.host;
  return `${req.protocol}://${typeof host === 'string' && host !== '' ? host : 'localhost'}`;
}

/** What every kind's routes need besides deps: the page size cap and where uploaded icons live (deleted with the source). */
export interface TypedSourceRouteOptions {
  maxPageSize: number;
  media: MediaStore;
}

/** Registers the CRUD and used_by routes of one kind. */
export function typedSourceRoutes<Row extends SourceView>(
  app: FastifyInstance,
  deps: Deps,
  opts: TypedSourceRouteOptions,
  r: TypedSourceRoutes<Row>,
): void {
  const base = `/sources/${r.path}/`;
  const detail = `${base}:slug/`;
  const op = (name: string) => `sources_${r.path}_${name}`;
  const tags = ['sources'];
  const description = r.description ?? 'Source Viewset';
  const svc = r.service;
  const spec = svc.kind.listSpec;
  const one = { 200: Type.Ref(r.schemas.response), ...errorResponses, ...notFoundResponse };
  const normalizeCreate = normalizeBody(r.schemas.request);

  app.get(base, {
    schema: {
      operationId: op('list'), tags, description, querystring: listQuerySchema(spec),
      response: { 200: Type.Ref(r.schemas.paginated), ...errorResponses, ...notFoundResponse },
    },
  }, async (req) => {
    const query = parseListQuery(req.query, spec, opts.maxPageSize);
    const mappings = r.mappingFilters
      ? { user: allValues(req, 'user_property_mappings'), group: allValues(req, 'group_property_mappings') }
      : {};
    const page = await svc.list(deps, actorOf(req), query, mappings);
    return envelope(page, (row) => r.serialize(row, req));
  });

  app.post(base, {
    schema: {
      operationId: op('create'), tags, description, body: Type.Ref(r.schemas.request),
      response: { 201: Type.Ref(r.schemas.response), ...errorResponses },
    },
    preValidation: async (req) => {
      await svc.checkAccess(deps, actorOf(req), 'add');
      await normalizeCreate(req);
    },
  }, async (req, reply) => {
    const row = await svc.create(deps, actorOf(req), pickInput(r.schemas.request, req.body));
    return reply.code(201).send(r.serialize(row, req));
  });

  app.get(detail, {
    schema: { operationId: op('retrieve'), tags, description, params: SlugParamsSchema, response: one },
  }, async (req: SlugReq) => r.serialize(await svc.retrieve(deps, actorOf(req), req.params.slug), req));

  for (const [method, name, bodySchema, partial] of [
    ['PUT', 'update', r.schemas.request, false],
    ['PATCH', 'partial_update', r.schemas.patched, true],
  ] as const) {
    const normalize = normalizeBody(bodySchema);
    app.route({
      method, url: detail,
      schema: { operationId: op(name), tags, description, params: SlugParamsSchema, body: Type.Ref(bodySchema), response: one },
      // Visibility and the change permission are judged before the body, as DRF does.
      preValidation: async (req: SlugReq) => {
        await svc.checkAccess(deps, actorOf(req), 'change', req.params.slug);
        await normalize(req);
      },
      handler: async (req: SlugReq) => {
        const row = await svc.update(deps, actorOf(req), req.params.slug, pickInput(bodySchema, req.body), partial);
        return r.serialize(row, req);
      },
    });
  }

  app.delete(detail, {
    schema: {
      operationId: op('destroy'), tags, description, params: SlugParamsSchema,
      response: { 204: Type.Null({ description: 'No response body' }), ...errorResponses, ...notFoundResponse },
    },
  }, async (req: SlugReq, reply) => {
    await svc.destroy(deps, opts.media, actorOf(req), req.params.slug);
    return reply.code(204).send();
  });

  app.get(`${detail}used_by/`, {
    schema: {
      operationId: op('used_by_list'), tags, description: 'Get a list of all objects that use this object',
      params: SlugParamsSchema,
      response: { 200: Type.Array(Type.Ref(UsedBySchema)), ...errorResponses, ...notFoundResponse },
    },
  }, async (req: SlugReq) => svc.usedBy(deps, actorOf(req), req.params.slug));
}

/**
 * A typed source row as the wire object: the row's typed keys, the Source fields (typed metadata, icon
 * URL) and `extra` (computed fields). Key order and the whitelist come from the response schema
 * (fast-json-stringify), so keys the schema does not declare are dropped.
 */
export function typedWire(row: SourceView, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...row, ...serializeSource(row, 'typed'), ...extra };
}
