/** `/api/v3/flows/instances/`: flow CRUD by slug and used_by. Handlers parse, call one service, serialize. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { FlowValues } from '../../../db/repositories/flows.js';
import type { Deps } from '../../../domain/deps.js';
import { NotFound } from '../../../domain/errors.js';
import * as flows from '../../../domain/flows/service.js';
import { envelope, paginated } from '../../list/envelope.js';
import { listQuerySchema, parseListQuery } from '../../list/list-query.js';
import { lookupValue, trimStrings } from '../../request-strings.js';
import { actorOf } from '../../route-helpers.js';
import { errorResponses, notFoundResponse, UsedBySchema } from '../../schemas/common.js';
import { FlowRequestSchema, FlowSchema, PatchedFlowRequestSchema } from './schemas.js';
import { serializeFlow } from './serialize.js';

const tags = ['flows'];
const BASE = '/flows/instances/';
const SlugParams = Type.Object({ slug: Type.String({ description: 'Visible in the URL.' }) });
function slugOf(raw: string): string {
  const s = lookupValue(raw);
  if (s === undefined) throw new NotFound();
  return s;
}

export function flowRoutes(app: FastifyInstance, deps: Deps, opts: { maxPageSize: number }): void {
  const Paginated = paginated(FlowSchema);
  app.addSchema(Paginated);
  const hook = trimStrings({ fields: ['name', 'slug', 'title'] });

  app.get(BASE, {
    schema: {
      operationId: 'flows_instances_list', tags, description: 'Flow Viewset', querystring: listQuerySchema(flows.flowListSpec),
      response: { 200: Type.Ref(Paginated), ...errorResponses, ...notFoundResponse },
    },
  }, async (req) => envelope(await flows.list(deps, actorOf(req), parseListQuery(req.query, flows.flowListSpec, opts.maxPageSize)), serializeFlow));

  app.post<{ Body: FlowValues }>(BASE, {
    preValidation: hook,
    schema: { operationId: 'flows_instances_create', tags, description: 'Flow Viewset', body: Type.Ref(FlowRequestSchema), response: { 201: Type.Ref(FlowSchema), ...errorResponses } },
  }, async (req, reply) => reply.code(201).send(serializeFlow(await flows.create(deps, actorOf(req), pick(req.body) as FlowValues))));

  const detail = `${BASE}:slug/`;
  app.get<{ Params: { slug: string } }>(detail, {
    schema: { operationId: 'flows_instances_retrieve', tags, description: 'Flow Viewset', params: SlugParams, response: { 200: Type.Ref(FlowSchema), ...errorResponses, ...notFoundResponse } },
  }, async (req) => serializeFlow(await flows.retrieve(deps, actorOf(req), slugOf(req.params.slug))));

  for (const [method, operationId, body] of [['PUT', 'flows_instances_update', FlowRequestSchema], ['PATCH', 'flows_instances_partial_update', PatchedFlowRequestSchema]] as const) {
    app.route<{ Params: { slug: string }; Body: Partial<FlowValues> }>({
      method, url: detail, preValidation: hook,
      schema: { operationId, tags, description: 'Flow Viewset', params: SlugParams, body: Type.Ref(body), response: { 200: Type.Ref(FlowSchema), ...errorResponses, ...notFoundResponse } },
      handler: async (req) => serializeFlow(await flows.update(deps, actorOf(req), slugOf(req.params.slug), pick(req.body))),
    });
  }

  app.delete<{ Params: { slug: string } }>(detail, {
    schema: { operationId: 'flows_instances_destroy', tags, description: 'Flow Viewset', params: SlugParams, response: { 204: Type.Null({ description: 'No response body' }), ...errorResponses, ...notFoundResponse } },
  }, async (req, reply) => {
    await flows.destroy(deps, actorOf(req), slugOf(req.params.slug));
    return reply.code(204).send();
  });

  app.get<{ Params: { slug: string } }>(`${detail}used_by/`, {
    schema: { operationId: 'flows_instances_used_by_list', tags, description: 'Get a list of all objects that use this object', params: SlugParams, response: { 200: Type.Array(Type.Ref(UsedBySchema)), ...errorResponses, ...notFoundResponse } },
  }, async (req) => flows.usedBy(deps, actorOf(req), slugOf(req.params.slug)));
}

/** Keeps only the writable keys (read-only and unknown keys are ignored, spec §0.2). */
function pick(body: Partial<FlowValues>): Partial<FlowValues> {
  const keys = ['name', 'slug', 'title', 'designation', 'policy_engine_mode', 'compatibility_mode', 'layout', 'denied_action', 'authentication'] as const;
  const out: Record<string, unknown> = {};
  for (const k of keys) if (body[k] !== undefined) out[k] = body[k];
  return out as Partial<FlowValues>;
}
