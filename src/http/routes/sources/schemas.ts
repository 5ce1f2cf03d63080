/**
 * The `Source` object (spec §3.1), also nested in every connection. Key order follows authentik's
 * serializer. Enums carry authentik's component ids.
 */
import { Type, type Static } from '@sinclair/typebox';

export const PolicyEngineModeSchema = Type.Union([Type.Literal('all'), Type.Literal('any')], { $id: 'PolicyEngineMode' });
export const UserMatchingModeSchema = Type.Union(
  ['identifier', 'email_link', 'email_deny', 'username_link', 'username_deny'].map((v) => Type.Literal(v)),
  { $id: 'UserMatchingModeEnum' },
);
export const GroupMatchingModeSchema = Type.Union(
  ['identifier', 'name_link', 'name_deny'].map((v) => Type.Literal(v)),
  { $id: 'GroupMatchingModeEnum' },
);

export const SourceSchema = Type.Object({
  pk: Type.String({ format: 'uuid', readOnly: true, description: 'Source primary key (pbm_uuid).' }),
  name: Type.String({ description: 'Source display name.' }),
  slug: Type.String({ maxLength: 50, pattern: '^[-a-zA-Z0-9_]+$', description: 'Internal source name, used in URLs.' }),
  enabled: Type.Boolean(),
  authentication_flow: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'Flow to use when authenticating existing users.' }),
  enrollment_flow: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'Flow to use when enrolling new users.' }),
  user_property_mappings: Type.Array(Type.String({ format: 'uuid' })),
  group_property_mappings: Type.Array(Type.String({ format: 'uuid' })),
  component: Type.String({ readOnly: true, description: 'Web component used to edit this object; "" for a plain base row.' }),
  verbose_name: Type.String({ readOnly: true }),
  verbose_name_plural: Type.String({ readOnly: true }),
  meta_model_name: Type.String({ readOnly: true, description: '<app_label>.<model_name>' }),
  policy_engine_mode: Type.Ref(PolicyEngineModeSchema),
  user_matching_mode: Type.Ref(UserMatchingModeSchema),
  managed: Type.Union([Type.String(), Type.Null()], { readOnly: true, description: 'Set on objects managed by the server.' }),
  user_path_template: Type.String(),
  icon: Type.Union([Type.String(), Type.Null()], { readOnly: true, description: 'Icon URL, or null.' }),
}, { $id: 'Source', description: 'Source' });
export type SourceWire = Static<typeof SourceSchema>;

export const sourceSchemas = [PolicyEngineModeSchema, UserMatchingModeSchema, GroupMatchingModeSchema, SourceSchema];
