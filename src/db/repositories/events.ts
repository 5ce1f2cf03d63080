/** Audit events (decisions F10), written in the same transaction as the change they record. */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { ListQuery, Page } from '../../domain/list.js';
import type { Executor } from '../executor.js';
import { likePattern, runList, type ListColumns } from '../list.js';
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

/**
 * JSON text PostgreSQL's jsonb accepts: lone UTF-16 surrogates (valid in a JS string, rejected by
 * jsonb as `\ud800`) become U+FFFD, so an odd but accepted name can never turn an audited write into a 500.
 */
function jsonText(v: unknown): string {
  const text = JSON.stringify(v);
  // JSON.stringify writes a lone surrogate as the escape `\udXXX`; only then is the slow path needed.
  if (!text.includes('\\ud')) return text;
  return JSON.stringify(v, (_k, x) => (typeof x === 'string' ? (x as any).toWellFormed() : x));
}

/** The parameters of one event row: a new uuid, the JSON columns as text (jsonb input). */
export type EventParams = {
  uuid: string; action: string; app: string; user: string; context: string; clientIp: string | null;
};

/** `e` as statement parameters (see `EventParams`); statements that insert an event bind these. */
export function eventParams(e: NewEvent): EventParams {
  return { uuid: randomUUID(), action: e.action, app: e.app, user: jsonText(e.user), context: jsonText(e.context), clientIp: e.clientIp };
}

/** Inserts one event. */
export async function insertEvent(db: Executor, e: NewEvent): Promise<void> {
  await insertEventStatement.execute(db, eventParams(e));
}
// Every audited write runs this: compiled once, a named prepared statement.
const insertEventStatement = preparedStatement('event_insert', (db, p: EventParams) => db.insertInto('event').values({
  event_uuid: p.uuid, action: p.action, app: p.app, user: p.user, context: p.context, client_ip: p.clientIp,
}));

/** An event row as the API serializes it. Timestamps are ISO UTC strings; JSON columns are parsed. */
export interface EventRow {
  event_uuid: string;
  user: unknown;
  action: string;
  app: string;
  context: unknown;
  client_ip: string | null;
  created: string;
  expires: string;
  brand: unknown;
}

const eventColumns = ['e.event_uuid', 'e.user', 'e.action', 'e.app', 'e.context', 'e.client_ip', 'e.created', 'e.expires', 'e.brand'] as const;

/** Wire name → SQL for `/events/events/` ordering (`e` = event). Filters and search are applied by `listEvents`. */
export const eventListColumns: ListColumns = {
  filters: {},
  ordering: {
    pk: 'e.event_uuid', user: 'e.user', action: 'e.action', app: 'e.app', context: 'e.context',
    client_ip: 'e.client_ip', created: 'e.created', expires: 'e.expires', brand: 'e.brand',
  },
  search: [],
};

/** Exact or substring conditions of the events list, by authentik's filter names. */
export interface EventFilters {
  /** Case-insensitive substring of the action. */
  action?: string;
  client_ip?: string;
  username?: string;
  /** Model pk in the context; dashes are ignored on both sides (authentik stores uuids as hex). */
  context_model_pk?: string;
  context_model_name?: string;
  context_model_app?: string;
  context_authorized_app?: string;
  brand_name?: string;
}

/**
 * Lists events, limited to `visiblePks` when given; `search` terms must each match the uuid, user,
 * action, app, context or client IP (case-insensitive substring).
 *   SELECT … FROM event e WHERE e.action ILIKE $1 AND e.context->'model'->>'model_name' = $2 … ORDER BY e.created DESC, e.event_uuid
 * @throws InvalidPage when the page is out of range.
 */
export async function listEvents(
  db: Executor,
  args: { visiblePks?: string[]; filters: EventFilters; query: ListQuery },
): Promise<Page<EventRow>> {
  const f = args.filters;
  let q = db.selectFrom('event as e');
  if (args.visiblePks) q = q.where('e.event_uuid', 'in', args.visiblePks.length ? args.visiblePks : [randomUUID()]);
  if (f.action !== undefined) q = q.where('e.action', 'ilike', likePattern(f.action));
  if (f.client_ip !== undefined) q = q.where('e.client_ip', '=', f.client_ip);
  if (f.username !== undefined) q = q.where(sql`e."user"->>'username'`, '=', f.username);
  if (f.context_model_name !== undefined) q = q.where(sql`e.context->'model'->>'model_name'`, '=', f.context_model_name);
  if (f.context_model_app !== undefined) q = q.where(sql`e.context->'model'->>'app'`, '=', f.context_model_app);
  if (f.context_model_pk !== undefined) {
    q = q.where(sql`replace(e.context->'model'->>'pk', '-', '')`, '=', f.context_model_pk.replace(/-/g, ''));
  }
  if (f.context_authorized_app !== undefined) {
    q = q.where(sql`replace(e.context->'authorized_application'->>'pk', '-', '')`, '=', f.context_authorized_app.replace(/-/g, ''));
  }
  if (f.brand_name !== undefined) q = q.where(sql`e.brand->>'name'`, '=', f.brand_name);
  for (const term of args.query.search) {
    const p = likePattern(term);
    q = q.where((eb) => eb.or([
      eb(sql`e.event_uuid::text`, 'ilike', p), eb(sql`e."user"::text`, 'ilike', p), eb('e.action', 'ilike', p),
      eb('e.app', 'ilike', p), eb(sql`e.context::text`, 'ilike', p), eb('e.client_ip', 'ilike', p),
    ]));
  }
  return runList(q, (qb) => qb.select(eventColumns as any), eventListColumns, args.query) as Promise<Page<EventRow>>;
}

/** Finds one event by uuid (canonical form); undefined when absent. */
export async function findEvent(db: Executor, uuid: string): Promise<EventRow | undefined> {
  return db.selectFrom('event as e').select(eventColumns).where('e.event_uuid', '=', uuid).executeTakeFirst() as Promise<EventRow | undefined>;
}
