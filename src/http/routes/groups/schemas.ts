/**
 * `/core/groups/` wire objects (client models Group, GroupRequest, PatchedGroupRequest, GroupMember, Role).
 * Key order follows authentik's GroupSerializer.
 */
import { Type, type Static } from '@sinclair/typebox';
import { RoleSchema } from '../rbac/schemas.js';

const Attributes = (description: string) => Type.Object({}, { additionalProperties: true, description });

export const GroupMemberSchema = Type.Object({
  pk: Type.Integer({ readOnly: true, description: 'User primary key.' }),
  username: Type.String(),
  name: Type.String({ description: "User's display name." }),
  is_active: Type.Boolean(),
  last_login: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  email: Type.String(),
  attributes: Attributes('Free-form user attributes.'),
  uid: Type.String({ readOnly: true }),
}, { $id: 'GroupMember', description: 'Stripped down user serializer to show relevant users for groups' });


export const GroupSchema = Type.Object({
  pk: Type.String({ format: 'uuid', readOnly: true, description: 'Group primary key (group_uuid).' }),
  num_pk: Type.Integer({ readOnly: true, description: 'A numeric id for the group.' }),
  name: Type.String(),
  is_superuser: Type.Boolean({ description: 'Members of this group (and of its descendants) are superusers.' }),
  parent: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  parent_name: Type.Union([Type.String(), Type.Null()], { readOnly: true }),
  users: Type.Array(Type.Integer(), { description: 'Direct member pks.' }),
  users_obj: Type.Union([Type.Array(Type.Ref(GroupMemberSchema)), Type.Null()], { readOnly: true, description: 'Members; null when include_users=false.' }),
  attributes: Attributes('Free-form group attributes.'),
  roles: Type.Array(Type.String({ format: 'uuid' })),
  roles_obj: Type.Array(Type.Ref(RoleSchema), { readOnly: true }),
}, { $id: 'Group', description: 'Group Serializer' });
export type GroupWire = Static<typeof GroupSchema>;

const groupRequestProps = {
  name: Type.String({ description: 'Group name; unique together with parent.' }),
  is_superuser: Type.Optional(Type.Boolean({ description: 'Only superusers may change it.' })),
  parent: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
  users: Type.Optional(Type.Array(Type.Integer(), { description: 'Direct member pks; PUT/POST default: none.' })),
  attributes: Type.Optional(Attributes('Free-form group attributes (replaced as a whole).')),
  roles: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { description: 'Role uuids; only superusers may change them.' })),
};

export const GroupRequestSchema = Type.Object(groupRequestProps, { $id: 'GroupRequest', description: 'Group Serializer' });
export const PatchedGroupRequestSchema = Type.Object({ ...groupRequestProps, name: Type.Optional(groupRequestProps.name) }, {
  $id: 'PatchedGroupRequest', description: 'Group Serializer',
});

/** `{group_uuid}` path parameter; anything that is not an existing group's uuid answers 404. */
export const GroupUuidParamsSchema = Type.Object({ group_uuid: Type.String({ description: 'A UUID string identifying this Group.' }) });

/** `include_users` on retrieve. */
export const GroupRetrieveQuerySchema = Type.Object({ include_users: Type.Optional(Type.String()) }, { additionalProperties: true });

export const groupSchemas = [GroupMemberSchema, GroupSchema, GroupRequestSchema, PatchedGroupRequestSchema];
