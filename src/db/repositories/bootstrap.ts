/** Writes made on first start (db side of domain/bootstrap.ts). */
import { randomUUID } from 'node:crypto';
import type { Executor } from '../executor.js';

/** Finds a group by name with no parent, creating it (with the superuser flag) when absent. @returns its uuid. */
export async function ensureRootGroup(db: Executor, name: string, isSuperuser: boolean): Promise<string> {
  const found = await db.selectFrom('group').select('group_uuid').where('name', '=', name).where('parent_uuid', 'is', null).executeTakeFirst();
  if (found) return found.group_uuid;
  const uuid = randomUUID();
  await db.insertInto('group').values({ group_uuid: uuid, name, is_superuser: isSuperuser, parent_uuid: null, attributes: '{}' }).execute();
  return uuid;
}

export async function findUserIdByUsername(db: Executor, username: string): Promise<number | undefined> {
  return (await db.selectFrom('user').select('id').where('username', '=', username).executeTakeFirst())?.id;
}

export async function insertBootstrapUser(db: Executor, u: { username: string; name: string; email: string; password: string | null }): Promise<number> {
  const r = await db.insertInto('user').values({
    uuid: randomUUID(), username: u.username, name: u.name, email: u.email, password: u.password, attributes: '{}', path: 'users',
  }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function addMembership(db: Executor, userId: number, groupUuid: string): Promise<void> {
  await db.insertInto('user_group').values({ user_id: userId, group_uuid: groupUuid }).onConflict((oc) => oc.doNothing()).execute();
}

/** Creates or re-keys the managed bootstrap token of a user. */
export async function upsertManagedToken(
  db: Executor,
  t: { identifier: string; managed: string; userId: number; keyHash: string; keyEncrypted: string; description: string },
): Promise<void> {
  await db.insertInto('token').values({
    token_uuid: randomUUID(), identifier: t.identifier, managed: t.managed, user_id: t.userId, intent: 'api',
    key_hash: t.keyHash, key_encrypted: t.keyEncrypted, description: t.description, expiring: false, expires: null,
  }).onConflict((oc) => oc.column('identifier').doUpdateSet({
    key_hash: t.keyHash, key_encrypted: t.keyEncrypted, user_id: t.userId, intent: 'api', expiring: false, expires: null,
  })).execute();
}

export async function findTokenKeyHash(db: Executor, identifier: string): Promise<string | undefined> {
  return (await db.selectFrom('token').select('key_hash').where('identifier', '=', identifier).executeTakeFirst())?.key_hash;
}

/** Is there a token (any identifier) with this key digest? */
export async function tokenWithKeyHashExists(db: Executor, keyHash: string): Promise<boolean> {
  return (await db.selectFrom('token').select('token_uuid').where('key_hash', '=', keyHash).executeTakeFirst()) !== undefined;
}
