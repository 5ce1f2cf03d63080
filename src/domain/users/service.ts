/**
 * Use cases behind `/api/v3/core/users/`: list, retrieve, create, update (PUT/PATCH), delete, `me/`.
 * Object-permission model (permissions.md §5) on `authentik_core.*_user`, with one addition authentik
 * also has: every user may see their own user object. Superuser status is computed from groups, and
 * only a superuser may grant or revoke it (docs/decisions.md U2–U3).
 * Source: authentik/core/api/users.py UserViewSet / UserSerializer / UserSelfSerializer (2024.8).
 */
import { randomUUID } from 'node:crypto';
import {
  deleteUser, findAllGroupsOfUser, findUser, findUserGroups, findUsers, globalCodenamesWithPrefix,
  insertUser, listUsers, setUserGroups, updateUser, usernameTaken,
  type UserGroupRecord, type UserListExtras, type UserRecord, type UserType, type UserWrite,
} from '../../db/repositories/core-users.js';
import { existingGroupNames, existingGroupUuids, groupsGrantingSuperuser } from '../../db/repositories/core-groups.js';
import { insertEvent } from '../../db/repositories/events.js';
import { grantsFor } from '../../db/repositories/permissions.js';
import type { Executor } from '../../db/executor.js';
import type { Actor } from '../actor.js';
import { modelEvent } from '../audit.js';
import {
  addError, canonicalUuid, charField, dateTimeField, dictField, invalidPk, textProblem, uuidListField,
} from '../core-fields.js';
import type { Deps } from '../deps.js';
import { NotFound, PermissionDenied, ValidationFailed, type FieldErrors } from '../errors.js';
import type { ListParamsSpec, ListQuery, Page } from '../list.js';
import { can, perm } from '../permissions.js';
import { initialsAvatar, userUid } from './identity.js';

export const VIEW_USER = perm('authentik_core', 'view', 'user');
export const ADD_USER = perm('authentik_core', 'add', 'user');
export const CHANGE_USER = perm('authentik_core', 'change', 'user');
export const DELETE_USER = perm('authentik_core', 'delete', 'user');

export const USER_TYPES = ['internal', 'external', 'service_account', 'internal_service_account'] as const;

/** A user ready to serialize: the row, its direct groups, whether `groups_obj` is wanted, uid, avatar. */
export interface UserView {
  user: UserRecord;
  groups: UserGroupRecord[];
  /** False when the caller asked `include_groups=false`: `groups_obj` is then null. */
  groupsObj: boolean;
  uid: string;
  avatar: string;
}

/** `UserSelf` material for `me/`. */
export interface UserSelfView {
  user: UserRecord;
  /** Every group reaching the user (direct and ancestors), by name. */
  groups: Array<{ name: string; pk: string }>;
  uid: string;
  avatar: string;
  settings: Record<string, unknown>;
  systemPermissions: string[];
}

/** List parameters of `/core/users/`. Multi-valued filters arrive separately (see `UserListRaw`). */
export const userListSpec: ListParamsSpec = {
  filters: {
    username: 'text', email: 'text', name: 'text', is_active: 'bool', is_superuser: 'bool', path: 'text',
    path_startswith: 'text', uuid: 'text', attributes: 'text', groups_by_name: 'text', groups_by_pk: 'text', type: 'text',
    include_groups: 'text',
  },
  orderingFields: ['pk', 'username', 'name', 'is_active', 'last_login', 'email', 'path', 'type', 'uuid'],
  defaultOrdering: ['username'],
  searchable: true,
};

/** Query values a single-valued ListQuery cannot carry: every value of the multi-valued filters. */
export interface UserListRaw {
  groupsByName: string[];
  groupsByPk: string[];
  types: string[];
  includeGroups: boolean;
}

/** Builds the view of each record (one query for the groups of all users on the page). */
export async function userViews(deps: Deps, db: Executor, users: UserRecord[], includeGroups = true): Promise<UserView[]> {
  const groups = await findUserGroups(db, users.map((u) => u.id));
  return users.map((user) => ({
    user,
    groups: groups.get(user.id) ?? [],
    groupsObj: includeGroups,
    uid: userUid(deps.secrets, user.id),
    avatar: initialsAvatar(user.name, user.username),
  }));
}

/** Views of users by pk, keyed by pk (for nested `user_obj`). */
export async function userViewsByPk(deps: Deps, pks: number[]): Promise<Map<number, UserView>> {
  const users = await findUsers(deps.db, [...new Set(pks)]);
  const views = await userViews(deps, deps.db, users);
  return new Map(views.map((v) => [v.user.id, v]));
}

/**
 * Which users the actor may see: undefined = all (superuser or global `view_user`), else the actor
 * themselves plus per-object grants. Never empty, so never the 403 of §5.1.
 */
async function visibleUserPks(deps: Deps, actor: Actor): Promise<number[] | undefined> {
  if (actor.isSuperuser) return undefined;
  const g = await grantsFor(deps.db, actor.userPk, VIEW_USER);
  if (g.global) return undefined;
  const granted = g.objectPks.filter((p) => /^\d{1,10}$/.test(p)).map(Number).filter((n) => n <= 2147483647);
  return [...new Set([actor.userPk, ...granted])];
}

/** @throws NotFound when the user does not exist or is outside the actor's visible set. */
async function getVisible(deps: Deps, actor: Actor, pk: number): Promise<UserRecord> {
  const visible = await visibleUserPks(deps, actor);
  if (visible && !visible.includes(pk)) throw new NotFound();
  const user = await findUser(deps.db, pk);
  if (!user) throw new NotFound();
  return user;
}

/** Parses the `attributes` filter (`{"key": value, "a__b": value}`). @throws ValidationFailed as authentik words it. */
export function parseAttributesFilter(raw: string | undefined): Array<{ path: string[]; value: unknown }> | undefined {
  if (raw === undefined || raw === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw ValidationFailed.field('attributes', 'filter: failed to parse JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw ValidationFailed.field('attributes', 'filter: value must be key:value mapping');
  }
  const errors: FieldErrors = {};
  const dict = dictField(errors, 'attributes', value);
  if (!dict) throw new ValidationFailed(errors);
  return Object.entries(dict).map(([k, v]) => ({ path: k.split('__'), value: v }));
}

/**
 * Lists the users visible to `actor`, filtered, searched, ordered and paged.
 * @throws ValidationFailed for a malformed uuid/attributes filter or an unknown group in
 * `groups_by_name`/`groups_by_pk`, or a `type` outside the enum; InvalidPage for a page out of range.
 */
export async function list(deps: Deps, actor: Actor, query: ListQuery, raw: UserListRaw): Promise<Page<UserView>> {
  const errors: FieldErrors = {};
  const extras: UserListExtras = {};
  const f = query.filters;
  const filters = { ...f };
  for (const k of ['path_startswith', 'attributes', 'groups_by_name', 'groups_by_pk', 'type', 'include_groups', 'is_superuser', 'uuid']) delete filters[k];
  if (typeof f.is_superuser === 'boolean') extras.isSuperuser = f.is_superuser;
  if (typeof f.path_startswith === 'string') extras.pathStartswith = f.path_startswith;
  if (typeof f.uuid === 'string') {
    const u = canonicalUuid(f.uuid);
    if (u) filters.uuid = u;
    else addError(errors, 'uuid', 'Enter a valid UUID.');
  }
  const types = raw.types.filter((t) => t !== '');
  if (types.length > 0) {
    const bad = types.find((t) => !(USER_TYPES as readonly string[]).includes(t));
    if (bad !== undefined) addError(errors, 'type', `Select a valid choice. ${bad} is not one of the available choices.`);
    else extras.types = types;
  }
  const names = raw.groupsByName.filter((n) => n !== '' && !textProblem(n));
  if (names.length > 0) {
    const found = await existingGroupNames(deps.db, names);
    const bad = names.find((n) => !found.has(n));
    if (bad !== undefined) addError(errors, 'groups_by_name', `Select a valid choice. ${bad} is not one of the available choices.`);
    else extras.groupsByName = names;
  }
  const pkValues = raw.groupsByPk.filter((p) => p !== '');
  if (pkValues.length > 0) {
    const uuids: string[] = [];
    for (const p of pkValues) {
      const u = canonicalUuid(p);
      if (!u) {
        addError(errors, 'groups_by_pk', `“${p}” is not a valid value.`);
        break;
      }
      uuids.push(u);
    }
    if (!errors.groups_by_pk) {
      const found = await existingGroupUuids(deps.db, uuids);
      const bad = uuids.find((u) => !found.has(u));
      if (bad !== undefined) addError(errors, 'groups_by_pk', `Select a valid choice. ${bad} is not one of the available choices.`);
      else extras.groupsByPk = uuids;
    }
  }
  try {
    extras.attributes = parseAttributesFilter(typeof f.attributes === 'string' ? f.attributes : undefined);
  } catch (e) {
    if (e instanceof ValidationFailed) Object.assign(errors, e.fieldErrors);
    else throw e;
  }
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  const page = await listUsers(deps.db, { visiblePks: await visibleUserPks(deps, actor), query: { ...query, filters }, extras });
  return { ...page, rows: await userViews(deps, deps.db, page.rows, raw.includeGroups) };
}

/** Retrieves one user. @throws NotFound when absent or not visible. */
export async function retrieve(deps: Deps, actor: Actor, pk: number): Promise<UserView> {
  const user = await getVisible(deps, actor, pk);
  return (await userViews(deps, deps.db, [user]))[0];
}

/** A validated user body: columns to write and, when given (or defaulted by PUT/POST), the group list. */
interface ValidUserBody {
  write: UserWrite;
  groups?: string[];
}

const EMAIL_RE = /^[^\s@]+@(localhost|[^\s@.]+(\.[^\s@.]+)+|\[[0-9a-fA-F:.]+\])$/;

function validatePath(errors: FieldErrors, path: string | undefined): void {
  if (path === undefined) return;
  if (path.startsWith('/') || path.endsWith('/')) addError(errors, 'path', 'No leading or trailing slashes allowed.');
  else if (path.split('/').some((s) => s === '')) addError(errors, 'path', 'No empty segments in user path allowed.');
}

/**
 * Validates a UserRequest / PatchedUserRequest body the way UserSerializer does: every field error at
 * once, then object-level rules, then (non-superusers) the superuser-group rule.
 * @throws ValidationFailed with DRF's messages.
 */
async function validateUserBody(
  deps: Deps,
  actor: Actor,
  body: Record<string, unknown>,
  mode: { partial: boolean; existing?: UserRecord },
): Promise<ValidUserBody> {
  const errors: FieldErrors = {};
  const required = !mode.partial;
  const w: UserWrite = {};
  w.username = charField(errors, 'username', body.username, { required, maxLength: 150 });
  w.name = charField(errors, 'name', body.name, { required, allowBlank: true });
  if (typeof body.is_active === 'boolean') w.is_active = body.is_active;
  const lastLogin = dateTimeField(errors, 'last_login', body.last_login, { allowNull: true });
  if (lastLogin !== undefined) w.last_login = lastLogin;
  let groups = uuidListField(errors, 'groups', body.groups);
  if (groups === undefined && !mode.partial && !errors.groups) groups = [];
  w.email = charField(errors, 'email', body.email, { allowBlank: true, maxLength: 254 });
  if (w.email && !EMAIL_RE.test(w.email)) addError(errors, 'email', 'Enter a valid email address.');
  w.attributes = dictField(errors, 'attributes', body.attributes);
  w.path = charField(errors, 'path', body.path);
  validatePath(errors, w.path);
  if (typeof body.type === 'string') {
    const t = body.type as UserType;
    if (mode.existing?.type === 'internal_service_account' && t !== 'internal_service_account') {
      addError(errors, 'type', "Can't change internal service account to other user type.");
    } else if (!mode.existing && t === 'internal_service_account') {
      addError(errors, 'type', 'Setting a user to internal service account is not allowed.');
    } else w.type = t;
  }
  if (w.username !== undefined && (await usernameTaken(deps.db, w.username, mode.existing?.id))) {
    addError(errors, 'username', 'This field must be unique.');
  }
  if (groups && groups.length > 0) {
    const found = await existingGroupUuids(deps.db, groups);
    const missing = groups.find((g) => !found.has(g));
    if (missing) addError(errors, 'groups', invalidPk(missing));
  }
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  if (mode.existing?.type === 'internal_service_account') {
    throw ValidationFailed.field('non_field_errors', "Can't modify internal service account users");
  }
  if (groups && !actor.isSuperuser) {
    const current = mode.existing ? ((await findUserGroups(deps.db, [mode.existing.id])).get(mode.existing.id) ?? []).map((g) => g.group_uuid) : [];
    const changed = [...groups.filter((g) => !current.includes(g)), ...current.filter((g) => !groups!.includes(g))];
    if ((await groupsGrantingSuperuser(deps.db, changed)).size > 0) {
      throw ValidationFailed.field('groups', 'Only superusers can add users to or remove users from a superuser group.');
    }
  }
  return { write: w, groups };
}

/** Default for `assertBody`: the body was validated before the call. */
export function noop(): void {}

function userRef(pk: number, username: string) {
  return { app: 'authentik_core', model_name: 'user', pk, name: username };
}

/**
 * Creates a user (no usable password) with its groups, and writes `model_created`.
 * `assertBody` throws the request body's schema errors; it runs after the permission check (DRF's order).
 * @throws PermissionDenied without `authentik_core.add_user`; ValidationFailed for a bad body.
 */
export async function create(deps: Deps, actor: Actor, body: Record<string, unknown>, assertBody: () => void = noop): Promise<UserView> {
  if (!(await can(deps, actor, ADD_USER))) throw new PermissionDenied();
  assertBody();
  const v = await validateUserBody(deps, actor, body, { partial: false });
  const pk = await deps.db.transaction().execute(async (tx) => {
    const id = await insertUser(tx, randomUUID(), { ...v.write, username: v.write.username! });
    await setUserGroups(tx, id, v.groups ?? []);
    await insertEvent(tx, modelEvent('model_created', actor, userRef(id, v.write.username!)));
    return id;
  });
  return retrieveUnscoped(deps, pk);
}

async function retrieveUnscoped(deps: Deps, pk: number): Promise<UserView> {
  const user = await findUser(deps.db, pk);
  if (!user) throw new NotFound();
  return (await userViews(deps, deps.db, [user]))[0];
}

/**
 * The checks every write on an existing user runs: visible (404), `permission` on it (403), and a
 * superuser target only for superuser callers (403, decisions C3).
 */
async function writable(deps: Deps, actor: Actor, pk: number, permission: string): Promise<UserRecord> {
  const user = await getVisible(deps, actor, pk);
  if (!(await can(deps, actor, permission, pk))) throw new PermissionDenied();
  if (user.is_superuser && !actor.isSuperuser) throw new PermissionDenied();
  return user;
}

/**
 * PUT (`partial` false: `username`/`name` required, omitted `groups` = none) or PATCH; writes `model_updated`.
 * @throws NotFound, PermissionDenied (no `change_user`, or a non-superuser touching a superuser), ValidationFailed.
 */
export async function update(
  deps: Deps, actor: Actor, pk: number, body: Record<string, unknown>, partial: boolean, assertBody: () => void = noop,
): Promise<UserView> {
  const existing = await writable(deps, actor, pk, CHANGE_USER);
  assertBody();
  const v = await validateUserBody(deps, actor, body, { partial, existing });
  await deps.db.transaction().execute(async (tx) => {
    if (!(await updateUser(tx, pk, v.write))) throw new NotFound();
    if (v.groups) await setUserGroups(tx, pk, v.groups);
    await insertEvent(tx, modelEvent('model_updated', actor, userRef(pk, v.write.username ?? existing.username)));
  });
  return retrieveUnscoped(deps, pk);
}

/**
 * Deletes a user; their connections, tokens and memberships go too. Writes `model_deleted`.
 * @throws NotFound, PermissionDenied (no `delete_user`, or a non-superuser deleting a superuser).
 */
export async function destroy(deps: Deps, actor: Actor, pk: number): Promise<void> {
  const existing = await writable(deps, actor, pk, DELETE_USER);
  await deps.db.transaction().execute(async (tx) => {
    if (!(await deleteUser(tx, pk))) throw new NotFound();
    await insertEvent(tx, modelEvent('model_deleted', actor, userRef(pk, existing.username)));
  });
}

/** deepmerge's always_merger: objects merge recursively, arrays concatenate, anything else is replaced. */
function merge(into: Record<string, unknown>, from: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k];
    if (Array.isArray(cur) && Array.isArray(v)) into[k] = [...cur, ...v];
    else if (cur && v && typeof cur === 'object' && typeof v === 'object' && !Array.isArray(cur) && !Array.isArray(v)) {
      into[k] = merge({ ...(cur as Record<string, unknown>) }, v as Record<string, unknown>);
    } else into[k] = v;
  }
  return into;
}

/** The system permissions authentik lists for a superuser (every `authentik_rbac` system permission). */
const ALL_SYSTEM_PERMISSIONS = ['access_admin_interface', 'edit_system_settings', 'view_system_info', 'view_system_settings'];

/**
 * `GET /core/users/me/`: the caller as `UserSelf`. Settings are the `settings` key of the group
 * attributes merged by group name, then the user's own attributes.
 * @throws NotFound when the caller's user vanished mid-request.
 */
export async function me(deps: Deps, actor: Actor): Promise<UserSelfView> {
  const user = await findUser(deps.db, actor.userPk);
  if (!user) throw new NotFound();
  const groups = await findAllGroupsOfUser(deps.db, user.id);
  const merged: Record<string, unknown> = {};
  for (const g of groups) merge(merged, g.attributes ?? {});
  merge(merged, user.attributes ?? {});
  const settings = merged.settings && typeof merged.settings === 'object' && !Array.isArray(merged.settings)
    ? merged.settings as Record<string, unknown> : {};
  const systemPermissions = user.is_superuser
    ? ALL_SYSTEM_PERMISSIONS
    : (await globalCodenamesWithPrefix(deps.db, user.id, 'authentik_rbac.')).map((c) => c.slice(c.indexOf('.') + 1));
  return {
    user,
    groups: groups.map((g) => ({ name: g.name, pk: g.group_uuid })),
    uid: userUid(deps.secrets, user.id),
    avatar: initialsAvatar(user.name, user.username),
    settings,
    systemPermissions,
  };
}
