/**
 * Use cases behind `/api/v3/core/groups/`: list, retrieve, create, update (PUT/PATCH), delete.
 * Object-permission model (permissions.md §5) on `authentik_core.*_group`. Superuser reach is guarded:
 * only a superuser may set the flag, change or delete a group that grants superuser (itself or through
 * an ancestor), place a group under one, or change a group's roles (docs/decisions.md U2, U4).
 * Source: authentik/core/api/groups.py GroupViewSet / GroupSerializer (2024.8).
 */
import { randomUUID } from 'node:crypto';
import {
  deleteGroup, existingGroupUuids, existingRoleUuids, findGroup, findGroupMembers, findGroupRoles,
  groupRoleUuids, groupsGrantingSuperuser, insertGroup, isDescendant, listGroups, setGroupRoles, setGroupUsers, updateGroup,
  type GroupListExtras, type GroupMemberRecord, type GroupRecord, type GroupRoleRecord, type GroupWrite,
} from '../../db/repositories/core-groups.js';
import { existingUserPks, existingUsernames } from '../../db/repositories/core-users.js';
import { insertEvent } from '../../db/repositories/events.js';
import type { Actor } from '../actor.js';
import { modelEvent } from '../audit.js';
import { addError, canonicalUuid, charField, dictField, intListField, invalidPk, textProblem, uuidListField } from '../core-fields.js';
import type { Deps } from '../deps.js';
import { NotFound, PermissionDenied, ValidationFailed, type FieldErrors } from '../errors.js';
import type { ListParamsSpec, ListQuery, Page } from '../list.js';
import { can, perm, visibility } from '../permissions.js';
import { noop, parseAttributesFilter } from '../users/service.js';
import { userUid } from '../users/identity.js';

export const VIEW_GROUP = perm('authentik_core', 'view', 'group');
export const ADD_GROUP = perm('authentik_core', 'add', 'group');
export const CHANGE_GROUP = perm('authentik_core', 'change', 'group');
export const DELETE_GROUP = perm('authentik_core', 'delete', 'group');

/** A member with its derived uid. */
export interface GroupMemberView { member: GroupMemberRecord; uid: string }

/** A group ready to serialize; `members` is null when `include_users=false`. */
export interface GroupView {
  group: GroupRecord;
  users: number[];
  members: GroupMemberView[] | null;
  roles: GroupRoleRecord[];
}

/** List parameters of `/core/groups/`; the multi-valued member filters arrive in `GroupListRaw`. */
export const groupListSpec: ListParamsSpec = {
  filters: { name: 'text', is_superuser: 'bool', members_by_pk: 'text', members_by_username: 'text', attributes: 'text', include_users: 'text' },
  orderingFields: ['pk', 'num_pk', 'name', 'is_superuser', 'parent'],
  defaultOrdering: ['name'],
  searchable: true,
};

/** Every value of the multi-valued filters, and `include_users`. */
export interface GroupListRaw {
  membersByPk: string[];
  membersByUsername: string[];
  includeUsers: boolean;
}

/** Attaches members (pks always; objects unless `includeUsers` is false) and roles. */
async function groupViews(deps: Deps, groups: GroupRecord[], includeUsers = true): Promise<GroupView[]> {
  const uuids = groups.map((g) => g.group_uuid);
  const [members, roles] = await Promise.all([findGroupMembers(deps.db, uuids), findGroupRoles(deps.db, uuids)]);
  return groups.map((group) => {
    const m = members.get(group.group_uuid) ?? [];
    return {
      group,
      users: m.map((x) => x.id).sort((a, b) => a - b),
      members: includeUsers ? m.map((member) => ({ member, uid: userUid(deps.secrets, member.id) })) : null,
      roles: roles.get(group.group_uuid) ?? [],
    };
  });
}

/** undefined = all groups; else the uuids the actor holds `view_group` on. @throws PermissionDenied with no view grant at all. */
async function visibleGroupUuids(deps: Deps, actor: Actor): Promise<string[] | undefined> {
  const v = await visibility(deps, actor, VIEW_GROUP);
  return v.all ? undefined : v.pks.map((p) => canonicalUuid(p)).filter((p): p is string => p !== undefined);
}

/** @throws PermissionDenied (no view grant at all), NotFound (absent, malformed uuid, or not visible). */
async function getVisible(deps: Deps, actor: Actor, rawUuid: string): Promise<GroupRecord> {
  const visible = await visibleGroupUuids(deps, actor);
  const uuid = canonicalUuid(rawUuid);
  if (!uuid || (visible && !visible.includes(uuid))) throw new NotFound();
  const g = await findGroup(deps.db, uuid);
  if (!g) throw new NotFound();
  return g;
}

/**
 * Lists the groups visible to `actor`.
 * @throws PermissionDenied without any view grant; ValidationFailed for unknown/malformed member
 * filters or a bad attributes filter; InvalidPage.
 */
export async function list(deps: Deps, actor: Actor, query: ListQuery, raw: GroupListRaw): Promise<Page<GroupView>> {
  const visiblePks = await visibleGroupUuids(deps, actor);
  const errors: FieldErrors = {};
  const extras: GroupListExtras = {};
  const filters = { ...query.filters };
  for (const k of ['members_by_pk', 'members_by_username', 'attributes', 'include_users']) delete filters[k];
  const pkValues = raw.membersByPk.filter((p) => p !== '');
  if (pkValues.length > 0) {
    const bad = pkValues.find((p) => !/^\s*-?\d{1,10}\s*$/.test(p) || Math.abs(Number(p)) > 2147483647);
    if (bad !== undefined) addError(errors, 'members_by_pk', `“${bad}” is not a valid value.`);
    else {
      const pks = pkValues.map((p) => Number(p.trim()));
      const found = await existingUserPks(deps.db, pks);
      const missing = pks.find((p) => !found.has(p));
      if (missing !== undefined) addError(errors, 'members_by_pk', `Select a valid choice. ${missing} is not one of the available choices.`);
      else extras.membersByPk = pks;
    }
  }
  const names = raw.membersByUsername.filter((n) => n !== '' && !textProblem(n));
  if (names.length > 0) {
    const found = await existingUsernames(deps.db, names);
    const missing = names.find((n) => !found.has(n));
    if (missing !== undefined) addError(errors, 'members_by_username', `Select a valid choice. ${missing} is not one of the available choices.`);
    else extras.membersByUsername = names;
  }
  try {
    extras.attributes = parseAttributesFilter(typeof query.filters.attributes === 'string' ? query.filters.attributes : undefined);
  } catch (e) {
    if (e instanceof ValidationFailed) Object.assign(errors, e.fieldErrors);
    else throw e;
  }
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  const page = await listGroups(deps.db, { visiblePks, query: { ...query, filters }, extras });
  return { ...page, rows: await groupViews(deps, page.rows, raw.includeUsers) };
}

/** Retrieves one group by uuid. @throws PermissionDenied, NotFound. */
export async function retrieve(deps: Deps, actor: Actor, rawUuid: string, includeUsers = true): Promise<GroupView> {
  const g = await getVisible(deps, actor, rawUuid);
  return (await groupViews(deps, [g], includeUsers))[0];
}

interface ValidGroupBody {
  write: GroupWrite;
  users?: number[];
  roles?: string[];
}

function superuserFlagMessage(flag: boolean): string {
  return `User does not have permission to set superuser status to ${flag ? 'True' : 'False'}.`;
}

/**
 * Validates a GroupRequest / PatchedGroupRequest body like GroupSerializer: every field error at once.
 * @throws ValidationFailed with DRF's (and authentik's) messages.
 */
async function validateGroupBody(
  deps: Deps,
  actor: Actor,
  body: Record<string, unknown>,
  mode: { partial: boolean; existing?: GroupRecord },
): Promise<ValidGroupBody> {
  const errors: FieldErrors = {};
  const w: GroupWrite = {};
  const existing = mode.existing;
  w.name = charField(errors, 'name', body.name, { required: !mode.partial });
  if (typeof body.is_superuser === 'boolean') {
    const changes = existing ? body.is_superuser !== existing.is_superuser : body.is_superuser;
    if (changes && !actor.isSuperuser) addError(errors, 'is_superuser', superuserFlagMessage(body.is_superuser));
    else w.is_superuser = body.is_superuser;
  }
  if (body.parent === null) w.parent_uuid = null;
  else if (body.parent !== undefined) {
    const parent = typeof body.parent === 'string' ? canonicalUuid(body.parent) : undefined;
    if (!parent) addError(errors, 'parent', `“${String(body.parent)}” is not a valid UUID.`);
    else if ((await existingGroupUuids(deps.db, [parent])).size === 0) addError(errors, 'parent', invalidPk(parent));
    else if (existing && parent === existing.group_uuid) addError(errors, 'parent', 'Cannot set group as parent of itself.');
    else if (existing && (await isDescendant(deps.db, existing.group_uuid, parent))) {
      addError(errors, 'parent', 'Cannot set a descendant of this group as its parent.');
    } else if (!actor.isSuperuser && parent !== existing?.parent_uuid && (await groupsGrantingSuperuser(deps.db, [parent])).size > 0) {
      addError(errors, 'parent', 'Only superusers can place a group under a superuser group.');
    } else w.parent_uuid = parent;
  }
  let users = intListField(errors, 'users', body.users);
  if (users === undefined && !mode.partial && !errors.users) users = [];
  if (users && users.length > 0) {
    const found = await existingUserPks(deps.db, users);
    const missing = users.find((u) => !found.has(u));
    if (missing !== undefined) addError(errors, 'users', invalidPk(missing));
  }
  w.attributes = dictField(errors, 'attributes', body.attributes);
  const roles = uuidListField(errors, 'roles', body.roles);
  if (roles && roles.length > 0) {
    const found = await existingRoleUuids(deps.db, roles);
    const missing = roles.find((r) => !found.has(r));
    if (missing !== undefined) addError(errors, 'roles', invalidPk(missing));
  }
  if (roles && !errors.roles && !actor.isSuperuser) {
    const current = existing ? await groupRoleUuids(deps.db, existing.group_uuid) : [];
    const same = roles.length === current.length && roles.every((r) => current.includes(r));
    if (!same) addError(errors, 'roles', 'Only superusers can change the roles of a group.');
  }
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  return { write: w, users, roles };
}

function groupRef(uuid: string, name: string) {
  return { app: 'authentik_core', model_name: 'group', pk: uuid.replace(/-/g, ''), name: `Group ${name}` };
}

/**
 * Creates a group with its members and roles; writes `model_created`.
 * @throws PermissionDenied without `add_group`; ValidationFailed (bad body, duplicate (name, parent),
 * superuser flag or superuser parent by a non-superuser).
 */
export async function create(deps: Deps, actor: Actor, body: Record<string, unknown>, assertBody: () => void = noop): Promise<GroupView> {
  if (!(await can(deps, actor, ADD_GROUP))) throw new PermissionDenied();
  assertBody();
  const v = await validateGroupBody(deps, actor, body, { partial: false });
  const uuid = randomUUID();
  await deps.db.transaction().execute(async (tx) => {
    await insertGroup(tx, uuid, { ...v.write, name: v.write.name! });
    await setGroupUsers(tx, uuid, v.users ?? []);
    if (v.roles) await setGroupRoles(tx, uuid, v.roles);
    await insertEvent(tx, modelEvent('model_created', actor, groupRef(uuid, v.write.name!)));
  });
  const g = await findGroup(deps.db, uuid);
  if (!g) throw new NotFound();
  return (await groupViews(deps, [g]))[0];
}

/** Visible (404), `permission` on it (403), and a group granting superuser only for superusers (403). */
async function writable(deps: Deps, actor: Actor, rawUuid: string, permission: string): Promise<GroupRecord> {
  const g = await getVisible(deps, actor, rawUuid);
  if (!(await can(deps, actor, permission, g.group_uuid))) throw new PermissionDenied();
  if (!actor.isSuperuser && (await groupsGrantingSuperuser(deps.db, [g.group_uuid])).size > 0) throw new PermissionDenied();
  return g;
}

/**
 * PUT (`name` required, omitted `users` = no members) or PATCH; writes `model_updated`.
 * @throws NotFound, PermissionDenied, ValidationFailed.
 */
export async function update(
  deps: Deps, actor: Actor, rawUuid: string, body: Record<string, unknown>, partial: boolean, assertBody: () => void = noop,
): Promise<GroupView> {
  const existing = await writable(deps, actor, rawUuid, CHANGE_GROUP);
  assertBody();
  const v = await validateGroupBody(deps, actor, body, { partial, existing });
  const uuid = existing.group_uuid;
  await deps.db.transaction().execute(async (tx) => {
    await updateGroup(tx, uuid, v.write);
    if (v.users) await setGroupUsers(tx, uuid, v.users);
    if (v.roles) await setGroupRoles(tx, uuid, v.roles);
    await insertEvent(tx, modelEvent('model_updated', actor, groupRef(uuid, v.write.name ?? existing.name)));
  });
  const g = await findGroup(deps.db, uuid);
  if (!g) throw new NotFound();
  return (await groupViews(deps, [g]))[0];
}

/** Deletes a group; writes `model_deleted`. @throws NotFound, PermissionDenied, ValidationFailed (child name clash). */
export async function destroy(deps: Deps, actor: Actor, rawUuid: string): Promise<void> {
  const existing = await writable(deps, actor, rawUuid, DELETE_GROUP);
  await deps.db.transaction().execute(async (tx) => {
    if (!(await deleteGroup(tx, existing.group_uuid))) throw new NotFound();
    await insertEvent(tx, modelEvent('model_deleted', actor, groupRef(existing.group_uuid, existing.name)));
  });
}
