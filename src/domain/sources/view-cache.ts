/**
 * Source views kept in memory between requests, checked against `source.revision`.
 *
 * Every connection a list, retrieve or PUT returns nests its source (decisions W2). The statements
 * that read those connections also read each row's `source.revision` in the same snapshot
 * (ConnectionBaseRow.source_revision); triggers bump the revision in the transaction of every change
 * a source view can show (migration 2026-11-29T1070_add_source_revision). A remembered view whose
 * revision equals the row's is exactly what a fresh read in that snapshot would return, so only views
 * never seen or changed since are read (`findSourceViews`, one statement for all of them). This removes
 * a round trip and the mapping aggregates from most list and retrieve requests (bench/README.md).
 *
 * One cache per database handle (`deps.db`), at most MAX_VIEWS views (oldest forgotten first). Views
 * are frozen: serializers share them across requests.
 */
import { findSourceViews, type SourceView } from '../../db/repositories/sources.js';
import type { Deps } from '../deps.js';
import { NotFound } from '../errors.js';

const MAX_VIEWS = 10_000;
const caches = new WeakMap<object, Map<string, Readonly<SourceView>>>();

/**
 * The views of the sources named by `rows` (`source_id` and, when known, `source_revision`).
 * @returns pk → view for every source that exists (a source deleted meanwhile is absent).
 */
export async function sourceViewsFor(
  deps: Deps, rows: readonly { source_id: string; source_revision?: number }[],
): Promise<Map<string, Readonly<SourceView>>> {
  let cache = caches.get(deps.db);
  if (!cache) caches.set(deps.db, (cache = new Map()));
  const out = new Map<string, Readonly<SourceView>>();
  const missing: string[] = [];
  for (const r of rows) {
    if (out.has(r.source_id)) continue;
    const known = cache.get(r.source_id);
    if (known && r.source_revision !== undefined && known.revision === r.source_revision) out.set(r.source_id, known);
    else if (!missing.includes(r.source_id)) missing.push(r.source_id);
  }
  if (missing.length > 0) {
    for (const [pk, view] of await findSourceViews(deps.db, missing)) {
      const frozen = Object.freeze(view);
      out.set(pk, frozen);
      cache.delete(pk);
      if (cache.size >= MAX_VIEWS) cache.delete(cache.keys().next().value!);
      cache.set(pk, frozen);
    }
  }
  return out;
}

/**
 * `rows` with their source views attached (`sourceViewsFor`: one statement at most). A source deleted
 * after the rows were read took its connections with it (ON DELETE CASCADE): such rows are left out.
 * Shared by user and group connections.
 */
export async function attachSourceViews<R extends { source_id: string; source_revision?: number }>(
  deps: Deps, rows: readonly R[],
): Promise<{ row: R; source: Readonly<SourceView> }[]> {
  const sources = await sourceViewsFor(deps, rows);
  const out: { row: R; source: Readonly<SourceView> }[] = [];
  for (const row of rows) {
    const source = sources.get(row.source_id);
    if (source) out.push({ row, source });
  }
  return out;
}

/** `attachSourceViews` for one row. @throws NotFound when its source (and so the row) was deleted meanwhile. */
export async function attachSourceView<R extends { source_id: string; source_revision?: number }>(
  deps: Deps, row: R,
): Promise<{ row: R; source: Readonly<SourceView> }> {
  const [v] = await attachSourceViews(deps, [row]);
  if (!v) throw new NotFound();
  return v;
}
