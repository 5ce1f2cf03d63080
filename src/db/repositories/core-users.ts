/**
 * Users as `/api/v3/core/users/` reads and writes them: the user row with its computed superuser flag,
 * its direct groups (for `groups` / `groups_obj`), membership writes and deletion (connections and
 * tokens go by ON DELETE CASCADE). The only place with this SQL.
 * Source: authentik/core/api/users.py UserViewSet / UserSerializer (2024.8).
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { ListQuery, Page } from '../../domain/list.js';
import { UniqueViolation, ValidationFailed } from '../../domain/errors.js';
import { translateConstraints } from '../errors.js';
import type { Executor } from '../executor.js';
import { applyFilters, likePattern, runList, type ListColumns } from '../list.js';
import { isSuperuserExpr } from './users.js';

export type UserType = 'internal' | 'external' | 'service_account' | 'internal_service_account';

/** One user as the API needs it. `last_login` is an ISO UTC string or null; `attributes` is parsed JSON. */
export interface UserRecord {
  id: number;
  uuid: string;
  username: string;
  name: string;
  email: string;
  is_active: boolean;
  last_login: string | null;
  path: string;
  type: UserType;
  attributes: Record<string, unknown>;
  is_superuser: boolean;
}

/** A group the user belongs to directly, with its parent's name (`UserGroup` on the wire). */
export interface UserGroupRecord {
  user_id: number;
  group_uuid: string;
  num_pk: number;
  name: string;
  is_superuser: boolean;
  parent_uuid: string | null;
  parent_name: string | null;
  attributes: Record<string, unknown>;
}

/** Wire name → SQL for user lists (`u` = user). Filters not listed here are applied by `listUsers`. */
export const userListColumns: ListColumns = {
  filters: { username: 'u.username', email: 'u.email', name: 'u.name', is_active: 'u.is_active', path: 'u.path', uuid: 'u.uuid' },
  ordering: {
    pk: 'u.id', username: 'u.username', name: 'u.name', is_active: 'u.is_active', last_login: 'u.last_login',
    email: 'u.email', path: 'u.path', type: 'u.type', uuid: 'u.uuid',
  },
  search: ['u.username', 'u.name', 'u.email'],
};

/** Filters of the user list that need more than one column comparison. All optional. */
export interface UserListExtras {
  /** Computed superuser flag (through groups and their ancestors). */
  isSuperuser?: boolean;
  /** `path LIKE prefix%` (escaped). */
  pathStartswith?: string;
  /** Any of these types. */
  types?: string[];
  /** Member of at least one group with one of these names. */
  groupsByName?: string[];
  /** Member of at least one of these groups (uuids). */
  groupsByPk?: string[];
  /** Each JSON path (`a__b` → `{a,b}`) equals the given JSON value. */
  attributes?: Array<{ path: string[]; value: unknown }>;
}

const userSelect = [
  'u.id', 'u.uuid', 'u.username', 'u.name', 'u.email', 'u.is_active', 'u.last_login', 'u.path', 'u.type', 'u.attributes',
] as const;

function selectUser(db: Executor) {
  return db.selectFrom('user as u').select([...userSelect, isSuperuserExpr(sql.ref('u.id')).as('is_superuser')]);
}

/**
 * Lists users, optionally only those with pk in `visiblePks` (non-superuser visibility).
 *   SELECT u.id, …, EXISTS(WITH RECURSIVE …) AS is_superuser FROM "user" u
 *   WHERE u.id IN (…) AND u.username = $1 AND EXISTS (SELECT 1 FROM user_group …) … ORDER BY u.username, u.id LIMIT … OFFSET …
 * @throws InvalidPage when the page is out of range.
 */
export async function listUsers(
  db: Executor,
  args: { visiblePks?: number[]; query: ListQuery; extras: UserListExtras },
): Promise<Page<UserRecord>> {
  let q: any = db.selectFrom('user as u');
  if (args.visiblePks) q = q.where('u.id', 'in', args.visiblePks.length > 0 ? args.visiblePks : [-1]);
  const x = args.extras;
  if (x.isSuperuser !== undefined) {
    const expr = isSuperuserExpr(sql.ref('u.id'));
    q = q.where(x.isSuperuser ? expr : sql<SqlBool>`NOT ${expr}`);
  }
  if (x.pathStartswith !== undefined) q = q.where(sql<SqlBool>`u.path LIKE ${likePattern(x.pathStartswith).slice(1)}`);
  if (x.types) q = q.where('u.type', 'in', x.types);
  if (x.groupsByName) {
    const names = x.groupsByName;
    q = q.where(({ exists, selectFrom }: any) => exists(selectFrom('user_group as ug').innerJoin('group as g', 'g.group_uuid', 'ug.group_uuid')
      .select(sql`1`.as('one')).whereRef('ug.user_id', '=', 'u.id').where('g.name', 'in', names)));
  }
  if (x.groupsByPk) {
    const pks = x.groupsByPk;
    q = q.where(({ exists, selectFrom }: any) => exists(selectFrom('user_group as ug')
      .select(sql`1`.as('one')).whereRef('ug.user_id', '=', 'u.id').where('ug.group_uuid', 'in', pks)));
  }
  for (const a of x.attributes ?? []) q = q.where(jsonPathEquals('u.attributes', a.path, a.value));
  const filtered = applyFilters(q, userListColumns, args.query);
  return runList(
    filtered,
    (qb) => qb.select([...userSelect, isSuperuserExpr(sql.ref('u.id')).as('is_superuser')] as any),
    userListColumns,
    args.query,
  ) as Promise<Page<UserRecord>>;
}

/** SQL: `<column> #> '{a,b}' = '<json>'::jsonb`, Django's `attributes__a__b=<value>`. */
export function jsonPathEquals(column: string, path: string[], value: unknown): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} #> ${`{${path.map((p) => `"${p.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`}::text[] = ${JSON.stringify(value)}::jsonb`;
}

/** One user by pk, or undefined. */
export async function findUser(db: Executor, pk: number): Promise<UserRecord | undefined> {
  return selectUser(db).where('u.id', '=', pk).executeTakeFirst() as Promise<UserRecord | undefined>;
}

/** Users by pk (any order; absent pks are skipped). */
export async function findUsers(db: Executor, pks: number[]): Promise<UserRecord[]> {
  if (pks.length === 0) return [];
  return selectUser(db).where('u.id', 'in', pks).execute() as Promise<UserRecord[]>;
}

/** Which of these pks exist. */
export async function existingUserPks(db: Executor, pks: number[]): Promise<Set<number>> {
  if (pks.length === 0) return new Set();
  const rows = await db.selectFrom('user').select('id').where('id', 'in', pks).execute();
  return new Set(rows.map((r) => r.id));
}

/** Which of these usernames exist. */
export async function existingUsernames(db: Executor, names: string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const rows = await db.selectFrom('user').select('username').where('username', 'in', names).execute();
  return new Set(rows.map((r) => r.username));
}

/** Is `username` taken by a user other than `exceptPk`? */
export async function usernameTaken(db: Executor, username: string, exceptPk?: number): Promise<boolean> {
  let q = db.selectFrom('user').select('id').where('username', '=', username);
  if (exceptPk !== undefined) q = q.where('id', '<>', exceptPk);
  return (await q.executeTakeFirst()) !== undefined;
}

/**
 * The direct groups of each user (ordered by group name, then uuid), keyed by user pk.
 *   SELECT ug.user_id, g.group_uuid, …, p.name AS parent_name FROM user_group ug JOIN "group" g … LEFT JOIN "group" p …
 */
export async function findUserGroups(db: Executor, userPks: number[]): Promise<Map<number, UserGroupRecord[]>> {
  const out = new Map<number, UserGroupRecord[]>(userPks.map((pk) => [pk, []]));
  if (userPks.length === 0) return out;
  const rows = await db.selectFrom('user_group as ug')
    .innerJoin('group as g', 'g.group_uuid', 'ug.group_uuid')
    .leftJoin('group as p', 'p.group_uuid', 'g.parent_uuid')
    .select(['ug.user_id', 'g.group_uuid', 'g.num_pk', 'g.name', 'g.is_superuser', 'g.parent_uuid', 'p.name as parent_name', 'g.attributes'])
    .where('ug.user_id', 'in', userPks)
    .orderBy('g.name').orderBy('g.group_uuid')
    .execute();
  for (const r of rows as UserGroupRecord[]) out.get(r.user_id)?.push(r);
  return out;
}

/**
 * Every group that reaches the user: direct groups and their ancestors (≤ 20 levels), ordered by name,
 * with attributes (for `me/`: group list and merged settings).
 */
export async function findAllGroupsOfUser(db: Executor, userPk: number): Promise<Array<{ group_uuid: string; name: string; attributes: Record<string, unknown> }>> {
  const r = await sql<{ group_uuid: string; name: string; attributes: Record<string, unknown> }>`
    WITH RECURSIVE anc(group_uuid, depth) AS (
      SELECT ug.group_uuid, 0 FROM user_group ug WHERE ug.user_id = ${userPk}
      UNION ALL
      SELECT g.parent_uuid, anc.depth + 1 FROM anc JOIN "group" g ON g.group_uuid = anc.group_uuid
      WHERE g.parent_uuid IS NOT NULL AND anc.depth < 20
    )
    SELECT g.group_uuid, g.name, g.attributes FROM "group" g WHERE g.group_uuid IN (SELECT group_uuid FROM anc)
    ORDER BY g.name, g.group_uuid`.execute(db);
  return r.rows;
}

/** Global codenames (`app.codename`) the user holds directly or through a role, for `system_permissions`. */
export async function globalCodenamesWithPrefix(db: Executor, userPk: number, prefix: string): Promise<string[]> {
  const r = await sql<{ codename: string }>`
    WITH RECURSIVE anc(group_uuid, depth) AS (
      SELECT ug.group_uuid, 0 FROM user_group ug WHERE ug.user_id = ${userPk}
      UNION ALL
      SELECT g.parent_uuid, anc.depth + 1 FROM anc JOIN "group" g ON g.group_uuid = anc.group_uuid
      WHERE g.parent_uuid IS NOT NULL AND anc.depth < 20
    )
    SELECT DISTINCT pg.codename FROM permission_grant pg
    WHERE pg.object_pk IS NULL AND pg.codename LIKE ${`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}
      AND (pg.user_id = ${userPk} OR pg.role_uuid IN (SELECT gr.role_uuid FROM anc JOIN group_role gr ON gr.group_uuid = anc.group_uuid))
    ORDER BY pg.codename`.execute(db);
  return r.rows.map((x) => x.codename);
}

/** The columns a create or update writes. `attributes` is a JSON object. */
export interface UserWrite {
  username?: string;
  name?: string;
  is_active?: boolean;
  last_login?: string | null;
  email?: string;
  attributes?: Record<string, unknown>;
  path?: string;
  type?: UserType;
}

const USERNAME_UNIQUE = { username: ['This field must be unique.'] };

/** Unique username violations (a race past the service's pre-check) as DRF's field error, without `code`. */
async function translateUser<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await translateConstraints(fn, { user_username_key: USERNAME_UNIQUE, user_uuid_key: { non_field_errors: ['Please retry.'] } });
  } catch (e) {
    if (e instanceof UniqueViolation) throw new ValidationFailed(e.fieldErrors);
    throw e;
  }
}

/**
 * Inserts a user (no usable password) and returns its pk.
 * @throws ValidationFailed `{username: ["This field must be unique."]}` on a duplicate username.
 */
export async function insertUser(db: Executor, uuid: string, w: UserWrite & { username: string }): Promise<number> {
  return translateUser(async () => {
    const r = await db.insertInto('user').values({
      uuid,
      username: w.username,
      name: w.name ?? '',
      email: w.email ?? '',
      is_active: w.is_active ?? true,
      last_login: w.last_login ?? null,
      path: w.path ?? 'users',
      type: w.type ?? 'internal',
      attributes: JSON.stringify(w.attributes ?? {}),
      password: null,
    }).returning('id').executeTakeFirstOrThrow();
    return r.id;
  });
}

/**
 * Updates the given columns of a user. @returns false when the user does not exist.
 * @throws ValidationFailed `{username: ["This field must be unique."]}` on a duplicate username.
 */
export async function updateUser(db: Executor, pk: number, w: UserWrite): Promise<boolean> {
  const set: Record<string, unknown> = { ...w };
  if (w.attributes !== undefined) set.attributes = JSON.stringify(w.attributes);
  for (const k of Object.keys(set)) if (set[k] === undefined) delete set[k];
  if (Object.keys(set).length === 0) return (await findUser(db, pk)) !== undefined;
  return translateUser(async () => {
    const r = await db.updateTable('user').set(set as any).where('id', '=', pk).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  });
}

/**
 * Replaces a user's direct group memberships with `groupUuids` (checked to exist by the caller).
 * @throws ValidationFailed `{groups: [...]}` when a group vanished meanwhile (foreign key).
 */
export async function setUserGroups(db: Executor, userPk: number, groupUuids: string[]): Promise<void> {
  let del = db.deleteFrom('user_group').where('user_id', '=', userPk);
  if (groupUuids.length > 0) del = del.where('group_uuid', 'not in', groupUuids);
  await del.execute();
  if (groupUuids.length > 0) {
    await translateConstraints(async () => {
      await db.insertInto('user_group').values(groupUuids.map((g) => ({ user_id: userPk, group_uuid: g })))
        .onConflict((oc) => oc.doNothing()).execute();
    }, { user_group_group_uuid_fkey: { groups: ['Invalid pk - object does not exist.'] } });
  }
}

/** Deletes a user; connections, tokens, memberships and grants go with it (ON DELETE CASCADE). @returns false when absent. */
export async function deleteUser(db: Executor, pk: number): Promise<boolean> {
  const r = await db.deleteFrom('user').where('id', '=', pk).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
