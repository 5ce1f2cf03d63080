/**
 * Groups as `/api/v3/core/groups/` reads and writes them: the group row with its parent's name, its
 * members, its roles; membership and role writes; superuser reach (a group grants superuser when it or
 * an ancestor has the flag). The only place with this SQL.
 * Source: authentik/core/api/groups.py GroupViewSet / GroupSerializer (2024.8).
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { ListQuery, Page } from '../../domain/list.js';
import { UniqueViolation, ValidationFailed } from '../../domain/errors.js';
import { translateConstraints, type ConstraintMessages } from '../errors.js';
import type { Executor } from '../executor.js';
import { applyFilters, runList, type ListColumns } from '../list.js';
import { jsonPathEquals } from './core-users.js';

/** One group as the API needs it; `attributes` is parsed JSON. */
export interface GroupRecord {
  group_uuid: string;
  num_pk: number;
  name: string;
  is_superuser: boolean;
  parent_uuid: string | null;
  parent_name: string | null;
  attributes: Record<string, unknown>;
}

/** A member as `GroupMember` needs it. */
export interface GroupMemberRecord {
  group_uuid: string;
  id: number;
  username: string;
  name: string;
  is_active: boolean;
  last_login: string | null;
  email: string;
  attributes: Record<string, unknown>;
}

export interface GroupRoleRecord { group_uuid: string; role_uuid: string; name: string }

/** Wire name → SQL for group lists (`g` = group, `p` = its parent). */
export const groupListColumns: ListColumns = {
  filters: { name: 'g.name', is_superuser: 'g.is_superuser' },
  ordering: { pk: 'g.group_uuid', num_pk: 'g.num_pk', name: 'g.name', is_superuser: 'g.is_superuser', parent: 'g.parent_uuid' },
  search: ['g.name'],
};

/** Group list filters beyond exact columns. */
export interface GroupListExtras {
  /** Has at least one of these users (pks) as a direct member. */
  membersByPk?: number[];
  /** Has at least one of these users (usernames) as a direct member. */
  membersByUsername?: string[];
  /** Each JSON path equals the given JSON value. */
  attributes?: Array<{ path: string[]; value: unknown }>;
}

const groupSelect = ['g.group_uuid', 'g.num_pk', 'g.name', 'g.is_superuser', 'g.parent_uuid', 'p.name as parent_name', 'g.attributes'] as const;

function baseQuery(db: Executor) {
  return db.selectFrom('group as g').leftJoin('group as p', 'p.group_uuid', 'g.parent_uuid');
}

/**
 * Lists groups, optionally only those in `visiblePks` (uuids).
 *   SELECT g.group_uuid, …, p.name AS parent_name FROM "group" g LEFT JOIN "group" p ON … WHERE … ORDER BY g.name, g.group_uuid
 * @throws InvalidPage when the page is out of range.
 */
export async function listGroups(
  db: Executor,
  args: { visiblePks?: string[]; query: ListQuery; extras: GroupListExtras },
): Promise<Page<GroupRecord>> {
  let q: any = baseQuery(db);
  if (args.visiblePks) q = q.where('g.group_uuid', 'in', args.visiblePks.length > 0 ? args.visiblePks : ['00000000-0000-0000-0000-000000000000']);
  const x = args.extras;
  if (x.membersByPk) {
    const pks = x.membersByPk;
    q = q.where(({ exists, selectFrom }: any) => exists(selectFrom('user_group as ug').select(sql`1`.as('one'))
      .whereRef('ug.group_uuid', '=', 'g.group_uuid').where('ug.user_id', 'in', pks)));
  }
  if (x.membersByUsername) {
    const names = x.membersByUsername;
    q = q.where(({ exists, selectFrom }: any) => exists(selectFrom('user_group as ug').innerJoin('user as u', 'u.id', 'ug.user_id')
      .select(sql`1`.as('one')).whereRef('ug.group_uuid', '=', 'g.group_uuid').where('u.username', 'in', names)));
  }
  for (const a of x.attributes ?? []) q = q.where(jsonPathEquals('g.attributes', a.path, a.value));
  const filtered = applyFilters(q, groupListColumns, args.query);
  return runList(filtered, (qb) => qb.select(groupSelect as any), groupListColumns, args.query) as Promise<Page<GroupRecord>>;
}

/** One group by uuid (caller validated the uuid's format), or undefined. */
export async function findGroup(db: Executor, uuid: string): Promise<GroupRecord | undefined> {
  return baseQuery(db).select(groupSelect).where('g.group_uuid', '=', uuid).executeTakeFirst() as Promise<GroupRecord | undefined>;
}

/** Which of these uuids are groups. */
export async function existingGroupUuids(db: Executor, uuids: string[]): Promise<Set<string>> {
  if (uuids.length === 0) return new Set();
  const rows = await db.selectFrom('group').select('group_uuid').where('group_uuid', 'in', uuids).execute();
  return new Set(rows.map((r) => r.group_uuid));
}

/** Which of these names are group names. */
export async function existingGroupNames(db: Executor, names: string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const rows = await db.selectFrom('group').select('name').where('name', 'in', names).execute();
  return new Set(rows.map((r) => r.name));
}

/** Which of these uuids are roles. */
export async function existingRoleUuids(db: Executor, uuids: string[]): Promise<Set<string>> {
  if (uuids.length === 0) return new Set();
  const rows = await db.selectFrom('role').select('role_uuid').where('role_uuid', 'in', uuids).execute();
  return new Set(rows.map((r) => r.role_uuid));
}

/** SQL boolean: does the group `uuid` (a parameter or column) or one of its ancestors (≤ 20 levels) have is_superuser? */
export function grantsSuperuserExpr(uuid: RawBuilder<string> | ReturnType<typeof sql.ref> | string): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (
    WITH RECURSIVE anc(group_uuid, depth) AS (
      SELECT ${uuid}::uuid, 0
      UNION ALL
      SELECT g.parent_uuid, anc.depth + 1 FROM anc JOIN "group" g ON g.group_uuid = anc.group_uuid
      WHERE g.parent_uuid IS NOT NULL AND anc.depth < 20
    )
    SELECT 1 FROM anc JOIN "group" g2 ON g2.group_uuid = anc.group_uuid WHERE g2.is_superuser
  )`;
}

/** Of these group uuids, those that make their members superusers (own flag or an ancestor's). */
export async function groupsGrantingSuperuser(db: Executor, uuids: string[]): Promise<Set<string>> {
  if (uuids.length === 0) return new Set();
  const rows = await db.selectFrom('group as g').select('g.group_uuid')
    .where('g.group_uuid', 'in', uuids).where(grantsSuperuserExpr(sql.ref('g.group_uuid')) as RawBuilder<SqlBool>).execute();
  return new Set(rows.map((r) => r.group_uuid));
}

/** Is `candidate` a descendant of `ancestor` (following parent links, ≤ 50 levels)? */
export async function isDescendant(db: Executor, ancestor: string, candidate: string): Promise<boolean> {
  const r = await sql<{ one: number }>`
    WITH RECURSIVE d(group_uuid, depth) AS (
      SELECT group_uuid, 0 FROM "group" WHERE parent_uuid = ${ancestor}::uuid
      UNION ALL
      SELECT g.group_uuid, d.depth + 1 FROM d JOIN "group" g ON g.parent_uuid = d.group_uuid WHERE d.depth < 50
    )
    SELECT 1 AS one FROM d WHERE group_uuid = ${candidate}::uuid LIMIT 1`.execute(db);
  return r.rows.length > 0;
}

/** Direct members of each group, ordered by username, keyed by group uuid. */
export async function findGroupMembers(db: Executor, uuids: string[]): Promise<Map<string, GroupMemberRecord[]>> {
  const out = new Map<string, GroupMemberRecord[]>(uuids.map((u) => [u, []]));
  if (uuids.length === 0) return out;
  const rows = await db.selectFrom('user_group as ug').innerJoin('user as u', 'u.id', 'ug.user_id')
    .select(['ug.group_uuid', 'u.id', 'u.username', 'u.name', 'u.is_active', 'u.last_login', 'u.email', 'u.attributes'])
    .where('ug.group_uuid', 'in', uuids).orderBy('u.username').execute();
  for (const r of rows as GroupMemberRecord[]) out.get(r.group_uuid)?.push(r);
  return out;
}

/** Roles of each group, ordered by name, keyed by group uuid. */
export async function findGroupRoles(db: Executor, uuids: string[]): Promise<Map<string, GroupRoleRecord[]>> {
  const out = new Map<string, GroupRoleRecord[]>(uuids.map((u) => [u, []]));
  if (uuids.length === 0) return out;
  const rows = await db.selectFrom('group_role as gr').innerJoin('role as r', 'r.role_uuid', 'gr.role_uuid')
    .select(['gr.group_uuid', 'r.role_uuid', 'r.name']).where('gr.group_uuid', 'in', uuids).orderBy('r.name').execute();
  for (const r of rows) out.get(r.group_uuid)?.push(r);
  return out;
}

/** The columns a create or update writes. */
export interface GroupWrite {
  name?: string;
  is_superuser?: boolean;
  parent_uuid?: string | null;
  attributes?: Record<string, unknown>;
}

const GROUP_CONSTRAINTS = {
  group_name_parent_key: { non_field_errors: ['The fields name, parent must make a unique set.'] },
  group_parent_uuid_fkey: { parent: ['Invalid pk - object does not exist.'] },
};

/** Constraint violations as DRF's validation body (UniqueTogetherValidator sends no `code`). */
async function translateGroup<T>(fn: () => Promise<T>, messages: ConstraintMessages = GROUP_CONSTRAINTS): Promise<T> {
  try {
    return await translateConstraints(fn, messages);
  } catch (e) {
    if (e instanceof UniqueViolation) throw new ValidationFailed(e.fieldErrors);
    throw e;
  }
}

/** Inserts a group. @throws ValidationFailed on a duplicate (name, parent) or a vanished parent. */
export async function insertGroup(db: Executor, uuid: string, w: GroupWrite & { name: string }): Promise<void> {
  await translateGroup(async () => {
    await db.insertInto('group').values({
      group_uuid: uuid, name: w.name, is_superuser: w.is_superuser ?? false, parent_uuid: w.parent_uuid ?? null,
      attributes: JSON.stringify(w.attributes ?? {}),
    }).execute();
  });
}

/** Updates the given columns. @throws ValidationFailed on a duplicate (name, parent) or a vanished parent. */
export async function updateGroup(db: Executor, uuid: string, w: GroupWrite): Promise<void> {
  const set: Record<string, unknown> = { ...w };
  if (w.attributes !== undefined) set.attributes = JSON.stringify(w.attributes);
  for (const k of Object.keys(set)) if (set[k] === undefined) delete set[k];
  if (Object.keys(set).length === 0) return;
  await translateGroup(async () => {
    await db.updateTable('group').set(set as any).where('group_uuid', '=', uuid).execute();
  });
}

/** Replaces a group's direct members with `userPks` (checked by the caller; a vanished one → ValidationFailed). */
export async function setGroupUsers(db: Executor, uuid: string, userPks: number[]): Promise<void> {
  let del = db.deleteFrom('user_group').where('group_uuid', '=', uuid);
  if (userPks.length > 0) del = del.where('user_id', 'not in', userPks);
  await del.execute();
  if (userPks.length > 0) {
    await translateConstraints(async () => {
      await db.insertInto('user_group').values(userPks.map((u) => ({ user_id: u, group_uuid: uuid }))).onConflict((oc) => oc.doNothing()).execute();
    }, { user_group_user_id_fkey: { users: ['Invalid pk - object does not exist.'] } });
  }
}

/** Replaces a group's roles with `roleUuids` (checked by the caller; a vanished one → ValidationFailed). */
export async function setGroupRoles(db: Executor, uuid: string, roleUuids: string[]): Promise<void> {
  let del = db.deleteFrom('group_role').where('group_uuid', '=', uuid);
  if (roleUuids.length > 0) del = del.where('role_uuid', 'not in', roleUuids);
  await del.execute();
  if (roleUuids.length > 0) {
    await translateConstraints(async () => {
      await db.insertInto('group_role').values(roleUuids.map((r) => ({ group_uuid: uuid, role_uuid: r }))).onConflict((oc) => oc.doNothing()).execute();
    }, { group_role_role_uuid_fkey: { roles: ['Invalid pk - object does not exist.'] } });
  }
}

/** Current role uuids of a group. */
export async function groupRoleUuids(db: Executor, uuid: string): Promise<string[]> {
  const rows = await db.selectFrom('group_role').select('role_uuid').where('group_uuid', '=', uuid).execute();
  return rows.map((r) => r.role_uuid);
}

/**
 * Deletes a group: its children's parent becomes NULL, its memberships and role links go.
 * @returns false when absent.
 * @throws ValidationFailed when a child would become a top-level group with the name of an existing one
 * (unique (name, parent) with NULLs not distinct).
 */
export async function deleteGroup(db: Executor, uuid: string): Promise<boolean> {
  return translateGroup(async () => {
    const r = await db.deleteFrom('group').where('group_uuid', '=', uuid).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }, {
    group_name_parent_key: {
      non_field_errors: ['A child group of this group has the same name as an existing top-level group; rename or move it first.'],
    },
  });
}
