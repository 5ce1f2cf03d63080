/**
 * RBAC wire objects (`/rbac/roles/`, `/rbac/permissions/…`). Component ids and key order follow
 * authentik 2024.8's OpenAPI document.
 */
import { Type, type Static } from '@sinclair/typebox';

export const RoleSchema = Type.Object({
  pk: Type.String({ format: 'uuid', readOnly: true, description: 'Role primary key.' }),
  name: Type.String({ description: 'Role name, unique.' }),
}, { $id: 'Role', description: 'Role serializer' });
export type RoleWire = Static<typeof RoleSchema>;

export const RoleRequestSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 150, description: 'Role name, unique.' }),
}, { $id: 'RoleRequest', description: 'Role serializer' });

export const PatchedRoleRequestSchema = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 150, description: 'Role name, unique.' })),
}, { $id: 'PatchedRoleRequest', description: 'Role serializer' });

export const PermissionSchema = Type.Object({
  id: Type.Integer({ readOnly: true, description: 'Stable permission id.' }),
  name: Type.String({ description: 'Human-readable name.' }),
  codename: Type.String({ description: 'Codename without the app label, e.g. view_source.' }),
  model: Type.String({ readOnly: true, description: 'Lower-case model name.' }),
  app_label: Type.String({ readOnly: true, description: 'App label of the model.' }),
  app_label_verbose: Type.String({ readOnly: true, description: 'Human-readable app label.' }),
  model_verbose: Type.String({ readOnly: true, description: 'Human-readable model name.' }),
}, { $id: 'Permission', description: 'Global permission' });
export type PermissionWire = Static<typeof PermissionSchema>;

export const PermissionAssignRequestSchema = Type.Object({
  permissions: Type.Array(Type.String(), { description: 'Permissions as app_label.codename (or codename when model is set).' }),
  model: Type.Optional(Type.String({ description: 'app_label.model_name of the object, for per-object permissions.' })),
  object_pk: Type.Optional(Type.String({ description: 'Primary key of the object; omit for global permissions.' })),
}, { $id: 'PermissionAssignRequest', description: 'Request to assign a new permission' });

export const PatchedPermissionAssignRequestSchema = Type.Object({
  permissions: Type.Optional(Type.Array(Type.String())),
  model: Type.Optional(Type.String()),
  object_pk: Type.Optional(Type.String()),
}, { $id: 'PatchedPermissionAssignRequest', description: 'Request to unassign permissions (permissions is required).' });

export const PermissionAssignResultSchema = Type.Object({
  id: Type.String({ description: 'Permission id (global) or grant id (per object).' }),
}, { $id: 'PermissionAssignResult', description: 'Result from assigning permissions to a user/role' });

const objectPermissionFields = {
  id: Type.Integer({ readOnly: true }),
  codename: Type.String({ readOnly: true }),
  model: Type.String({ readOnly: true }),
  app_label: Type.String({ readOnly: true }),
  object_pk: Type.String(),
  name: Type.String({ readOnly: true }),
};

export const UserObjectPermissionSchema = Type.Object(objectPermissionFields, { $id: 'UserObjectPermission', description: 'User-bound object level permission' });
export const RoleObjectPermissionSchema = Type.Object(objectPermissionFields, { $id: 'RoleObjectPermission', description: 'Role-bound object level permission' });

const extraFields = {
  ...objectPermissionFields,
  app_label_verbose: Type.String({ readOnly: true }),
  model_verbose: Type.String({ readOnly: true }),
  object_description: Type.Union([Type.String(), Type.Null()], { readOnly: true, description: 'String form of the object, null when it no longer exists.' }),
};
export const ExtraUserObjectPermissionSchema = Type.Object(extraFields, { $id: 'ExtraUserObjectPermission', description: 'User permission with additional object-related data' });
export const ExtraRoleObjectPermissionSchema = Type.Object(extraFields, { $id: 'ExtraRoleObjectPermission', description: 'Role permission with additional object-related data' });

export const ExtraObjectPermissionRequestSchemas = {
  user: Type.Object({ object_pk: Type.String({ minLength: 1 }) }, { $id: 'ExtraUserObjectPermissionRequest' }),
  role: Type.Object({ object_pk: Type.String({ minLength: 1 }) }, { $id: 'ExtraRoleObjectPermissionRequest' }),
  patchedUser: Type.Object({ object_pk: Type.Optional(Type.String({ minLength: 1 })) }, { $id: 'PatchedExtraUserObjectPermissionRequest' }),
  patchedRole: Type.Object({ object_pk: Type.Optional(Type.String({ minLength: 1 })) }, { $id: 'PatchedExtraRoleObjectPermissionRequest' }),
};

export const UserAssignedObjectPermissionSchema = Type.Object({
  pk: Type.Integer({ readOnly: true }),
  username: Type.String(),
  name: Type.String(),
  is_active: Type.Boolean(),
  last_login: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  email: Type.String(),
  attributes: Type.Object({}, { additionalProperties: true }),
  uid: Type.String({ readOnly: true }),
  permissions: Type.Array(Type.Ref(UserObjectPermissionSchema)),
  is_superuser: Type.Boolean(),
}, { $id: 'UserAssignedObjectPermission', description: 'Users assigned object permission serializer' });

export const RoleAssignedObjectPermissionSchema = Type.Object({
  role_pk: Type.String({ readOnly: true }),
  name: Type.String({ readOnly: true }),
  permissions: Type.Array(Type.Ref(RoleObjectPermissionSchema)),
}, { $id: 'RoleAssignedObjectPermission', description: 'Roles assigned object permission serializer' });

export const rbacSchemas = [
  RoleSchema, RoleRequestSchema, PatchedRoleRequestSchema, PermissionSchema, PermissionAssignRequestSchema,
  PatchedPermissionAssignRequestSchema, PermissionAssignResultSchema, UserObjectPermissionSchema, RoleObjectPermissionSchema,
  ExtraUserObjectPermissionSchema, ExtraRoleObjectPermissionSchema, ...Object.values(ExtraObjectPermissionRequestSchemas),
  UserAssignedObjectPermissionSchema, RoleAssignedObjectPermissionSchema,
];
