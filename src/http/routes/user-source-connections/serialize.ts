import type { ConnectionView } from '../../../domain/user-source-connections/service.js';
import { serializeSource } from '../sources/serialize.js';
import type { UserSourceConnectionWire } from './schemas.js';

/** Connection → wire object, with the nested *base* source view (decisions W2). */
export function serializeConnection(v: ConnectionView): UserSourceConnectionWire {
  return { pk: v.row.id, user: v.row.user_id, source: serializeSource(v.source, 'base'), created: v.row.created };
}

/** Typed connection → wire object: the base fields plus `identifier`. Secrets never appear. */
export function serializeTypedConnection(v: ConnectionView): UserSourceConnectionWire & { identifier: string } {
  return { ...serializeConnection(v), identifier: v.row.identifier ?? '' };
}
