/**
 * Parses `page`, `page_size`, `ordering`, `search` and filters the way DRF + django-filter do
 * (spec sources-api.md §2), into a `ListQuery`.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { InvalidPage, ValidationFailed } from '../../domain/errors.js';
import { INVALID_CHOICE, type ListParamsSpec, type ListQuery, type OrderTerm } from '../../domain/list.js';

const DEFAULT_PAGE_SIZE = 100;
const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Querystring schema for OpenAPI and the generated clients: everything optional, lenient types. */
export function listQuerySchema(spec: ListParamsSpec) {
  const props: Record<string, TSchema> = {
    ordering: Type.Optional(Type.String({ description: 'Which field to use when ordering the results.' })),
    page: Type.Optional(Type.String({ description: 'A page number within the paginated result set.' })),
    page_size: Type.Optional(Type.String({ description: 'Number of results to return per page.' })),
  };
  if (spec.searchable) props.search = Type.Optional(Type.String({ description: 'A search term.' }));
  for (const name of Object.keys(spec.filters)) props[name] = Type.Optional(Type.String());
  return Type.Object(props, { additionalProperties: true });
}

function first(v: unknown): string | undefined {
  if (Array.isArray(v)) v = v[v.length - 1];
  return typeof v === 'string' ? v : undefined;
}

/** Positive decimal integer within the safe range, else undefined. */
function positiveInt(v: string | undefined): number | undefined {
  if (v === undefined || !/^\s*\+?\d+\s*$/.test(v)) return undefined;
  const n = Number(v.trim());
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** `ordering=a,-b`: known fields only, then the default; `pk` appended as the final tie-breaker. */
export function parseOrdering(raw: string | undefined, spec: ListParamsSpec): OrderTerm[] {
  const terms: OrderTerm[] = [];
  for (const part of (raw ?? '').split(',')) {
    const t = part.trim();
    const desc = t.startsWith('-');
    const field = desc ? t.slice(1) : t;
    if (spec.orderingFields.includes(field) && !terms.some((x) => x.field === field)) terms.push({ field, desc });
  }
  if (terms.length === 0) {
    for (const t of spec.defaultOrdering) terms.push(t.startsWith('-') ? { field: t.slice(1), desc: true } : { field: t, desc: false });
  }
  if (!terms.some((t) => t.field === 'pk')) terms.push({ field: 'pk', desc: false });
  return terms;
}

/**
 * Parses a query-string object.
 * @throws InvalidPage when `page` is not a positive integer or `last`.
 * @throws ValidationFailed for malformed foreign-key filter values and enum values outside the enum.
 */
export function parseListQuery(query: unknown, spec: ListParamsSpec, maxPageSize: number): ListQuery {
  const q = (query ?? {}) as Record<string, unknown>;
  const rawPage = first(q.page);
  let page: number | 'last' = 1;
  if (rawPage !== undefined) {
    if (rawPage.trim() === 'last') page = 'last';
    else {
      const n = positiveInt(rawPage);
      if (n === undefined) throw new InvalidPage();
      page = n;
    }
  }
  // DRF clamps only an explicit page_size to max_page_size; the default (100) is used as is.
  const requested = positiveInt(first(q.page_size));
  const pageSize = requested === undefined ? DEFAULT_PAGE_SIZE : Math.min(requested, maxPageSize);
  const search = spec.searchable
    ? (first(q.search) ?? '').replace(/\0/g, '').split(/[\s,]+/).filter((t) => t.length > 0)
    : [];
  const filters: ListQuery['filters'] = {};
  const errors: Record<string, string[]> = {};
  for (const [name, kind] of Object.entries(spec.filters)) {
    const raw = first(q[name]);
    if (raw === undefined || raw === '') continue;
    if (kind === 'text') filters[name] = raw.replace(/\0/g, '');
    else if (kind === 'int') {
      const n = /^\s*-?\d+\s*$/.test(raw) ? Number(raw.trim()) : NaN;
      if (!Number.isSafeInteger(n) || n < -2147483648 || n > 2147483647) errors[name] = [INVALID_CHOICE];
      else filters[name] = n;
    } else if (kind === 'uuid') {
      if (!UUID_RE.test(raw.trim())) errors[name] = [INVALID_CHOICE];
      else filters[name] = raw.trim().toLowerCase();
    } else if (kind === 'bool') {
      const v = raw.trim().toLowerCase();
      if (v === 'true' || v === '1') filters[name] = true;
      else if (v === 'false' || v === '0') filters[name] = false;
    } else {
      if (!kind.enum.includes(raw)) errors[name] = [`Select a valid choice. ${raw} is not one of the available choices.`];
      else filters[name] = raw;
    }
  }
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  return { page, pageSize, ordering: parseOrdering(first(q.ordering), spec), search, filters };
}
