/**
 * List parameters shared by every paginated endpoint, in Django REST framework's terms.
 * The http layer parses a query string into a `ListQuery` (http/list/list-query.ts); db/list.ts applies it.
 * Source: rest_framework pagination/filters as configured in authentik/api/pagination.py.
 */

/** How one filter's raw value is parsed and validated. */
export type FilterKind =
  | 'text'      // exact, case-sensitive string
  | 'int'       // integer (a foreign key such as `user`: validated for existence by the service)
  | 'uuid'      // uuid (foreign keys such as `group`)
  | 'bool'      // true/false/1/0 (others ignored)
  | { enum: readonly string[] };

/** Wire-level description of a list endpoint: its filters and orderable fields. */
export interface ListParamsSpec {
  filters: Record<string, FilterKind>;
  /** Fields `ordering=` accepts (unknown ones are dropped). */
  orderingFields: readonly string[];
  /** Applied when `ordering` yields nothing valid; may use fields outside `orderingFields`. */
  defaultOrdering: readonly string[];
  /** Whether the endpoint has search fields (`search=` is ignored otherwise). */
  searchable: boolean;
}

export interface OrderTerm {
  field: string;
  desc: boolean;
}

/** A validated list request. `page` is 1-based or 'last'. */
export interface ListQuery {
  page: number | 'last';
  pageSize: number;
  ordering: OrderTerm[];
  /** Search terms; every one must match some search field (case-insensitive substring). */
  search: string[];
  /** Parsed filter values by wire name; absent when not given. */
  filters: Record<string, string | number | boolean>;
}

/** One page of rows plus the figures the envelope needs. */
export interface Page<T> {
  rows: T[];
  count: number;
  page: number;
  pageSize: number;
}

/** Message DRF's ModelChoiceFilter gives for an unknown or malformed foreign key value. */
export const INVALID_CHOICE = 'Select a valid choice. That choice is not one of the available choices.';
