/**
 * DRF's CharField input handling for request bodies, applied before schema validation: surrounding
 * whitespace is trimmed (spec §0.2), NUL characters are rejected ("Null characters are not allowed.",
 * and PostgreSQL text cannot hold them), a blank string is "This field may not be blank." (no text
 * field here allows blank; schema validation alone would coerce "" to null on nullable fields), and
 * `null` for a non-nullable field is "This field may not be null."
 * Used as a route-level `preValidation` hook.
 */
import type { FastifyRequest } from 'fastify';
import { ValidationFailed, type FieldErrors } from '../domain/errors.js';
import { pyType } from './plugins/error-handler.js';

export interface StringFieldsOptions {
  /** Text fields to trim (top-level keys of the body); arrays of strings are trimmed item by item. */
  fields: readonly string[];
  /** Fields among `fields` that accept null. */
  nullable?: readonly string[];
  /** Fields among `fields` that must be lists (schema validation would otherwise coerce a scalar into a list). */
  arrays?: readonly string[];
}

/** Builds the hook. @throws ValidationFailed for NUL characters or nulls in non-nullable fields. */
export function trimStrings(o: StringFieldsOptions) {
  return async (req: FastifyRequest): Promise<void> => {
    const body = req.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
    const b = body as Record<string, unknown>;
    const errors: FieldErrors = {};
    for (const f of o.fields) {
      if (!Object.prototype.hasOwnProperty.call(b, f)) continue;
      const v = b[f];
      if (v === null) {
        if (!o.nullable?.includes(f)) errors[f] = ['This field may not be null.'];
      } else if (o.arrays?.includes(f) && !Array.isArray(v)) {
        errors[f] = [`Expected a list of items but got type "${pyType(v)}".`];
      } else if (typeof v === 'string') {
        if (v.includes('\0')) errors[f] = ['Null characters are not allowed.'];
        else if (v.trim() === '') errors[f] = ['This field may not be blank.'];
        else b[f] = v.trim();
      } else if (Array.isArray(v)) {
        if (v.some((x) => typeof x === 'string' && x.includes('\0'))) errors[f] = ['Null characters are not allowed.'];
        else b[f] = v.map((x) => (typeof x === 'string' ? x.trim() : x));
      }
    }
    if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  };
}

/** A path lookup value PostgreSQL can compare (no NUL); anything else cannot exist. */
export function lookupValue(raw: string): string | undefined {
  return raw.includes('\0') ? undefined : raw;
}
