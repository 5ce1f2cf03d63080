/**
 * Typed errors thrown by domain and db code. One Fastify error handler (http/plugins/error-handler.ts)
 * maps them to authentik's error bodies; each has a stable snake_case `code`.
 */

/** Field name → list of human messages; object-level problems go under `non_field_errors`. */
export type FieldErrors = Record<string, string[]>;

export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
}

/** 400 with a DRF validation body. Source: rest_framework.exceptions.ValidationError. */
export class ValidationFailed extends DomainError {
  readonly code: string = 'invalid';
  readonly status = 400;
  constructor(readonly fieldErrors: FieldErrors) {
    super(Object.entries(fieldErrors).map(([k, v]) => `${k}: ${v.join(' ')}`).join('; '));
  }
  static field(field: string, message: string): ValidationFailed {
    return new ValidationFailed({ [field]: [message] });
  }
}

/** 400 for a uniqueness conflict (decisions F2): validation body plus `"code": "unique"`. */
export class UniqueViolation extends ValidationFailed {
  override readonly code = 'unique';
}

/** 403 `Authentication credentials were not provided.` (authentik answers 403, never 401: decisions W4). */
export class NotAuthenticated extends DomainError {
  readonly code = 'not_authenticated';
  readonly status = 403;
  constructor(message = 'Authentication credentials were not provided.') {
    super(message);
  }
}

/** 403 for a rejected credential (`Token invalid/expired`, `Unsupported authentication type`, CSRF). */
export class AuthenticationFailed extends DomainError {
  readonly code = 'authentication_failed';
  readonly status = 403;
}

/**
 * A speculative actor (Actor.unverified) failed its re-check inside a statement: the token, its user
 * or the superuser flag changed since the actor was cached. Nothing was read or written for the
 * caller; the route re-authenticates and runs once more (http/route-helpers.ts `withActor`). Should it
 * ever reach the client, it is the 403 an invalid token gets.
 */
export class StaleCredential extends AuthenticationFailed {
  constructor() {
    super('Token invalid/expired');
  }
}

/** 403 `You do not have permission to perform this action.` */
export class PermissionDenied extends DomainError {
  readonly code = 'permission_denied';
  readonly status = 403;
  constructor(message = 'You do not have permission to perform this action.') {
    super(message);
  }
}

/** 404 `Not found.` — also for objects outside the caller's visible set. */
export class NotFound extends DomainError {
  readonly code = 'not_found';
  readonly status = 404;
  constructor(message = 'Not found.') {
    super(message);
  }
}

/** 404 `Invalid page.` for a page number outside the result. */
export class InvalidPage extends NotFound {
  constructor() {
    super('Invalid page.');
  }
}

/**
 * 400 with an empty body: what authentik's icon actions answer (`HttpResponseBadRequest()`) when the
 * request carries nothing to set. Source: authentik/lib/utils/file.py.
 */
export class BadRequestNoBody extends DomainError {
  readonly code = 'bad_request';
  readonly status = 400;
  constructor() {
    super('Bad request.');
  }
}
