/**
 * Use cases behind `/sources/scim_users/` and `/sources/scim_groups/` (spec §8.2; permissions.md §5):
 * plain CRUD over the objects a SCIM source provisioned, looked up by their SCIM `id`, with the standard
 * object permissions `authentik_sources_scim.<verb>_scimsourceuser` / `…_scimsourcegroup`.
 * Source: authentik/sources/scim/api/users.py, groups.py (SCIMSourceUserViewSet, SCIMSourceGroupViewSet).
 */
import { insertEvent } from '../../db/repositories/events.js';
import { findGroupBriefs, findUserBriefs, type GroupBrief, type UserBrief } from '../../db/repositories/scim-sources.js';
import {
  deleteScimObject, findScimObject, insertScimObject, isScimSource, listScimObjects, scimIdTaken, updateScimObject,
  type ScimObjectKind, type ScimObjectRow, type ScimObjectWrite,
} from '../../db/repositories/scim-objects.js';
import { existingPks } from '../../db/repositories/typed-sources.js';
import { userExists, findUserType } from '../../db/repositories/users.js';
import type { Actor } from '../actor.js';
import { modelEvent } from '../audit.js';
import type { Deps } from '../deps.js';
import { NotFound, PermissionDenied, UniqueViolation, ValidationFailed, type FieldErrors } from '../errors.js';
import type { ListParamsSpec, ListQuery, Page } from '../list.js';
import { perm, require, visibility, type Visibility } from '../permissions.js';
import { scimObjectName } from './scim.js';
import { unstorableJson } from './storable-json.js';
import { canonicalUuid } from './typed-source.js';

export type { ScimObjectKind };

/** A provisioned object with the user (users) or group (groups) it points at. */
export interface ScimObjectView {
  row: ScimObjectRow;
  user?: UserBrief;
  group?: GroupBrief;
}

/** List parameters (clients' SourcesScimUsersListRequest / SourcesScimGroupsListRequest). */
export const scimObjectListSpecs: Record<ScimObjectKind, ListParamsSpec> = {
  user: {
    filters: { source__slug: 'text', user__id: 'int', user__username: 'text' },
    orderingFields: ['id', 'user', 'source'],
    defaultOrdering: ['user__username'],
    searchable: true,
  },
  group: {
    filters: { source__slug: 'text', group__group_uuid: 'uuid', group__name: 'text' },
    orderingFields: ['id', 'group', 'source'],
    defaultOrdering: ['group__name'],
    searchable: true,
  },
};

/** A request body after schema validation and trimming: `user` (int) or `group` (uuid), absent keys not sent. */
export type ScimObjectInput = { id?: string; user?: number; group?: string; source?: string; attributes?: unknown };

/** A user pk PostgreSQL's integer column can hold (larger values cannot exist). */
const isInt4 = (n: number) => Number.isSafeInteger(n) && n >= -2147483648 && n <= 2147483647;

const perms = (kind: ScimObjectKind, verb: 'view' | 'add' | 'change' | 'delete') => perm('authentik_sources_scim', verb, `scimsource${kind}`);

async function withRefs(deps: Deps, kind: ScimObjectKind, rows: ScimObjectRow[]): Promise<ScimObjectView[]> {
  if (kind === 'user') {
    const users = await findUserBriefs(deps.db, rows.map((r) => Number(r.ref)));
    return rows.map((row) => ({ row, user: users.get(Number(row.ref)) }));
  }
  const groups = await findGroupBriefs(deps.db, rows.map((r) => String(r.ref)));
  return rows.map((row) => ({ row, group: groups.get(String(row.ref)) }));
}

/**
 * The visibility filter of permissions.md §5.1 (internal service accounts without grants see nothing).
 * @throws PermissionDenied when anyone else holds no view permission at all.
 */
async function objectVisibility(deps: Deps, actor: Actor, kind: ScimObjectKind): Promise<Visibility> {
  try {
    return await visibility(deps, actor, perms(kind, 'view'));
  } catch (e) {
    if (e instanceof PermissionDenied && (await findUserType(deps.db, actor.userPk)) === 'internal_service_account') return { all: false, pks: [] };
    throw e;
  }
}

async function getVisible(deps: Deps, actor: Actor, kind: ScimObjectKind, id: string): Promise<ScimObjectRow> {
  const vis = await objectVisibility(deps, actor, kind);
  const row = id.includes('\0') ? undefined : await findScimObject(deps.db, kind, id);
  if (!row || (!vis.all && !vis.pks.includes(row.id))) throw new NotFound();
  return row;
}

const ref = (kind: ScimObjectKind, row: { id: string; ref_name: string; source_name: string }) => ({
  app: 'authentik_sources_scim', model_name: `scimsource${kind}`, pk: row.id, name: scimObjectName(kind, row.ref_name, row.source_name),
});

/** Field checks: required fields (create/PUT), id uniqueness, referenced user/group/source, storable attributes. */
async function validate(deps: Deps, kind: ScimObjectKind, input: ScimObjectInput, partial: boolean, selfId?: string): Promise<ScimObjectWrite> {
  const errors: FieldErrors = {};
  if (!partial) for (const f of ['id', kind, 'source'] as const) if (input[f] === undefined) errors[f] = ['This field is required.'];
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  if (input.id !== undefined && (await scimIdTaken(deps.db, kind, input.id, selfId))) errors.id = [`scim source ${kind} with this id already exists.`];
  if (kind === 'user' && input.user !== undefined && !(isInt4(input.user) && (await userExists(deps.db, input.user)))) errors.user = [`Invalid pk "${input.user}" - object does not exist.`];
  if (kind === 'group' && input.group !== undefined && !(await existingPks(deps.db, 'group', [canonicalUuid(input.group)])).has(canonicalUuid(input.group))) {
    errors.group = [`Invalid pk "${input.group}" - object does not exist.`];
  }
  if (input.source !== undefined && !(await isScimSource(deps.db, canonicalUuid(input.source)))) errors.source = [`Invalid pk "${input.source}" - object does not exist.`];
  const bad = input.attributes === undefined ? undefined : unstorableJson(input.attributes);
  if (bad) errors.attributes = [bad];
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  const refValue = kind === 'user' ? input.user : input.group === undefined ? undefined : canonicalUuid(input.group);
  return { id: input.id, ref: refValue, source_id: input.source === undefined ? undefined : canonicalUuid(input.source), attributes: input.attributes };
}

async function plainUnique<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof UniqueViolation) throw new ValidationFailed(e.fieldErrors);
    throw e;
  }
}

/**
 * Lists the provisioned objects `actor` may view.
 * @throws PermissionDenied (no view grant at all); InvalidPage.
 */
export async function listScimObjectViews(deps: Deps, actor: Actor, kind: ScimObjectKind, query: ListQuery): Promise<Page<ScimObjectView>> {
  const vis = await objectVisibility(deps, actor, kind);
  const page = await listScimObjects(deps.db, kind, { visibleIds: vis.all ? undefined : vis.pks, query });
  return { ...page, rows: await withRefs(deps, kind, page.rows) };
}

/**
 * The access checks DRF runs before the body: `add` for create; visibility then `change`/`delete` on the object.
 * @throws PermissionDenied, NotFound.
 */
export async function checkScimObjectAccess(deps: Deps, actor: Actor, kind: ScimObjectKind, verb: 'add' | 'change' | 'delete', id?: string): Promise<void> {
  if (verb === 'add') return require(deps, actor, perms(kind, 'add'));
  const row = await getVisible(deps, actor, kind, id ?? '');
  await require(deps, actor, perms(kind, verb), row.id);
}

/** Retrieves one object. @throws PermissionDenied, NotFound. */
export async function retrieveScimObject(deps: Deps, actor: Actor, kind: ScimObjectKind, id: string): Promise<ScimObjectView> {
  return (await withRefs(deps, kind, [await getVisible(deps, actor, kind, id)]))[0];
}

/**
 * Creates an object and writes `model_created`.
 * @throws PermissionDenied without `add_scimsource<kind>`; ValidationFailed (required, taken id, unknown user/group/source).
 */
export async function createScimObject(deps: Deps, actor: Actor, kind: ScimObjectKind, input: ScimObjectInput): Promise<ScimObjectView> {
  await require(deps, actor, perms(kind, 'add'));
  const w = await validate(deps, kind, input, false);
  await plainUnique(() => deps.db.transaction().execute(async (tx) => {
    await insertScimObject(tx, kind, w as Required<Omit<ScimObjectWrite, 'attributes'>> & ScimObjectWrite);
    const row = await findScimObject(tx, kind, w.id!);
    await insertEvent(tx, modelEvent('model_created', actor, ref(kind, row!)));
  }));
  return retrieveCreated(deps, kind, w.id!);
}

async function retrieveCreated(deps: Deps, kind: ScimObjectKind, id: string): Promise<ScimObjectView> {
  const row = await findScimObject(deps.db, kind, id);
  if (!row) throw new NotFound();
  return (await withRefs(deps, kind, [row]))[0];
}

/**
 * PUT (`partial` false: `id`, `user`/`group` and `source` required) or PATCH; writes `model_updated`.
 * The SCIM id may change (it is the lookup key).
 * @throws PermissionDenied, NotFound, ValidationFailed.
 */
export async function updateScimObjectView(deps: Deps, actor: Actor, kind: ScimObjectKind, id: string, input: ScimObjectInput, partial: boolean): Promise<ScimObjectView> {
  const stored = await getVisible(deps, actor, kind, id);
  await require(deps, actor, perms(kind, 'change'), stored.id);
  const w = await validate(deps, kind, input, partial, stored.id);
  await plainUnique(() => deps.db.transaction().execute(async (tx) => {
    if (!(await updateScimObject(tx, kind, stored.id, w))) throw new NotFound();
    const row = await findScimObject(tx, kind, w.id ?? stored.id);
    await insertEvent(tx, modelEvent('model_updated', actor, ref(kind, row!)));
  }));
  return retrieveCreated(deps, kind, w.id ?? stored.id);
}

/** Deletes an object and writes `model_deleted`. @throws PermissionDenied, NotFound. */
export async function destroyScimObject(deps: Deps, actor: Actor, kind: ScimObjectKind, id: string): Promise<void> {
  const stored = await getVisible(deps, actor, kind, id);
  await require(deps, actor, perms(kind, 'delete'), stored.id);
  await deps.db.transaction().execute(async (tx) => {
    if (!(await deleteScimObject(tx, kind, stored.id))) throw new NotFound();
    await insertEvent(tx, modelEvent('model_deleted', actor, ref(kind, stored)));
  });
}

/** `used_by`: nothing references a provisioned object; 404 when the id is unknown (any authenticated caller). */
export async function scimObjectUsedBy(deps: Deps, kind: ScimObjectKind, id: string): Promise<[]> {
  if (id.includes('\0') || !(await findScimObject(deps.db, kind, id))) throw new NotFound();
  return [];
}
