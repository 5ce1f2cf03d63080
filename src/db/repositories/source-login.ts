/**
 * Reads and writes the source login flow needs besides connections (which go through
 * user-source-connections.ts): the enabled OAuth source behind a slug, users matching an email or
 * username, free usernames, the enrolled user's insert, last_login, and the password form's lookup.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Executor } from '../executor.js';
import { translateConstraints } from '../errors.js';
import { likePattern } from '../list.js';
import { isSuperuserExpr } from './users.js';

/** An OAuth source with what login needs; `consumer_secret_encrypted` is still sealed. */
export interface OAuthLoginSourceRow {
  pbm_uuid: string;
  name: string;
  slug: string;
  enabled: boolean;
  user_matching_mode: string;
  user_path_template: string;
  provider_type: string;
  authorization_url: string | null;
  access_token_url: string | null;
  profile_url: string | null;
  oidc_well_known_url: string;
  oidc_jwks_url: string;
  consumer_key: string;
  consumer_secret_encrypted: string;
  additional_scopes: string;
}

const oauthColumns = [
  's.pbm_uuid', 's.name', 's.slug', 's.enabled', 's.user_matching_mode', 's.user_path_template', 'o.provider_type',
  'o.authorization_url', 'o.access_token_url', 'o.profile_url', 'o.oidc_well_known_url', 'o.oidc_jwks_url',
  'o.consumer_key', 'o.consumer_secret_encrypted', 'o.additional_scopes',
] as const;

/**
 * Finds the OAuth source with this slug (enabled or not).
 *   SELECT s.pbm_uuid, …, o.provider_type, … FROM source s JOIN oauth_source o ON o.source_id = s.pbm_uuid WHERE s.slug = $1
 */
export async function findOAuthSourceBySlug(db: Executor, slug: string): Promise<OAuthLoginSourceRow | undefined> {
  return db.selectFrom('source as s').innerJoin('oauth_source as o', 'o.source_id', 's.pbm_uuid')
    .select(oauthColumns).where('s.slug', '=', slug).where('s.kind', '=', 'oauth').executeTakeFirst();
}

/** Enabled OAuth sources for the sign-in page, by name then slug. */
export async function listEnabledOAuthSources(db: Executor): Promise<{ name: string; slug: string }[]> {
  return db.selectFrom('source as s').innerJoin('oauth_source as o', 'o.source_id', 's.pbm_uuid')
    .select(['s.name', 's.slug']).where('s.enabled', '=', true).where('s.kind', '=', 'oauth')
    .orderBy('s.name').orderBy('s.slug').execute();
}

/** A user as the login decision sees it. */
export interface LoginUserRow {
  id: number;
  username: string;
  email: string;
  is_active: boolean;
}

const loginUserColumns = ['u.id', 'u.username', 'u.email', 'u.is_active'] as const;

/** Users whose email equals `email` ignoring case (decisions F6), by pk. Uses index user_email_lower_idx. */
export async function findUsersByEmailInsensitive(db: Executor, email: string): Promise<LoginUserRow[]> {
  return db.selectFrom('user as u').select(loginUserColumns)
    .where(sql`lower(u.email)`, '=', email.toLowerCase()).orderBy('u.id').execute();
}

/** Users whose username equals `username` exactly (usernames are unique, so 0 or 1). */
export async function findUsersByUsername(db: Executor, username: string): Promise<LoginUserRow[]> {
  return db.selectFrom('user as u').select(loginUserColumns).where('u.username', '=', username).orderBy('u.id').execute();
}

/** One user by pk, as the decision sees it. */
export async function findLoginUser(db: Executor, pk: number): Promise<LoginUserRow | undefined> {
  return db.selectFrom('user as u').select(loginUserColumns).where('u.id', '=', pk).executeTakeFirst();
}

/**
 * Usernames that are `base` or start with `base-` (candidates for a collision suffix).
 *   SELECT username FROM "user" WHERE username = $1 OR username LIKE '<base>-%' ESCAPE '\'
 */
export async function usernamesLike(db: Executor, base: string): Promise<Set<string>> {
  const prefix = likePattern(base).slice(1, -1); // escaped, without the surrounding %
  const rows = await db.selectFrom('user').select('username')
    .where((eb) => eb.or([eb('username', '=', base), eb('username', 'like', `${prefix}-%`)])).execute();
  return new Set(rows.map((r) => r.username));
}

/**
 * Inserts a user created by a source enrollment: no usable password, type `external`.
 * @returns the new pk and uuid.
 * @throws UniqueViolation `{username: [...]}` when the username was taken concurrently.
 */
export async function insertEnrolledUser(
  db: Executor,
  u: { username: string; email: string; name: string; path: string; attributes: Record<string, unknown> },
): Promise<{ id: number; uuid: string }> {
  return translateConstraints(async () => {
    const uuid = randomUUID();
    const r = await db.insertInto('user').values({
      uuid, username: u.username, email: u.email, name: u.name, path: u.path, type: 'external',
      attributes: JSON.stringify(u.attributes), password: null, last_login: sql<string>`now()` as any,
    }).returning('id').executeTakeFirstOrThrow();
    return { id: r.id, uuid };
  }, { user_username_key: { username: ['A user with that username already exists.'] } });
}

/** Sets last_login to now (authentik does on every login). */
export async function touchLastLogin(db: Executor, userPk: number): Promise<void> {
  await db.updateTable('user').set({ last_login: sql<string>`now()` as any }).where('id', '=', userPk).execute();
}

/** A user for the password form: by exact username, else by email (case-insensitive) when exactly one user has it. */
export async function findUserForPasswordLogin(db: Executor, uid: string) {
  const cols = ['u.id', 'u.username', 'u.email', 'u.is_active', 'u.password', isSuperuserExpr(sql.ref('u.id')).as('is_superuser')] as const;
  const byName = await db.selectFrom('user as u').select(cols).where('u.username', '=', uid).executeTakeFirst();
  if (byName) return byName;
  const byEmail = await db.selectFrom('user as u').select(cols).where(sql`lower(u.email)`, '=', uid.toLowerCase()).where('u.email', '<>', '').limit(2).execute();
  return byEmail.length === 1 ? byEmail[0] : undefined;
}
