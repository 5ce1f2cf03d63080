/** The paginated envelope authentik sends (decisions W6); key order: pagination, results. */
import { Type, type TSchema } from '@sinclair/typebox';
import type { Page } from '../../domain/list.js';

export const PaginationSchema = Type.Object({
  next: Type.Integer({ description: 'Next page number, 0 when none.' }),
  previous: Type.Integer({ description: 'Previous page number, 0 when none.' }),
  count: Type.Integer({ description: 'Rows after filtering.' }),
  current: Type.Integer({ description: 'This page number.' }),
  total_pages: Type.Integer({ description: 'Number of pages; 1 for an empty result.' }),
  start_index: Type.Integer({ description: '1-based index of the first row here; 0 when empty.' }),
  end_index: Type.Integer({ description: '1-based index of the last row here; 0 when empty.' }),
}, { $id: 'Pagination' });

/** `Paginated<Name>List` schema around an item schema reference. */
export function paginated(item: TSchema & { $id?: string }) {
  return Type.Object({
    pagination: Type.Ref(PaginationSchema),
    results: Type.Array(item.$id ? Type.Ref(item) : item),
  }, { $id: `Paginated${item.$id ?? 'Item'}List` });
}

export interface Envelope<W> {
  pagination: {
    next: number; previous: number; count: number; current: number;
    total_pages: number; start_index: number; end_index: number;
  };
  results: W[];
}

/** The `pagination` object of one page (decisions W6). */
export function paginationOf(page: Page<unknown>): Envelope<never>['pagination'] {
  const totalPages = Math.max(1, Math.ceil(page.count / page.pageSize));
  const start = page.count === 0 ? 0 : (page.page - 1) * page.pageSize + 1;
  return {
    next: page.page < totalPages ? page.page + 1 : 0,
    previous: page.page > 1 ? page.page - 1 : 0,
    count: page.count,
    current: page.page,
    total_pages: totalPages,
    start_index: start,
    end_index: page.count === 0 ? 0 : start + page.rows.length - 1,
  };
}

/** Wraps one page in the envelope, mapping rows to wire objects. */
export function envelope<T, W>(page: Page<T>, map: (row: T) => W): Envelope<W> {
  return { pagination: paginationOf(page), results: page.rows.map(map) };
}
