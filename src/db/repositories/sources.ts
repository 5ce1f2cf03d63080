/**
 * Source rows: the base view nested in connections (`SourceView`) and lookups by pk / slug.
 * The two property-mapping lists are aggregated in the same statement (no N+1):
 *   SELECT s.pbm_uuid, …, coalesce((SELECT array_agg(m.property_mapping_id ORDER BY m.property_mapping_id)
 *     FROM source_user_property_mapping m WHERE m.source_id = s.pbm_uuid), '{}') AS user_property_mappings, …
 */
import { sql, type ExpressionBuilder } from 'kysely';
import type { Database, SourceKind } from '../database.js';
import type { Executor } from '../executor.js';

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

/** Loads source views by pk. @returns a map pk → view (missing pks are absent). */
export async function findSourceViews(db: Executor, pks: readonly string[]): Promise<Map<string, SourceView>> {
  const out = new Map<string, SourceView>();
  if (pks.length === 0) return out;
  const rows = await db
    .selectFrom('source as s')
    .select((eb) => sourceViewColumns(eb as any))
    .where('s.pbm_uuid', 'in', [...new Set(pks)])
    .execute();
  for (const r of rows) out.set(r.pbm_uuid, r as SourceView);
  return out;
}

/** Finds a source's pk and kind by pk; undefined when absent. */
export async function findSourceKind(db: Executor, pk: string): Promise<{ pbm_uuid: string; kind: SourceKind | null } | undefined> {
  return db.selectFrom('source').select(['pbm_uuid', 'kind']).where('pbm_uuid', '=', pk).executeTakeFirst();
}
