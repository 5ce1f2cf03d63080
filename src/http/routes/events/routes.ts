/**
 * `/api/v3/events/events/`: list, retrieve and the action catalogue. Create/update/delete are not
 * routed (405): the audit trail is written only by Fedlink's own services (docs/decisions.md).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../domain/deps.js';
import * as events from '../../../domain/events/service.js';
import { envelope, paginated } from '../../list/envelope.js';
import { listQuerySchema, parseListQuery } from '../../list/list-query.js';
import { actorOf } from '../../route-helpers.js';
import { errorResponses, notFoundResponse } from '../../schemas/common.js';
import { EventSchema, TypeCreateSchema } from './schemas.js';
import { serializeEvent } from './serialize.js';

const tags = ['events'];

export function eventRoutes(app: FastifyInstance, deps: Deps, opts: { maxPageSize: number }): void {
  const Paginated = paginated(EventSchema);
  app.addSchema(Paginated);

  app.get('/events/events/', {
    schema: {
      operationId: 'events_events_list', tags, description: 'Event Read-Only Viewset', querystring: listQuerySchema(events.eventListSpec),
      response: { 200: Type.Ref(Paginated), ...errorResponses, ...notFoundResponse },
    },
  }, async (req) => envelope(await events.list(deps, actorOf(req), parseListQuery(req.query, events.eventListSpec, opts.maxPageSize)), serializeEvent));

  app.get('/events/events/actions/', {
    schema: { operationId: 'events_events_actions_list', tags, description: 'Get all actions', response: { 200: Type.Array(Type.Ref(TypeCreateSchema)), ...errorResponses } },
  }, async (req) => {
    actorOf(req);
    return events.EVENT_ACTIONS.map(([value, name]) => ({ name, description: '', component: value, model_name: '', requires_enterprise: false }));
  });

  app.get<{ Params: { event_uuid: string } }>('/events/events/:event_uuid/', {
    schema: {
      operationId: 'events_events_retrieve', tags, description: 'Event Read-Only Viewset',
      params: Type.Object({ event_uuid: Type.String({ description: 'A UUID string identifying this Event.' }) }),
      response: { 200: Type.Ref(EventSchema), ...errorResponses, ...notFoundResponse },
    },
  }, async (req) => serializeEvent(await events.retrieve(deps, actorOf(req), req.params.event_uuid)));
}
