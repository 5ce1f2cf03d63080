/**
 * Source rows: the base view nested in connections (`SourceView`) and lookups by pk / slug.
 * The two property-mapping lists are aggregated in the same statement (no N+1):
 *   SELECT s.pbm_uuid, …, coalesce((SELECT array_agg(m.property_mapping_id ORDER BY m.property_mapping_id)
 *     FROM source_user_property_mapping m WHERE m.source_id = s.pbm_uuid), '{}') AS user_property_mappings, …
 */
import { sql, type ExpressionBuilder } from 'kysely';
import type { ListQuery, Page } from '../../domain/list.js';
import type { Database, SourceKind } from '../database.js';
import type { Executor } from '../executor.js';
import { applyFilters, runList, type ListColumns } from '../list.js';
import { preparedStatement } from '../prepared.js';

/** A source row with its mapping lists, as every source serializer needs it. */
export interface SourceView {
  pbm_uuid: string;
  kind: SourceKind | null;
  name: string;
  slug: string;
  enabled: boolean;
  authentication_flow_id: string | null;
  enrollment_flow_id: string | null;
  user_property_mappings: string[];
  group_property_mappings: string[];
  policy_engine_mode: 'all' | 'any';
  user_matching_mode: string;
  group_matching_mode: string;
  managed: string | null;
  user_path_template: string;
  icon: string | null;
  created: string;
  /**
   * `source.revision` when read (migration 1070_add_source_revision): changes with everything this
   * view shows. Set by `findSourceViews` (domain/sources/view-cache.ts).
   */
  revision?: number;
}

/** Columns (with aggregated mapping lists) for `SourceView`, on a query whose source alias is `s`. */
export function sourceViewColumns(eb: ExpressionBuilder<Database & { s: Database['source'] }, 's'>) {
  return [
    's.pbm_uuid', 's.kind', 's.name', 's.slug', 's.enabled', 's.authentication_flow_id', 's.enrollment_flow_id',
    sql<string[]>`coalesce((SELECT array_agg(m.property_mapping_id::text ORDER BY m.property_mapping_id)
      FROM source_user_property_mapping m WHERE m.source_id = s.pbm_uuid), '{}')`.as('user_property_mappings'),
    sql<string[]>`coalesce((SELECT array_agg(m.property_mapping_id::text ORDER BY m.property_mapping_id)
      FROM source_group_property_mapping m WHERE m.source_id = s.pbm_uuid), '{}')`.as('group_property_mappings'),
    's.policy_engine_mode', 's.user_matching_mode', 's.group_matching_mode', 's.managed', 's.user_path_template',
    's.icon', 's.created',
  ] as const;
}

/**
 * Loads source views by pk, as one named prepared statement whatever the number of pks:
 *   SELECT s.pbm_uuid, …, um.ids, gm.ids FROM source s LEFT JOIN (mapping lists grouped by source) …
 *   WHERE s.pbm_uuid = ANY($1::uuid[])
 * @returns a map pk → view (missing pks are absent).
 */
export async function findSourceViews(db: Executor, pks: readonly string[]): Promise<Map<string, SourceView>> {
  const out = new Map<string, SourceView>();
  if (pks.length === 0) return out;
  const rows = await sourceViewsStatement.execute(db, { pks: [...new Set(pks)] });
  for (const r of rows) out.set(r.pbm_uuid, r as SourceView);
  return out;
}
// The mapping lists are aggregated once per statement (grouped joins), not once per source (subplans):
// a page of one user's connections names every source.
const sourceViewsStatement = preparedStatement('source_views', (_db, p: { pks: string[] }) => sql<SourceView>`
  SELECT s.pbm_uuid, s.kind, s.name, s.slug, s.enabled, s.authentication_flow_id, s.enrollment_flow_id,
    coalesce(um.ids, '{}') AS user_property_mappings, coalesce(gm.ids, '{}') AS group_property_mappings,
    s.policy_engine_mode, s.user_matching_mode, s.group_matching_mode, s.managed, s.user_path_template, s.icon, s.created,
    s.revision
  FROM source s
  LEFT JOIN (
    SELECT m.source_id, array_agg(m.property_mapping_id::text ORDER BY m.property_mapping_id) AS ids
    FROM source_user_property_mapping m WHERE m.source_id = ANY(${p.pks}::uuid[]) GROUP BY m.source_id
  ) um ON um.source_id = s.pbm_uuid
  LEFT JOIN (
    SELECT m.source_id, array_agg(m.property_mapping_id::text ORDER BY m.property_mapping_id) AS ids
    FROM source_group_property_mapping m WHERE m.source_id = ANY(${p.pks}::uuid[]) GROUP BY m.source_id
  ) gm ON gm.source_id = s.pbm_uuid
  WHERE s.pbm_uuid = ANY(${p.pks}::uuid[])`);

/** Finds a source's pk and kind by pk; undefined when absent. */
export async function findSourceKind(db: Executor, pk: string): Promise<{ pbm_uuid: string; kind: SourceKind | null } | undefined> {
  return db.selectFrom('source').select(['pbm_uuid', 'kind']).where('pbm_uuid', '=', pk).executeTakeFirst();
}

/** Wire name → SQL for `/sources/all/` lists (`s` = source). `created` only serves the default ordering. */
export const sourceListColumns: ListColumns = {
  filters: { slug: 's.slug', name: 's.name', managed: 's.managed' },
  ordering: {
    pk: 's.pbm_uuid', name: 's.name', slug: 's.slug', enabled: 's.enabled',
    authentication_flow: 's.authentication_flow_id', enrollment_flow: 's.enrollment_flow_id',
    policy_engine_mode: 's.policy_engine_mode', user_matching_mode: 's.user_matching_mode', managed: 's.managed',
    user_path_template: 's.user_path_template', created: 's.created',
  },
  search: ['s.slug', 's.name'],
};

/**
 * Lists sources of every kind, limited to `visiblePks` (pks as text) when given.
 *   SELECT s.pbm_uuid, … FROM source s WHERE s.pbm_uuid::text = ANY($1::text[]) AND s.slug = $2
 *   ORDER BY s.created, s.pbm_uuid LIMIT 100
 * @throws InvalidPage when the page is out of range.
 */
export async function listSources(db: Executor, args: { visiblePks?: readonly string[]; query: ListQuery }): Promise<Page<SourceView>> {
  let q = db.selectFrom('source as s');
  if (args.visiblePks !== undefined) q = q.where(sql<boolean>`s.pbm_uuid::text = ANY(${[...args.visiblePks]}::text[])`);
  const filtered = applyFilters(q, sourceListColumns, args.query);
  return runList(filtered, (qb) => qb.select((eb: any) => sourceViewColumns(eb)), sourceListColumns, args.query) as Promise<Page<SourceView>>;
}

/** Finds a source view (any kind) by slug; undefined when absent. */
export async function findSourceViewBySlug(db: Executor, slug: string): Promise<SourceView | undefined> {
  return db.selectFrom('source as s').select((eb) => sourceViewColumns(eb as any)).where('s.slug', '=', slug)
    .executeTakeFirst() as Promise<SourceView | undefined>;
}

/** What `GET /sources/all/user_settings/` needs of a source; `provider_type` is null except for OAuth. */
export interface SourceSettingsRow {
  pbm_uuid: string;
  slug: string;
  name: string;
  kind: SourceKind | null;
  icon: string | null;
  provider_type: string | null;
}

/** Enabled sources of the given kinds, ordered by name (then pk). */
export async function listEnabledSourcesOfKinds(db: Executor, kinds: readonly SourceKind[]): Promise<SourceSettingsRow[]> {
  return db.selectFrom('source as s')
    .leftJoin('oauth_source as o', 'o.source_id', 's.pbm_uuid')
    .select(['s.pbm_uuid', 's.slug', 's.name', 's.kind', 's.icon', 'o.provider_type'])
    .where('s.enabled', '=', true).where('s.kind', 'in', [...kinds])
    .orderBy('s.name').orderBy('s.pbm_uuid')
    .execute();
}

/** Sets (or clears, with null) a source's stored icon name / URL. @returns false when the source is gone. */
export async function updateSourceIcon(db: Executor, pk: string, icon: string | null): Promise<boolean> {
  const r = await db.updateTable('source').set({ icon }).where('pbm_uuid', '=', pk).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** How many sources store exactly this icon value. */
export async function countSourcesWithIcon(db: Executor, icon: string): Promise<number> {
  const r = await db.selectFrom('source').select(sql<number>`count(*)::int`.as('n')).where('icon', '=', icon).executeTakeFirstOrThrow();
  return r.n;
}

/** Deletes a source of any kind; typed rows, connections and mapping links go by cascade. @returns false when absent. */
export async function deleteSourceByPk(db: Executor, pk: string): Promise<boolean> {
  const r = await db.deleteFrom('source').where('pbm_uuid', '=', pk).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
