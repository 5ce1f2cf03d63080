/**
 * API token lookup for authentication. Tokens are found by keyed digest of the key (decisions F9);
 * the stored key itself is encrypted.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../executor.js';
import { preparedStatement } from '../prepared.js';
import { isSuperuserExpr } from './users.js';

/** What authentication needs from a live API token and its user. */
export interface TokenAuthRow {
  user_id: number;
  username: string;
  email: string;
  is_active: boolean;
  is_superuser: boolean;
}

/** What makes token `t` usable for API authentication: intent `api`, not expired. One definition for both checks. */
const LIVE_API_TOKEN = sql<boolean>`(t.intent = 'api' AND (NOT t.expiring OR t.expires IS NULL OR t.expires > now()))`;

/**
 * One statement: the live (`intent = api`, unexpired) token with this key digest, its user and the
 * user's computed superuser flag.
 *   SELECT u.id, …, EXISTS(WITH RECURSIVE …) FROM token t JOIN "user" u ON u.id = t.user_id
 *   WHERE t.key_hash = $1 AND t.intent = 'api' AND (NOT t.expiring OR t.expires IS NULL OR t.expires > now())
 * Source: authentik/api/authentication.py auth_user_lookup (expired tokens count as absent).
 */
export async function findLiveApiToken(db: Executor, keyHash: string): Promise<TokenAuthRow | undefined> {
  const [row] = await liveApiToken.execute(db, { keyHash });
  return row;
}

// Every authenticated request runs this: compiled once, a named prepared statement.
const liveApiToken = preparedStatement('token_live_api', (db, p: { keyHash: string }) => db.selectFrom('token as t')
  .innerJoin('user as u', 'u.id', 't.user_id')
  .select(['u.id as user_id', 'u.username', 'u.email', 'u.is_active', isSuperuserExpr(sql.ref('u.id')).as('is_superuser')])
  .where('t.key_hash', '=', p.keyHash)
  .where(LIVE_API_TOKEN));


/**
 * What a statement re-checks for a speculative actor (domain/auth.ts): the key digest and the actor's
 * fields as remembered. All null for a verified actor: nothing is checked then.
 */
export type CredentialCheck = {
  authKey: string | null;
  authUser: number | null;
  authUsername: string | null;
  authEmail: string | null;
  authSuperuser: boolean | null;
};

/**
 * SQL boolean: true when `p.authKey` is null (verified actor), or when the token with that digest is
 * still a live `api` token of the active user `p.authUser` whose username, email and superuser flag
 * are still the remembered ones — `findLiveApiToken`'s conditions, evaluated in the caller's snapshot.
 * Hot statements add it as a column (`auth_ok`) or a WHERE condition, so a speculative request costs
 * one round trip; false makes the caller throw StaleCredential.
 *   ($1::text IS NULL OR EXISTS (SELECT 1 FROM token t JOIN "user" u … WHERE t.key_hash = $1 AND … AND u.id = $2 …))
 * `p` holds the statement's parameter placeholders (preparedStatement).
 */
export function credentialCheck(p: CredentialCheck): RawBuilder<boolean> {
  return sql<boolean>`(${p.authKey}::text IS NULL OR EXISTS (
    SELECT 1 FROM token t JOIN "user" u ON u.id = t.user_id
    WHERE t.key_hash = ${p.authKey}::text AND ${LIVE_API_TOKEN}
      AND u.id = ${p.authUser}::int AND u.is_active
      AND u.username = ${p.authUsername}::text AND u.email = ${p.authEmail}::text
      AND ${isSuperuserExpr(sql.ref('u.id'))} = ${p.authSuperuser}::bool))`;
}
