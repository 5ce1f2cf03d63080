/**
 * RBAC grants (permissions.md §5): a permission is held globally (object_pk NULL) or on one object,
 * granted to the user directly or to a role attached to one of the user's groups (or an ancestor of
 * one, parent chain ≤ 20 levels). Source: authentik/rbac (django-guardian object permissions + roles).
 */
import { sql } from 'kysely';
import type { Executor } from '../executor.js';

/** SQL fragment: role uuids that reach the user through group membership (ancestors included). */
function userRoles(userPk: number) {
  return sql`(
    WITH RECURSIVE anc(group_uuid, depth) AS (
      SELECT ug.group_uuid, 0 FROM user_group ug WHERE ug.user_id = ${userPk}
      UNION ALL
      SELECT g.parent_uuid, anc.depth + 1 FROM anc JOIN "group" g ON g.group_uuid = anc.group_uuid
      WHERE g.parent_uuid IS NOT NULL AND anc.depth < 20
    )
    SELECT gr.role_uuid FROM anc JOIN group_role gr ON gr.group_uuid = anc.group_uuid
  )`;
}

/**
 * Grants of `codename` that apply to the user: `{global: true}` when a global grant exists, else
 * the object pks (as text) of per-object grants.
 *   SELECT object_pk FROM permission_grant WHERE codename = $1 AND (user_id = $2 OR role_uuid IN (<roles>))
 */
export async function grantsFor(db: Executor, userPk: number, codename: string): Promise<{ global: boolean; objectPks: string[] }> {
  const rows = await db.selectFrom('permission_grant')
    .select('object_pk')
    .where('codename', '=', codename)
    .where((eb) => eb.or([eb('user_id', '=', userPk), eb('role_uuid', 'in', userRoles(userPk) as any)]))
    .execute();
  if (rows.some((r) => r.object_pk === null)) return { global: true, objectPks: [] };
  return { global: false, objectPks: [...new Set(rows.map((r) => r.object_pk as string))] };
}

/** Does the user hold `codename` globally, or on `objectPk` when given? */
export async function holdsPermission(db: Executor, userPk: number, codename: string, objectPk?: string): Promise<boolean> {
  const r = await db.selectFrom('permission_grant')
    .select(sql<number>`1`.as('one'))
    .where('codename', '=', codename)
    .where((eb) => eb.or([eb('user_id', '=', userPk), eb('role_uuid', 'in', userRoles(userPk) as any)]))
    .where((eb) => (objectPk === undefined ? eb('object_pk', 'is', null) : eb.or([eb('object_pk', 'is', null), eb('object_pk', '=', objectPk)])))
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}
