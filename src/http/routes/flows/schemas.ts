/** Flow wire objects (`/flows/instances/`), in authentik 2024.8's key order. */
import { Type, type Static } from '@sinclair/typebox';
import { DENIED_ACTIONS, FLOW_AUTHENTICATION, FLOW_DESIGNATIONS, FLOW_LAYOUTS } from '../../../domain/flows/service.js';
import { PolicyEngineModeSchema } from '../sources/schemas.js';

const literals = (values: readonly string[], $id: string) => Type.Union(values.map((v) => Type.Literal(v)), { $id });

export const FlowDesignationEnumSchema = literals(FLOW_DESIGNATIONS, 'FlowDesignationEnum');
export const FlowLayoutEnumSchema = literals(FLOW_LAYOUTS, 'FlowLayoutEnum');
export const DeniedActionEnumSchema = literals(DENIED_ACTIONS, 'DeniedActionEnum');
export const AuthenticationEnumSchema = literals(FLOW_AUTHENTICATION, 'AuthenticationEnum');

export const FlowSchema = Type.Object({
  pk: Type.String({ format: 'uuid', readOnly: true, description: 'Flow primary key.' }),
  policybindingmodel_ptr_id: Type.String({ format: 'uuid', readOnly: true, description: 'Same as pk (policy binding target).' }),
  name: Type.String(),
  slug: Type.String({ description: 'Visible in the URL.' }),
  title: Type.String({ description: 'Shown as the Title in Flow pages.' }),
  designation: Type.Ref(FlowDesignationEnumSchema),
  background: Type.String({ readOnly: true, description: 'Background image URL; the default image when none is set.' }),
  stages: Type.Array(Type.String({ format: 'uuid' }), { readOnly: true, description: 'Always empty: Fedlink has no stages.' }),
  policies: Type.Array(Type.String({ format: 'uuid' }), { readOnly: true, description: 'Always empty: Fedlink has no policies.' }),
  cache_count: Type.Integer({ readOnly: true, description: 'Always 0: Fedlink does not plan flows.' }),
  policy_engine_mode: Type.Ref(PolicyEngineModeSchema),
  compatibility_mode: Type.Boolean({ description: 'Stored only; Fedlink renders no flow pages.' }),
  export_url: Type.String({ readOnly: true }),
  layout: Type.Ref(FlowLayoutEnumSchema),
  denied_action: Type.Ref(DeniedActionEnumSchema),
  authentication: Type.Ref(AuthenticationEnumSchema),
}, { $id: 'Flow', description: 'Flow Serializer' });
export type FlowWire = Static<typeof FlowSchema>;

const writable = {
  name: Type.String({ minLength: 1 }),
  slug: Type.String({ minLength: 1, maxLength: 50, pattern: '^[-a-zA-Z0-9_]+$', description: 'Visible in the URL.' }),
  title: Type.String({ minLength: 1, description: 'Shown as the Title in Flow pages.' }),
  designation: Type.Ref(FlowDesignationEnumSchema),
};
const optional = {
  policy_engine_mode: Type.Optional(Type.Ref(PolicyEngineModeSchema)),
  compatibility_mode: Type.Optional(Type.Boolean()),
  layout: Type.Optional(Type.Ref(FlowLayoutEnumSchema)),
  denied_action: Type.Optional(Type.Ref(DeniedActionEnumSchema)),
  authentication: Type.Optional(Type.Ref(AuthenticationEnumSchema)),
};

export const FlowRequestSchema = Type.Object({ ...writable, ...optional }, { $id: 'FlowRequest', description: 'Flow Serializer' });
export const PatchedFlowRequestSchema = Type.Object({
  name: Type.Optional(writable.name), slug: Type.Optional(writable.slug), title: Type.Optional(writable.title),
  designation: Type.Optional(writable.designation), ...optional,
}, { $id: 'PatchedFlowRequest', description: 'Flow Serializer' });

export const flowSchemas = [
  FlowDesignationEnumSchema, FlowLayoutEnumSchema, DeniedActionEnumSchema, AuthenticationEnumSchema, FlowSchema,
  FlowRequestSchema, PatchedFlowRequestSchema,
];
