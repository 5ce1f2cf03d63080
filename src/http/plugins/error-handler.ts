/**
 * The one place errors become HTTP answers, in Django REST framework's shapes (spec §0.3):
 * domain errors by class, request-schema failures as `{field: [message]}` with DRF's wording,
 * body-parsing failures as `{detail}`; anything else is a 500 `{detail: "A server error occurred."}`,
 * logged with the request id. SQL text and stacks never reach a response.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BadRequestNoBody, DomainError, UniqueViolation, ValidationFailed, type FieldErrors } from '../../domain/errors.js';

/** A request body that is not valid JSON → 400 `JSON parse error - …` (rest_framework/parsers.py). */
export class JsonParseError extends Error {
  readonly statusCode = 400;
  constructor(message: string) {
    super(`JSON parse error - ${message}`);
  }
}

export interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, any>;
  message?: string;
  data?: unknown;
  parentSchema?: Record<string, any>;
}

/** Python's type name for a JSON value, as DRF prints it. */
export function pyType(v: unknown): string {
  if (v === null) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return 'dict';
}

function messageFor(e: AjvError, field: string): string {
  switch (e.keyword) {
    case 'required': return 'This field is required.';
    case 'type': {
      const t = String(e.params.type).split(',')[0];
      if (t === 'string') return 'Not a valid string.';
      if (t === 'integer') return 'A valid integer is required.';
      if (t === 'number') return 'A valid number is required.';
      if (t === 'boolean') return 'Must be a valid boolean.';
      if (t === 'array') return `Expected a list of items but got type "${pyType(e.data)}".`;
      if (t === 'object') return `Invalid data. Expected a dictionary, but got ${pyType(e.data)}.`;
      if (t === 'null') return 'This field may not be null.';
      return 'Invalid value.';
    }
    case 'maxLength': return `Ensure this field has no more than ${e.params.limit} characters.`;
    case 'minLength': return e.params.limit === 1 ? 'This field may not be blank.' : `Ensure this field has at least ${e.params.limit} characters.`;
    case 'const':
    case 'enum': return `"${String(e.data)}" is not a valid choice.`;
    case 'format':
      if (e.params.format === 'uuid') return `“${String(e.data)}” is not a valid UUID.`;
      if (e.params.format === 'date-time') return 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].';
      return 'Enter a valid value.';
    case 'pattern':
      if (field === 'slug' || /slug/.test(String(e.params.pattern)) || e.params.pattern === '^[-a-zA-Z0-9_]+$') {
        return 'Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.';
      }
      return 'This value does not match the required pattern.';
    case 'minimum': return `Ensure this value is greater than or equal to ${e.params.limit}.`;
    case 'maximum': return `Ensure this value is less than or equal to ${e.params.limit}.`;
    default: return e.message ?? 'Invalid value.';
  }
}

/**
 * Turns AJV errors into DRF's body. The first error per field wins; for a nullable or enum field
 * (anyOf) the most specific branch error is used. A root type error is DRF's non-object message.
 */
export function ajvToFieldErrors(errors: AjvError[]): FieldErrors {
  const out: FieldErrors = {};
  const byField = new Map<string, AjvError[]>();
  for (const e of errors) {
    let field = e.instancePath.split('/')[1] ?? '';
    if (e.keyword === 'required' && field === '') field = String(e.params.missingProperty);
    if (field === '') field = 'non_field_errors';
    const list = byField.get(field) ?? [];
    list.push(e);
    byField.set(field, list);
  }
  for (const [field, errs] of byField) {
    const consts = errs.filter((e) => e.keyword === 'const');
    const chosen = consts.length > 0 && consts.length === errs.filter((e) => e.keyword !== 'anyOf').length
      ? consts[0]
      : errs.find((e) => e.keyword !== 'anyOf' && !(e.keyword === 'type' && e.params.type === 'null')) ?? errs[0];
    out[field] = [messageFor(chosen, field)];
  }
  return out;
}

function send(reply: FastifyReply, status: number, body: unknown) {
  return reply.code(status).type('application/json; charset=utf-8').serializer(JSON.stringify).send(body);
}

/** Registers the error handler on `app` (and its child scopes). */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(async (raised: FastifyError & Partial<DomainError>, req: FastifyRequest, reply: FastifyReply) => {
    let err = raised;
    // A speculative caller (an `unverified` actor from the token cache, domain/auth.ts) gets no error
    // answer before its token is checked: a revoked token is 403 first, exactly as without the cache.
    if (req.caller?.unverified && typeof req.reauthenticate === 'function') {
      try {
        await req.reauthenticate();
      } catch (e) {
        err = e as typeof err;
      }
    }
    if (err instanceof ValidationFailed) {
      return send(reply, 400, err instanceof UniqueViolation ? { ...err.fieldErrors, code: 'unique' } : err.fieldErrors);
    }
    if (err instanceof BadRequestNoBody) return reply.code(400).send();
    if (err instanceof DomainError) return send(reply, err.status, { detail: err.message });
    if (err instanceof JsonParseError) return send(reply, 400, { detail: err.message });
    if (err.validation) return send(reply, 400, ajvToFieldErrors(err.validation as unknown as AjvError[]));
    switch (err.code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return send(reply, 415, { detail: `Unsupported media type "${String(req.headers['content-type'] ?? '')}" in request.` });
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return send(reply, 413, { detail: 'Request body is too large.' });
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return send(reply, 400, { detail: 'Malformed request body.' });
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return send(reply, err.statusCode, { detail: err.message });
    }
    req.log.error({ err }, 'unhandled error');
    return send(reply, 500, { detail: 'A server error occurred.' });
  });
}
