/**
 * Applies a validated ListQuery (domain/list.ts) to a Kysely select: filters → search → ordering →
 * count → page. Column names come only from the resource's `ListColumns` whitelist, never from the request.
 *
 * Example, for connections with `?source__slug=github-1&ordering=-created&page=2&page_size=10`:
 *   SELECT count(*) FROM user_source_connection c JOIN source s ... WHERE s.slug = $1
 *   SELECT ... WHERE s.slug = $1 ORDER BY c.created DESC, c.id ASC LIMIT 10 OFFSET 10
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import { InvalidPage } from '../domain/errors.js';
import type { ListQuery, Page } from '../domain/list.js';

/** Which SQL expression (a column reference such as `c.user_id`) serves each wire name. */
export interface ListColumns {
  filters: Record<string, string>;
  ordering: Record<string, string>;
  search: readonly string[];
}

/** Escapes LIKE metacharacters so a search term matches literally. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Adds the query's filters and search terms to `qb` (a builder with its FROM/JOINs and scoping). */
export function applyFilters<Q extends SelectQueryBuilder<any, any, any>>(qb: Q, cols: ListColumns, query: ListQuery): Q {
  let q: any = qb;
  for (const [name, value] of Object.entries(query.filters)) {
    const col = cols.filters[name];
    if (col) q = q.where(sql.ref(col), '=', value);
  }
  for (const term of query.search) {
    const pattern = likePattern(term);
    q = q.where((eb: any) => eb.or(cols.search.map((c) => eb(sql.ref(c), 'ilike', pattern))));
  }
  return q;
}

/** Adds ORDER BY terms for the query's ordering (unknown names were already dropped by the parser). */
export function applyOrdering<Q extends SelectQueryBuilder<any, any, any>>(qb: Q, cols: ListColumns, query: ListQuery): Q {
  let q: any = qb;
  for (const t of query.ordering) {
    const col = cols.ordering[t.field];
    if (col) q = q.orderBy(sql.ref(col), t.desc ? 'desc' : 'asc');
  }
  return q;
}

/** Resolves 'last' and checks the page against the count. @throws InvalidPage when out of range. */
export function resolvePage(query: ListQuery, count: number): number {
  const totalPages = Math.max(1, Math.ceil(count / query.pageSize));
  const page = query.page === 'last' ? totalPages : query.page;
  if (page > totalPages) throw new InvalidPage();
  return page;
}

/**
 * Runs count and page queries for `filtered` (scoped and filtered, no SELECT list yet).
 * `select` adds the columns to return. Page 1 runs both queries concurrently; other pages count first.
 * `countRows`, when given, replaces `SELECT count(*)` over `filtered` (it must give the same number,
 * e.g. from maintained counters).
 * @throws InvalidPage when the page is out of range.
 */
export async function runList<O>(
  filtered: SelectQueryBuilder<any, any, any>,
  select: (qb: SelectQueryBuilder<any, any, any>) => SelectQueryBuilder<any, any, O>,
  cols: ListColumns,
  query: ListQuery,
  countRows?: () => Promise<number>,
): Promise<Page<O>> {
  const countOf = countRows
    ?? (async () => ((await filtered.select(sql<number>`count(*)::int`.as('count')).executeTakeFirstOrThrow()) as any).count as number);
  const pageQ = (page: number) =>
    applyOrdering(select(filtered), cols, query).limit(query.pageSize).offset((page - 1) * query.pageSize);
  if (query.page === 1) {
    const [count, rows] = await Promise.all([countOf(), pageQ(1).execute()]);
    return { rows, count, page: 1, pageSize: query.pageSize };
  }
  const count = await countOf();
  const page = resolvePage(query, count);
  const rows = await pageQ(page).execute();
  return { rows, count, page, pageSize: query.pageSize };
}
