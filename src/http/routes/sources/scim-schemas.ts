/**
 * `/sources/scim/`, `/sources/scim_users/`, `/sources/scim_groups/` wire objects (spec §4.6, §8.2):
 * `SCIMSource` (reduced Source shape + `root_url`, `token_obj`), `SCIMSourceUser`, `SCIMSourceGroup` and
 * their request schemas. The nested Token / User / GroupMember / UserGroup objects are inlined (no
 * component id) so they cannot clash with the core API's components of the same name.
 */
import { Type } from '@sinclair/typebox';
import { paginated } from '../../list/envelope.js';
import { SourceSchema } from './schemas.js';
import { sourceRequestFields, typedSourceSchemas } from './typed-source-schemas.js';

const nullableDateTime = () => Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

/** `UserGroup`: a user's group. */
export const UserGroupInline = Type.Object({
  pk: Type.String({ format: 'uuid' }), num_pk: Type.Integer(), name: Type.String(), is_superuser: Type.Boolean(),
  parent: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]), parent_name: Type.Union([Type.String(), Type.Null()]),
  attributes: Type.Any(),
});

/** `User` as the core API serializes it. */
export const UserInline = Type.Object({
  pk: Type.Integer(), username: Type.String(), name: Type.String(), is_active: Type.Boolean(), last_login: nullableDateTime(),
  is_superuser: Type.Boolean(), groups: Type.Array(Type.String({ format: 'uuid' })), groups_obj: Type.Union([Type.Array(UserGroupInline), Type.Null()]),
  email: Type.String(), avatar: Type.String(), attributes: Type.Any(), uid: Type.String(), path: Type.String(), type: Type.String(),
  uuid: Type.String({ format: 'uuid' }),
});

/** `Token` without its key. */
export const TokenInline = Type.Object({
  pk: Type.String({ format: 'uuid' }), managed: Type.Union([Type.String(), Type.Null()]), identifier: Type.String(), intent: Type.String(),
  user: Type.Integer(), user_obj: UserInline, description: Type.String(), expires: nullableDateTime(), expiring: Type.Boolean(),
});

/** `GroupMember`: a user as group listings show it. */
export const GroupMemberInline = Type.Object({
  pk: Type.Integer(), username: Type.String(), name: Type.String(), is_active: Type.Boolean(), last_login: nullableDateTime(),
  email: Type.String(), attributes: Type.Any(), uid: Type.String(),
});

const { pk, name, slug, enabled, user_property_mappings, group_property_mappings, component, verbose_name, verbose_name_plural,
  meta_model_name, managed, user_path_template } = SourceSchema.properties;

export const scimSourceSchemas = typedSourceSchemas({
  id: 'SCIMSource',
  description: 'SCIMSource Serializer',
  baseResponse: {
    pk, name, slug, enabled, user_property_mappings, group_property_mappings, component, verbose_name, verbose_name_plural,
    meta_model_name, managed, user_path_template,
  },
  response: {
    root_url: Type.String({ readOnly: true, description: 'Base URL of this source\'s SCIM endpoint.' }),
    token_obj: Type.Union([TokenInline, Type.Null()], { readOnly: true, description: 'API token of the source\'s service account (no key).' }),
  },
  request: {
    name: sourceRequestFields.name, slug: sourceRequestFields.slug, enabled: sourceRequestFields.enabled,
    user_property_mappings: sourceRequestFields.user_property_mappings, group_property_mappings: sourceRequestFields.group_property_mappings,
    user_path_template: sourceRequestFields.user_path_template,
  },
  required: ['name', 'slug'],
});

const idField = Type.String({ minLength: 1, description: 'The object\'s id at the SCIM client.' });
const sourceField = Type.String({ format: 'uuid', description: 'The SCIM source (pk).' });
const attributesField = Type.Any({ description: 'SCIM attributes as received; any JSON.' });

function objectSchemas(kind: 'User' | 'Group', refField: Record<string, any>, objField: Record<string, any>) {
  const response = Type.Object({ id: Type.String(), ...refField, ...objField, source: Type.String({ format: 'uuid' }), attributes: attributesField },
    { $id: `SCIMSource${kind}`, description: `SCIMSource${kind} Serializer` });
  const fields = { id: idField, ...refField, source: sourceField, attributes: attributesField };
  const request = Type.Object({ ...fields, attributes: Type.Optional(attributesField) },
    { $id: `SCIMSource${kind}Request`, description: `SCIMSource${kind} Serializer`, additionalProperties: true });
  const patched = Type.Object(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Type.Optional(v)])),
    { $id: `PatchedSCIMSource${kind}Request`, description: `SCIMSource${kind} Serializer`, additionalProperties: true });
  const page = paginated(response);
  return { response, request, patched, paginated: page, all: [response, request, patched, page] };
}

export const scimUserSchemas = objectSchemas('User', { user: Type.Integer({ description: 'Local user (pk).' }) }, { user_obj: GroupMemberInline });
export const scimGroupSchemas = objectSchemas('Group', { group: Type.String({ format: 'uuid', description: 'Local group (uuid).' }) }, { group_obj: UserGroupInline });

export const scimSchemas = [...scimSourceSchemas.all, ...scimUserSchemas.all, ...scimGroupSchemas.all];
