/** RBAC rows → wire objects. */
import type { RoleRow } from '../../../db/repositories/roles.js';
import type { PermissionDef } from '../../../domain/rbac/catalogue.js';
import type { AssignedRoleView, AssignedUserView, GrantView } from '../../../domain/rbac/service.js';

export function serializeRole(r: RoleRow) {
  return { pk: r.role_uuid, name: r.name };
}

export function serializePermission(p: PermissionDef) {
  return { id: p.id, name: p.name, codename: p.codename, model: p.model, app_label: p.app_label, app_label_verbose: p.app_label_verbose, model_verbose: p.model_verbose };
}

export function serializeObjectPermission(g: GrantView) {
  return { id: g.id, codename: g.codename, model: g.model, app_label: g.app_label, object_pk: g.object_pk, name: g.name };
}

export function serializeExtraObjectPermission(g: GrantView) {
  return { ...serializeObjectPermission(g), app_label_verbose: g.app_label_verbose, model_verbose: g.model_verbose, object_description: g.object_description };
}

/** `uid` is computed by the caller (it needs the server secret). */
export function serializeAssignedUser(v: AssignedUserView, uid: string) {
  const u = v.user;
  return {
    pk: u.id, username: u.username, name: u.name, is_active: u.is_active, last_login: u.last_login, email: u.email,
    attributes: (u.attributes ?? {}) as Record<string, unknown>, uid, permissions: v.grants.map(serializeObjectPermission), is_superuser: u.is_superuser,
  };
}

export function serializeAssignedRole(v: AssignedRoleView) {
  return { role_pk: v.role.role_uuid, name: v.role.name, permissions: v.grants.map(serializeObjectPermission) };
}
