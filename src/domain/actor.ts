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
}

/** The caller of a request: an actor, or undefined when anonymous. */
export type Caller = Actor | undefined;
