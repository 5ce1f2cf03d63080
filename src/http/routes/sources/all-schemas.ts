/**
 * Wire objects of `/sources/all/`'s extra actions (spec §3.2): `TypeCreate`, `UserSetting`,
 * `FilePathRequest` (set_icon_url) and `FileUploadRequest` (set_icon, multipart/form-data).
 */
import { Type } from '@sinclair/typebox';

export const TypeCreateSchema = Type.Object({
  name: Type.String({ description: 'Verbose name of the kind.' }),
  description: Type.String({ description: 'What the kind does.' }),
  component: Type.String({ description: 'Web component of the creation form.' }),
  model_name: Type.String({ description: 'Lower-case model name.' }),
  icon_url: Type.Union([Type.String(), Type.Null()], { description: 'Built-in icon, or null.' }),
  requires_enterprise: Type.Boolean({ default: false }),
}, { $id: 'TypeCreate', description: 'Types of an object that can be created' });

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

export const allSourcesSchemas = [TypeCreateSchema, UserSettingSchema, FilePathRequestSchema, FileUploadRequestSchema];
