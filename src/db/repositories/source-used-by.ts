/**
 * The objects that reference a source, for `GET /sources/<kind>/{slug}/used_by/` (spec §7).
 * Each query can be limited to the pks (compared as text, as RBAC grants store them) the caller may view.
 *
 *   SELECT m.pm_uuid, m.name FROM source_user_property_mapping j JOIN property_mapping m ON m.pm_uuid = j.property_mapping_id
 *   WHERE j.source_id = $1 [AND m.pm_uuid::text IN (…)] ORDER BY m.name, m.pm_uuid
 */
import { sql } from 'kysely';
import type { Executor } from '../executor.js';

/** `onlyPks` undefined: no restriction; an array: only rows whose pk (as text) is listed. */
export type PkRestriction = readonly string[] | undefined;

function restrict(q: any, column: string, onlyPks: PkRestriction) {
  if (onlyPks === undefined) return q;
  if (onlyPks.length === 0) return q.where(sql<boolean>`false`);
  return q.where(sql`${sql.ref(column)}::text`, 'in', onlyPks);
}

/** Property mappings linked to the source through `user_property_mappings` or `group_property_mappings`. */
export async function sourceMappings(
  db: Executor,
  sourcePk: string,
  which: 'user' | 'group',
  onlyPks: PkRestriction,
): Promise<{ pm_uuid: string; name: string }[]> {
  const table = which === 'user' ? 'source_user_property_mapping' : 'source_group_property_mapping';
  const q = db.selectFrom(`${table} as j` as 'source_user_property_mapping as j')
    .innerJoin('property_mapping as m', 'm.pm_uuid', 'j.property_mapping_id')
    .select(['m.pm_uuid', 'm.name'])
    .where('j.source_id', '=', sourcePk)
    .orderBy('m.name').orderBy('m.pm_uuid');
  return restrict(q, 'm.pm_uuid', onlyPks).execute();
}

/** Users connected to the source (through user source connections), by pk. */
export async function sourceUsers(db: Executor, sourcePk: string, onlyPks: PkRestriction): Promise<{ id: number; username: string }[]> {
  const q = db.selectFrom('user as u')
    .select(['u.id', 'u.username'])
    .where((eb) => eb.exists(eb.selectFrom('user_source_connection as c').select('c.id')
      .whereRef('c.user_id', '=', 'u.id').where('c.source_id', '=', sourcePk)))
    .orderBy('u.id');
  return restrict(q, 'u.id', onlyPks).execute();
}

/** User source connections to the source, by pk. */
export async function sourceConnections(
  db: Executor,
  sourcePk: string,
  onlyPks: PkRestriction,
): Promise<{ id: number; user_id: number; source_id: string }[]> {
  const q = db.selectFrom('user_source_connection as c')
    .select(['c.id', 'c.user_id', 'c.source_id'])
    .where('c.source_id', '=', sourcePk)
    .orderBy('c.id');
  return restrict(q, 'c.id', onlyPks).execute();
}

/** Group source connections to the source, by pk. */
export async function sourceGroupConnections(
  db: Executor,
  sourcePk: string,
  onlyPks: PkRestriction,
): Promise<{ id: number; group_id: string; source_id: string }[]> {
  const q = db.selectFrom('group_source_connection as c')
    .select(['c.id', 'c.group_id', 'c.source_id'])
    .where('c.source_id', '=', sourcePk)
    .orderBy('c.id');
  return restrict(q, 'c.id', onlyPks).execute();
}
