/**
 * JSON text of `/sources/user_connections/all/` answers, written from pieces instead of by the route's
 * response serializer: the nested source (17 of a connection's 20 fields, ~550 of its ~680 bytes) is
 * serialized once per source view and reused by every later row and request that nests the same view.
 *
 * Views come from the source view cache (domain/sources/view-cache.ts), which hands out one frozen
 * object per (source, revision); the text is remembered per object (WeakMap), so a changed source gets
 * a new view and new text, and an unreferenced view's text is collected with it. Views that are not
 * frozen are serialized every time.
 *
 * The bytes are those the response schemas give (`UserSourceConnection`, `PaginatedUserSourceConnectionList`):
 * the source and the pagination go through fast-json-stringify compiled from the same schemas, the
 * three scalar fields are written as fast-json-stringify writes them. json.test.ts compares the two
 * for awkward values (quotes, control characters, lone surrogates, nulls, empty and long lists).
 * Routes send the text with `content-type: application/json; charset=utf-8`; Fastify then skips its
 * own serialization (the schemas still document the answer in the OpenAPI document).
 */
import fastJsonStringify from 'fast-json-stringify';
import type { Page } from '../../../domain/list.js';
import type { ConnectionView } from '../../../domain/user-source-connections/service.js';
import { PaginationSchema, paginationOf } from '../../list/envelope.js';
import { simplifyForSerialization } from '../../plugins/serializer.js';
import { SourceSchema, sourceSchemas } from '../sources/schemas.js';
import { serializeSource } from '../sources/serialize.js';

const sharedSchemas = Object.fromEntries(sourceSchemas.map((s) => [s.$id!, simplifyForSerialization(s)]));
delete sharedSchemas[SourceSchema.$id!];
const stringifySource = fastJsonStringify(simplifyForSerialization(SourceSchema) as any, { schema: sharedSchemas as any });
const stringifyPagination = fastJsonStringify(PaginationSchema as any);

const sourceText = new WeakMap<object, string>();

/** The JSON text of the base source view nested in connections (decisions W2). */
function sourceJson(view: ConnectionView['source']): string {
  const known = sourceText.get(view);
  if (known !== undefined) return known;
  const text: string = stringifySource(serializeSource(view, 'base'));
  if (Object.isFrozen(view)) sourceText.set(view, text);
  return text;
}

/** `UserSourceConnection` JSON text: `{"pk":…,"user":…,"source":{…},"created":"…"}`. */
export function connectionJson(v: ConnectionView): string {
  return `{"pk":${v.row.id},"user":${v.row.user_id},"source":${sourceJson(v.source)},"created":${JSON.stringify(v.row.created)}}`;
}

/** `PaginatedUserSourceConnectionList` JSON text: `{"pagination":{…},"results":[…]}` (decisions W6). */
export function pageJson(page: Page<ConnectionView>): string {
  let results = '';
  for (let i = 0; i < page.rows.length; i++) results += (i === 0 ? '' : ',') + connectionJson(page.rows[i]);
  return `{"pagination":${stringifyPagination(paginationOf(page))},"results":[${results}]}`;
}

/** Content type of the texts above (what Fastify sets for serialized JSON). */
export const JSON_TYPE = 'application/json; charset=utf-8';
