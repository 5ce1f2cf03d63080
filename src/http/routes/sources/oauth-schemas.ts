/**
 * `/sources/oauth/` wire objects (spec §4.1): `OAuthSource` (response, key order of the generated
 * client's model), `OAuthSourceRequest` (POST/PUT), `PatchedOAuthSourceRequest` (PATCH), `SourceType`.
 * `consumer_secret` exists only in the request schemas: the response schema is a whitelist.
 */
import { Type, type Static } from '@sinclair/typebox';
import { PROVIDER_TYPE_NAMES } from '../../../domain/sources/oauth-types.js';
import { GroupMatchingModeSchema } from './schemas.js';
import { groupMatchingModeField, sourceRequestFields, typedSourceSchemas } from './typed-source-schemas.js';

export const ProviderTypeEnumSchema = Type.Union(PROVIDER_TYPE_NAMES.map((v) => Type.Literal(v)), { $id: 'ProviderTypeEnum' });

export const SourceTypeSchema = Type.Object({
  name: Type.String({ description: 'Provider type id, the value of `provider_type`.' }),
  verbose_name: Type.String({ description: 'Human-readable provider name.' }),
  urls_customizable: Type.Boolean({ description: 'Whether the built-in URLs may be overridden.' }),
  request_token_url: Type.Union([Type.String(), Type.Null()], { readOnly: true }),
  authorization_url: Type.Union([Type.String(), Type.Null()], { readOnly: true }),
  access_token_url: Type.Union([Type.String(), Type.Null()], { readOnly: true }),
  profile_url: Type.Union([Type.String(), Type.Null()], { readOnly: true }),
  oidc_well_known_url: Type.Union([Type.String(), Type.Null()], { readOnly: true }),
  oidc_jwks_url: Type.Union([Type.String(), Type.Null()], { readOnly: true }),
}, { $id: 'SourceType', description: 'An OAuth provider type and its built-in URLs.' });

const nullableUrl = (description: string) =>
  Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Null()], { description });

const oauth = typedSourceSchemas({
  id: 'OAuthSource',
  description: 'OAuth Source Serializer',
  response: {
    group_matching_mode: Type.Ref(GroupMatchingModeSchema),
    provider_type: Type.Ref(ProviderTypeEnumSchema),
    request_token_url: Type.Union([Type.String(), Type.Null()], { description: 'OAuth 1 request token URL.' }),
    authorization_url: Type.Union([Type.String(), Type.Null()], { description: 'URL the user is redirected to for consent.' }),
    access_token_url: Type.Union([Type.String(), Type.Null()], { description: 'URL where the code is exchanged for a token.' }),
    profile_url: Type.Union([Type.String(), Type.Null()], { description: 'URL to fetch the user profile from.' }),
    consumer_key: Type.String({ description: 'Client id at the provider.' }),
    callback_url: Type.String({ readOnly: true, description: 'Absolute redirect URL to register at the provider.' }),
    additional_scopes: Type.String(),
    type: Type.Ref(SourceTypeSchema, { readOnly: true }),
    oidc_well_known_url: Type.String(),
    oidc_jwks_url: Type.String(),
    oidc_jwks: Type.Any({ description: 'JWKS used to verify tokens from the provider; any JSON or null.' }),
  },
  request: {
    ...sourceRequestFields,
    ...groupMatchingModeField,
    provider_type: Type.Ref(ProviderTypeEnumSchema),
    request_token_url: nullableUrl('OAuth 1 request token URL.'),
    authorization_url: nullableUrl('URL the user is redirected to for consent.'),
    access_token_url: nullableUrl('URL where the code is exchanged for a token.'),
    profile_url: nullableUrl('URL to fetch the user profile from.'),
    consumer_key: Type.String({ minLength: 1, description: 'Client id at the provider.' }),
    consumer_secret: Type.String({ minLength: 1, writeOnly: true, description: 'Client secret; write-only, stored encrypted.' }),
    additional_scopes: Type.String(),
    oidc_well_known_url: Type.String({ description: 'OpenID discovery URL; fetched on save to fill the URLs and JWKS.' }),
    oidc_jwks_url: Type.String({ description: 'JWKS URL; fetched on save into oidc_jwks.' }),
    oidc_jwks: Type.Any(),
  },
  required: ['name', 'slug', 'provider_type', 'consumer_key', 'consumer_secret'],
});

export const OAuthSourceSchema = oauth.response;
export type OAuthSourceWire = Static<typeof OAuthSourceSchema>;
export const oauthSchemas = oauth;

export const oauthSourceSchemas = [ProviderTypeEnumSchema, SourceTypeSchema, ...oauth.all];
