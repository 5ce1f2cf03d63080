/**
 * Normalises a JSON request body before schema validation the way DRF's fields treat input
 * (spec §0.2): top-level string fields are trimmed (so length, pattern and blank checks see the trimmed
 * value), NUL characters are rejected (`Null characters are not allowed.`, and PostgreSQL could not
 * store them), `null` for a non-nullable field is `This field may not be null.` (AJV would coerce it to
 * "" / false / 0), a boolean for a string field is `Not a valid string.`, and integer primary-key fields
 * accept integer strings and reject other types with DRF's `Incorrect type. Expected pk value, received …`.
 */
import type { TObject, TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ValidationFailed, type FieldErrors } from '../domain/errors.js';
import { pyType } from './plugins/error-handler.js';

function branches(s: TSchema): TSchema[] {
  return Array.isArray((s as any).anyOf) ? ((s as any).anyOf as TSchema[]) : [s];
}

function isNullable(s: TSchema): boolean {
  // A schema without `type`, `anyOf` or `$ref` (Type.Any) accepts null.
  if ((s as any).type === undefined && (s as any).anyOf === undefined && (s as any).$ref === undefined && (s as any).const === undefined) return true;
  return branches(s).some((b) => (b as any).type === 'null');
}

function isString(s: TSchema): boolean {
  return branches(s).some((b) => (b as any).type === 'string' && (b as any).const === undefined);
}

/**
 * Builds a preValidation hook for `schema` (an object schema with top-level properties).
 * `pkFields` are integer primary-key references (e.g. `user`).
 * @throws ValidationFailed with DRF messages (see module comment).
 */
export function normalizeBody(schema: TObject, opts: { pkFields?: readonly string[] } = {}) {
  const props = Object.entries(schema.properties as Record<string, TSchema>);
  return async (req: FastifyRequest): Promise<void> => {
    const body = req.body as Record<string, unknown> | undefined;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
    const errors: FieldErrors = {};
    for (const [key, prop] of props) {
      if (!Object.prototype.hasOwnProperty.call(body, key)) continue;
      const v = body[key];
      if (v === null) {
        if (!isNullable(prop)) errors[key] = ['This field may not be null.'];
        continue;
      }
      if (opts.pkFields?.includes(key)) {
        if (typeof v === 'number' && Number.isInteger(v)) continue;
        if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) {
          body[key] = Number(v.trim());
          continue;
        }
        errors[key] = [`Incorrect type. Expected pk value, received ${pyType(v)}.`];
        continue;
      }
      if (!isString(prop)) continue;
      if (typeof v === 'boolean') errors[key] = ['Not a valid string.'];
      else if (typeof v === 'string') {
        if (v.includes('\0')) errors[key] = ['Null characters are not allowed.'];
        else body[key] = v.trim();
      }
    }
    if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  };
}
