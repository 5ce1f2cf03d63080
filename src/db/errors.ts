/**
 * Translates PostgreSQL driver errors into domain errors by SQLSTATE and constraint name, so SQL text
 * never reaches a response. Unknown errors are rethrown unchanged (the error handler answers 500).
 */
import { UniqueViolation, ValidationFailed, type FieldErrors } from '../domain/errors.js';

export interface PgError { code?: string; constraint?: string; detail?: string }

/** Per-constraint field errors for unique (23505) and foreign-key (23503) violations. */
export type ConstraintMessages = Record<string, FieldErrors>;

/**
 * Runs `fn`; a unique/foreign-key violation on a constraint named in `messages` becomes a 400.
 * @throws UniqueViolation for 23505, ValidationFailed for 23503 / 23514 on known constraints.
 */
export async function translateConstraints<T>(fn: () => Promise<T>, messages: ConstraintMessages): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const err = e as PgError;
    const known = err.constraint ? messages[err.constraint] : undefined;
    if (known && err.code === '23505') throw new UniqueViolation(known);
    if (known && (err.code === '23503' || err.code === '23514')) throw new ValidationFailed(known);
    throw e;
  }
}

export function isPgError(e: unknown, code: string): e is PgError {
  return typeof e === 'object' && e !== null && (e as PgError).code === code;
}
