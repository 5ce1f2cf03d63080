/**
 * SCIM source extras: the service-account user and API token provisioned for each SCIM source
 * (spec §4.6), and the user/token/group views its serializers nest (`token_obj`, `user_obj`,
 * `group_obj`). Token keys are stored sealed and hashed by the caller (decisions F9) and never selected.
 *
 *   SELECT t.token_uuid, …, u.id, u.username, …, <is_superuser> FROM token t JOIN "user" u ON u.id = t.user_id
 *   WHERE t.token_uuid = any($1::uuid[])
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { translateConstraints } from '../errors.js';
import type { Executor } from '../executor.js';
import { anyUuid } from './typed-sources.js';
import { isSuperuserExpr } from './users.js';

/** A group as nested user views need it (`UserGroup`). */
export interface GroupBrief {
  group_uuid: string;
  num_pk: number;
  name: string;
  is_superuser: boolean;
  parent_uuid: string | null;
  parent_name: string | null;
  attributes: unknown;
}

/** A user with its computed superuser flag and direct groups (`User` / `GroupMember`). */
export interface UserBrief {
  id: number;
  uuid: string;
  username: string;
  name: string;
  email: string;
  is_active: boolean;
  last_login: string | null;
  path: string;
  type: string;
  attributes: unknown;
  is_superuser: boolean;
  groups: GroupBrief[];
}

/** An API token without its key, with its user. */
export interface TokenBrief {
  token_uuid: string;
  managed: string | null;
  identifier: string;
  intent: string;
  user_id: number;
  description: string;
  expires: string | null;
  expiring: boolean;
  user: UserBrief;
}

/**
 * Creates the service account (`ak-source-scim-<pk>`) and its non-expiring API token for a SCIM source
 * and links the token to the source, in the caller's transaction.
 * @returns the user pk and token uuid.
 * @throws UniqueViolation (non_field_errors) when a user or token with that name already exists.
 */
export async function insertScimServiceAccount(
  db: Executor,
  args: { sourcePk: string; username: string; name: string; path: string; type: 'service_account'; managed: string; keyHash: string; keyEncrypted: string },
): Promise<{ userPk: number; tokenUuid: string }> {
  // A user or token already named like this (made by hand) would break the insert: answer 400, not 500.
  const taken = { non_field_errors: [`A user or token named ${args.username} already exists.`] };
  return translateConstraints(() => insertAccount(db, args), { user_username_key: taken, token_identifier_key: taken, token_managed_key: taken });
}

async function insertAccount(
  db: Executor,
  args: { sourcePk: string; username: string; name: string; path: string; type: 'service_account'; managed: string; keyHash: string; keyEncrypted: string },
): Promise<{ userPk: number; tokenUuid: string }> {
  const user = await db.insertInto('user').values({
    uuid: randomUUID(), username: args.username, name: args.name, type: args.type, path: args.path, attributes: '{}', password: null,
  }).returning('id').executeTakeFirstOrThrow();
  const tokenUuid = randomUUID();
  await db.insertInto('token').values({
    token_uuid: tokenUuid, identifier: args.username, key_hash: args.keyHash, key_encrypted: args.keyEncrypted, intent: 'api',
    user_id: user.id, description: '', expires: null, expiring: false, managed: args.managed,
  }).execute();
  await db.updateTable('scim_source').set({ token_id: tokenUuid }).where('source_id', '=', args.sourcePk).execute();
  return { userPk: user.id, tokenUuid };
}

/**
 * Deletes a SCIM source's service account: its token (by identifier, intent api) and its user (by
 * username, type service_account), as authentik's pre_delete signal does.
 * @returns what was deleted, for audit events.
 */
export async function deleteScimServiceAccount(db: Executor, identifier: string): Promise<{ tokens: { token_uuid: string }[]; users: { id: number }[] }> {
  const tokens = await db.deleteFrom('token').where('identifier', '=', identifier).where('intent', '=', 'api').returning('token_uuid').execute();
  const users = await db.deleteFrom('user').where('username', '=', identifier).where('type', '=', 'service_account').returning('id').execute();
  return { tokens, users };
}

/** Users by pk with superuser flag and direct groups. @returns pk → user. */
export async function findUserBriefs(db: Executor, pks: readonly number[]): Promise<Map<number, UserBrief>> {
  const out = new Map<number, UserBrief>();
  if (pks.length === 0) return out;
  const users = await db.selectFrom('user as u')
    .select(['u.id', 'u.uuid', 'u.username', 'u.name', 'u.email', 'u.is_active', 'u.last_login', 'u.path', 'u.type', 'u.attributes',
      isSuperuserExpr(sql.ref('u.id')).as('is_superuser')])
    .where('u.id', 'in', [...new Set(pks)]).execute();
  const groups = await db.selectFrom('user_group as ug')
    .innerJoin('group as g', 'g.group_uuid', 'ug.group_uuid')
    .leftJoin('group as p', 'p.group_uuid', 'g.parent_uuid')
    .select(['ug.user_id', 'g.group_uuid', 'g.num_pk', 'g.name', 'g.is_superuser', 'g.parent_uuid', 'p.name as parent_name', 'g.attributes'])
    .where('ug.user_id', 'in', [...new Set(pks)])
    .orderBy('g.name').orderBy('g.group_uuid').execute();
  for (const u of users) out.set(u.id, { ...(u as Omit<UserBrief, 'groups'>), groups: [] });
  for (const { user_id: userId, ...g } of groups) out.get(userId)?.groups.push(g as GroupBrief);
  return out;
}

/** Groups by uuid with their parent's name. @returns uuid → group. */
export async function findGroupBriefs(db: Executor, uuids: readonly string[]): Promise<Map<string, GroupBrief>> {
  const out = new Map<string, GroupBrief>();
  if (uuids.length === 0) return out;
  const rows = await db.selectFrom('group as g').leftJoin('group as p', 'p.group_uuid', 'g.parent_uuid')
    .select(['g.group_uuid', 'g.num_pk', 'g.name', 'g.is_superuser', 'g.parent_uuid', 'p.name as parent_name', 'g.attributes'])
    .where('g.group_uuid', '=', anyUuid(uuids)).execute();
  for (const r of rows) out.set(r.group_uuid, r as GroupBrief);
  return out;
}

/** Tokens (without keys) with their users. @returns token uuid → token. */
export async function findTokenBriefs(db: Executor, tokenUuids: readonly string[]): Promise<Map<string, TokenBrief>> {
  const out = new Map<string, TokenBrief>();
  if (tokenUuids.length === 0) return out;
  const rows = await db.selectFrom('token')
    .select(['token_uuid', 'managed', 'identifier', 'intent', 'user_id', 'description', 'expires', 'expiring'])
    .where('token_uuid', '=', anyUuid(tokenUuids)).execute();
  const users = await findUserBriefs(db, rows.map((r) => r.user_id));
  for (const r of rows) {
    const user = users.get(r.user_id);
    if (user) out.set(r.token_uuid, { ...r, user });
  }
  return out;
}
