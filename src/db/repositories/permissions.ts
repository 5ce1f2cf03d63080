/**
 * RBAC grants (permissions.md §5): a permission is held globally (object_pk NULL) or on one object,
 * granted to the user directly or to a role attached to one of the user's groups (or an ancestor of
 * one, parent chain ≤ 20 levels). Source: authentik/rbac (django-guardian object permissions + roles).
 */
import { sql } from 'kysely';
import type { ListQuery, Page } from '../../domain/list.js';
import { translateConstraints } from '../errors.js';
import type { Executor } from '../executor.js';
import { applyFilters, runList, type ListColumns } from '../list.js';
import { isSuperuserExpr } from './users.js';

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

/** Who holds a grant: a user (by pk) or a role (by uuid). */
export type Holder = { userPk: number } | { roleUuid: string };

/** A stored grant as the RBAC endpoints list it. `codename` is `<app_label>.<verb>_<model>`. */
export interface GrantRow {
  id: number;
  user_id: number | null;
  role_uuid: string | null;
  codename: string;
  object_pk: string | null;
}

const grantColumns = ['g.id', 'g.user_id', 'g.role_uuid', 'g.codename', 'g.object_pk'] as const;

function holderWhere<Q extends { where: any }>(q: Q, holder: Holder, alias = 'g'): Q {
  return ('userPk' in holder
    ? q.where(`${alias}.user_id` as any, '=', holder.userPk)
    : q.where(`${alias}.role_uuid` as any, '=', holder.roleUuid)) as Q;
}

/**
 * Grants `codename` to the holder, globally (`objectPk` null) or on one object; granting twice is a
 * no-op. @returns the grant's id (the existing one when it was already held).
 *   INSERT INTO permission_grant (user_id, role_uuid, codename, object_pk) VALUES (…)
 *   ON CONFLICT ON CONSTRAINT permission_grant_key DO NOTHING RETURNING id
 */
export async function insertGrant(db: Executor, holder: Holder, codename: string, objectPk: string | null): Promise<number> {
  const values = {
    user_id: 'userPk' in holder ? holder.userPk : null,
    role_uuid: 'roleUuid' in holder ? holder.roleUuid : null,
    codename,
    object_pk: objectPk,
  };
  const inserted = await db.insertInto('permission_grant').values(values)
    .onConflict((oc) => oc.constraint('permission_grant_key').doNothing())
    .returning('id').executeTakeFirst();
  if (inserted) return inserted.id;
  let q = holderWhere(db.selectFrom('permission_grant as g').select('g.id'), holder).where('g.codename', '=', codename);
  q = objectPk === null ? q.where('g.object_pk', 'is', null) : q.where('g.object_pk', '=', objectPk);
  return (await q.executeTakeFirstOrThrow()).id;
}

/** Removes the holder's grant of `codename` (global when `objectPk` is null). @returns rows removed. */
export async function deleteGrant(db: Executor, holder: Holder, codename: string, objectPk: string | null): Promise<number> {
  let q = db.deleteFrom('permission_grant').where('codename', '=', codename);
  q = 'userPk' in holder ? q.where('user_id', '=', holder.userPk) : q.where('role_uuid', '=', holder.roleUuid);
  q = objectPk === null ? q.where('object_pk', 'is', null) : q.where('object_pk', '=', objectPk);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Codenames the holder holds globally through direct grants (for `/rbac/permissions/?user=|role=`). */
export async function globalCodenames(db: Executor, holder: Holder): Promise<string[]> {
  const rows = await holderWhere(db.selectFrom('permission_grant as g').select('g.codename'), holder)
    .where('g.object_pk', 'is', null).execute();
  return rows.map((r) => r.codename);
}

/** Wire name → SQL for the per-holder object-grant lists (`g` = permission_grant). */
export const objectGrantListColumns: ListColumns = {
  filters: {},
  ordering: { pk: 'g.id', id: 'g.id', codename: 'g.codename', object_pk: 'g.object_pk' },
  search: ['g.codename', 'g.object_pk'],
};

/**
 * One page of the holder's per-object grants (global grants are not listed, as authentik's
 * guardian tables hold only object permissions).
 * @throws InvalidPage when the page is out of range.
 */
export async function listObjectGrants(db: Executor, holder: Holder, query: ListQuery): Promise<Page<GrantRow>> {
  const q = holderWhere(db.selectFrom('permission_grant as g'), holder).where('g.object_pk', 'is not', null);
  return runList(applyFilters(q, objectGrantListColumns, query), (qb) => qb.select(grantColumns as any), objectGrantListColumns, query) as Promise<Page<GrantRow>>;
}

/** One per-object grant of a user (`kind: 'user'`) or of a role, by id; undefined when absent. */
export async function findObjectGrant(db: Executor, id: number, kind: 'user' | 'role'): Promise<GrantRow | undefined> {
  return db.selectFrom('permission_grant as g').select(grantColumns)
    .where('g.id', '=', id).where('g.object_pk', 'is not', null)
    .where(kind === 'user' ? 'g.user_id' : 'g.role_uuid', 'is not', null)
    .executeTakeFirst();
}

/** Moves a per-object grant to another object. @throws UniqueViolation when the holder already has that grant. */
export async function updateGrantObject(db: Executor, id: number, objectPk: string): Promise<void> {
  await translateConstraints(
    () => db.updateTable('permission_grant').set({ object_pk: objectPk }).where('id', '=', id).execute(),
    { permission_grant_key: { object_pk: ['This permission is already assigned on that object.'] } },
  );
}

/** Deletes a grant by id. @returns false when absent. */
export async function deleteGrantById(db: Executor, id: number): Promise<boolean> {
  const r = await db.deleteFrom('permission_grant').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/**
 * Per-object grants of these holders among `codenames`, optionally on one object only.
 *   SELECT … FROM permission_grant g WHERE g.user_id IN (…) AND g.object_pk IS NOT NULL AND g.codename IN (…)
 */
export async function objectGrantsOf(
  db: Executor,
  holders: { userPks?: number[]; roleUuids?: string[] },
  codenames: readonly string[],
  objectPk?: string,
): Promise<GrantRow[]> {
  const userPks = holders.userPks ?? [];
  const roleUuids = holders.roleUuids ?? [];
  if ((userPks.length === 0 && roleUuids.length === 0) || codenames.length === 0) return [];
  let q = db.selectFrom('permission_grant as g').select(grantColumns)
    .where('g.object_pk', 'is not', null)
    .where('g.codename', 'in', [...codenames])
    .where((eb) => eb.or([
      ...(userPks.length ? [eb('g.user_id', 'in', userPks)] : []),
      ...(roleUuids.length ? [eb('g.role_uuid', 'in', roleUuids)] : []),
    ]));
  if (objectPk !== undefined) q = q.where('g.object_pk', '=', objectPk);
  return q.orderBy('g.id').execute();
}

/** A user as the "assigned by users" list shows it. Timestamps are ISO UTC strings. */
export interface AssignedUserRow {
  id: number;
  username: string;
  name: string;
  is_active: boolean;
  last_login: string | null;
  email: string;
  attributes: unknown;
  is_superuser: boolean;
}

const assignedUserColumns: ListColumns = {
  filters: {},
  ordering: { pk: 'u.id', username: 'u.username', name: 'u.name', email: 'u.email', is_active: 'u.is_active', last_login: 'u.last_login' },
  search: ['u.username', 'u.name', 'u.email'],
};

/**
 * Users who hold a permission of the model: superusers, direct global grants of any of `codenames`,
 * and (when `objectPk` is given) direct grants on that object; limited to `visibleUserPks` when given.
 * @throws InvalidPage when the page is out of range.
 * Source: authentik/rbac/api/rbac_assigned_by_users.py UserAssignedPermissionFilter.
 */
export async function listUsersHoldingModel(
  db: Executor,
  args: { codenames: readonly string[]; objectPk?: string; visibleUserPks?: number[]; query: ListQuery },
): Promise<Page<AssignedUserRow>> {
  const codenames = args.codenames.length ? [...args.codenames] : ['-'];
  let q = db.selectFrom('user as u').where((eb) => eb.or([
    eb(isSuperuserExpr(sql.ref('u.id')), '=', true),
    eb.exists(eb.selectFrom('permission_grant as g').select('g.id')
      .whereRef('g.user_id', '=', 'u.id').where('g.codename', 'in', codenames)
      .where((e2) => (args.objectPk === undefined
        ? e2('g.object_pk', 'is', null)
        : e2.or([e2('g.object_pk', 'is', null), e2('g.object_pk', '=', args.objectPk)])))),
  ]));
  if (args.visibleUserPks) q = q.where('u.id', 'in', args.visibleUserPks.length ? args.visibleUserPks : [-1]);
  return runList(applyFilters(q, assignedUserColumns, args.query), (qb) => qb.select([
    'u.id', 'u.username', 'u.name', 'u.is_active', 'u.last_login', 'u.email', 'u.attributes',
    isSuperuserExpr(sql.ref('u.id')).as('is_superuser'),
  ] as any), assignedUserColumns, args.query) as Promise<Page<AssignedUserRow>>;
}

/** A role as the "assigned by roles" list shows it. */
export interface AssignedRoleRow { role_uuid: string; name: string }

const assignedRoleColumns: ListColumns = {
  filters: {},
  ordering: { pk: 'r.role_uuid', name: 'r.name' },
  search: ['r.name'],
};

/**
 * Roles holding a global grant of any of `codenames`, or (when `objectPk` is given) a grant on that object;
 * limited to `visibleRoleUuids` when given.
 * @throws InvalidPage when the page is out of range.
 * Source: authentik/rbac/api/rbac_assigned_by_roles.py RoleAssignedPermissionFilter.
 */
export async function listRolesHoldingModel(
  db: Executor,
  args: { codenames: readonly string[]; objectPk?: string; visibleRoleUuids?: string[]; query: ListQuery },
): Promise<Page<AssignedRoleRow>> {
  const codenames = args.codenames.length ? [...args.codenames] : ['-'];
  let q = db.selectFrom('role as r').where((eb) => eb.exists(eb.selectFrom('permission_grant as g').select('g.id')
    .whereRef('g.role_uuid', '=', 'r.role_uuid').where('g.codename', 'in', codenames)
    .where((e2) => (args.objectPk === undefined
      ? e2('g.object_pk', 'is', null)
      : e2.or([e2('g.object_pk', 'is', null), e2('g.object_pk', '=', args.objectPk)])))));
  if (args.visibleRoleUuids) {
    q = q.where('r.role_uuid', 'in', args.visibleRoleUuids.length ? args.visibleRoleUuids : ['00000000-0000-0000-0000-000000000000']);
  }
  return runList(applyFilters(q, assignedRoleColumns, args.query), (qb) => qb.select(['r.role_uuid', 'r.name'] as any),
    assignedRoleColumns, args.query) as Promise<Page<AssignedRoleRow>>;
}
