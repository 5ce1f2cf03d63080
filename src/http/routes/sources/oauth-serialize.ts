/** OAuth source rows → the wire `OAuthSource` object (spec §4.1). The consumer secret is never read here. */
import type { OAuthSourceRow } from '../../../db/repositories/oauth-sources.js';
import { providerTypeOf } from '../../../domain/sources/oauth-service.js';
import type { OAuthSourceWire } from './oauth-schemas.js';
import { serializeSource } from './serialize.js';

/** Serializes an OAuth source: the typed Source fields, then the OAuth fields in the client's order. */
export function serializeOAuthSource(row: OAuthSourceRow, origin: string): OAuthSourceWire {
  return {
    ...serializeSource(row, 'typed'),
    group_matching_mode: row.group_matching_mode as OAuthSourceWire['group_matching_mode'],
    provider_type: row.provider_type as OAuthSourceWire['provider_type'],
    request_token_url: row.request_token_url,
    authorization_url: row.authorization_url,
    access_token_url: row.access_token_url,
    profile_url: row.profile_url,
    consumer_key: row.consumer_key,
    callback_url: `${origin}/source/oauth/callback/${encodeURIComponent(row.slug)}/`,
    additional_scopes: row.additional_scopes,
    type: providerTypeOf(row),
    oidc_well_known_url: row.oidc_well_known_url,
    oidc_jwks_url: row.oidc_jwks_url,
    oidc_jwks: row.oidc_jwks,
  };
}
