/**
 * Flows (stored for the references sources hold; never executed: decisions F11). The only place with
 * their SQL. Source: authentik/flows/models.py Flow.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { ListQuery, Page } from '../../domain/list.js';
import { translateConstraints } from '../errors.js';
import type { Executor } from '../executor.js';
import { applyFilters, runList, type ListColumns } from '../list.js';

/** A flow row as the API serializes it. */
export interface FlowRow {
  flow_uuid: string;
  slug: string;
  name: string;
  title: string;
  designation: string;
  policy_engine_mode: 'all' | 'any';
  compatibility_mode: boolean;
  layout: string;
  denied_action: string;
  authentication: string;
  background: string | null;
}

/** Writable flow columns. */
export type FlowValues = Omit<FlowRow, 'flow_uuid' | 'background'>;

const flowColumns = [
  'f.flow_uuid', 'f.slug', 'f.name', 'f.title', 'f.designation', 'f.policy_engine_mode', 'f.compatibility_mode',
  'f.layout', 'f.denied_action', 'f.authentication', 'f.background',
] as const;

/** Wire name → SQL for `/flows/instances/` (`f` = flow). */
export const flowListColumns: ListColumns = {
  filters: { flow_uuid: 'f.flow_uuid', name: 'f.name', slug: 'f.slug', designation: 'f.designation', denied_action: 'f.denied_action' },
  ordering: {
    pk: 'f.flow_uuid', policybindingmodel_ptr_id: 'f.flow_uuid', name: 'f.name', slug: 'f.slug', title: 'f.title',
    designation: 'f.designation', background: 'f.background', policy_engine_mode: 'f.policy_engine_mode',
    compatibility_mode: 'f.compatibility_mode', layout: 'f.layout', denied_action: 'f.denied_action', authentication: 'f.authentication',
  },
  search: ['f.name', 'f.slug', 'f.designation', 'f.title'],
};

const flowConstraints = { flow_slug_key: { slug: ['Flow with this slug already exists.'] } };

/**
 * Lists flows, limited to `visiblePks` when given.
 * @throws InvalidPage when the page is out of range.
 */
export async function listFlows(db: Executor, args: { visiblePks?: string[]; query: ListQuery }): Promise<Page<FlowRow>> {
  let q = db.selectFrom('flow as f');
  if (args.visiblePks) q = q.where('f.flow_uuid', 'in', args.visiblePks.length ? args.visiblePks : [randomUUID()]);
  return runList(applyFilters(q, flowListColumns, args.query), (qb) => qb.select(flowColumns as any), flowListColumns, args.query) as Promise<Page<FlowRow>>;
}

/** Finds a flow by slug (exact); undefined when absent. */
export async function findFlowBySlug(db: Executor, slug: string): Promise<FlowRow | undefined> {
  return db.selectFrom('flow as f').select(flowColumns).where('f.slug', '=', slug).executeTakeFirst() as Promise<FlowRow | undefined>;
}

/** Inserts a flow. @throws UniqueViolation `{slug: […]}` when the slug is taken. */
export async function insertFlow(db: Executor, v: FlowValues): Promise<FlowRow> {
  return translateConstraints(async () => {
    const r = await db.insertInto('flow').values({ flow_uuid: randomUUID(), ...v }).returning('slug').executeTakeFirstOrThrow();
    return (await findFlowBySlug(db, r.slug))!;
  }, flowConstraints);
}

/** Updates a flow's columns. @throws UniqueViolation `{slug: […]}` when the new slug is taken. */
export async function updateFlow(db: Executor, uuid: string, v: Partial<FlowValues>): Promise<FlowRow> {
  return translateConstraints(async () => {
    if (Object.keys(v).length > 0) await db.updateTable('flow').set(v).where('flow_uuid', '=', uuid).execute();
    return (await db.selectFrom('flow as f').select(flowColumns).where('f.flow_uuid', '=', uuid).executeTakeFirstOrThrow()) as FlowRow;
  }, flowConstraints);
}

/**
 * Deletes a flow; sources referencing it keep existing with the reference cleared (ON DELETE SET NULL).
 * @returns false when absent.
 */
export async function deleteFlow(db: Executor, uuid: string): Promise<boolean> {
  const r = await db.deleteFrom('flow').where('flow_uuid', '=', uuid).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/**
 * Sources that reference the flow, per relation (`authentication` / `enrollment`), with name.
 *   SELECT pbm_uuid, name, authentication_flow_id = $1 AS authentication, enrollment_flow_id = $1 AS enrollment
 *   FROM source WHERE authentication_flow_id = $1 OR enrollment_flow_id = $1
 */
export async function sourcesUsingFlow(db: Executor, uuid: string): Promise<Array<{ pbm_uuid: string; name: string; authentication: boolean; enrollment: boolean }>> {
  return db.selectFrom('source').select([
    'pbm_uuid', 'name',
    sql<boolean>`authentication_flow_id IS NOT DISTINCT FROM ${uuid}::uuid`.as('authentication'),
    sql<boolean>`enrollment_flow_id IS NOT DISTINCT FROM ${uuid}::uuid`.as('enrollment'),
  ]).where((eb) => eb.or([eb('authentication_flow_id', '=', uuid), eb('enrollment_flow_id', '=', uuid)]))
    .orderBy('pbm_uuid').execute();
}
