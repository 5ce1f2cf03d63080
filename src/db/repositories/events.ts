/** Audit events (decisions F10), written in the same transaction as the change they record. */
import { randomUUID } from 'node:crypto';
import type { Executor } from '../executor.js';
import { preparedStatement } from '../prepared.js';

export interface NewEvent {
  /** authentik action name: model_created, model_updated, model_deleted, login, source_linked, … */
  action: string;
  /** Django app that emitted it, e.g. `authentik.events.signals` or `authentik.core`. */
  app: string;
  /** `{pk, username, email}` of the acting user, or `{}` for anonymous. */
  user: Record<string, unknown>;
  /** Free-form context; never holds secrets. */
  context: Record<string, unknown>;
  clientIp: string | null;
}

/** Inserts one event. */
export async function insertEvent(db: Executor, e: NewEvent): Promise<void> {
  await insertEventStatement.execute(db, {
    uuid: randomUUID(), action: e.action, app: e.app, user: JSON.stringify(e.user), context: JSON.stringify(e.context), clientIp: e.clientIp,
  });
}
// Every audited write runs this: compiled once, a named prepared statement.
const insertEventStatement = preparedStatement('event_insert', (db, p: {
  uuid: string; action: string; app: string; user: string; context: string; clientIp: string | null;
}) => db.insertInto('event').values({
  event_uuid: p.uuid, action: p.action, app: p.app, user: p.user, context: p.context, client_ip: p.clientIp,
}));
