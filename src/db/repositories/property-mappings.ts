/**
 * Property mappings: the base rows (`kind` NULL) and the source-typed ones (`kind` = the source kind).
 * Expressions are stored as text and never executed. The only place with their SQL.
 * Source: authentik/core/models.py PropertyMapping and the sources' *SourcePropertyMapping models.
 */
import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { ListQuery, Page } from '../../domain/list.js';
import type { SourceKind } from '../database.js';
import { translateConstraints } from '../errors.js';
import type { Executor } from '../executor.js';
import { applyFilters, runList, type ListColumns } from '../list.js';

/** A property mapping row. `kind` NULL is a plain (base) mapping. */
export interface PropertyMappingRow {
  pm_uuid: string;
  name: string;
  expression: string;
  managed: string | null;
  kind: string | null;
}

const pmColumns = ['m.pm_uuid', 'm.name', 'm.expression', 'm.managed', 'm.kind'] as const;

/** Wire name → SQL for the property mapping lists (`m` = property_mapping). */
export const propertyMappingListColumns: ListColumns = {
  filters: { name: 'm.name' },
  ordering: { pk: 'm.pm_uuid', managed: 'm.managed', name: 'm.name', expression: 'm.expression' },
  search: ['m.name'],
};

const pmConstraints = {
  property_mapping_name_key: { name: ['Property Mapping with this name already exists.'] },
  property_mapping_managed_key: { managed: ['Property Mapping with this Managed by authentik already exists.'] },
};

/** Scope of a list/lookup: one source kind, or every mapping (`kind` undefined). */
export interface MappingScope {
  kind?: SourceKind;
  visiblePks?: string[];
}

function scoped(db: Executor, s: MappingScope) {
  let q = db.selectFrom('property_mapping as m');
  if (s.kind) q = q.where('m.kind', '=', s.kind);
  if (s.visiblePks) q = q.where('m.pm_uuid', 'in', s.visiblePks.length ? s.visiblePks : [randomUUID()]);
  return q;
}

/**
 * Lists mappings in scope. `managed` keeps rows whose managed value is one of the given (OR);
 * `managedIsNull` keeps rows with (true) or without (false) a managed value.
 * @throws InvalidPage when the page is out of range.
 */
export async function listPropertyMappings(
  db: Executor,
  args: MappingScope & { managed?: string[]; managedIsNull?: boolean; query: ListQuery },
): Promise<Page<PropertyMappingRow>> {
  let q = scoped(db, args);
  if (args.managed && args.managed.length > 0) q = q.where('m.managed', 'in', args.managed);
  if (args.managedIsNull !== undefined) q = q.where('m.managed', args.managedIsNull ? 'is' : 'is not', null);
  return runList(applyFilters(q, propertyMappingListColumns, args.query), (qb) => qb.select(pmColumns as any),
    propertyMappingListColumns, args.query) as Promise<Page<PropertyMappingRow>>;
}

/** Which of these values occur as a mapping's `managed` value (for the managed filter's choices). */
export async function existingManagedValues(db: Executor, values: readonly string[]): Promise<Set<string>> {
  if (values.length === 0) return new Set();
  const rows = await db.selectFrom('property_mapping').select('managed').where('managed', 'in', [...values]).execute();
  return new Set(rows.map((r) => r.managed as string));
}

/** Finds a mapping in scope by uuid (canonical form); undefined when absent or of another kind. */
export async function findPropertyMapping(db: Executor, uuid: string, s: MappingScope = {}): Promise<PropertyMappingRow | undefined> {
  return scoped(db, s).select(pmColumns).where('m.pm_uuid', '=', uuid).executeTakeFirst();
}

/** Inserts a mapping. @throws UniqueViolation on a taken `name` or `managed`. */
export async function insertPropertyMapping(
  db: Executor,
  v: { name: string; expression: string; managed: string | null; kind: SourceKind | null },
): Promise<PropertyMappingRow> {
  return translateConstraints(
    () => db.insertInto('property_mapping').values({ pm_uuid: randomUUID(), ...v })
      .returning(['pm_uuid', 'name', 'expression', 'managed', 'kind']).executeTakeFirstOrThrow(),
    pmConstraints,
  );
}

/** Updates a mapping's name/expression/managed. @throws UniqueViolation on a taken `name` or `managed`. */
export async function updatePropertyMapping(
  db: Executor,
  uuid: string,
  v: Partial<{ name: string; expression: string; managed: string | null }>,
): Promise<PropertyMappingRow> {
  return translateConstraints(async () => {
    if (Object.keys(v).length > 0) await db.updateTable('property_mapping').set(v).where('pm_uuid', '=', uuid).execute();
    return db.selectFrom('property_mapping as m').select(pmColumns).where('m.pm_uuid', '=', uuid).executeTakeFirstOrThrow();
  }, pmConstraints);
}

/**
 * Deletes a mapping; sources lose it from their mapping lists (ON DELETE CASCADE on the join rows).
 * Run it in a transaction: the sources listing the mapping are locked first, in key order, because
 * the cascade's trigger bumps their `revision` (migration 1070_add_source_revision); locking them
 * before the join rows means a concurrent source update that replaces its links (source row first,
 * then links) waits or is waited for, never deadlocks.
 */
export async function deletePropertyMapping(db: Executor, uuid: string): Promise<boolean> {
  await sql`SELECT 1 FROM source WHERE pbm_uuid IN (
      SELECT source_id FROM source_user_property_mapping WHERE property_mapping_id = ${uuid}::uuid
      UNION SELECT source_id FROM source_group_property_mapping WHERE property_mapping_id = ${uuid}::uuid)
    ORDER BY pbm_uuid FOR NO KEY UPDATE`.execute(db);
  const r = await db.deleteFrom('property_mapping').where('pm_uuid', '=', uuid).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/**
 * Sources that list the mapping, per relation.
 *   SELECT s.pbm_uuid, s.name FROM source_group_property_mapping j JOIN source s ON … WHERE j.property_mapping_id = $1
 */
export async function sourcesUsingMapping(db: Executor, uuid: string): Promise<{ group: Array<{ pbm_uuid: string; name: string }>; user: Array<{ pbm_uuid: string; name: string }> }> {
  const q = (table: 'source_group_property_mapping' | 'source_user_property_mapping') => db.selectFrom(`${table} as j` as 'source_group_property_mapping as j')
    .innerJoin('source as s', 's.pbm_uuid', 'j.source_id')
    .select(['s.pbm_uuid', 's.name']).where('j.property_mapping_id', '=', uuid).orderBy('s.pbm_uuid').execute();
  const [group, user] = await Promise.all([q('source_group_property_mapping'), q('source_user_property_mapping')]);
  return { group, user };
}
