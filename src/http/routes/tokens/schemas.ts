/**
 * `/core/tokens/` wire objects (client models Token, TokenRequest, PatchedTokenRequest, TokenView, IntentEnum).
 * The key exists only in `TokenView` (view_key); Token has no key field, so serialization cannot leak it.
 */
import { Type, type Static } from '@sinclair/typebox';
import { UserSchema } from '../users/schemas.js';

export const IntentEnumSchema = Type.Union(
  ['verification', 'api', 'recovery', 'app_password'].map((v) => Type.Literal(v)),
  { $id: 'IntentEnum' },
);

const NullableDateTime = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const TokenSchema = Type.Object({
  pk: Type.String({ format: 'uuid', readOnly: true, description: 'Token primary key (token_uuid).' }),
  managed: Type.Union([Type.String(), Type.Null()], { description: 'Set on tokens managed by the server; read-only through this API.' }),
  identifier: Type.String({ maxLength: 255, pattern: '^[-a-zA-Z0-9_]+$', description: 'Unique slug naming the token.' }),
  intent: Type.Ref(IntentEnumSchema),
  user: Type.Integer({ description: 'Owning user pk.' }),
  user_obj: Type.Ref(UserSchema),
  description: Type.String(),
  expires: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Expiry, UTC; ignored when expiring is false.' }),
  expiring: Type.Boolean({ description: 'Whether the token expires at `expires`.' }),
}, { $id: 'Token', description: 'Token Serializer' });
export type TokenWire = Static<typeof TokenSchema>;

const tokenRequestProps = {
  managed: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'Accepted and ignored.' })),
  identifier: Type.String({ description: 'Unique slug (letters, digits, "-", "_"; ≤ 255).' }),
  intent: Type.Optional(Type.Ref(IntentEnumSchema)),
  user: Type.Optional(Type.Integer({ description: 'Owner pk (superusers only; default: the caller). Cannot be changed.' })),
  description: Type.Optional(Type.String()),
  expires: Type.Optional(NullableDateTime),
  expiring: Type.Optional(Type.Boolean({ description: 'Superusers only; others get their account default.' })),
};

export const TokenRequestSchema = Type.Object(tokenRequestProps, { $id: 'TokenRequest', description: 'Token Serializer' });
export const PatchedTokenRequestSchema = Type.Object({ ...tokenRequestProps, identifier: Type.Optional(tokenRequestProps.identifier) }, {
  $id: 'PatchedTokenRequest', description: 'Token Serializer',
});

export const TokenViewSchema = Type.Object({
  key: Type.String({ readOnly: true, description: 'The token key, for `Authorization: Bearer <key>`.' }),
}, { $id: 'TokenView', description: "Show token's current key" });

export const IdentifierParamsSchema = Type.Object({ identifier: Type.String({ description: 'The token identifier.' }) });

export const tokenSchemas = [IntentEnumSchema, TokenSchema, TokenRequestSchema, PatchedTokenRequestSchema, TokenViewSchema];
