/**
 * Use cases behind `/sources/group_connections/{oauth,saml,plex,kerberos}/` (spec §8.1; permissions.md §4;
 * decisions F4, F10). Superusers only: everyone else sees an empty list and 404 on every detail route
 * (also `used_by`), and may not create. Superusers may create on all four kinds (with `group`, `source`,
 * `identifier`); PUT/PATCH change nothing but refresh `last_updated`; DELETE removes the row.
 * Source: authentik/core/api/sources.py GroupSourceConnectionViewSet and
 * authentik/sources/<kind>/api/source_connection.py Group<Kind>SourceConnectionViewSet (2024.8), with Fedlink's fixes.
 */
import { insertEvent } from '../../db/repositories/events.js';
import {
  deleteGroupConnection, findGroupConnection, findGroupConnectionByIdentifier, groupConnectionConstraintMessages,
  groupExists, insertGroupConnection, listGroupConnections, touchGroupConnection, type GroupConnectionRow,
} from '../../db/repositories/group-source-connections.js';
import { findSourceKind, type SourceView } from '../../db/repositories/sources.js';
import type { ConnectionKind } from '../../db/repositories/user-source-connections.js';
import type { Actor } from '../actor.js';
import { modelEvent } from '../audit.js';
import type { Deps } from '../deps.js';
import { NotFound, PermissionDenied, UniqueViolation, ValidationFailed, type FieldErrors } from '../errors.js';
import { attachSourceView, attachSourceViews } from '../sources/view-cache.js';
import { INVALID_CHOICE, type ListParamsSpec, type ListQuery, type Page } from '../list.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** authentik app label per kind; the model is `group<kind>sourceconnection`. */
const APP: Record<ConnectionKind, string> = {
  oauth: 'authentik_sources_oauth', saml: 'authentik_sources_saml', plex: 'authentik_sources_plex', kerberos: 'authentik_sources_kerberos',
};

/** List parameters of every `/sources/group_connections/<kind>/` (spec §8.1). */
export const groupConnectionListSpec: ListParamsSpec = {
  filters: { group: 'uuid', source__slug: 'text' },
  orderingFields: ['pk', 'group', 'source', 'identifier', 'created'],
  defaultOrdering: ['source__slug', 'pk'],
  searchable: true,
};

/** A group connection with its nested base source, ready to serialize. */
export interface GroupConnectionView {
  row: GroupConnectionRow;
  source: SourceView;
}

/** A create body after schema validation and trimming; absent keys are "not sent". */
export interface GroupConnectionInput {
  group?: string;
  source?: string;
  identifier?: string;
}

/** String form of a group connection, as authentik's `__str__` gives it. */
export function groupConnectionName(groupPk: string, sourcePk: string): string {
  return `Group-source connection (group=${groupPk}, source=${sourcePk})`;
}

function ref(kind: ConnectionKind, r: GroupConnectionRow) {
  return { app: APP[kind], model_name: `group${kind}sourceconnection`, pk: r.id, name: groupConnectionName(r.group_id, r.source_id) };
}

/** Canonical uuid (lower case, hyphenated, optional `urn:uuid:` prefix dropped), or undefined when malformed. */
function canonicalUuid(v: string): string | undefined {
  const u = v.replace(/^urn:uuid:/i, '').replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(u)) return undefined;
  const out = `${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20)}`;
  return UUID_RE.test(out) ? out : undefined;
}

/** Decisions F4: only superusers reach group connections. @throws NotFound for everyone else. */
async function getVisible(deps: Deps, kind: ConnectionKind, actor: Actor, id: number): Promise<GroupConnectionRow> {
  if (!actor.isSuperuser) throw new NotFound();
  const row = await findGroupConnection(deps.db, id, kind);
  if (!row) throw new NotFound();
  return row;
}

/**
 * Lists one kind's group connections: all of them for superusers, none for anyone else (decisions F4).
 * The `group` filter is checked for existence only for superusers, so others cannot probe group pks.
 * @throws ValidationFailed for an unknown `group`; InvalidPage for a page out of range.
 */
export async function list(deps: Deps, kind: ConnectionKind, actor: Actor, query: ListQuery): Promise<Page<GroupConnectionView>> {
  const g = query.filters.group;
  if (actor.isSuperuser && typeof g === 'string' && !(await groupExists(deps.db, canonicalUuid(g) ?? g))) {
    throw ValidationFailed.field('group', INVALID_CHOICE);
  }
  const page = await listGroupConnections(deps.db, { kind, none: !actor.isSuperuser, query });
  return { ...page, rows: await attachSourceViews(deps, page.rows) };
}

/** @throws NotFound when absent, of another kind, or the actor is not a superuser. */
export async function retrieve(deps: Deps, kind: ConnectionKind, actor: Actor, id: number): Promise<GroupConnectionView> {
  return attachSourceView(deps, await getVisible(deps, kind, actor, id));
}

/** The access check DRF would run before the body: only superusers create (decisions F4). @throws PermissionDenied. */
export function checkCreate(actor: Actor): void {
  if (!actor.isSuperuser) throw new PermissionDenied();
}

function identifierTaken(existingId: number): UniqueViolation {
  return new UniqueViolation(groupConnectionConstraintMessages(existingId).group_source_connection_source_identifier_key);
}

const IDENTIFIER_TAKEN = groupConnectionConstraintMessages().group_source_connection_source_identifier_key.non_field_errors[0];

/**
 * Creates a group connection of `kind` (decisions F4): `group` must exist, `source` must be a source of
 * that kind; (group, source) and (source, identifier) are unique (racing writes get the same 400 as the
 * pre-check). Writes `model_created`.
 * @throws PermissionDenied (not a superuser); ValidationFailed / UniqueViolation.
 */
export async function create(deps: Deps, kind: ConnectionKind, actor: Actor, input: GroupConnectionInput): Promise<GroupConnectionView> {
  checkCreate(actor);
  const missing: FieldErrors = {};
  for (const f of ['group', 'source', 'identifier'] as const) if (input[f] === undefined) missing[f] = ['This field is required.'];
  if (Object.keys(missing).length > 0) throw new ValidationFailed(missing);

  const errors: FieldErrors = {};
  const groupPk = canonicalUuid(input.group!);
  if (!groupPk) errors.group = [`“${input.group}” is not a valid UUID.`];
  else if (!(await groupExists(deps.db, groupPk))) errors.group = [`Invalid pk "${input.group}" - object does not exist.`];
  const sourcePk = canonicalUuid(input.source!);
  const src = sourcePk ? await findSourceKind(deps.db, sourcePk) : undefined;
  if (!sourcePk) errors.source = [`“${input.source}” is not a valid UUID.`];
  else if (!src || src.kind !== kind) errors.source = [`Invalid pk "${input.source}" - object does not exist.`];
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);

  const identifier = input.identifier!;
  let row: GroupConnectionRow;
  try {
    row = await deps.db.transaction().execute(async (tx) => {
      const holder = await findGroupConnectionByIdentifier(tx, sourcePk!, identifier);
      if (holder) throw identifierTaken(holder.id);
      const r = await insertGroupConnection(tx, { kind, groupPk: groupPk!, sourcePk: sourcePk!, identifier });
      await insertEvent(tx, modelEvent('model_created', actor, ref(kind, r)));
      return r;
    });
  } catch (e) {
    if (e instanceof UniqueViolation && e.fieldErrors.non_field_errors?.[0] === IDENTIFIER_TAKEN) {
      const existing = await findGroupConnectionByIdentifier(deps.db, sourcePk!, identifier);
      if (existing) throw identifierTaken(existing.id);
    }
    throw e;
  }
  return attachSourceView(deps, row);
}

/**
 * PUT/PATCH: nothing is writable (spec §8.1); the row is saved anyway (refreshing `last_updated`) and
 * `model_updated` is written.
 * @throws NotFound when absent or the actor is not a superuser.
 */
export async function touch(deps: Deps, kind: ConnectionKind, actor: Actor, id: number): Promise<GroupConnectionView> {
  await getVisible(deps, kind, actor, id);
  const row = await deps.db.transaction().execute(async (tx) => {
    const r = await findGroupConnection(tx, id, kind);
    if (!r || !(await touchGroupConnection(tx, id))) throw new NotFound();
    await insertEvent(tx, modelEvent('model_updated', actor, ref(kind, r)));
    return r;
  });
  return attachSourceView(deps, row);
}

/** Deletes a group connection and writes `model_deleted`. @throws NotFound when absent or not a superuser. */
export async function destroy(deps: Deps, kind: ConnectionKind, actor: Actor, id: number): Promise<void> {
  await getVisible(deps, kind, actor, id);
  await deps.db.transaction().execute(async (tx) => {
    const r = await findGroupConnection(tx, id, kind);
    if (!r || !(await deleteGroupConnection(tx, id))) throw new NotFound();
    await insertEvent(tx, modelEvent('model_deleted', actor, ref(kind, r)));
  });
}

/**
 * `used_by`: nothing references a group connection → `[]`. Non-superusers get 404 whether or not the row
 * exists (decisions F4; docs/decisions.md C5), so ids cannot be probed.
 * @throws NotFound.
 */
export async function usedBy(deps: Deps, kind: ConnectionKind, actor: Actor, id: number): Promise<[]> {
  await getVisible(deps, kind, actor, id);
  return [];
}
