/**
 * RBAC roles and their attachment to groups (group_role). The only place with their SQL.
 * Source: authentik/rbac/models.py Role (in 2024.8 a role is attached to groups; members of a group
 * hold the role's permissions).
 */
import { randomUUID } from 'node:crypto';
import type { ListQuery, Page } from '../../domain/list.js';
import { translateConstraints } from '../errors.js';
import type { Executor } from '../executor.js';
import { applyFilters, runList, type ListColumns } from '../list.js';

/** A role row. */
export interface RoleRow { role_uuid: string; name: string }

/**
 * Wire name → SQL for `/rbac/roles/`. authentik filters, searches and orders by the role's backing
 * Django group name, which is the role name.
 */
export const roleListColumns: ListColumns = {
  filters: { group__name: 'r.name' },
  ordering: { pk: 'r.role_uuid', name: 'r.name', group__name: 'r.name' },
  search: ['r.name'],
};

/** Field errors for role constraints. */
const roleConstraints = { role_name_key: { name: ['Role with this name already exists.'] } };

/**
 * Lists roles, limited to `visiblePks` when given.
 *   SELECT r.role_uuid, r.name FROM role r WHERE r.role_uuid IN (…) AND r.name = $1 ORDER BY r.name, r.role_uuid LIMIT …
 * @throws InvalidPage when the page is out of range.
 */
export async function listRoles(db: Executor, args: { visiblePks?: string[]; query: ListQuery }): Promise<Page<RoleRow>> {
  let q = db.selectFrom('role as r');
  if (args.visiblePks) q = q.where('r.role_uuid', 'in', args.visiblePks.length ? args.visiblePks : [randomUUID()]);
  return runList(applyFilters(q, roleListColumns, args.query), (qb) => qb.select(['r.role_uuid', 'r.name'] as any),
    roleListColumns, args.query) as Promise<Page<RoleRow>>;
}

/** Finds a role by uuid (lower-case canonical form); undefined when absent. */
export async function findRole(db: Executor, uuid: string): Promise<RoleRow | undefined> {
  return db.selectFrom('role').select(['role_uuid', 'name']).where('role_uuid', '=', uuid).executeTakeFirst();
}

/** Inserts a role. @throws UniqueViolation `{name: […]}` when the name is taken. */
export async function insertRole(db: Executor, name: string): Promise<RoleRow> {
  return translateConstraints(
    () => db.insertInto('role').values({ role_uuid: randomUUID(), name }).returning(['role_uuid', 'name']).executeTakeFirstOrThrow(),
    roleConstraints,
  );
}

/** Renames a role. @throws UniqueViolation `{name: […]}` when the name is taken. @returns the row, undefined when absent. */
export async function updateRole(db: Executor, uuid: string, name: string): Promise<RoleRow | undefined> {
  return translateConstraints(
    () => db.updateTable('role').set({ name }).where('role_uuid', '=', uuid).returning(['role_uuid', 'name']).executeTakeFirst(),
    roleConstraints,
  );
}

/** Deletes a role; its grants and group attachments go with it (ON DELETE CASCADE). @returns false when absent. */
export async function deleteRole(db: Executor, uuid: string): Promise<boolean> {
  const r = await db.deleteFrom('role').where('role_uuid', '=', uuid).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/**
 * Attaches a role to a group (members of the group, and of its descendants, then hold the role's
 * grants). Attaching twice is a no-op. For the groups API and tests.
 *   INSERT INTO group_role (group_uuid, role_uuid) VALUES ($1, $2) ON CONFLICT DO NOTHING
 */
export async function attachRoleToGroup(db: Executor, groupUuid: string, roleUuid: string): Promise<void> {
  await db.insertInto('group_role').values({ group_uuid: groupUuid, role_uuid: roleUuid })
    .onConflict((oc) => oc.columns(['group_uuid', 'role_uuid']).doNothing()).execute();
}

/** Detaches a role from a group. @returns false when it was not attached. */
export async function detachRoleFromGroup(db: Executor, groupUuid: string, roleUuid: string): Promise<boolean> {
  const r = await db.deleteFrom('group_role').where('group_uuid', '=', groupUuid).where('role_uuid', '=', roleUuid).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Groups the role is attached to, by name. */
export async function groupsOfRole(db: Executor, roleUuid: string): Promise<Array<{ group_uuid: string; name: string }>> {
  return db.selectFrom('group_role as gr').innerJoin('group as g', 'g.group_uuid', 'gr.group_uuid')
    .select(['g.group_uuid', 'g.name']).where('gr.role_uuid', '=', roleUuid).orderBy('g.name').orderBy('g.group_uuid').execute();
}
