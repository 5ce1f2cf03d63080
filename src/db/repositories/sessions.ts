/**
 * Browser sessions (table `session`). Rows are found by the keyed digest of the cookie's key; the key
 * itself is never stored. The only place with session SQL.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Executor } from '../executor.js';
import { isSuperuserExpr } from './users.js';

/** A live session joined with what an Actor needs from its user. */
export interface SessionUserRow {
  uuid: string;
  user_id: number;
  username: string;
  email: string;
  is_active: boolean;
  is_superuser: boolean;
  expires: string;
}

/**
 * Inserts a session expiring `ttlSeconds` from now (database clock) and drops expired rows.
 *   INSERT INTO session (uuid, session_key_hash, user_id, expires, …) VALUES (…, now() + $ttl * interval '1 second')
 * @returns the new row's uuid.
 */
export async function insertSession(
  db: Executor,
  s: { keyHash: string; userPk: number; ttlSeconds: number; ip: string | null; userAgent: string },
): Promise<string> {
  await db.deleteFrom('session').where('expires', '<', sql<string>`now()`).execute();
  const uuid = randomUUID();
  await db.insertInto('session').values({
    uuid,
    session_key_hash: s.keyHash,
    user_id: s.userPk,
    expires: sql<string>`now() + ${s.ttlSeconds} * interval '1 second'` as any,
    last_ip: s.ip,
    last_user_agent: s.userAgent.slice(0, 512),
  }).execute();
  return uuid;
}

/**
 * Finds an unexpired session by key digest, with its user (active flag and computed superuser).
 *   SELECT s.uuid, u.id, u.username, … FROM session s JOIN "user" u ON u.id = s.user_id
 *   WHERE s.session_key_hash = $1 AND s.expires > now()
 */
export async function findLiveSession(db: Executor, keyHash: string): Promise<SessionUserRow | undefined> {
  return db.selectFrom('session as s').innerJoin('user as u', 'u.id', 's.user_id')
    .select(['s.uuid', 's.user_id', 'u.username', 'u.email', 'u.is_active', 's.expires', isSuperuserExpr(sql.ref('u.id')).as('is_superuser')])
    .where('s.session_key_hash', '=', keyHash)
    .where('s.expires', '>', sql<string>`now()`)
    .executeTakeFirst();
}

/** Deletes the session with this key digest. @returns false when there was none. */
export async function deleteSessionByKeyHash(db: Executor, keyHash: string): Promise<boolean> {
  const r = await db.deleteFrom('session').where('session_key_hash', '=', keyHash).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
