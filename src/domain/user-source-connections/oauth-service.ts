/**
 * Use cases behind `/sources/user_connections/oauth/` (spec §6; permissions.md §3; decisions F1, F2, F3, F7, F9, F10).
 * Owner model: superusers see and touch every row, everyone else only their own. RBAC grants only
 * matter for naming another user on create (F1) and for re-keying an identifier (F3).
 * Source: authentik/sources/oauth/api/source_connection.py UserOAuthSourceConnectionViewSet (2024.8),
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
import { NotFound, PermissionDenied, UniqueViolation, ValidationFailed, type FieldErrors } from '../errors.js';
import type { ListParamsSpec, ListQuery, Page } from '../list.js';
import { can, perm } from '../permissions.js';
import {
  assertNotLastWayIn, getVisible, listAll, ownerScope, retrieve as retrieveAny, usedBy as usedByAny, withSources,
  type ConnectionView,
} from './service.js';

const APP = 'authentik_sources_oauth';
const MODEL = 'useroauthsourceconnection';
export const OAUTH_CONNECTION_PERMS = {
  add: perm(APP, 'add', MODEL),
  change: perm(APP, 'change', MODEL),
} as const;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT_MAX = 2147483647;

/** List parameters of `/sources/user_connections/oauth/` (spec §6). */
export const oauthConnectionListSpec: ListParamsSpec = {
  filters: { user: 'int', source__slug: 'text' },
  orderingFields: ['pk', 'user', 'source', 'created', 'identifier'],
  defaultOrdering: ['source__slug', 'pk'],
  searchable: true,
};

/** A request body after schema validation and trimming; absent keys are "not sent". */
export interface OAuthConnectionInput {
  /** Source pk (uuid); create only (decisions F1). */
  source?: string;
  /** User pk; create only, defaults to the caller (decisions F1). */
  user?: number;
  identifier?: string;
  /** Write-only; `null` or `""` clear it. */
  access_token?: string | null;
}

function ref(r: Pick<ConnectionBaseRow, 'id' | 'user_id' | 'source_id'>) {
  return { app: APP, model_name: MODEL, pk: r.id, name: connectionName(r.user_id, r.source_id) };
}

function sealToken(deps: Deps, token: string | null | undefined): string | null | undefined {
  if (token === undefined) return undefined;
  return token === null || token === '' ? null : deps.secrets.encrypt(token);
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

/** Lists the OAuth connections visible to `actor`. @throws ValidationFailed (unknown `user`), InvalidPage. */
export async function list(deps: Deps, actor: Actor, query: ListQuery): Promise<Page<ConnectionView>> {
  return listAll(deps, actor, query, 'oauth');
}

/** @throws NotFound when absent, not an OAuth connection, or not visible. */
export async function retrieve(deps: Deps, actor: Actor, id: number): Promise<ConnectionView> {
  return retrieveAny(deps, actor, id, 'oauth');
}

/**
 * Creates an OAuth connection (decisions F1): `source` must be an OAuth source; `user` defaults to the
 * caller and naming someone else needs superuser or `add_useroauthsourceconnection`. The access token is
 * stored encrypted (F9). (source, identifier) and (user, source) are unique (F2). Writes `model_created`.
 * @throws PermissionDenied for naming another user without the right; ValidationFailed / UniqueViolation.
 */
export async function create(deps: Deps, actor: Actor, input: OAuthConnectionInput): Promise<ConnectionView> {
  const missing: FieldErrors = {};
  if (input.source === undefined) missing.source = ['This field is required.'];
  if (input.identifier === undefined) missing.identifier = ['This field is required.'];
  if (Object.keys(missing).length > 0) throw new ValidationFailed(missing);
  const userPk = input.user ?? actor.userPk;
  if (userPk !== actor.userPk && !(await can(deps, actor, OAUTH_CONNECTION_PERMS.add))) throw new PermissionDenied();

  const errors: FieldErrors = {};
  const sourcePk = input.source!.replace(/^urn:uuid:/i, '').toLowerCase();
  const src = UUID_RE.test(sourcePk) ? await findSourceKind(deps.db, sourcePk) : undefined;
  if (!UUID_RE.test(sourcePk)) errors.source = [`“${input.source}” is not a valid UUID.`];
  else if (!src || src.kind !== 'oauth') errors.source = [`Invalid pk "${input.source}" - object does not exist.`];
  if (!Number.isSafeInteger(userPk) || userPk < -INT_MAX - 1 || userPk > INT_MAX || !(await userExists(deps.db, userPk))) {
    errors.user = [`Invalid pk "${userPk}" - object does not exist.`];
  }
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);

  const identifier = input.identifier!;
  const row = await withIdentifierConflict(deps, sourcePk, identifier, () => deps.db.transaction().execute(async (tx) => {
    const holder = await findByIdentifier(tx, sourcePk, identifier);
    if (holder) throw identifierTaken(holder.id);
    const r = await insertConnection(tx, {
      kind: 'oauth', userPk, sourcePk, identifier,
      extra: { access_token_encrypted: sealToken(deps, input.access_token) ?? null },
    });
    await insertEvent(tx, modelEvent('model_created', actor, ref(r)));
    return r;
  }));
  return (await withSources(deps, [row]))[0];
}

/**
 * PUT (`partial` false: `identifier` required) or PATCH. `source` and `user` are read-only here.
 * Changing `identifier` needs superuser or `change_useroauthsourceconnection` (decisions F3); sending the
 * stored value again is not a change. Writes `model_updated`.
 * @throws NotFound (absent / not visible); PermissionDenied (F3); ValidationFailed / UniqueViolation (F2).
 */
export async function update(deps: Deps, actor: Actor, id: number, input: OAuthConnectionInput, partial: boolean): Promise<ConnectionView> {
  const current = await getVisible(deps, actor, id, 'oauth');
  if (!partial && input.identifier === undefined) throw ValidationFailed.field('identifier', 'This field is required.');
  const rekey = input.identifier !== undefined && input.identifier !== current.identifier;
  if (rekey && !(await can(deps, actor, OAUTH_CONNECTION_PERMS.change, id))) throw new PermissionDenied();
  const identifier = rekey ? input.identifier : undefined;
  const token = sealToken(deps, input.access_token);

  const row = await withIdentifierConflict(deps, current.source_id, identifier, () => deps.db.transaction().execute(async (tx) => {
    const r = await findConnection(tx, id, { ownerPk: ownerScope(actor), kind: 'oauth' });
    if (!r) throw new NotFound();
    if (identifier !== undefined) {
      const holder = await findByIdentifier(tx, r.source_id, identifier);
      if (holder && holder.id !== id) throw identifierTaken(holder.id);
    }
    await updateConnection(tx, {
      kind: 'oauth', id, identifier,
      extra: token === undefined ? undefined : { access_token_encrypted: token },
    });
    await insertEvent(tx, modelEvent('model_updated', actor, ref(r)));
    return (await findConnection(tx, id, { kind: 'oauth' }))!;
  }));
  return (await withSources(deps, [row]))[0];
}

/**
 * Deletes an OAuth connection (decisions F7 applies) and writes `model_deleted`.
 * @throws NotFound when absent or not visible; ValidationFailed for the last way in.
 */
export async function destroy(deps: Deps, actor: Actor, id: number): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    const r = await findConnection(tx, id, { ownerPk: ownerScope(actor), kind: 'oauth' });
    if (!r) throw new NotFound();
    await assertNotLastWayIn(tx, actor, r);
    await deleteConnection(tx, id);
    await insertEvent(tx, modelEvent('model_deleted', actor, ref(r)));
  });
}

/** `used_by`: 403 for another user's connection, 404 when missing, else `[]` (permissions.md §3.1 rule 4). */
export async function usedBy(deps: Deps, actor: Actor, id: number): Promise<[]> {
  return usedByAny(deps, actor, id, 'oauth');
}
