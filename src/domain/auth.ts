/**
 * Resolves credentials to an Actor. API tokens: the key's keyed digest (decisions F9) must match a
 * live `api` token whose user is active. Source: authentik/api/authentication.py auth_user_lookup.
 *
 * Speculative authentication (bench/README.md "Authentication"): a successful lookup is remembered
 * per key digest. Routes that opt in get the remembered actor marked `unverified` instead of a lookup,
 * and their statements re-check it in the same snapshot as the data they read or write
 * (`credentialCheck` in db/repositories/tokens.ts): the token is still live, its user active, and
 * username, email and superuser flag unchanged. A failed re-check throws StaleCredential; the route
 * (http/route-helpers.ts `withActor`) then looks the token up again and runs once more. So a deleted or expired token, a deactivated user
 * or a changed superuser flag take effect on the very next request, exactly as without the cache,
 * while a request costs one round trip to PostgreSQL instead of two.
 */
import { findLiveApiToken, type CredentialCheck } from '../db/repositories/tokens.js';
import type { Actor } from './actor.js';
import type { Deps } from './deps.js';
import { StaleCredential } from './errors.js';

/** Keys longer than this are never looked up (no stored key is that long). */
const MAX_KEY_LENGTH = 512;

/** @returns the token's user as an Actor, or undefined for unknown, expired, wrong-intent or inactive. */
async function lookup(deps: Deps, keyHash: string, clientIp: string): Promise<Actor | undefined> {
  const row = await findLiveApiToken(deps.db, keyHash);
  if (!row || !row.is_active) return undefined;
  return { userPk: row.user_id, username: row.username, email: row.email, isSuperuser: row.is_superuser, via: 'token', clientIp };
}

type CachedActor = Pick<Actor, 'userPk' | 'username' | 'email' | 'isSuperuser'>;

/** Token authentication with the speculative cache described above. */
export interface TokenAuthenticator {
  /**
   * The actor of bearer key `key`. With `speculative`, a remembered actor is returned without a
   * lookup, marked `unverified`. @returns undefined for an unknown/expired/inactive token.
   */
  resolve(key: string, clientIp: string, speculative: boolean): Promise<Actor | undefined>;
}

/**
 * @param cacheSize remembered key digests at most (oldest forgotten first); 0 disables speculation.
 */
export function createTokenAuthenticator(deps: Deps, cacheSize = 10_000): TokenAuthenticator {
  const cache = new Map<string, CachedActor>();
  const remember = (keyHash: string, a: Actor | undefined) => {
    cache.delete(keyHash);
    if (!a || cacheSize <= 0) return;
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
    cache.set(keyHash, { userPk: a.userPk, username: a.username, email: a.email, isSuperuser: a.isSuperuser });
  };
  return {
    async resolve(key, clientIp, speculative) {
      if (key.length > MAX_KEY_LENGTH) return undefined;
      const keyHash = deps.secrets.digest(key);
      const known = speculative ? cache.get(keyHash) : undefined;
      if (known) return { ...known, via: 'token', clientIp, unverified: { keyHash } };
      const actor = await lookup(deps, keyHash, clientIp);
      remember(keyHash, actor);
      return actor;
    },
  };
}

/**
 * `actor` checked against the database now: verified actors are returned as they are; an `unverified`
 * one is looked up again (for code paths whose statements do not re-check it themselves).
 * @throws StaleCredential when the token no longer authenticates that same actor.
 */
export async function verifiedActor(deps: Deps, actor: Actor): Promise<Actor> {
  if (!actor.unverified) return actor;
  const fresh = await lookup(deps, actor.unverified.keyHash, actor.clientIp);
  if (!fresh || fresh.userPk !== actor.userPk || fresh.username !== actor.username || fresh.email !== actor.email
    || fresh.isSuperuser !== actor.isSuperuser) throw new StaleCredential();
  return fresh;
}

/** `actor` as statement parameters for `credentialCheck`: all null for a verified actor (nothing to re-check). */
export function credentialCheckOf(actor: Actor | undefined): CredentialCheck {
  if (!actor?.unverified) return { authKey: null, authUser: null, authUsername: null, authEmail: null, authSuperuser: null };
  return { authKey: actor.unverified.keyHash, authUser: actor.userPk, authUsername: actor.username, authEmail: actor.email, authSuperuser: actor.isSuperuser };
}
