/**
 * Use cases behind `/rbac/roles/`: role CRUD under the object-permission model
 * (`authentik_rbac.*_role`) and `used_by`. Every write records a model event in its transaction (F10).
 * Source: authentik/rbac/api/roles.py RoleViewSet (2024.8).
 */
import { insertEvent } from '../../db/repositories/events.js';
import { deleteRole, findRole, groupsOfRole, insertRole, listRoles, updateRole, type RoleRow } from '../../db/repositories/roles.js';
import type { Actor } from '../actor.js';
import { modelEvent } from '../audit.js';
import type { Deps } from '../deps.js';
import { NotFound } from '../errors.js';
import type { ListParamsSpec, ListQuery, Page } from '../list.js';
import { sees, viewable } from '../permissions.js';
import { canonicalUuid, eventPk, listScope, requireAdd, requireOn, requireVisible } from './guard.js';

export const ROLE = { app: 'authentik_rbac', model: 'role' } as const;

/** List parameters of `/rbac/roles/`. */
export const roleListSpec: ListParamsSpec = {
  filters: { group__name: 'text' },
  orderingFields: ['pk', 'name'],
  defaultOrdering: ['group__name'],
  searchable: true,
};

/** A `used_by` entry (spec §7). */
export interface UsedByEntry { app: string; model_name: string; pk: string; name: string; action: 'cascade' | 'cascade_many' | 'set_null' | 'set_default' }

function roleRef(r: RoleRow) {
  return { app: ROLE.app, model_name: ROLE.model, pk: eventPk(r.role_uuid), name: `Role ${r.name}` };
}

/** Lists visible roles. @throws PermissionDenied without any view_role grant; InvalidPage. */
export async function list(deps: Deps, actor: Actor, query: ListQuery): Promise<Page<RoleRow>> {
  return listRoles(deps.db, { visiblePks: await listScope(deps, actor, ROLE), query });
}

/** Finds a visible role by the raw path value. @throws PermissionDenied, NotFound. */
export async function retrieve(deps: Deps, actor: Actor, rawUuid: string): Promise<RoleRow> {
  const uuid = canonicalUuid(rawUuid);
  return requireVisible(deps, actor, ROLE, async () => (uuid ? findRole(deps.db, uuid) : undefined), (r) => r.role_uuid);
}

/**
 * Creates a role named `name` (already trimmed and length-checked by the request schema).
 * @throws PermissionDenied without `authentik_rbac.add_role`; UniqueViolation `{name}` when taken.
 */
export async function create(deps: Deps, actor: Actor, name: string): Promise<RoleRow> {
  await requireAdd(deps, actor, ROLE);
  return deps.db.transaction().execute(async (tx) => {
    const r = await insertRole(tx, name);
    await insertEvent(tx, modelEvent('model_created', actor, roleRef(r)));
    return r;
  });
}

/**
 * Renames a role (PUT, or PATCH with `name` absent = no change, still saved and audited).
 * @throws PermissionDenied, NotFound, UniqueViolation.
 */
export async function update(deps: Deps, actor: Actor, rawUuid: string, name: string | undefined): Promise<RoleRow> {
  const current = await retrieve(deps, actor, rawUuid);
  await requireOn(deps, actor, ROLE, 'change', current.role_uuid);
  return deps.db.transaction().execute(async (tx) => {
    const r = await updateRole(tx, current.role_uuid, name ?? current.name);
    if (!r) throw new NotFound();
    await insertEvent(tx, modelEvent('model_updated', actor, roleRef(r)));
    return r;
  });
}

/** Deletes a role with its grants and group attachments. @throws PermissionDenied, NotFound. */
export async function destroy(deps: Deps, actor: Actor, rawUuid: string): Promise<void> {
  const current = await retrieve(deps, actor, rawUuid);
  await requireOn(deps, actor, ROLE, 'delete', current.role_uuid);
  await deps.db.transaction().execute(async (tx) => {
    if (!(await deleteRole(tx, current.role_uuid))) throw new NotFound();
    await insertEvent(tx, modelEvent('model_deleted', actor, roleRef(current)));
  });
}

/**
 * `used_by`: any authenticated caller; the role is looked up without the visibility filter (404 only
 * when absent). Lists the groups it is attached to that the caller may view (`cascade_many`: deleting
 * the role detaches it).
 * @throws NotFound.
 */
export async function usedBy(deps: Deps, actor: Actor, rawUuid: string): Promise<UsedByEntry[]> {
  const uuid = canonicalUuid(rawUuid);
  const role = uuid ? await findRole(deps.db, uuid) : undefined;
  if (!role) throw new NotFound();
  const v = await viewable(deps, actor, 'authentik_core.view_group');
  return (await groupsOfRole(deps.db, role.role_uuid))
    .filter((g) => sees(v, g.group_uuid))
    .map((g) => ({ app: 'authentik_core', model_name: 'group', pk: g.group_uuid, name: `Group ${g.name}`, action: 'cascade_many' as const }));
}
