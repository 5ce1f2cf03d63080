/**
 * Schemas shared by every endpoint: error bodies and used_by entries. Component ids follow authentik's
 * OpenAPI document (`ValidationError`, `GenericError`, `UsedBy`).
 */
import { Type, type Static } from '@sinclair/typebox';

export const ValidationErrorSchema = Type.Object({
  non_field_errors: Type.Optional(Type.Array(Type.String())),
  code: Type.Optional(Type.String()),
}, { $id: 'ValidationError', additionalProperties: Type.Array(Type.String()), description: 'Field name → messages.' });

export const GenericErrorSchema = Type.Object({
  detail: Type.String(),
  code: Type.Optional(Type.String()),
}, { $id: 'GenericError', description: 'An error with a human-readable detail.' });

export const UsedByActionSchema = Type.Union(
  [Type.Literal('cascade'), Type.Literal('cascade_many'), Type.Literal('set_null'), Type.Literal('set_default')],
  { $id: 'UsedByActionEnum' },
);

export const UsedBySchema = Type.Object({
  app: Type.String(),
  model_name: Type.String(),
  pk: Type.String(),
  name: Type.String(),
  action: Type.Ref(UsedByActionSchema),
}, { $id: 'UsedBy', description: 'An object that references the target and what deleting the target does to it.' });
export type UsedBy = Static<typeof UsedBySchema>;

/** A kind of object that can be created (`/sources/all/types/`, `/events/events/actions/`). */
export const TypeCreateSchema = Type.Object({
  name: Type.String({ description: 'Verbose name of the kind.' }),
  description: Type.String({ description: 'What the kind does.' }),
  component: Type.String({ description: 'Web component of the creation form.' }),
  model_name: Type.String({ description: 'Lower-case model name.' }),
  icon_url: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'Built-in icon, or null.' })),
  // Optional, as in authentik's schema: fast-json-stringify writes required keys before optional ones, so a
  // required `requires_enterprise` would come out before `icon_url` (authentik's order is icon_url first).
  requires_enterprise: Type.Optional(Type.Boolean({ default: false })),
}, { $id: 'TypeCreate', description: 'Types of an object that can be created' });

/** Error responses every authenticated operation can give. */
export const errorResponses = {
  400: Type.Ref(ValidationErrorSchema),
  403: Type.Ref(GenericErrorSchema),
} as const;

export const notFoundResponse = { 404: Type.Ref(GenericErrorSchema) } as const;

/** Integer path id as authentik's client sends it; non-integers answer 404 (spec §2.6). */
export const IdParamsSchema = Type.Object({ id: Type.String({ description: 'A unique integer value identifying this object.' }) });

/** Every schema with an $id that routes reference, for app.addSchema. */
export const commonSchemas = [ValidationErrorSchema, GenericErrorSchema, UsedByActionSchema, UsedBySchema, TypeCreateSchema];
