/**
 * Resolves credentials to an Actor. API tokens: the key's keyed digest (decisions F9) must match a
 * live `api` token whose user is active. Source: authentik/api/authentication.py auth_user_lookup.
 */
import { findLiveApiToken } from '../db/repositories/tokens.js';
import type { Actor } from './actor.js';
import type { Deps } from './deps.js';

/** @returns the token's user as an Actor, or undefined for unknown, expired, wrong-intent or inactive. */
export async function actorFromToken(deps: Deps, key: string, clientIp: string): Promise<Actor | undefined> {
  if (key.length > 512) return undefined;
  const row = await findLiveApiToken(deps.db, deps.secrets.digest(key));
  if (!row || !row.is_active) return undefined;
  return { userPk: row.user_id, username: row.username, email: row.email, isSuperuser: row.is_superuser, via: 'token', clientIp };
}
