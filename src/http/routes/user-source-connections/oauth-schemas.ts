/**
 * `/sources/user_connections/oauth/` wire objects (spec §6; decisions F1): `UserOAuthSourceConnection`
 * (response, never the access token), `UserOAuthSourceConnectionRequest` (POST/PUT; `source` and `user`
 * are Fedlink's create-only additions) and `PatchedUserOAuthSourceConnectionRequest`.
 */
import { Type, type Static } from '@sinclair/typebox';
import { UserSourceConnectionSchema } from './schemas.js';

export const UserOAuthSourceConnectionSchema = Type.Object({
  ...UserSourceConnectionSchema.properties,
  identifier: Type.String({ maxLength: 255, description: "The user's id at the source." }),
}, { $id: 'UserOAuthSourceConnection', description: 'OAuth Source Serializer' });
export type UserOAuthSourceConnectionWire = Static<typeof UserOAuthSourceConnectionSchema>;

const fields = {
  identifier: Type.String({ minLength: 1, maxLength: 255, description: "The user's id at the source." }),
  access_token: Type.Union([Type.String(), Type.Null()], { writeOnly: true, description: 'Provider access token; write-only, stored encrypted. null or "" clears it.' }),
};

/** POST body: the 2024.8 fields plus `source` (required) and `user` (decisions F1). */
export const UserOAuthSourceConnectionRequestSchema = Type.Object({
  source: Type.String({ format: 'uuid', description: 'Pk of the OAuth source (decisions F1).' }),
  user: Type.Optional(Type.Integer({ description: 'Owning user pk; defaults to the caller. Naming another user needs superuser or add_useroauthsourceconnection.' })),
  identifier: fields.identifier,
  access_token: Type.Optional(fields.access_token),
}, { $id: 'UserOAuthSourceConnectionRequest', description: 'OAuth Source Serializer', additionalProperties: true });

/** PUT body: `source` and `user` are read-only after creation (ignored when sent). */
export const UserOAuthSourceConnectionUpdateRequestSchema = Type.Object({
  identifier: fields.identifier,
  access_token: Type.Optional(fields.access_token),
}, { $id: 'UserOAuthSourceConnectionUpdateRequest', description: 'OAuth Source Serializer', additionalProperties: true });

export const PatchedUserOAuthSourceConnectionRequestSchema = Type.Object({
  identifier: Type.Optional(fields.identifier),
  access_token: Type.Optional(fields.access_token),
}, { $id: 'PatchedUserOAuthSourceConnectionRequest', description: 'OAuth Source Serializer', additionalProperties: true });

export const oauthConnectionSchemas = [
  UserOAuthSourceConnectionSchema, UserOAuthSourceConnectionRequestSchema, UserOAuthSourceConnectionUpdateRequestSchema,
  PatchedUserOAuthSourceConnectionRequestSchema,
];
