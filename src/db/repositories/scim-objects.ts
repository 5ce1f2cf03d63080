/**
 * The users and groups a SCIM source provisioned (`/sources/scim_users/`, `/sources/scim_groups/`,
 * spec §8.2): rows keyed by their SCIM `id` (text), pointing at a local user (or group) and at the SCIM
 * source. The only place with their SQL.
 *
 *   SELECT o.id, o.user_id AS ref, o.source_id, o.attributes, s.slug, s.name, u.username AS ref_name
 *   FROM scim_source_user o JOIN source s ON s.pbm_uuid = o.source_id JOIN "user" u ON u.id = o.user_id
 *   WHERE o.id = $1
 */
import { sql } from 'kysely';
import type { ListQuery, Page } from '../../domain/list.js';
import { translateConstraints, type ConstraintMessages } from '../errors.js';
import type { Executor } from '../executor.js';
import { applyFilters, runList, type ListColumns } from '../list.js';

export type ScimObjectKind = 'user' | 'group';

/** A provisioned object: `ref` is the user pk (users) or group uuid (groups), `ref_name` its username / name. */
export interface ScimObjectRow {
  id: string;
  ref: number | string;
  source_id: string;
  attributes: unknown;
  source_slug: string;
  source_name: string;
  ref_name: string;
}

const TABLES = {
  user: { table: 'scim_source_user', ref: 'user_id', join: 'user', joinPk: 'id', name: 'username' },
  group: { table: 'scim_source_group', ref: 'group_uuid', join: 'group', joinPk: 'group_uuid', name: 'name' },
} as const;

/** Wire filter/ordering/search names → SQL (`o` = object, `s` = source, `r` = user or group). */
export const scimObjectListColumns: Record<ScimObjectKind, ListColumns> = {
  user: {
    filters: { source__slug: 's.slug', user__id: 'o.user_id', user__username: 'r.username' },
    ordering: { pk: 'o.id', id: 'o.id', user: 'o.user_id', source: 'o.source_id', user__username: 'r.username' },
    search: ['s.slug', 'r.username'],
  },
  group: {
    filters: { source__slug: 's.slug', group__group_uuid: 'o.group_uuid', group__name: 'r.name' },
    ordering: { pk: 'o.id', id: 'o.id', group: 'o.group_uuid', source: 'o.source_id', group__name: 'r.name' },
    search: ['s.slug', 'r.name'],
  },
};

function base(db: Executor, kind: ScimObjectKind) {
  const t = TABLES[kind];
  return (db as any).selectFrom(`${t.table} as o`)
    .innerJoin('source as s', 's.pbm_uuid', 'o.source_id')
    .innerJoin(`${t.join} as r`, `r.${t.joinPk}`, `o.${t.ref}`);
}

function selectRow(kind: ScimObjectKind) {
  const t = TABLES[kind];
  return (qb: any) => qb.select([
    'o.id', sql.ref(`o.${t.ref}`).as('ref'), 'o.source_id', 'o.attributes', 's.slug as source_slug', 's.name as source_name',
    sql.ref(`r.${t.name}`).as('ref_name'),
  ]);
}

const constraintMessages = (kind: ScimObjectKind): ConstraintMessages => ({
  [`${TABLES[kind].table}_pkey`]: { id: [`scim source ${kind} with this id already exists.`] },
  [`${TABLES[kind].table}_${TABLES[kind].ref}_fkey`]: { [kind]: ['Invalid pk - object does not exist.'] },
  [`${TABLES[kind].table}_source_id_fkey`]: { source: ['Invalid pk - object does not exist.'] },
});

/**
 * Lists provisioned objects, restricted to `visibleIds` when given, then filters, search, ordering, paging.
 * @throws InvalidPage when the page is out of range.
 */
export async function listScimObjects(
  db: Executor,
  kind: ScimObjectKind,
  args: { visibleIds?: readonly string[]; query: ListQuery },
): Promise<Page<ScimObjectRow>> {
  let q = base(db, kind);
  if (args.visibleIds !== undefined) {
    q = args.visibleIds.length === 0 ? q.where(sql<boolean>`false`) : q.where('o.id', 'in', [...new Set(args.visibleIds)]);
  }
  const cols = scimObjectListColumns[kind];
  q = applyFilters(q, cols, args.query);
  return runList(q, selectRow(kind), cols, args.query) as Promise<Page<ScimObjectRow>>;
}

/** Finds one provisioned object by SCIM id; undefined when absent. */
export async function findScimObject(db: Executor, kind: ScimObjectKind, id: string): Promise<ScimObjectRow | undefined> {
  return selectRow(kind)(base(db, kind)).where('o.id', '=', id).executeTakeFirst();
}

/** Is `id` used by another object of this kind? */
export async function scimIdTaken(db: Executor, kind: ScimObjectKind, id: string, exceptId?: string): Promise<boolean> {
  let q = (db as any).selectFrom(TABLES[kind].table).select('id').where('id', '=', id);
  if (exceptId !== undefined) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

/** Is `pk` a SCIM source? */
export async function isScimSource(db: Executor, pk: string): Promise<boolean> {
  return (await db.selectFrom('scim_source').select('source_id').where('source_id', '=', pk).executeTakeFirst()) !== undefined;
}

/** The columns a write sets; `ref` is the user pk or group uuid. */
export interface ScimObjectWrite {
  id?: string;
  ref?: number | string;
  source_id?: string;
  /** Any JSON value; `null` is stored as SQL NULL. */
  attributes?: unknown;
}

function values(kind: ScimObjectKind, w: ScimObjectWrite): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (w.id !== undefined) out.id = w.id;
  if (w.ref !== undefined) out[TABLES[kind].ref] = w.ref;
  if (w.source_id !== undefined) out.source_id = w.source_id;
  if (w.attributes !== undefined) out.attributes = w.attributes === null ? null : JSON.stringify(w.attributes);
  return out;
}

/** Inserts an object. @throws UniqueViolation for a taken id; ValidationFailed for a vanished user/group/source. */
export async function insertScimObject(db: Executor, kind: ScimObjectKind, w: Required<Omit<ScimObjectWrite, 'attributes'>> & ScimObjectWrite): Promise<void> {
  await translateConstraints(async () => {
    await (db as any).insertInto(TABLES[kind].table).values({ attributes: '{}', ...values(kind, w) }).execute();
  }, constraintMessages(kind));
}

/** Updates an object (its id too). @returns false when absent. @throws as insertScimObject. */
export async function updateScimObject(db: Executor, kind: ScimObjectKind, id: string, w: ScimObjectWrite): Promise<boolean> {
  return translateConstraints(async () => {
    const set = values(kind, w);
    if (Object.keys(set).length === 0) return (await findScimObject(db, kind, id)) !== undefined;
    const r = await (db as any).updateTable(TABLES[kind].table).set(set).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }, constraintMessages(kind));
}

/** Deletes an object. @returns false when absent. */
export async function deleteScimObject(db: Executor, kind: ScimObjectKind, id: string): Promise<boolean> {
  const r = await (db as any).deleteFrom(TABLES[kind].table).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Objects of this kind provisioned by a source (for the source's used_by), optionally only these ids. */
export async function scimObjectsOfSource(db: Executor, kind: ScimObjectKind, sourcePk: string, onlyIds?: readonly string[]): Promise<ScimObjectRow[]> {
  let q = selectRow(kind)(base(db, kind)).where('o.source_id', '=', sourcePk).orderBy('o.id');
  if (onlyIds !== undefined) q = onlyIds.length === 0 ? q.where(sql<boolean>`false`) : q.where('o.id', 'in', [...onlyIds]);
  return q.execute();
}
