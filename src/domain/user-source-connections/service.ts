/**
 * Use cases behind `/sources/user_connections/all/` (the generic view over every connection).
 * Owner model: superusers see and touch every row, everyone else only their own (permissions.md §3).
 * Source: authentik/core/api/sources.py UserSourceConnectionViewSet (2024.8).
 */
import type { SourceView } from '../../db/repositories/sources.js';
import { attachSourceView, attachSourceViews } from '../sources/view-cache.js';
import {
  countUserConnections, deleteConnection, findConnection, findVisibleConnection, listConnections, listUsesFastPath,
  touchConnectionAudited, type ConnectionBaseRow, type ConnectionKind,
} from '../../db/repositories/user-source-connections.js';
import { findUserBrief, userExists } from '../../db/repositories/users.js';
import { insertEvent } from '../../db/repositories/events.js';
import type { Executor } from '../../db/executor.js';
import type { Actor } from '../actor.js';
import { credentialCheckOf, verifiedActor } from '../auth.js';
import { CONNECTION_NAME_TEMPLATE, connectionName, modelEvent } from '../audit.js';
import type { Deps } from '../deps.js';
import { NotFound, PermissionDenied, ValidationFailed } from '../errors.js';
import { INVALID_CHOICE, type ListParamsSpec, type ListQuery, type Page } from '../list.js';

/** A connection with its nested base source, ready to serialize. */
export interface ConnectionView {
  row: ConnectionBaseRow;
  source: SourceView;
}

/** List parameters of `/sources/user_connections/all/` (spec §5.2). */
export const allConnectionsListSpec: ListParamsSpec = {
  filters: { user: 'int', source__slug: 'text' },
  orderingFields: ['pk', 'user', 'source', 'created'],
  defaultOrdering: ['source__slug', 'pk'],
  searchable: true,
};

/** Superusers see everything; others only their own rows (permissions.md §3.1 rule 2). */
export function ownerScope(actor: Actor): number | undefined {
  return actor.isSuperuser ? undefined : actor.userPk;
}

/**
 * `user` filter check: an unknown user pk is a 400 even for callers who could not see that user's rows.
 * The caller's own pk needs no lookup: authentication has just read that user (`actor`).
 * @throws ValidationFailed `{user: ["Select a valid choice. …"]}`.
 */
export async function validateUserFilter(deps: Deps, query: ListQuery, actor?: Actor): Promise<void> {
  const u = query.filters.user;
  if (typeof u !== 'number' || u === actor?.userPk) return;
  if (!(await userExists(deps.db, u))) throw ValidationFailed.field('user', INVALID_CHOICE);
}

/**
 * Lists the connections visible to `actor` (which may be speculative: domain/auth.ts).
 * @throws ValidationFailed for an unknown `user` filter; InvalidPage for a page out of range;
 *   StaleCredential when a speculative actor no longer holds.
 */
export async function listAll(deps: Deps, actor: Actor, query: ListQuery, kind?: ConnectionKind): Promise<Page<ConnectionView>> {
  const u = query.filters.user;
  // Only the fast paths re-check a speculative actor in their statement; before anything else is read
  // (the user filter's lookup, the generic list), the actor is verified.
  if (actor.unverified && ((typeof u === 'number' && u !== actor.userPk) || !listUsesFastPath({ kind, query }))) {
    actor = await verifiedActor(deps, actor);
  }
  await validateUserFilter(deps, query, actor);
  const page = await listConnections(deps.db, { ownerPk: ownerScope(actor), kind, query, auth: credentialCheckOf(actor) });
  return { ...page, rows: await attachSourceViews(deps, page.rows) };
}

/** @throws NotFound when absent or not the actor's (non-superuser). */
export async function getVisible(deps: Deps, actor: Actor, id: number, kind?: ConnectionKind): Promise<ConnectionBaseRow> {
  const row = await findConnection(deps.db, id, { ownerPk: ownerScope(actor), kind });
  if (!row) throw new NotFound();
  return row;
}

/**
 * Retrieves one connection (base rows: one statement reads it with its source's revision and re-checks
 * a speculative actor; the source view comes from the view cache).
 * @throws NotFound when absent or not visible; StaleCredential when a speculative actor no longer holds.
 */
export async function retrieve(deps: Deps, actor: Actor, id: number, kind?: ConnectionKind): Promise<ConnectionView> {
  if (kind === undefined) {
    const found = await findVisibleConnection(deps.db, id, { ownerPk: ownerScope(actor), auth: credentialCheckOf(actor) });
    if (!found) throw new NotFound();
    return attachSourceView(deps, found);
  }
  const row = await getVisible(deps, await verifiedActor(deps, actor), id, kind);
  return attachSourceView(deps, row);
}

/**
 * PUT/PATCH on `/all/{id}/`: nothing is writable, the row is saved anyway (refreshing `last_updated`)
 * and a `model_updated` event is written in the same transaction (decisions W3, F10).
 * @throws NotFound when absent or not visible; StaleCredential when a speculative actor no longer holds
 *   (nothing is written then).
 */
export async function touch(deps: Deps, actor: Actor, id: number): Promise<ConnectionView> {
  // One statement finds the row (within the actor's scope), updates it, reads its source and writes the
  // event, whose name the statement fills in from the row (CONNECTION_NAME_TEMPLATE = connectionName).
  const event = modelEvent('model_updated', actor, { app: 'authentik_core', model_name: 'usersourceconnection', pk: id, name: '' });
  const v = await touchConnectionAudited(deps.db, id, {
    ownerPk: ownerScope(actor), event, nameTemplate: CONNECTION_NAME_TEMPLATE, auth: credentialCheckOf(actor),
  });
  if (!v) throw new NotFound();
  return attachSourceView(deps, v);
}

/**
 * Decisions F7: a non-superuser without a usable password may not delete their only connection.
 * Runs inside the deleting transaction. Shared by `/all/` and the typed connection endpoints.
 * @throws ValidationFailed for the last way in.
 */
export async function assertNotLastWayIn(tx: Executor, actor: Actor, r: ConnectionBaseRow): Promise<void> {
  if (actor.isSuperuser) return;
  const owner = await findUserBrief(tx, r.user_id);
  if (owner && owner.password === null && (await countUserConnections(tx, r.user_id)) <= 1) {
    throw ValidationFailed.field('non_field_errors',
      'This is your only way to sign in: set a password or connect another source before removing it.');
  }
}

/**
 * Deletes a connection (and its typed row).
 * Decisions F7: a non-superuser without a usable password may not delete their only connection.
 * @throws NotFound when absent or not visible; ValidationFailed for the last way in.
 */
export async function destroy(deps: Deps, actor: Actor, id: number, kind?: ConnectionKind): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    const r = await findConnection(tx, id, { ownerPk: ownerScope(actor), kind });
    if (!r) throw new NotFound();
    await assertNotLastWayIn(tx, actor, r);
    await deleteConnection(tx, id);
    await insertEvent(tx, modelEvent('model_deleted', actor, {
      app: 'authentik_core', model_name: 'usersourceconnection', pk: r.id, name: connectionName(r.user_id, r.source_id),
    }));
  });
}

/**
 * `used_by`: looked up without the owner filter, then the object check (permissions.md §3.1 rule 4):
 * another user's existing connection → 403, a missing one → 404. Nothing references a connection → [].
 * @throws NotFound, PermissionDenied.
 */
export async function usedBy(deps: Deps, actor: Actor, id: number, kind?: ConnectionKind): Promise<[]> {
  const row = await findConnection(deps.db, id, { kind });
  if (!row) throw new NotFound();
  if (!actor.isSuperuser && row.user_id !== actor.userPk) throw new PermissionDenied();
  return [];
}
