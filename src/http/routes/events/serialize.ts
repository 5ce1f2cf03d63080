/** Event rows → the wire `Event` object. */
import type { EventRow } from '../../../db/repositories/events.js';
import type { EventWire } from './schemas.js';

/** Event row → wire object. JSON columns come back parsed; non-objects become `{}`. */
export function serializeEvent(e: EventRow): EventWire {
  const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  return {
    pk: e.event_uuid, user: obj(e.user), action: e.action, app: e.app, context: obj(e.context),
    client_ip: e.client_ip, created: e.created, expires: e.expires, brand: obj(e.brand),
  };
}
