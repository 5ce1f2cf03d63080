/**
 * Who is calling. Built by the auth plugin from a bearer token or a session, then passed to services.
 * `isSuperuser` is computed from group membership (a superuser group, directly or through parents),
 * evaluated per request. Source: authentik/core/models.py User.is_superuser.
 */
export interface Actor {
  userPk: number;
  username: string;
  email: string;
  isSuperuser: boolean;
  /** How the caller authenticated; session callers must pass CSRF on unsafe methods. */
  via: 'token' | 'session';
  /** Client IP as seen by the server, for audit events. */
  clientIp: string;
  /**
   * Set when this actor was taken from the token cache and has not yet been checked against the
   * database in this request (speculative authentication, domain/auth.ts). Such an actor may only be
   * used by statements that re-check it in their own snapshot (`credentialCheck`); anything else must
   * call `verifiedActor` (domain/auth.ts) first.
   */
  unverified?: { keyHash: string };
}

/** The caller of a request: an actor, or undefined when anonymous. */
export type Caller = Actor | undefined;
