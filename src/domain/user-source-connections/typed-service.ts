/**
 * Use cases behind the typed user-connection endpoints `/sources/user_connections/{oauth,saml,plex,kerberos}/`
 * (spec §6; permissions.md §3; decisions F1, F2, F3, F7, F9, F10), parametrized by a `TypedConnectionKind`.
 * Owner model: superusers see and touch every row, everyone else only their own. RBAC grants only
 * matter for naming another user on create (F1) and for re-keying: a new `identifier`, or a new
 * Kerberos `user` (F3).
 * Source: authentik/sources/<kind>/api/source_connection.py User<Kind>SourceConnectionViewSet (2024.8),
 * with Fedlink's fixes.
 */
import { insertEvent } from '../../db/repositories/events.js';
import { findSourceKind } from '../../db/repositories/sources.js';
import {
  connectionConstraintMessages, deleteConnection, findByIdentifier, findConnection, insertConnection, updateConnection,
  type ConnectionBaseRow,
} from '../../db/repositories/user-source-connections.js';
import { userExists } from '../../db/repositories/users.js';
import type { Actor } from '../actor.js';
import { connectionName, modelEvent } from '../audit.js';
import type { Deps } from '../deps.js';
import { attachSourceView } from '../sources/view-cache.js';
import { NotFound, PermissionDenied, UniqueViolation, ValidationFailed, type FieldErrors } from '../errors.js';
import type { ListQuery, Page } from '../list.js';
import { can } from '../permissions.js';
import {
  assertNotLastWayIn, getVisible, listAll, ownerScope, retrieve as retrieveAny, usedBy as usedByAny,
  type ConnectionView,
} from './service.js';
import type { TypedConnectionKind } from './typed-kinds.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/** A request body after schema validation and trimming; absent keys are "not sent". */
export interface TypedConnectionInput {
  /** Source pk (uuid); create only (decisions F1). */
  source?: string;
  /** User pk; defaults to the caller on create (F1); writable afterwards only on Kerberos (F3). */
  user?: number;
  identifier?: string;
  /** OAuth, write-only; `null` or `""` clear it. */
  access_token?: string | null;
  /** Plex, write-only, required on create and PUT. */
  plex_token?: string;
}

function ref(k: TypedConnectionKind, r: Pick<ConnectionBaseRow, 'id' | 'user_id' | 'source_id'>) {
  return { app: k.app, model_name: k.model, pk: r.id, name: connectionName(r.user_id, r.source_id) };
}

/** The typed-table columns to write for the kind's secret (sealed), or undefined when not sent. */
function secretColumns(deps: Deps, k: TypedConnectionKind, input: TypedConnectionInput): Record<string, string | null> | undefined {
  if (!k.secret) return undefined;
  const v = input[k.secret.field];
  if (v === undefined) return undefined;
  if (v === null || v === '') return k.secret.clearable ? { [k.secret.column]: null } : undefined;
  return { [k.secret.column]: deps.secrets.encrypt(v) };
}

/** Decisions F2 body naming the connection that already holds (source, identifier). */
function identifierTaken(existingId: number): UniqueViolation {
  return new UniqueViolation(connectionConstraintMessages(existingId).user_source_connection_source_identifier_key);
}

const IDENTIFIER_TAKEN = connectionConstraintMessages().user_source_connection_source_identifier_key.non_field_errors[0];

/**
 * Runs a write; a (source, identifier) violation raised by the database (two requests racing past
 * the pre-check) is answered like the pre-check, with the winning connection's pk.
 */
async function withIdentifierConflict<T>(deps: Deps, sourcePk: string, identifier: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof UniqueViolation && identifier !== undefined && e.fieldErrors.non_field_errors?.[0] === IDENTIFIER_TAKEN) {
      const existing = await findByIdentifier(deps.db, sourcePk, identifier);
      if (existing) throw identifierTaken(existing.id);
    }
    throw e;
  }
}

/** Whether `pk` names an existing user (ints outside PostgreSQL's integer range cannot). */
async function validUser(deps: Deps, pk: number): Promise<boolean> {
  return Number.isSafeInteger(pk) && pk >= INT_MIN && pk <= INT_MAX && userExists(deps.db, pk);
}

/** Lists the kind's connections visible to `actor`. @throws ValidationFailed (unknown `user`), InvalidPage. */
export async function list(deps: Deps, k: TypedConnectionKind, actor: Actor, query: ListQuery): Promise<Page<ConnectionView>> {
  return listAll(deps, actor, query, k.kind);
}

/** @throws NotFound when absent, of another kind, or not visible. */
export async function retrieve(deps: Deps, k: TypedConnectionKind, actor: Actor, id: number): Promise<ConnectionView> {
  return retrieveAny(deps, actor, id, k.kind);
}

/**
 * Creates a connection of kind `k` (decisions F1): `source` must be a source of that kind; `user`
 * defaults to the caller and naming someone else needs superuser or the kind's global `add_` grant
 * (checked before the user's existence, so pks cannot be probed). Secrets are stored encrypted (F9).
 * (source, identifier) and (user, source) are unique (F2). Writes `model_created`.
 * @throws PermissionDenied for naming another user without the right; ValidationFailed / UniqueViolation.
 */
export async function create(deps: Deps, k: TypedConnectionKind, actor: Actor, input: TypedConnectionInput): Promise<ConnectionView> {
  const missing: FieldErrors = {};
  if (input.source === undefined) missing.source = ['This field is required.'];
  if (input.identifier === undefined) missing.identifier = ['This field is required.'];
  if (k.secret?.required && input[k.secret.field] === undefined) missing[k.secret.field] = ['This field is required.'];
  if (Object.keys(missing).length > 0) throw new ValidationFailed(missing);
  const userPk = input.user ?? actor.userPk;
  if (userPk !== actor.userPk && !(await can(deps, actor, k.perms.add))) throw new PermissionDenied();

  const errors: FieldErrors = {};
  const sourcePk = input.source!.replace(/^urn:uuid:/i, '').toLowerCase();
  const src = UUID_RE.test(sourcePk) ? await findSourceKind(deps.db, sourcePk) : undefined;
  if (!UUID_RE.test(sourcePk)) errors.source = [`“${input.source}” is not a valid UUID.`];
  else if (!src || src.kind !== k.kind) errors.source = [`Invalid pk "${input.source}" - object does not exist.`];
  if (!(await validUser(deps, userPk))) errors.user = [`Invalid pk "${userPk}" - object does not exist.`];
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);

  const identifier = input.identifier!;
  const extra = secretColumns(deps, k, input) ?? (k.secret?.clearable ? { [k.secret.column]: null } : {});
  const row = await withIdentifierConflict(deps, sourcePk, identifier, () => deps.db.transaction().execute(async (tx) => {
    const holder = await findByIdentifier(tx, sourcePk, identifier);
    if (holder) throw identifierTaken(holder.id);
    const r = await insertConnection(tx, { kind: k.kind, userPk, sourcePk, identifier, extra });
    await insertEvent(tx, modelEvent('model_created', actor, ref(k, r)));
    return r;
  }));
  return attachSourceView(deps, row);
}

/**
 * PUT (`partial` false: `identifier`, the required secret and Kerberos `user` must be present) or PATCH.
 * `source` is read-only here, and so is `user` except on Kerberos. Changing `identifier` or the Kerberos
 * `user` needs superuser or the kind's `change_` grant, globally or on this connection (decisions F3);
 * sending the stored value again is not a change. Writes `model_updated`.
 * @throws NotFound (absent / not visible); PermissionDenied (F3); ValidationFailed / UniqueViolation (F2).
 */
export async function update(
  deps: Deps, k: TypedConnectionKind, actor: Actor, id: number, input: TypedConnectionInput, partial: boolean,
): Promise<ConnectionView> {
  const current = await getVisible(deps, actor, id, k.kind);
  if (!partial) {
    const missing: FieldErrors = {};
    if (k.userWritable && input.user === undefined) missing.user = ['This field is required.'];
    if (input.identifier === undefined) missing.identifier = ['This field is required.'];
    if (k.secret?.required && input[k.secret.field] === undefined) missing[k.secret.field] = ['This field is required.'];
    if (Object.keys(missing).length > 0) throw new ValidationFailed(missing);
  }
  const rekey = input.identifier !== undefined && input.identifier !== current.identifier;
  const reassign = k.userWritable && input.user !== undefined && input.user !== current.user_id;
  if ((rekey || reassign) && !(await can(deps, actor, k.perms.change, id))) throw new PermissionDenied();
  if (reassign && !(await validUser(deps, input.user!))) throw ValidationFailed.field('user', `Invalid pk "${input.user}" - object does not exist.`);
  const identifier = rekey ? input.identifier : undefined;
  const userPk = reassign ? input.user : undefined;
  const extra = secretColumns(deps, k, input);

  const row = await withIdentifierConflict(deps, current.source_id, identifier, () => deps.db.transaction().execute(async (tx) => {
    const r = await findConnection(tx, id, { ownerPk: ownerScope(actor), kind: k.kind });
    if (!r) throw new NotFound();
    if (identifier !== undefined) {
      const holder = await findByIdentifier(tx, r.source_id, identifier);
      if (holder && holder.id !== id) throw identifierTaken(holder.id);
    }
    await updateConnection(tx, { kind: k.kind, id, identifier, userPk, extra });
    const after = (await findConnection(tx, id, { kind: k.kind }))!;
    await insertEvent(tx, modelEvent('model_updated', actor, ref(k, after)));
    return after;
  }));
  return attachSourceView(deps, row);
}

/**
 * Deletes a connection of kind `k` (decisions F7 applies) and writes `model_deleted`.
 * @throws NotFound when absent or not visible; ValidationFailed for the last way in.
 */
export async function destroy(deps: Deps, k: TypedConnectionKind, actor: Actor, id: number): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    const r = await findConnection(tx, id, { ownerPk: ownerScope(actor), kind: k.kind });
    if (!r) throw new NotFound();
    await assertNotLastWayIn(tx, actor, r);
    await deleteConnection(tx, id);
    await insertEvent(tx, modelEvent('model_deleted', actor, ref(k, r)));
  });
}

/** `used_by`: 403 for another user's connection, 404 when missing, else `[]` (permissions.md §3.1 rule 4). */
export async function usedBy(deps: Deps, k: TypedConnectionKind, actor: Actor, id: number): Promise<[]> {
  return usedByAny(deps, actor, id, k.kind);
}
