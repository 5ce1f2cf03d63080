import type { ConnectionView } from '../../../domain/user-source-connections/service.js';
import type { SourceWire } from '../sources/schemas.js';
import { serializeSource } from '../sources/serialize.js';
import type { UserSourceConnectionWire } from './schemas.js';

/**
 * Connection → wire object, with the nested *base* source view (decisions W2). `sources`, when
 * given, memoizes the source wire objects of one response (a list page nests the same few sources
 * up to 100 times).
 */
export function serializeConnection(v: ConnectionView, sources?: Map<string, SourceWire>): UserSourceConnectionWire {
  // Also safe as an Array.map callback (the index is not a memo).
  if (!(sources instanceof Map)) sources = undefined;
  let source = sources?.get(v.source.pbm_uuid);
  if (!source) {
    source = serializeSource(v.source, 'base');
    sources?.set(v.source.pbm_uuid, source);
  }
  return { pk: v.row.id, user: v.row.user_id, source, created: v.row.created };
}

/** Typed connection → wire object: the base fields plus `identifier`. Secrets never appear. */
export function serializeTypedConnection(v: ConnectionView): UserSourceConnectionWire & { identifier: string } {
  return { ...serializeConnection(v), identifier: v.row.identifier ?? '' };
}
