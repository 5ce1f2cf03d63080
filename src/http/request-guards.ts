/**
 * Request helpers for the core endpoints: a null guard (AJV's type coercion would silently turn `null`
 * into `""`/`false`/`0`, where DRF answers "This field may not be null.") and access to every value of
 * a repeated query parameter (the app's query parser keeps only the last one, like Django's `get`).
 */
import type { TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ValidationFailed, type FieldErrors } from '../domain/errors.js';
import { ajvToFieldErrors } from './plugins/error-handler.js';

function allowsNull(s: any): boolean {
  if (!s || typeof s !== 'object') return true;
  if (s.type === 'null' || s.nullable === true) return true;
  if (Array.isArray(s.type) && s.type.includes('null')) return true;
  return Array.isArray(s.anyOf) && s.anyOf.some(allowsNull);
}

const nullErrors = new WeakMap<FastifyRequest, FieldErrors>();

/**
 * Deferred body validation, so that a write answers 404/403 before 400 as DRF does (get_object and
 * permission checks run before the serializer). Use with route option `attachValidation: true`:
 * `preValidation` records `null`s in non-nullable fields (before AJV coerces them away), and
 * `check(req)` gives the service a callback that throws the body's errors, if any.
 */
export function deferredBody(schema: TSchema & { properties?: Record<string, TSchema> }) {
  const nonNullable = Object.entries(schema.properties ?? {}).filter(([, s]) => !allowsNull(s)).map(([k]) => k);
  return {
    preValidation: async (req: FastifyRequest): Promise<void> => {
      const body = req.body as Record<string, unknown> | undefined;
      if (!body || typeof body !== 'object' || Array.isArray(body)) return;
      const errors: FieldErrors = {};
      for (const k of nonNullable) if (Object.prototype.hasOwnProperty.call(body, k) && body[k] === null) errors[k] = ['This field may not be null.'];
      if (Object.keys(errors).length > 0) nullErrors.set(req, errors);
    },
    /** @returns a callback throwing ValidationFailed with the body's schema errors (null fields first). */
    check(req: FastifyRequest): () => void {
      return () => {
        const nulls = nullErrors.get(req) ?? {};
        const v = (req as unknown as { validationError?: { validation?: unknown[] } }).validationError;
        const schemaErrors = v?.validation ? ajvToFieldErrors(v.validation as any) : {};
        const merged = { ...schemaErrors, ...nulls };
        if (Object.keys(merged).length > 0) throw new ValidationFailed(merged);
      };
    },
  };
}

/** Every value of query parameter `name` in the raw URL (`?a=1&a=2` → ['1', '2']), NULs removed. */
export function queryValues(req: FastifyRequest, name: string): string[] {
  const i = req.url.indexOf('?');
  if (i < 0) return [];
  try {
    return new URLSearchParams(req.url.slice(i + 1)).getAll(name).map((v) => v.replace(/\0/g, ''));
  } catch {
    return [];
  }
}

/** DRF-style boolean flag read as authentik does: `str(value).lower() == "true"`, default true. */
export function flagDefaultTrue(req: FastifyRequest, name: string): boolean {
  const v = (req.query as Record<string, unknown> | undefined)?.[name];
  return v === undefined ? true : String(v).toLowerCase() === 'true';
}
