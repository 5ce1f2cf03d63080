/**
 * Typed sources (OAuth, SAML, Plex, LDAP, Kerberos, SCIM): the `source` base row, the kind's typed row
 * (same pk) and the property-mapping join rows. Every kind is a `TypedTable` declaration; this module
 * holds the SQL they share. Secret columns are selected only when the table declares them readable.
 *
 *   SELECT s.pbm_uuid, …, <mapping aggregates>, t.issuer AS issuer, t.pre_authentication_flow_id AS pre_authentication_flow
 *   FROM source s JOIN saml_source t ON t.source_id = s.pbm_uuid WHERE s.slug = $1
 */
import { sql } from 'kysely';
import type { FieldErrors } from '../../domain/errors.js';
import type { ListQuery, Page } from '../../domain/list.js';
import type { SourceKind } from '../database.js';
import { translateConstraints, type ConstraintMessages } from '../errors.js';
import type { Executor } from '../executor.js';
import { applyFilters, runList, type ListColumns } from '../list.js';
import { sourceViewColumns, type SourceView } from './sources.js';

/**
 * How one source kind is stored. `select` maps the row key the rest of the code sees to a column of the
 * typed table (alias `t`); JSON columns are written as JSON text; `defaults` fills columns on insert.
 */
export interface TypedTable {
  kind: SourceKind;
  /** Typed table name; its pk column is `source_id`. */
  table: string;
  /** Row key → typed column (`t.<column>`), selected with every row. Never lists write-only secrets. */
  select: Record<string, string>;
  /** Typed columns holding JSON (jsonb). */
  jsonColumns?: readonly string[];
  /** Values for typed columns on insert when the write does not set them. */
  insertDefaults?: Record<string, unknown>;
  /** Wire filter/ordering name → SQL (`s.` base, `t.` typed); search is always name and slug. */
  list: Omit<ListColumns, 'search'>;
  /** Extra constraint names of the typed table → field errors. */
  constraintMessages?: ConstraintMessages;
}

/** A typed source row: the base view plus the kind's `select` keys. */
export type TypedSourceRow = SourceView & Record<string, unknown>;

/** Writable base-row columns of a source. */
export interface SourceWrite {
  name?: string;
  slug?: string;
  enabled?: boolean;
  authentication_flow_id?: string | null;
  enrollment_flow_id?: string | null;
  policy_engine_mode?: 'all' | 'any';
  user_matching_mode?: string;
  group_matching_mode?: string;
  user_path_template?: string;
}

/** Extra list conditions a kind can ask for (beyond exact filters). */
export interface ListExtras {
  /** Sources linked to any of these mappings (`user_property_mappings` / `group_property_mappings` filters). */
  mappings?: { user?: readonly string[]; group?: readonly string[] };
  /** Raw SQL conditions built by the kind's table module (e.g. OAuth `has_jwks`). */
  where?: ReturnType<typeof sql<boolean>>[];
}

/** `= any($1::uuid[])`: one bind parameter however long the list (lists come from request bodies and grants). */
export function anyUuid(pks: readonly string[]) {
  return sql<string>`any(${[...new Set(pks)]}::uuid[])`;
}

function base(db: Executor, t: TypedTable) {
  return db.selectFrom('source as s').innerJoin(`${t.table} as t` as 'oauth_source as t', 't.source_id', 's.pbm_uuid');
}

function selectRow(t: TypedTable) {
  return (qb: any) => qb.select((eb: any) => [
    ...sourceViewColumns(eb),
    ...Object.entries(t.select).map(([key, col]) => sql.ref(`t.${col}`).as(key)),
  ]);
}

/** Constraint → field errors shared by every kind's writes. */
const sourceConstraintMessages: Record<string, FieldErrors> = {
  source_slug_key: { slug: ['source with this slug already exists.'] },
  source_authentication_flow_id_fkey: { authentication_flow: ['Invalid pk - object does not exist.'] },
  source_enrollment_flow_id_fkey: { enrollment_flow: ['Invalid pk - object does not exist.'] },
  source_user_property_mapping_property_mapping_id_fkey: { user_property_mappings: ['Invalid pk - object does not exist.'] },
  source_group_property_mapping_property_mapping_id_fkey: { group_property_mappings: ['Invalid pk - object does not exist.'] },
};

function messages(t: TypedTable): ConstraintMessages {
  return { ...sourceConstraintMessages, ...(t.constraintMessages ?? {}) };
}

/**
 * Lists sources of one kind, restricted to `visiblePks` when given (the RBAC visibility filter), then
 * exact filters, `extras`, search on name/slug, ordering and paging.
 * @throws InvalidPage when the page is out of range.
 */
export async function listTypedSources(
  db: Executor,
  t: TypedTable,
  args: { visiblePks?: readonly string[]; query: ListQuery; extras?: ListExtras },
): Promise<Page<TypedSourceRow>> {
  let q: any = base(db, t);
  if (args.visiblePks !== undefined) {
    if (args.visiblePks.length === 0) q = q.where(sql<boolean>`false`);
    else q = q.where('s.pbm_uuid', '=', anyUuid(args.visiblePks));
  }
  for (const [which, pks] of Object.entries(args.extras?.mappings ?? {})) {
    if (!pks || pks.length === 0) continue;
    const join = which === 'user' ? 'source_user_property_mapping' : 'source_group_property_mapping';
    q = q.where(sql<boolean>`EXISTS (SELECT 1 FROM ${sql.table(join)} j WHERE j.source_id = s.pbm_uuid AND j.property_mapping_id = ${anyUuid(pks)})`);
  }
  for (const w of args.extras?.where ?? []) q = q.where(w);
  const cols: ListColumns = { ...t.list, search: ['s.name', 's.slug'] };
  q = applyFilters(q, cols, args.query);
  return runList(q, selectRow(t), cols, args.query) as Promise<Page<TypedSourceRow>>;
}

/** Finds a source of this kind by slug; undefined when absent (or of another kind). */
export async function findTypedSourceBySlug(db: Executor, t: TypedTable, slug: string): Promise<TypedSourceRow | undefined> {
  return selectRow(t)(base(db, t)).where('s.slug', '=', slug).executeTakeFirst();
}

/** Finds a source of this kind by pk; undefined when absent (or of another kind). */
export async function findTypedSourceByPk(db: Executor, t: TypedTable, pk: string): Promise<TypedSourceRow | undefined> {
  return selectRow(t)(base(db, t)).where('s.pbm_uuid', '=', pk).executeTakeFirst();
}

/** Does any source other than `exceptPk` use `slug`? */
export async function slugTaken(db: Executor, slug: string, exceptPk?: string): Promise<boolean> {
  let q = db.selectFrom('source').select('pbm_uuid').where('slug', '=', slug);
  if (exceptPk) q = q.where('pbm_uuid', '<>', exceptPk);
  return (await q.executeTakeFirst()) !== undefined;
}

/** Which of `pks` (lower-case uuids) exist in `table` (flows, property mappings or groups). */
export async function existingPks(db: Executor, table: 'flow' | 'property_mapping' | 'group', pks: readonly string[]): Promise<Set<string>> {
  if (pks.length === 0) return new Set();
  const col = { flow: 'flow_uuid', property_mapping: 'pm_uuid', group: 'group_uuid' }[table];
  const rows = await db.selectFrom(table as 'flow').select(sql.ref(col).as('pk') as any)
    .where(sql.ref(col), '=', anyUuid(pks)).execute() as unknown as { pk: string }[];
  return new Set(rows.map((r) => r.pk));
}

/**
 * Whether another source of the same typed table has `column` = `value` (uniqueness pre-checks such as
 * Kerberos `realm` or the single LDAP source with password sync).
 */
export async function typedValueTaken(db: Executor, t: TypedTable, column: string, value: unknown, exceptPk?: string): Promise<boolean> {
  let q: any = db.selectFrom(`${t.table} as t` as 'oauth_source as t').select('t.source_id').where(sql.ref(`t.${column}`), '=', value);
  if (exceptPk) q = q.where('t.source_id', '<>', exceptPk);
  return (await q.executeTakeFirst()) !== undefined;
}

async function replaceMappings(db: Executor, sourcePk: string, table: 'source_user_property_mapping' | 'source_group_property_mapping', pks: readonly string[]) {
  await db.deleteFrom(table).where('source_id', '=', sourcePk).execute();
  const unique = [...new Set(pks)];
  // Chunked: PostgreSQL takes at most 65535 bind parameters per statement.
  for (let i = 0; i < unique.length; i += 1000) {
    await db.insertInto(table).values(unique.slice(i, i + 1000).map((p) => ({ source_id: sourcePk, property_mapping_id: p }))).execute();
  }
}

function typedValues(t: TypedTable, typed: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(typed)) {
    if (v === undefined) continue;
    out[k] = t.jsonColumns?.includes(k) && v !== null ? JSON.stringify(v) : v;
  }
  return out;
}

/**
 * Inserts the base row (with the table's kind), the typed row and the mapping join rows, in the caller's
 * transaction. `typed` holds typed-table columns (secrets already sealed).
 * @throws UniqueViolation for a taken slug (or a typed unique constraint); ValidationFailed for a
 * reference deleted meanwhile.
 */
export async function insertTypedSource(
  db: Executor,
  t: TypedTable,
  args: {
    pk: string;
    source: SourceWrite & { name: string; slug: string };
    typed: Record<string, unknown>;
    userPropertyMappings: readonly string[];
    groupPropertyMappings: readonly string[];
  },
): Promise<void> {
  await translateConstraints(async () => {
    await db.insertInto('source').values({
      pbm_uuid: args.pk, kind: t.kind, icon: null, managed: null,
      authentication_flow_id: null, enrollment_flow_id: null, ...args.source,
    } as any).execute();
    await db.insertInto(t.table as 'oauth_source').values({
      source_id: args.pk, ...typedValues(t, { ...(t.insertDefaults ?? {}), ...args.typed }),
    } as any).execute();
    await replaceMappings(db, args.pk, 'source_user_property_mapping', args.userPropertyMappings);
    await replaceMappings(db, args.pk, 'source_group_property_mapping', args.groupPropertyMappings);
  }, messages(t));
}

/**
 * Updates the given columns of a typed source and, when given, replaces its mapping lists.
 * @throws UniqueViolation / ValidationFailed as insertTypedSource.
 */
export async function updateTypedSource(
  db: Executor,
  t: TypedTable,
  pk: string,
  args: { source: SourceWrite; typed: Record<string, unknown>; userPropertyMappings?: readonly string[]; groupPropertyMappings?: readonly string[] },
): Promise<void> {
  await translateConstraints(async () => {
    if (Object.keys(args.source).length > 0) {
      await db.updateTable('source').set(args.source as any).where('pbm_uuid', '=', pk).execute();
    }
    const set = typedValues(t, args.typed);
    if (Object.keys(set).length > 0) {
      await db.updateTable(t.table as 'oauth_source').set(set as any).where('source_id', '=', pk).execute();
    }
    if (args.userPropertyMappings) await replaceMappings(db, pk, 'source_user_property_mapping', args.userPropertyMappings);
    if (args.groupPropertyMappings) await replaceMappings(db, pk, 'source_group_property_mapping', args.groupPropertyMappings);
  }, messages(t));
}

/** Deletes a source; its typed row, connections and mapping links go by cascade. @returns false when absent. */
export async function deleteSource(db: Executor, pk: string): Promise<boolean> {
  const r = await db.deleteFrom('source').where('pbm_uuid', '=', pk).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Locks a source row for the rest of the transaction (serialises concurrent writes to one source). */
export async function lockSource(db: Executor, pk: string): Promise<boolean> {
  const r = await db.selectFrom('source').select('pbm_uuid').where('pbm_uuid', '=', pk).forUpdate().executeTakeFirst();
  return r !== undefined;
}
