/**
 * Wire objects of `/sources/all/`'s extra actions (spec §3.2): `TypeCreate`, `UserSetting`,
 * `FilePathRequest` (set_icon_url) and `FileUploadRequest` (set_icon, multipart/form-data).
 */
import { Type } from '@sinclair/typebox';
import { TypeCreateSchema } from '../../schemas/common.js';

export { TypeCreateSchema };

/**
 * `TypeCreate` as `/sources/all/types/` sends it: `icon_url` always present, before
 * `requires_enterprise` (fast-json-stringify writes optional keys last, so the shared component, where
 * `icon_url` is optional for `/events/events/actions/`, would move it). Inline, same fields.
 */
export const SourceTypeCreateSchema = Type.Object({
  name: Type.String(),
  description: Type.String(),
  component: Type.String(),
  model_name: Type.String(),
  icon_url: Type.Union([Type.String(), Type.Null()]),
  requires_enterprise: Type.Boolean(),
}, { description: 'Types of an object that can be created' });

export const UserSettingSchema = Type.Object({
  object_uid: Type.String({ description: 'Slug of the source.' }),
  component: Type.String({ description: 'Web component of the settings entry.' }),
  title: Type.String(),
  configure_url: Type.Optional(Type.String({ description: 'Where connecting the source starts.' })),
  icon_url: Type.Optional(Type.String()),
}, { $id: 'UserSetting', description: 'Serializer for User settings for stages and sources' });

export const FilePathRequestSchema = Type.Object({
  url: Type.String({ description: 'Icon URL or media path, stored as-is.' }),
}, { $id: 'FilePathRequest', description: 'Serializer to upload file', additionalProperties: true });

export const FileUploadRequestSchema = Type.Object({
  file: Type.Optional(Type.String({ format: 'binary', description: 'Image: png, jpg, jpeg, gif, svg, webp or ico.' })),
  clear: Type.Optional(Type.Boolean({ default: false, description: '"true" removes the icon.' })),
}, { $id: 'FileUploadRequest', description: 'Serializer to upload file', additionalProperties: true });

export const allSourcesSchemas = [UserSettingSchema, FilePathRequestSchema, FileUploadRequestSchema];
