/**
 * Normalises a JSON request body before schema validation the way DRF's fields treat input
 * (spec §0.2): top-level string fields are trimmed and blank ones rejected where the schema says so (so length, pattern and blank checks see the trimmed
 * value), NUL characters are rejected (`Null characters are not allowed.`, and PostgreSQL could not
 * store them), `null` for a non-nullable field is `This field may not be null.` (AJV would coerce it to
 * "" / false / 0), a boolean, list or object for a string field is `Not a valid string.`, a scalar for a list field is
 * `Expected a list of items but got type "str".`, and integer primary-key fields
 * accept integer strings and reject other types with DRF's `Incorrect type. Expected pk value, received …`.
 */
import type { TObject, TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ValidationFailed, type FieldErrors } from '../domain/errors.js';
import { ajvToFieldErrors, pyType, type AjvError } from './plugins/error-handler.js';

function branches(s: TSchema): TSchema[] {
  return Array.isArray((s as any).anyOf) ? ((s as any).anyOf as TSchema[]) : [s];
}

function isNullable(s: TSchema): boolean {
  // A schema without `type`, `anyOf` or `$ref` (Type.Any) accepts null.
  if ((s as any).type === undefined && (s as any).anyOf === undefined && (s as any).$ref === undefined && (s as any).const === undefined) return true;
  return branches(s).some((b) => (b as any).type === 'null');
}

function stringBranch(s: TSchema): TSchema | undefined {
  return branches(s).find((b) => (b as any).type === 'string' && (b as any).const === undefined);
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
      if ((prop as any).type === 'array') {
        // AJV's array coercion would wrap a scalar; DRF's list fields reject it.
        if (!Array.isArray(v)) errors[key] = [`Expected a list of items but got type "${pyType(v)}".`];
        continue;
      }
      const str = stringBranch(prop);
      if (!str) continue;
      // AJV's 'array' coercion would unwrap a one-element list into the string; DRF's CharField rejects lists and objects.
      const acceptsStructured = branches(prop).some((b) => (b as any).type === 'array' || (b as any).type === 'object');
      if (typeof v === 'boolean' || (typeof v === 'object' && !acceptsStructured)) errors[key] = ['Not a valid string.'];
      else if (typeof v === 'string') {
        const trimmed = v.trim();
        if (v.includes('\0')) errors[key] = ['Null characters are not allowed.'];
        // Checked here because AJV would coerce "" to null for a nullable field instead of rejecting it.
        else if (trimmed === '' && ((str as any).minLength ?? 0) >= 1) errors[key] = ['This field may not be blank.'];
        else body[key] = trimmed;
      }
    }
    if (Object.keys(errors).length > 0) throw new ValidationFailed({ ...schemaErrors(req, body, errors), ...errors });
  };
}

/**
 * The request-schema errors of the other fields, so one 400 lists every problem as DRF does: the body
 * without the fields already rejected here is run through the route's compiled body validator.
 * A shallow copy is enough: the request is rejected anyway, so coercion inside nested values is harmless.
 */
function schemaErrors(req: FastifyRequest, body: Record<string, unknown>, rejected: FieldErrors): FieldErrors {
  const validate = req.getValidationFunction('body') as ((data: unknown) => boolean) & { errors?: AjvError[] | null } | undefined;
  if (!validate) return {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!(k in rejected)) rest[k] = v;
  if (validate(rest)) return {};
  const missingRejected = (e: AjvError) => e.keyword === 'required' && String(e.params.missingProperty) in rejected;
  return ajvToFieldErrors((validate.errors ?? []).filter((e) => !missingRejected(e)));
}
