/**
 * Users and their computed superuser flag. `is_superuser` is not a column: a user is a superuser when a
 * group they belong to, or an ancestor of one (parent chain, at most 20 levels), has is_superuser.
 * Source: authentik/core/models.py User.is_superuser / Group.is_superuser via all_groups().
 */
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../executor.js';
import { preparedStatement } from '../prepared.js';

/** SQL boolean: is the user `userIdRef` (a column reference or parameter) a superuser? */
export function isSuperuserExpr(userId: RawBuilder<number> | ReturnType<typeof sql.ref>): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (
    WITH RECURSIVE anc(group_uuid, depth) AS (
      SELECT ug.group_uuid, 0 FROM user_group ug WHERE ug.user_id = ${userId}
      UNION ALL
      SELECT g.parent_uuid, anc.depth + 1 FROM anc JOIN "group" g ON g.group_uuid = anc.group_uuid
      WHERE g.parent_uuid IS NOT NULL AND anc.depth < 20
    )
    SELECT 1 FROM anc JOIN "group" g2 ON g2.group_uuid = anc.group_uuid WHERE g2.is_superuser
  )`;
}

/** Does a user with this pk exist? (A named prepared statement: every `?user=` list asks.) */
export async function userExists(db: Executor, pk: number): Promise<boolean> {
  return (await userExistsStatement.execute(db, { pk })).length > 0;
}
const userExistsStatement = preparedStatement('user_exists', (db, p: { pk: number }) =>
  db.selectFrom('user').select('id').where('id', '=', p.pk));

/** The fields a login or an audit event needs, or undefined. */
export async function findUserBrief(db: Executor, pk: number) {
  return db.selectFrom('user')
    .select(['id', 'username', 'email', 'is_active', 'password', isSuperuserExpr(sql.ref('user.id')).as('is_superuser')])
    .where('id', '=', pk).executeTakeFirst();
}

/** The user's type (`internal`, `external`, `service_account`, `internal_service_account`), or undefined. */
export async function findUserType(db: Executor, pk: number) {
  const r = await db.selectFrom('user').select('type').where('id', '=', pk).executeTakeFirst();
  return r?.type;
}
