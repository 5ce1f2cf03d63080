/**
 * The OAuth source kind behind `/sources/oauth/` (spec §4.1): its declaration for the generic typed-source
 * use cases (typed-source.ts), the object-level rules (OIDC discovery, JWKS, per-provider required URLs)
 * and the provider-type catalogue. Codenames `authentik_sources_oauth.<verb>_oauthsource`.
 * Source: authentik/sources/oauth/api/source.py (OAuthSourceSerializer, OAuthSourceViewSet).
 */
import { oauthHasJwks, oauthSourceTable, type OAuthSourceRow } from '../../db/repositories/oauth-sources.js';
import { ValidationFailed } from '../errors.js';
import type { ListParamsSpec } from '../list.js';
import { discoverWellKnown, fetchJwks } from './oauth-discovery.js';
import {
  DEFAULT_PROVIDER_TYPE, findProviderType, PROVIDER_TYPES, PROVIDER_TYPE_NAMES, REQUIRED_PROVIDER_URLS, type ProviderType,
} from './oauth-types.js';
import { unstorableJson } from './storable-json.js';
import { typedSourceService, type SourceInput, type TypedSourceKind } from './typed-source.js';

const URL_MAX = 255;
/** Discovery-document key behind each URL we take from it. */
const DISCOVERY_KEY = { authorization_url: 'authorization_endpoint', access_token_url: 'token_endpoint', profile_url: 'userinfo_endpoint', jwks_url: 'jwks_uri' } as const;

/** List parameters of `/sources/oauth/` (spec §4.1; client SourcesOauthListRequest). */
export const oauthSourceListSpec: ListParamsSpec = {
  filters: {
    access_token_url: 'text', additional_scopes: 'text', authentication_flow: 'uuid', authorization_url: 'text',
    consumer_key: 'text', enabled: 'bool', enrollment_flow: 'uuid',
    group_matching_mode: { enum: ['identifier', 'name_link', 'name_deny'] },
    has_jwks: 'bool', name: 'text',
    policy_engine_mode: { enum: ['all', 'any'] },
    profile_url: 'text', provider_type: 'text', request_token_url: 'text', slug: 'text',
    user_matching_mode: { enum: ['identifier', 'email_link', 'email_deny', 'username_link', 'username_deny'] },
  },
  orderingFields: [
    'pk', 'name', 'slug', 'enabled', 'authentication_flow', 'enrollment_flow', 'policy_engine_mode',
    'user_matching_mode', 'managed', 'user_path_template', 'group_matching_mode', 'provider_type',
    'request_token_url', 'authorization_url', 'access_token_url', 'profile_url', 'consumer_key',
    'additional_scopes', 'oidc_well_known_url', 'oidc_jwks_url',
  ],
  defaultOrdering: ['name'],
  searchable: true,
};

/** A request body after schema validation and trimming; absent keys are "not sent". */
export interface OAuthSourceInput {
  name?: string;
  slug?: string;
  enabled?: boolean;
  authentication_flow?: string | null;
  enrollment_flow?: string | null;
  user_property_mappings?: string[];
  group_property_mappings?: string[];
  policy_engine_mode?: 'all' | 'any';
  user_matching_mode?: string;
  user_path_template?: string;
  group_matching_mode?: string;
  provider_type?: string;
  request_token_url?: string | null;
  authorization_url?: string | null;
  access_token_url?: string | null;
  profile_url?: string | null;
  consumer_key?: string;
  consumer_secret?: string;
  additional_scopes?: string;
  oidc_well_known_url?: string;
  oidc_jwks_url?: string;
  oidc_jwks?: unknown;
}

/** The provider type of a stored source (authentik's registry falls back to a "default" type). */
export function providerTypeOf(row: Pick<OAuthSourceRow, 'provider_type'>): ProviderType {
  return findProviderType(row.provider_type) ?? DEFAULT_PROVIDER_TYPE;
}

/**
 * `GET /sources/oauth/source_types/`: every provider type, or with `name` given only that type
 * (an empty list when unknown, including an empty name).
 */
export function sourceTypes(name?: string): ProviderType[] {
  if (name === undefined) return [...PROVIDER_TYPES];
  const t = findProviderType(name);
  return t ? [t] : [];
}

function storableJson(v: unknown): boolean {
  return unstorableJson(v) === undefined;
}

/**
 * Object-level validation (authentik's OAuthSourceSerializer.validate), on the merged state of the
 * stored row (updates) and the input:
 * - `oidc_well_known_url` sent and non-empty → fetched; its endpoints overwrite the three URLs and
 *   provide a JWKS URL;
 * - a JWKS URL (sent, else discovered) → fetched into `oidc_jwks`;
 * - each of authorization/access token/profile URL must be built into the provider type or present.
 * @returns the input with discovered values filled in.
 * @throws ValidationFailed `{non_field_errors: ["authorization_url is required for provider openidconnect"]}`,
 * discovery errors under `oidc_well_known_url` / `jwks_url`.
 */
async function validateObject(input: OAuthSourceInput, stored?: OAuthSourceRow): Promise<OAuthSourceInput> {
  const out: OAuthSourceInput = { ...input };
  const badJwks = out.oidc_jwks === undefined ? undefined : unstorableJson(out.oidc_jwks);
  if (badJwks) throw ValidationFailed.field('oidc_jwks', badJwks);
  let inferredJwksUrl: string | undefined;
  if (out.oidc_well_known_url) {
    const found = await discoverWellKnown(out.oidc_well_known_url);
    for (const k of ['authorization_url', 'access_token_url', 'profile_url', 'jwks_url'] as const) {
      if ((k !== 'jwks_url' && found[k].length > URL_MAX) || !storableJson(found[k])) {
        throw ValidationFailed.field('oidc_well_known_url', `Invalid well-known configuration: ${DISCOVERY_KEY[k]} is not a usable URL`);
      }
    }
    out.authorization_url = found.authorization_url;
    out.access_token_url = found.access_token_url;
    out.profile_url = found.profile_url;
    inferredJwksUrl = found.jwks_url;
  }
  const jwksUrl = out.oidc_jwks_url || inferredJwksUrl;
  if (jwksUrl) {
    out.oidc_jwks_url = jwksUrl;
    const jwks = await fetchJwks(jwksUrl);
    const bad = unstorableJson(jwks);
    if (bad) throw ValidationFailed.field('jwks_url', `Invalid JWKS: ${bad}`);
    out.oidc_jwks = jwks;
  }
  const typeName = out.provider_type ?? stored?.provider_type ?? '';
  const type = findProviderType(typeName) ?? DEFAULT_PROVIDER_TYPE;
  for (const url of REQUIRED_PROVIDER_URLS) {
    if (type[url] !== null) continue;
    const value = url in out ? out[url] : stored?.[url];
    if (value === undefined || value === null || value === '') {
      throw ValidationFailed.field('non_field_errors', `${url} is required for provider ${type.name}`);
    }
  }
  return out;
}

/** The OAuth kind: typed fields, required fields, `has_jwks`, the object-level rules. */
export const oauthSourceKind: TypedSourceKind<OAuthSourceRow> = {
  app: 'authentik_sources_oauth',
  model: 'oauthsource',
  table: oauthSourceTable,
  listSpec: oauthSourceListSpec,
  fields: {
    provider_type: {}, request_token_url: {}, authorization_url: {}, access_token_url: {}, profile_url: {},
    consumer_key: {}, consumer_secret: { column: 'consumer_secret_encrypted', secret: true }, additional_scopes: {},
    oidc_well_known_url: {}, oidc_jwks_url: {}, oidc_jwks: {},
  },
  required: ['name', 'slug', 'provider_type', 'consumer_key', 'consumer_secret'],
  listWhere: (filters) => (typeof filters.has_jwks === 'boolean' ? [oauthHasJwks(filters.has_jwks)] : []),
  async validate({ input, stored }) {
    const i = input as OAuthSourceInput;
    if (i.provider_type !== undefined && !PROVIDER_TYPE_NAMES.includes(i.provider_type)) {
      throw ValidationFailed.field('provider_type', `"${i.provider_type}" is not a valid choice.`);
    }
    return (await validateObject(i, stored)) as SourceInput;
  },
};

/** The use cases of `/sources/oauth/`. */
export const oauthSources = typedSourceService(oauthSourceKind);
