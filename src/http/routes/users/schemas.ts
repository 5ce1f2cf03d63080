/**
 * `/core/users/` wire objects (client models User, UserRequest, PatchedUserRequest, UserGroup,
 * SessionUser, UserSelf, UserSelfGroups, UserTypeEnum). Key order follows authentik's serializers.
 */
import { Type, type Static } from '@sinclair/typebox';

export const UserTypeEnumSchema = Type.Union(
  ['internal', 'external', 'service_account', 'internal_service_account'].map((v) => Type.Literal(v)),
  { $id: 'UserTypeEnum' },
);

const Attributes = (description: string) => Type.Object({}, { additionalProperties: true, description });
const NullableDateTime = (description: string) => Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description });

export const UserGroupSchema = Type.Object({
  pk: Type.String({ format: 'uuid', readOnly: true, description: 'Group primary key (group_uuid).' }),
  num_pk: Type.Integer({ readOnly: true, description: 'A numeric id for the group.' }),
  name: Type.String({ description: 'Group name.' }),
  is_superuser: Type.Boolean({ description: 'Members of this group (and of its descendants) are superusers.' }),
  parent: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'Parent group, or null.' }),
  parent_name: Type.Union([Type.String(), Type.Null()], { readOnly: true, description: "Parent group's name, or null." }),
  attributes: Attributes('Free-form group attributes.'),
}, { $id: 'UserGroup', description: "Simplified Group Serializer for user's groups" });

export const UserSchema = Type.Object({
  pk: Type.Integer({ readOnly: true, description: 'User primary key.' }),
  username: Type.String({ maxLength: 150, description: 'Unique login name.' }),
  name: Type.String({ description: "User's display name." }),
  is_active: Type.Boolean({ description: 'Inactive users cannot sign in or use tokens.' }),
  last_login: NullableDateTime('Last sign-in, UTC, or null.'),
  is_superuser: Type.Boolean({ readOnly: true, description: 'Computed: member of a superuser group or of a descendant of one.' }),
  groups: Type.Array(Type.String({ format: 'uuid' }), { description: 'Direct group memberships (uuids).' }),
  groups_obj: Type.Union([Type.Array(Type.Ref(UserGroupSchema)), Type.Null()], { readOnly: true, description: 'Direct groups; null when include_groups=false.' }),
  email: Type.String({ description: 'Email address; may be empty.' }),
  avatar: Type.String({ readOnly: true, description: 'Avatar as a data URI (initials).' }),
  attributes: Attributes('Free-form user attributes.'),
  uid: Type.String({ readOnly: true, description: 'Stable per-installation hash of the user pk.' }),
  path: Type.String({ description: 'Folder-like path used to organise users; default "users".' }),
  type: Type.Ref(UserTypeEnumSchema),
  uuid: Type.String({ format: 'uuid', readOnly: true, description: 'Immutable unique id.' }),
}, { $id: 'User', description: 'User Serializer' });
export type UserWire = Static<typeof UserSchema>;

const userRequestProps = {
  username: Type.String({ description: 'Unique login name (≤ 150 characters, trimmed).' }),
  name: Type.String({ description: "User's display name; may be blank." }),
  is_active: Type.Optional(Type.Boolean()),
  last_login: Type.Optional(NullableDateTime('Last sign-in, or null.')),
  groups: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { description: 'Direct groups (uuids); PUT/POST default: none.' })),
  email: Type.Optional(Type.String({ description: 'Email address; may be blank.' })),
  attributes: Type.Optional(Attributes('Free-form user attributes (replaced as a whole).')),
  path: Type.Optional(Type.String({ description: 'No leading/trailing slash, no empty segment.' })),
  type: Type.Optional(Type.Ref(UserTypeEnumSchema)),
};

export const UserRequestSchema = Type.Object(userRequestProps, { $id: 'UserRequest', description: 'User Serializer' });
export const PatchedUserRequestSchema = Type.Object({
  ...userRequestProps,
  username: Type.Optional(userRequestProps.username),
  name: Type.Optional(userRequestProps.name),
}, { $id: 'PatchedUserRequest', description: 'User Serializer' });

export const UserSelfGroupsSchema = Type.Object({
  name: Type.String({ readOnly: true }),
  pk: Type.String({ readOnly: true }),
}, { $id: 'UserSelfGroups' });

export const UserSelfSchema = Type.Object({
  pk: Type.Integer({ readOnly: true }),
  username: Type.String(),
  name: Type.String(),
  is_active: Type.Boolean({ readOnly: true }),
  is_superuser: Type.Boolean({ readOnly: true }),
  groups: Type.Array(Type.Ref(UserSelfGroupsSchema), { readOnly: true, description: 'Every group reaching the user (direct and ancestors), by name.' }),
  email: Type.String(),
  avatar: Type.String({ readOnly: true }),
  uid: Type.String({ readOnly: true }),
  settings: Type.Object({}, { additionalProperties: true, readOnly: true, description: 'Merged `settings` attribute of groups and user.' }),
  type: Type.Ref(UserTypeEnumSchema),
  system_permissions: Type.Array(Type.String(), { readOnly: true, description: 'Global authentik_rbac permissions (codenames without app label).' }),
}, { $id: 'UserSelf', description: 'User Serializer for information a user can retrieve about themselves' });
export type UserSelfWire = Static<typeof UserSelfSchema>;

export const SessionUserSchema = Type.Object({
  user: Type.Ref(UserSelfSchema),
  original: Type.Optional(Type.Ref(UserSelfSchema)),
}, { $id: 'SessionUser', description: 'The current user (`user`) and, when impersonating, the original user.' });

export const userSchemas = [
  UserTypeEnumSchema, UserGroupSchema, UserSchema, UserRequestSchema, PatchedUserRequestSchema,
  UserSelfGroupsSchema, UserSelfSchema, SessionUserSchema,
];
