/**
 * Use cases behind `/rbac/permissions/…`: the permission catalogue, assigning and unassigning
 * permissions to users and roles (globally or on one object), and the lists of who holds what.
 * Grants written here are exactly what `can()` / `visibility()` in domain/permissions.ts read.
 * Every assignment change records a `model_updated` event on the holder in its transaction (F10).
 * Source: authentik/rbac/api/rbac.py, rbac_assigned_by_users.py, rbac_assigned_by_roles.py,
 * rbac_users.py, rbac_roles.py (2024.8).
 */
import { createHash } from 'node:crypto';
import { insertEvent } from '../../db/repositories/events.js';
import {
  deleteGrant, deleteGrantById, findObjectGrant, globalCodenames, insertGrant, listObjectGrants, listRolesHoldingModel,
  listUsersHoldingModel, objectGrantsOf, updateGrantObject,
  type AssignedRoleRow, type AssignedUserRow, type GrantRow, type Holder,
} from '../../db/repositories/permissions.js';
import { findUserRef, objectNames, objectPkKind } from '../../db/repositories/rbac-objects.js';
import { userExists } from '../../db/repositories/users.js';
import { findRole } from '../../db/repositories/roles.js';
import { resolvePage } from '../../db/list.js';
import type { Executor } from '../../db/executor.js';
import type { Actor } from '../actor.js';
import { modelEvent, type ModelRef } from '../audit.js';
import type { Deps } from '../deps.js';
import { NotFound, PermissionDenied, ValidationFailed, type FieldErrors } from '../errors.js';
import { INVALID_CHOICE, type ListParamsSpec, type ListQuery, type Page } from '../list.js';
import { can } from '../permissions.js';
import {
  APP_VERBOSE, MODEL_KEYS, PERMISSIONS, findModel, findPermission, findPermissionById, permissionsOfModel,
  type PermissionDef,
} from './catalogue.js';
import { canonicalInt, canonicalUuid, eventPk, listScope } from './guard.js';

// ---------------------------------------------------------------------------------------------
// Catalogue: /rbac/permissions/

/** List parameters of `/rbac/permissions/`. */
export const permissionListSpec: ListParamsSpec = {
  filters: { codename: 'text', content_type__app_label: 'text', content_type__model: 'text', role: 'uuid', user: 'int' },
  orderingFields: ['id', 'name', 'codename', 'content_type__model', 'content_type__app_label'],
  defaultOrdering: ['name'],
  searchable: true,
};

const orderKey: Record<string, (p: PermissionDef) => string | number> = {
  pk: (p) => p.id, id: (p) => p.id, name: (p) => p.name, codename: (p) => p.codename,
  content_type__model: (p) => p.model, content_type__app_label: (p) => p.app_label,
};

/** Orders and pages an in-memory list like db/list.ts does a query. @throws InvalidPage. */
function pageOf<T>(items: T[], query: ListQuery, keys: Record<string, (t: T) => string | number>): Page<T> {
  const sorted = [...items].sort((a, b) => {
    for (const t of query.ordering) {
      const k = keys[t.field];
      if (!k) continue;
      const x = k(a);
      const y = k(b);
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      if (c !== 0) return t.desc ? -c : c;
    }
    return 0;
  });
  const page = resolvePage(query, sorted.length);
  return { rows: sorted.slice((page - 1) * query.pageSize, page * query.pageSize), count: sorted.length, page, pageSize: query.pageSize };
}

/**
 * Lists the catalogue. `user` / `role` keep the permissions that user (directly) or role holds
 * globally; they accept only holders the caller may inspect (itself, or users/roles it may view),
 * anything else is an invalid choice (400) so grants of others do not leak.
 * @throws ValidationFailed for an unknown or hidden `user`/`role`; InvalidPage.
 */
export async function listPermissions(deps: Deps, actor: Actor, query: ListQuery): Promise<Page<PermissionDef>> {
  const f = query.filters;
  let items = [...PERMISSIONS];
  if (typeof f.codename === 'string') items = items.filter((p) => p.codename === f.codename);
  if (typeof f.content_type__app_label === 'string') items = items.filter((p) => p.app_label === f.content_type__app_label);
  if (typeof f.content_type__model === 'string') items = items.filter((p) => p.model === f.content_type__model);
  if (typeof f.user === 'number') {
    const userPk = f.user;
    if (!(await userExists(deps.db, userPk)) || !(userPk === actor.userPk || (await can(deps, actor, 'authentik_core.view_user', userPk)))) {
      throw ValidationFailed.field('user', INVALID_CHOICE);
    }
    const held = new Set(await globalCodenames(deps.db, { userPk }));
    items = items.filter((p) => held.has(p.full));
  }
  if (typeof f.role === 'string') {
    const role = await findRole(deps.db, f.role);
    if (!role || !(await can(deps, actor, 'authentik_rbac.view_role', role.role_uuid))) throw ValidationFailed.field('role', INVALID_CHOICE);
    const held = new Set(await globalCodenames(deps.db, { roleUuid: role.role_uuid }));
    items = items.filter((p) => held.has(p.full));
  }
  for (const term of query.search) {
    const t = term.toLowerCase();
    items = items.filter((p) => [p.name, p.codename, p.model, p.app_label].some((s) => s.toLowerCase().includes(t)));
  }
  return pageOf(items, query, orderKey);
}

/** One catalogue entry by id. @throws NotFound. */
export function retrievePermission(id: number): PermissionDef {
  const p = findPermissionById(id);
  if (!p) throw new NotFound();
  return p;
}

// ---------------------------------------------------------------------------------------------
// Assign / unassign

/** The body of assign/unassign after schema validation and trimming. */
export interface AssignInput {
  permissions: string[];
  model?: string;
  object_pk?: string;
}

/** A validated assignment: permissions resolved against the catalogue, object pk in canonical form. */
interface Assignment {
  perms: PermissionDef[];
  model?: string;
  objectPk: string | null;
}

/** The holder of an assignment as audit events and checks need it. */
interface Target {
  holder: Holder;
  /** Object pk of the holder (user pk or role uuid), for per-object assign permissions. */
  pk: string;
  ref: ModelRef;
}

/**
 * Checks an assign/unassign body (Fedlink fixes authentik's silent fallbacks here: an unknown object
 * or an object_pk without a model assigned the permission globally; unknown codenames were 500s).
 * @throws ValidationFailed with DRF-shaped field errors.
 */
async function validateAssignment(db: Executor, input: AssignInput): Promise<Assignment> {
  const errors: FieldErrors = {};
  const model = input.model;
  if (model !== undefined && !findModel(model)) errors.model = [`"${model}" is not a valid choice.`];
  if (input.object_pk !== undefined && model === undefined) errors.model = ['This field is required when object_pk is set.'];
  const perms: PermissionDef[] = [];
  const permErrors: string[] = [];
  for (const raw of input.permissions) {
    const full = raw.includes('.') ? raw : (model && findModel(model) ? `${findModel(model)!.app}.${raw}` : undefined);
    if (full === undefined) {
      permErrors.push('When assigning global permissions, codename must be given as app_label.codename');
      continue;
    }
    const p = findPermission(full);
    if (!p) permErrors.push(`Permission "${raw}" does not exist.`);
    else if (model !== undefined && findModel(model) && `${p.app_label}.${p.model}` !== model) permErrors.push(`Permission "${raw}" does not apply to model "${model}".`);
    else if (!perms.includes(p)) perms.push(p);
  }
  if (permErrors.length > 0) errors.permissions = [...new Set(permErrors)];
  let objectPk: string | null = null;
  if (input.object_pk !== undefined && model !== undefined && findModel(model)) {
    const kind = objectPkKind(model);
    const canonical = kind === 'uuid' ? canonicalUuid(input.object_pk) : kind === 'int' ? canonicalInt(input.object_pk) : undefined;
    if (canonical === undefined || !(await objectNames(db, model, [canonical])).has(canonical)) {
      errors.object_pk = [`No ${model} object with primary key "${input.object_pk}" exists.`];
    } else {
      objectPk = canonical;
    }
  }
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  return { perms, model, objectPk };
}

/**
 * Who may change the holder's assignments: superusers, or holders of authentik's guarding permission
 * (`authentik_core.assign_user_permissions` etc.) globally or on the holder. A missing holder answers
 * 404 only to callers holding the guard globally, 403 to everyone else (no existence oracle).
 * @throws PermissionDenied, NotFound.
 */
async function resolveTarget(deps: Deps, actor: Actor, kind: 'user' | 'role', raw: string, verb: 'assign' | 'unassign'): Promise<Target> {
  const guard = kind === 'user' ? `authentik_core.${verb}_user_permissions` : `authentik_rbac.${verb}_role_permissions`;
  const global = await can(deps, actor, guard);
  let target: Target | undefined;
  if (kind === 'user') {
    const pk = canonicalInt(raw);
    const user = pk ? await findUserRef(deps.db, Number(pk)) : undefined;
    if (user) {
      if (user.type === 'internal_service_account') {
        throw ValidationFailed.field('non_field_errors', `Permissions cannot be ${verb}ed ${verb === 'assign' ? 'to' : 'from'} an internal service account.`);
      }
      target = { holder: { userPk: user.id }, pk: String(user.id), ref: { app: 'authentik_core', model_name: 'user', pk: user.id, name: user.username } };
    }
  } else {
    const uuid = canonicalUuid(raw);
    const role = uuid ? await findRole(deps.db, uuid) : undefined;
    if (role) target = { holder: { roleUuid: role.role_uuid }, pk: role.role_uuid, ref: { app: 'authentik_rbac', model_name: 'role', pk: eventPk(role.role_uuid), name: `Role ${role.name}` } };
  }
  if (!target) {
    if (global) throw new NotFound();
    throw new PermissionDenied();
  }
  if (!global && !(await can(deps, actor, guard, target.pk))) throw new PermissionDenied();
  return target;
}

/**
 * Assigns permissions to a user (`kind: 'user'`, raw path id) or role (raw path uuid), globally or on
 * one object. Non-superusers may only hand out permissions they hold themselves (globally, or on the
 * same object), so the guarding permission cannot be used to escalate.
 * @returns one `{id}` per permission: the catalogue permission id for a global grant (as authentik
 *   returns the Permission's pk), the grant id for a per-object grant (guardian's row pk); ids as strings.
 * @throws PermissionDenied, NotFound, ValidationFailed.
 */
export async function assign(deps: Deps, actor: Actor, kind: 'user' | 'role', raw: string, input: AssignInput): Promise<Array<{ id: string }>> {
  const target = await resolveTarget(deps, actor, kind, raw, 'assign');
  const a = await validateAssignment(deps.db, input);
  if (!actor.isSuperuser) {
    for (const p of a.perms) {
      if (!(await can(deps, actor, p.full, a.objectPk ?? undefined))) throw new PermissionDenied();
    }
  }
  return deps.db.transaction().execute(async (tx) => {
    const ids: Array<{ id: string }> = [];
    for (const p of a.perms) {
      const grantId = await insertGrant(tx, target.holder, p.full, a.objectPk);
      ids.push({ id: String(a.objectPk === null ? p.id : grantId) });
    }
    await insertEvent(tx, modelEvent('model_updated', actor, target.ref, {
      permissions: { assigned: a.perms.map((p) => p.full), model: a.model ?? null, object_pk: a.objectPk },
    }));
    return ids;
  });
}

/**
 * Removes permissions from a user or role (globally, or on one object). Removing a permission that
 * is not held is a no-op.
 * @throws PermissionDenied, NotFound, ValidationFailed.
 */
export async function unassign(deps: Deps, actor: Actor, kind: 'user' | 'role', raw: string, input: AssignInput): Promise<void> {
  const target = await resolveTarget(deps, actor, kind, raw, 'unassign');
  const a = await validateAssignment(deps.db, input);
  await deps.db.transaction().execute(async (tx) => {
    for (const p of a.perms) await deleteGrant(tx, target.holder, p.full, a.objectPk);
    await insertEvent(tx, modelEvent('model_updated', actor, target.ref, {
      permissions: { unassigned: a.perms.map((p) => p.full), model: a.model ?? null, object_pk: a.objectPk },
    }));
  });
}

// ---------------------------------------------------------------------------------------------
// Who holds what: assigned_by_users / assigned_by_roles

/** List parameters of `/rbac/permissions/assigned_by_users/` (model is required). */
export const assignedByUsersSpec: ListParamsSpec = {
  filters: { model: { enum: MODEL_KEYS }, object_pk: 'text' },
  orderingFields: ['pk', 'username', 'name', 'email', 'is_active', 'last_login'],
  defaultOrdering: ['username'],
  searchable: false,
};

/** List parameters of `/rbac/permissions/assigned_by_roles/` (model is required). */
export const assignedByRolesSpec: ListParamsSpec = {
  filters: { model: { enum: MODEL_KEYS }, object_pk: 'text' },
  orderingFields: ['pk', 'name'],
  defaultOrdering: ['name'],
  searchable: false,
};

/** A grant resolved for the wire (codename without app label, as Django's Permission.codename). */
export interface GrantView {
  id: number;
  codename: string;
  model: string;
  app_label: string;
  object_pk: string;
  name: string;
  app_label_verbose: string;
  model_verbose: string;
  object_description: string | null;
}

/** Resolves a grant row against the catalogue; unknown codenames fall back like authentik does. */
function grantView(g: GrantRow, descriptions?: Map<string, string>): GrantView {
  const p = findPermission(g.codename);
  const dot = g.codename.indexOf('.');
  const app = dot > 0 ? g.codename.slice(0, dot) : '';
  const codename = dot > 0 ? g.codename.slice(dot + 1) : g.codename;
  const model = p?.model ?? codename.replace(/^[a-z]+_/, '');
  return {
    id: g.id,
    codename,
    model,
    app_label: app,
    object_pk: g.object_pk ?? '',
    name: p?.name ?? codename,
    app_label_verbose: APP_VERBOSE[app] ?? `${app}.${model}`,
    model_verbose: p?.model_verbose ?? `${app}.${model}`,
    object_description: descriptions?.get(`${app}.${model}|${g.object_pk}`) ?? null,
  };
}

/** Descriptions (string forms) of the objects grants point at, keyed `model|pk`. */
async function describe(db: Executor, grants: GrantRow[]): Promise<Map<string, string>> {
  const byModel = new Map<string, string[]>();
  for (const g of grants) {
    const v = grantView(g);
    const key = `${v.app_label}.${v.model}`;
    if (!findModel(key) || g.object_pk === null) continue;
    byModel.set(key, [...(byModel.get(key) ?? []), g.object_pk]);
  }
  const out = new Map<string, string>();
  for (const [model, pks] of byModel) {
    for (const [pk, name] of await objectNames(db, model, pks)) out.set(`${model}|${pk}`, name);
  }
  return out;
}

/** `model` is required on the assigned_by lists. @throws ValidationFailed `{model: ["This field is required."]}`. */
function requireModel(query: ListQuery): { model: string; objectPk?: string } {
  const model = query.filters.model;
  if (typeof model !== 'string') throw ValidationFailed.field('model', 'This field is required.');
  const raw = typeof query.filters.object_pk === 'string' ? query.filters.object_pk : undefined;
  if (raw === undefined) return { model };
  const kind = objectPkKind(model);
  const canonical = kind === 'uuid' ? canonicalUuid(raw) : kind === 'int' ? canonicalInt(raw) : undefined;
  return { model, objectPk: canonical ?? raw };
}

/** A user with their per-object grants on the model. */
export interface AssignedUserView { user: AssignedUserRow; grants: GrantView[] }

/**
 * Users who hold permissions on a model (superusers, direct global grants, direct grants on
 * `object_pk`), with their per-object grants on that model (on that object when given). Limited to
 * users the caller may view.
 * @throws ValidationFailed (model missing/invalid), PermissionDenied (no view_user at all), InvalidPage.
 */
export async function listAssignedByUsers(deps: Deps, actor: Actor, query: ListQuery): Promise<Page<AssignedUserView>> {
  const { model, objectPk } = requireModel(query);
  const visible = await listScope(deps, actor, { app: 'authentik_core', model: 'user' });
  const codenames = permissionsOfModel(model).map((p) => p.full);
  const page = await listUsersHoldingModel(deps.db, { codenames, objectPk, visibleUserPks: visible?.map(Number), query });
  const grants = await objectGrantsOf(deps.db, { userPks: page.rows.map((u) => u.id) }, codenames, objectPk);
  return { ...page, rows: page.rows.map((user) => ({ user, grants: grants.filter((g) => g.user_id === user.id).map((g) => grantView(g)) })) };
}

/** A role with its per-object grants on the model. */
export interface AssignedRoleView { role: AssignedRoleRow; grants: GrantView[] }

/**
 * Roles holding permissions on a model (global grants, grants on `object_pk`), with their per-object
 * grants on that model. Limited to roles the caller may view.
 * @throws ValidationFailed, PermissionDenied (no view_role at all), InvalidPage.
 */
export async function listAssignedByRoles(deps: Deps, actor: Actor, query: ListQuery): Promise<Page<AssignedRoleView>> {
  const { model, objectPk } = requireModel(query);
  const visible = await listScope(deps, actor, { app: 'authentik_rbac', model: 'role' });
  const codenames = permissionsOfModel(model).map((p) => p.full);
  const page = await listRolesHoldingModel(deps.db, { codenames, objectPk, visibleRoleUuids: visible, query });
  const grants = await objectGrantsOf(deps.db, { roleUuids: page.rows.map((r) => r.role_uuid) }, codenames, objectPk);
  return { ...page, rows: page.rows.map((role) => ({ role, grants: grants.filter((g) => g.role_uuid === role.role_uuid).map((g) => grantView(g)) })) };
}

// ---------------------------------------------------------------------------------------------
// Per-holder object grants: /rbac/permissions/users/ and /rbac/permissions/roles/ (superusers only)

/** List parameters of `/rbac/permissions/users/` (`user_id` required, checked by the service). */
export const userGrantsSpec: ListParamsSpec = { filters: { user_id: 'text' }, orderingFields: ['pk', 'id', 'codename', 'object_pk'], defaultOrdering: ['pk'], searchable: true };
/** List parameters of `/rbac/permissions/roles/` (`uuid` required, checked by the service). */
export const roleGrantsSpec: ListParamsSpec = { filters: { uuid: 'text' }, orderingFields: ['pk', 'id', 'codename', 'object_pk'], defaultOrdering: ['pk'], searchable: true };

function requireSuperuser(actor: Actor): void {
  if (!actor.isSuperuser) throw new PermissionDenied();
}

/**
 * The per-object grants of one user (`?user_id=`) or role (`?uuid=`).
 * @throws PermissionDenied (not a superuser), ValidationFailed (filter missing or malformed), InvalidPage.
 */
export async function listHolderGrants(deps: Deps, actor: Actor, kind: 'user' | 'role', query: ListQuery): Promise<Page<GrantView>> {
  requireSuperuser(actor);
  let holder: Holder;
  if (kind === 'user') {
    const raw = query.filters.user_id;
    if (typeof raw !== 'string') throw ValidationFailed.field('user_id', 'This field is required.');
    if (!/^\s*-?\d+(\.0*)?\s*$/.test(raw)) throw ValidationFailed.field('user_id', 'Enter a number.');
    const n = Number.parseInt(raw, 10);
    holder = { userPk: Number.isSafeInteger(n) && Math.abs(n) <= 2147483647 ? n : -1 };
  } else {
    const raw = query.filters.uuid;
    if (typeof raw !== 'string') throw ValidationFailed.field('uuid', 'This field is required.');
    const uuid = canonicalUuid(raw);
    if (!uuid) throw ValidationFailed.field('uuid', 'Enter a valid UUID.');
    holder = { roleUuid: uuid };
  }
  const page = await listObjectGrants(deps.db, holder, query);
  const descriptions = await describe(deps.db, page.rows);
  return { ...page, rows: page.rows.map((g) => grantView(g, descriptions)) };
}

async function holderRef(db: Executor, g: GrantRow): Promise<ModelRef> {
  if (g.user_id !== null) {
    const u = await findUserRef(db, g.user_id);
    return { app: 'authentik_core', model_name: 'user', pk: g.user_id, name: u?.username ?? String(g.user_id) };
  }
  const r = await findRole(db, g.role_uuid!);
  return { app: 'authentik_rbac', model_name: 'role', pk: eventPk(g.role_uuid!), name: `Role ${r?.name ?? ''}` };
}

function parseGrantId(raw: string): number {
  const id = canonicalInt(raw);
  if (id === undefined) throw new NotFound();
  return Number(id);
}

/** One per-object grant of a user or role by id. @throws PermissionDenied, NotFound. */
export async function retrieveHolderGrant(deps: Deps, actor: Actor, kind: 'user' | 'role', rawId: string): Promise<GrantView> {
  requireSuperuser(actor);
  const g = await findObjectGrant(deps.db, parseGrantId(rawId), kind);
  if (!g) throw new NotFound();
  return grantView(g, await describe(deps.db, [g]));
}

/**
 * Moves a per-object grant to another object of the same model (PUT/PATCH `{object_pk}`; PATCH
 * without it changes nothing but is still audited).
 * @throws PermissionDenied, NotFound, ValidationFailed (no such object), UniqueViolation.
 */
export async function updateHolderGrant(deps: Deps, actor: Actor, kind: 'user' | 'role', rawId: string, objectPk: string | undefined): Promise<GrantView> {
  requireSuperuser(actor);
  const id = parseGrantId(rawId);
  const g = await findObjectGrant(deps.db, id, kind);
  if (!g) throw new NotFound();
  const view = grantView(g);
  let target = g.object_pk!;
  if (objectPk !== undefined) {
    const model = `${view.app_label}.${view.model}`;
    const pkKind = objectPkKind(model);
    const canonical = pkKind === 'uuid' ? canonicalUuid(objectPk) : pkKind === 'int' ? canonicalInt(objectPk) : undefined;
    if (canonical === undefined || !(await objectNames(deps.db, model, [canonical])).has(canonical)) {
      throw ValidationFailed.field('object_pk', `No ${model} object with primary key "${objectPk}" exists.`);
    }
    target = canonical;
  }
  await deps.db.transaction().execute(async (tx) => {
    if (target !== g.object_pk) await updateGrantObject(tx, id, target);
    await insertEvent(tx, modelEvent('model_updated', actor, await holderRef(tx, g), {
      permissions: { moved: g.codename, from_object_pk: g.object_pk, object_pk: target },
    }));
  });
  return retrieveHolderGrant(deps, actor, kind, String(id));
}

/** Deletes a per-object grant by id. @throws PermissionDenied, NotFound. */
export async function destroyHolderGrant(deps: Deps, actor: Actor, kind: 'user' | 'role', rawId: string): Promise<void> {
  requireSuperuser(actor);
  const id = parseGrantId(rawId);
  await deps.db.transaction().execute(async (tx) => {
    const g = await findObjectGrant(tx, id, kind);
    if (!g || !(await deleteGrantById(tx, id))) throw new NotFound();
    await insertEvent(tx, modelEvent('model_updated', actor, await holderRef(tx, g), {
      permissions: { unassigned: [g.codename], object_pk: g.object_pk },
    }));
  });
}

/**
 * A stable, opaque per-install user id like authentik's `User.uid` (sha256 of install id and pk):
 * here the install id is a digest under the server secret, so it needs no extra state.
 */
export function userUid(deps: Deps, pk: number): string {
  return createHash('sha256').update(`${deps.secrets.digest('fedlink-install-id')}-${pk}`).digest('hex');
}
