/**
 * Browser sessions: created when someone signs in (through a source or with a password), resolved
 * from the `authentik_session` cookie on later requests, ended by signing out.
 *
 * - The cookie holds a random 256-bit key; the database holds only its keyed digest (decisions F9).
 * - Sessions expire `sessionTtlSeconds` after creation (no sliding renewal).
 * - A session of an inactive user resolves to nobody (permissions.md §1).
 * - The CSRF token of a session is derived from its key (HMAC under the server secret), so it cannot
 *   be chosen by whoever can plant a cookie, and needs no storage.
 *
 * Source: authentik/core/models.py AuthenticatedSession; Django sessions and CSRF as configured in
 * authentik/root/settings.py (cookie `authentik_session`, header `X-authentik-CSRF`).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { insertEvent } from '../../db/repositories/events.js';
import { deleteSessionByKeyHash, findLiveSession, insertSession } from '../../db/repositories/sessions.js';
import { findUserForPasswordLogin, touchLastLogin } from '../../db/repositories/source-login.js';
import type { Executor } from '../../db/executor.js';
import type { Actor } from '../actor.js';
import type { Deps } from '../deps.js';
import { hashPassword, verifyPassword } from '../passwords.js';

/** A new random session key (43 URL-safe characters). */
export function newSessionKey(): string {
  return randomBytes(32).toString('base64url');
}

/** Keys longer than this are not looked up (no valid key is). */
const MAX_KEY_LENGTH = 128;

/** The CSRF token bound to a session key: what the `X-authentik-CSRF` header and form fields must carry. */
export function csrfTokenFor(deps: Deps, sessionKey: string): string {
  return deps.secrets.digest(`csrf:${sessionKey}`);
}

/** Constant-time string equality (false for different lengths). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A new session, to be set as cookies by the http layer. */
export interface NewSession {
  key: string;
  csrfToken: string;
  ttlSeconds: number;
}

/**
 * Creates a session for `userPk` in the caller's transaction and, when `previousKey` is given,
 * deletes that one (a sign-in always gets a fresh key: no session fixation).
 */
export async function startSession(
  tx: Executor,
  deps: Deps,
  s: { userPk: number; ttlSeconds: number; ip: string | null; userAgent: string; previousKey?: string },
): Promise<NewSession> {
  if (s.previousKey) await deleteSessionByKeyHash(tx, deps.secrets.digest(s.previousKey));
  const key = newSessionKey();
  await insertSession(tx, { keyHash: deps.secrets.digest(key), userPk: s.userPk, ttlSeconds: s.ttlSeconds, ip: s.ip, userAgent: s.userAgent });
  await touchLastLogin(tx, s.userPk);
  return { key, csrfToken: csrfTokenFor(deps, key), ttlSeconds: s.ttlSeconds };
}

/** The signed-in user behind a session key. */
export interface ResolvedSession {
  actor: Actor;
  csrfToken: string;
}

/**
 * Resolves a session key to its user. Unknown, expired and inactive-user sessions give undefined.
 * Reads only; never writes.
 */
export async function resolveSession(deps: Deps, key: string | undefined, clientIp: string): Promise<ResolvedSession | undefined> {
  if (!key || key.length > MAX_KEY_LENGTH) return undefined;
  const row = await findLiveSession(deps.db, deps.secrets.digest(key));
  if (!row || !row.is_active) return undefined;
  return {
    actor: { userPk: row.user_id, username: row.username, email: row.email, isSuperuser: row.is_superuser, via: 'session', clientIp },
    csrfToken: csrfTokenFor(deps, key),
  };
}

/**
 * Signs out: deletes the session and writes a `logout` event for its user.
 * Source: authentik/events/signals.py on_user_logged_out.
 */
export async function endSession(deps: Deps, key: string, actor: Actor): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    if (await deleteSessionByKeyHash(tx, deps.secrets.digest(key))) {
      await insertEvent(tx, {
        action: 'logout', app: 'authentik.events.signals',
        user: { pk: actor.userPk, username: actor.username, email: actor.email }, context: {}, clientIp: actor.clientIp,
      });
    }
  });
}

/** Burned when the user does not exist, so a wrong username costs as much time as a wrong password. */
let dummyHash: Promise<string> | undefined;

export type PasswordLoginResult =
  | { ok: true; session: NewSession; actor: Actor }
  | { ok: false };

/**
 * The password form (identification + password in one step): `uid` is a username, or an email that
 * exactly one user has. Inactive users and users without a usable password cannot sign in this way.
 * Writes `login` (success) or `login_failed` (with the username tried; never the password).
 * Source: authentik/stages/identification/stage.py, authentik/stages/password/stage.py, events on login/login_failed.
 */
export async function passwordLogin(
  deps: Deps,
  a: { uid: string; password: string; ip: string; userAgent: string; ttlSeconds: number; previousKey?: string },
): Promise<PasswordLoginResult> {
  const uid = a.uid.replace(/\u0000/g, '').trim().slice(0, 254);
  const user = uid === '' ? undefined : await findUserForPasswordLogin(deps.db, uid);
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  const valid = await verifyPassword(a.password, user?.password ?? (await dummyHash)) && user !== undefined && user.password !== null;
  return deps.db.transaction().execute(async (tx) => {
    if (!user || !valid || !user.is_active) {
      await insertEvent(tx, {
        action: 'login_failed', app: 'authentik.events.signals', user: {},
        context: { credentials: { username: uid }, stage: 'password', reason: !user || !valid ? 'invalid_credentials' : 'user_inactive' },
        clientIp: a.ip,
      });
      return { ok: false } as const;
    }
    const session = await startSession(tx, deps, { userPk: user.id, ttlSeconds: a.ttlSeconds, ip: a.ip, userAgent: a.userAgent, previousKey: a.previousKey });
    await insertEvent(tx, {
      action: 'login', app: 'authentik.events.signals',
      user: { pk: user.id, username: user.username, email: user.email },
      context: { auth_method: 'password', auth_method_args: {} }, clientIp: a.ip,
    });
    const actor: Actor = { userPk: user.id, username: user.username, email: user.email, isSuperuser: user.is_superuser, via: 'session', clientIp: a.ip };
    return { ok: true, session, actor } as const;
  });
}
