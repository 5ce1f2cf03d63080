/**
 * Field validation in Django REST framework's terms, for request bodies the http layer has already
 * type-checked: trimming, blank/length checks, datetimes, JSON objects, uuid and pk lists. Each
 * helper records messages into a `FieldErrors` collector so one 400 names every bad field, as DRF does.
 * Pure: no I/O. Source: rest_framework/fields.py (CharField, DateTimeField, JSONField) and
 * authentik/core/api/utils.py (JSONDictField / is_dict).
 */
import type { FieldErrors } from './errors.js';

export const REQUIRED = 'This field is required.';
export const BLANK = 'This field may not be blank.';
export const NULL_CHARS = 'Null characters are not allowed.';
export const NOT_NULL = 'This field may not be null.';
export const BAD_SURROGATE = 'Unpaired surrogate characters are not allowed.';
export const DATETIME_FORMAT = 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].';

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Adds `message` under `field`. */
export function addError(errors: FieldErrors, field: string, message: string): void {
  (errors[field] ??= []).push(message);
}

/** Text PostgreSQL can store: no NUL, no unpaired UTF-16 surrogate. @returns the problem, or undefined. */
export function textProblem(s: string): string | undefined {
  if (s.includes('\0')) return NULL_CHARS;
  if (LONE_SURROGATE.test(s)) return BAD_SURROGATE;
  return undefined;
}

/**
 * DRF CharField: trims, then checks blank and max length (and prohibits NUL characters).
 * @returns the trimmed string, or undefined when absent or invalid (the error is recorded).
 */
export function charField(
  errors: FieldErrors,
  field: string,
  value: unknown,
  o: { required?: boolean; allowBlank?: boolean; maxLength?: number; trim?: boolean } = {},
): string | undefined {
  if (value === undefined) {
    if (o.required) addError(errors, field, REQUIRED);
    return undefined;
  }
  if (value === null) {
    addError(errors, field, NOT_NULL);
    return undefined;
  }
  if (typeof value !== 'string') {
    addError(errors, field, 'Not a valid string.');
    return undefined;
  }
  const s = o.trim === false ? value : value.trim();
  const problem = textProblem(s);
  if (problem) {
    addError(errors, field, problem);
    return undefined;
  }
  if (s === '' && !o.allowBlank) {
    addError(errors, field, BLANK);
    return undefined;
  }
  if (o.maxLength !== undefined && [...s].length > o.maxLength) {
    addError(errors, field, `Ensure this field has no more than ${o.maxLength} characters.`);
    return undefined;
  }
  return s;
}

/**
 * Parses an ISO-8601 datetime as DRF's DateTimeField accepts it; a value without offset is UTC.
 * The instant is converted to UTC here (PostgreSQL rejects offsets beyond ±15:59 that Python accepts).
 * @returns `YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00`, or undefined when invalid or outside years 1–9999.
 */
export function parseDateTime(raw: string): string | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6})\d*)?)?\s*(Z|[+-]\d\d(?::?\d\d)?)?$/i.exec(raw.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '00', frac = '', tz = 'Z'] = m;
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  if (day > date.getUTCDate()) return undefined;
  let offsetMin = 0;
  if (tz.toUpperCase() !== 'Z') {
    const digits = tz.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2)), om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (tz[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offsetMin, second, 0);
  const utcYear = date.getUTCFullYear();
  if (utcYear < 1 || utcYear > 9999) return undefined;
  const iso = date.toISOString().slice(0, 19);
  return `${iso}${frac ? `.${frac.padEnd(6, '0')}` : ''}+00:00`;
}

/** Milliseconds since the epoch of a string returned by `parseDateTime`. */
export function dateTimeMs(iso: string): number {
  return Date.parse(iso.replace(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?/, (_m, a, f) => `${a}${f ? f.slice(0, 4) : ''}`));
}

/** DRF DateTimeField (optionally nullable). @returns the ISO string, null, or undefined when absent/invalid. */
export function dateTimeField(errors: FieldErrors, field: string, value: unknown, o: { allowNull?: boolean } = {}): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) {
    if (!o.allowNull) addError(errors, field, NOT_NULL);
    return o.allowNull ? null : undefined;
  }
  const iso = typeof value === 'string' ? parseDateTime(value) : undefined;
  if (!iso) {
    addError(errors, field, DATETIME_FORMAT);
    return undefined;
  }
  return iso;
}

/** Recursively finds a string (or key) PostgreSQL's jsonb cannot hold. */
function jsonProblem(v: unknown, depth = 0): string | undefined {
  if (depth > 64) return 'Value is nested too deeply.';
  if (typeof v === 'string') return textProblem(v);
  if (Array.isArray(v)) {
    for (const x of v) {
      const p = jsonProblem(x, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const p = textProblem(k) ?? jsonProblem(x, depth + 1);
      if (p) return p;
    }
  }
  return undefined;
}

/**
 * authentik's JSONDictField: a JSON object storable in jsonb.
 * @returns the object, or undefined when absent or invalid (the error is recorded).
 */
export function dictField(errors: FieldErrors, field: string, value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    addError(errors, field, value === null ? NOT_NULL : 'Value must be a dictionary, and not have any duplicate keys.');
    return undefined;
  }
  const problem = jsonProblem(value);
  if (problem) {
    addError(errors, field, problem);
    return undefined;
  }
  return value as Record<string, unknown>;
}

/** A uuid string (any case, hyphens optional) → canonical lowercase hyphenated form, or undefined. */
export function canonicalUuid(raw: string): string | undefined {
  const s = raw.trim();
  if (!UUID_RE.test(s)) return undefined;
  const h = s.replace(/-/g, '').toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Message of DRF's PrimaryKeyRelatedField for a pk that does not exist. */
export function invalidPk(pk: string | number): string {
  return `Invalid pk "${pk}" - object does not exist.`;
}

/**
 * A list of uuids (PrimaryKeyRelatedField many=True over uuid pks), de-duplicated.
 * @returns canonical uuids, or undefined when absent or malformed (the error is recorded).
 */
export function uuidListField(errors: FieldErrors, field: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    addError(errors, field, `Expected a list of items but got type "${value === null ? 'NoneType' : typeof value === 'string' ? 'str' : 'dict'}".`);
    return undefined;
  }
  const out: string[] = [];
  for (const v of value) {
    const u = typeof v === 'string' ? canonicalUuid(v) : undefined;
    if (!u) {
      addError(errors, field, `“${String(v)}” is not a valid UUID.`);
      return undefined;
    }
    if (!out.includes(u)) out.push(u);
  }
  return out;
}

/** A list of integer pks (PrimaryKeyRelatedField many=True), de-duplicated. */
export function intListField(errors: FieldErrors, field: string, value: unknown): number[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    addError(errors, field, 'Expected a list of items but got a non-list value.');
    return undefined;
  }
  const out: number[] = [];
  for (const v of value) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
      addError(errors, field, `Incorrect type. Expected pk value, received ${v === null ? 'NoneType' : typeof v === 'string' ? 'str' : typeof v}.`);
      return undefined;
    }
    if (v < -2147483648 || v > 2147483647) {
      addError(errors, field, invalidPk(v));
      return undefined;
    }
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

/**
 * Parses a `timedelta_from_string` value such as `days=1;hours=2` into milliseconds.
 * @returns undefined when malformed. Source: authentik/lib/utils/time.py.
 */
export function parseTimedelta(raw: string): number | undefined {
  const unit: Record<string, number> = {
    weeks: 604_800_000, days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1000, milliseconds: 1, microseconds: 0.001,
  };
  let total = 0;
  const parts = raw.split(';').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) return undefined;
  for (const p of parts) {
    const [k, v] = p.split('=').map((x) => x.trim());
    if (!(k in unit) || v === undefined || !/^\d+(\.\d+)?$/.test(v)) return undefined;
    total += Number(v) * unit[k];
  }
  return total;
}
