/**
 * Use cases behind `/events/events/`: the audit trail (decisions F10), readable by superusers and
 * holders of `authentik_events.view_event` (globally, or on single events). Read-only: Fedlink's
 * services write events in the transaction of the change they record; nobody edits them over the API.
 * Source: authentik/events/api/events.py EventViewSet (2024.8).
 */
import { findEvent, listEvents, type EventFilters, type EventRow } from '../../db/repositories/events.js';
import type { Actor } from '../actor.js';
import type { Deps } from '../deps.js';
import type { ListParamsSpec, ListQuery, Page } from '../list.js';
import { canonicalUuid, listScope, requireVisible } from '../rbac/guard.js';

const EVENT = { app: 'authentik_events', model: 'event' } as const;

const FILTERS = ['action', 'client_ip', 'username', 'context_model_pk', 'context_model_name', 'context_model_app', 'context_authorized_app', 'brand_name'] as const;

/** List parameters of `/events/events/`. */
export const eventListSpec: ListParamsSpec = {
  filters: Object.fromEntries(FILTERS.map((f) => [f, 'text' as const])),
  orderingFields: ['pk', 'user', 'action', 'app', 'context', 'client_ip', 'created', 'expires', 'brand'],
  defaultOrdering: ['-created'],
  searchable: true,
};

/** Every event action authentik knows (EventAction choices), for `GET /events/events/actions/`. */
export const EVENT_ACTIONS: ReadonlyArray<readonly [string, string]> = [
  ['login', 'Login'], ['login_failed', 'Login Failed'], ['logout', 'Logout'], ['user_write', 'User Write'],
  ['suspicious_request', 'Suspicious Request'], ['password_set', 'Password Set'], ['secret_view', 'Secret View'],
  ['secret_rotate', 'Secret Rotate'], ['invitation_used', 'Invite Used'], ['authorize_application', 'Authorize Application'],
  ['source_linked', 'Source Linked'], ['impersonation_started', 'Impersonation Started'], ['impersonation_ended', 'Impersonation Ended'],
  ['flow_execution', 'Flow Execution'], ['policy_execution', 'Policy Execution'], ['policy_exception', 'Policy Exception'],
  ['property_mapping_exception', 'Property Mapping Exception'], ['system_task_execution', 'System Task Execution'],
  ['system_task_exception', 'System Task Exception'], ['system_exception', 'System Exception'],
  ['configuration_error', 'Configuration Error'], ['model_created', 'Model Created'], ['model_updated', 'Model Updated'],
  ['model_deleted', 'Model Deleted'], ['email_sent', 'Email Sent'], ['update_available', 'Update Available'], ['custom_', 'Custom Prefix'],
];

/**
 * Lists visible events, newest first by default.
 * @throws PermissionDenied (no view_event grant at all), InvalidPage.
 */
export async function list(deps: Deps, actor: Actor, query: ListQuery): Promise<Page<EventRow>> {
  const visiblePks = await listScope(deps, actor, EVENT);
  const filters: EventFilters = {};
  for (const f of FILTERS) {
    const v = query.filters[f];
    if (typeof v === 'string') filters[f] = v;
  }
  return listEvents(deps.db, { visiblePks, filters, query });
}

/** One visible event by raw path uuid. @throws PermissionDenied, NotFound. */
export async function retrieve(deps: Deps, actor: Actor, rawUuid: string): Promise<EventRow> {
  const uuid = canonicalUuid(rawUuid);
  return requireVisible(deps, actor, EVENT, async () => (uuid ? findEvent(deps.db, uuid) : undefined), (e) => e.event_uuid);
}
