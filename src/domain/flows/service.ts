/**
 * Use cases behind `/flows/instances/`: flow CRUD by slug under the object-permission model
 * (`authentik_flows.*_flow`) and `used_by`. Flows are stored, never executed (decisions F11).
 * Every write records a model event in its transaction (F10).
 * Source: authentik/flows/api/flows.py FlowViewSet (2024.8).
 */
import { insertEvent } from '../../db/repositories/events.js';
import { deleteFlow, findFlowBySlug, insertFlow, listFlows, sourcesUsingFlow, updateFlow, type FlowRow, type FlowValues } from '../../db/repositories/flows.js';
import type { Actor } from '../actor.js';
import { modelEvent } from '../audit.js';
import type { Deps } from '../deps.js';
import { NotFound } from '../errors.js';
import type { ListParamsSpec, ListQuery, Page } from '../list.js';
import { sees, viewable } from '../permissions.js';
import { eventPk, listScope, requireAdd, requireOn, requireVisible } from '../rbac/guard.js';
import type { UsedByEntry } from '../rbac/roles.js';

export const FLOW = { app: 'authentik_flows', model: 'flow' } as const;

export const FLOW_DESIGNATIONS = ['authentication', 'authorization', 'invalidation', 'enrollment', 'unenrollment', 'recovery', 'stage_configuration'] as const;
export const FLOW_LAYOUTS = ['stacked', 'content_left', 'content_right', 'sidebar_left', 'sidebar_right'] as const;
export const DENIED_ACTIONS = ['message_continue', 'message', 'continue'] as const;
export const FLOW_AUTHENTICATION = ['none', 'require_authenticated', 'require_unauthenticated', 'require_superuser', 'require_outpost'] as const;

/** List parameters of `/flows/instances/`. */
export const flowListSpec: ListParamsSpec = {
  filters: {
    flow_uuid: 'uuid', name: 'text', slug: 'text',
    designation: { enum: FLOW_DESIGNATIONS }, denied_action: { enum: DENIED_ACTIONS },
  },
  orderingFields: [
    'pk', 'policybindingmodel_ptr_id', 'name', 'slug', 'title', 'designation', 'background', 'policy_engine_mode',
    'compatibility_mode', 'layout', 'denied_action', 'authentication',
  ],
  defaultOrdering: ['slug', 'name'],
  searchable: true,
};

/** Writable fields (trimmed and validated by the request schema); PATCH sends any subset. */
export type FlowInput = Partial<FlowValues>;

const DEFAULTS = { policy_engine_mode: 'any', compatibility_mode: false, layout: 'stacked', denied_action: 'message_continue', authentication: 'none' } as const;

function flowRef(f: FlowRow) {
  return { app: FLOW.app, model_name: FLOW.model, pk: eventPk(f.flow_uuid), name: `Flow ${f.name} (${f.slug})` };
}

/** Lists visible flows. @throws PermissionDenied without any view_flow grant; InvalidPage. */
export async function list(deps: Deps, actor: Actor, query: ListQuery): Promise<Page<FlowRow>> {
  return listFlows(deps.db, { visiblePks: await listScope(deps, actor, FLOW), query });
}

/** A visible flow by slug. @throws PermissionDenied, NotFound. */
export async function retrieve(deps: Deps, actor: Actor, slug: string): Promise<FlowRow> {
  return requireVisible(deps, actor, FLOW, () => findFlowBySlug(deps.db, slug), (f) => f.flow_uuid);
}

/**
 * Creates a flow; omitted settings take authentik's defaults.
 * @throws PermissionDenied without `authentik_flows.add_flow`; UniqueViolation `{slug}` when taken.
 */
export async function create(deps: Deps, actor: Actor, input: FlowValues): Promise<FlowRow> {
  await requireAdd(deps, actor, FLOW);
  return deps.db.transaction().execute(async (tx) => {
    const f = await insertFlow(tx, { ...DEFAULTS, ...input });
    await insertEvent(tx, modelEvent('model_created', actor, flowRef(f)));
    return f;
  });
}

/** PUT (all required fields) or PATCH (any subset). @throws PermissionDenied, NotFound, UniqueViolation. */
export async function update(deps: Deps, actor: Actor, slug: string, input: FlowInput): Promise<FlowRow> {
  const current = await retrieve(deps, actor, slug);
  await requireOn(deps, actor, FLOW, 'change', current.flow_uuid);
  return deps.db.transaction().execute(async (tx) => {
    const f = await updateFlow(tx, current.flow_uuid, input);
    await insertEvent(tx, modelEvent('model_updated', actor, flowRef(f)));
    return f;
  });
}

/** Deletes a flow; sources referencing it keep existing with the reference cleared (spec §1.5). @throws PermissionDenied, NotFound. */
export async function destroy(deps: Deps, actor: Actor, slug: string): Promise<void> {
  const current = await retrieve(deps, actor, slug);
  await requireOn(deps, actor, FLOW, 'delete', current.flow_uuid);
  await deps.db.transaction().execute(async (tx) => {
    if (!(await deleteFlow(tx, current.flow_uuid))) throw new NotFound();
    await insertEvent(tx, modelEvent('model_deleted', actor, flowRef(current)));
  });
}

/**
 * `used_by`: any authenticated caller; 404 only when the slug is unknown. Sources referencing the flow
 * that the caller may view, per relation in attribute order (`source_authentication`,
 * `source_enrollment`), each `set_null` (spec §1.5, §7).
 * @throws NotFound.
 */
export async function usedBy(deps: Deps, actor: Actor, slug: string): Promise<UsedByEntry[]> {
  const flow = await findFlowBySlug(deps.db, slug);
  if (!flow) throw new NotFound();
  const v = await viewable(deps, actor, 'authentik_core.view_source');
  const sources = (await sourcesUsingFlow(deps.db, flow.flow_uuid)).filter((s) => sees(v, s.pbm_uuid));
  const entry = (s: { pbm_uuid: string; name: string }): UsedByEntry => ({ app: 'authentik_core', model_name: 'source', pk: s.pbm_uuid, name: s.name, action: 'set_null' });
  return [...sources.filter((s) => s.authentication).map(entry), ...sources.filter((s) => s.enrollment).map(entry)];
}
