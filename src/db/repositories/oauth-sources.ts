/**
 * How OAuth sources are stored: the `oauth_source` typed table (spec §4.1) as a `TypedTable`
 * declaration for db/repositories/typed-sources.ts, plus the `has_jwks` list condition.
 * `consumer_secret_encrypted` is written sealed and never selected.
 */
import { sql } from 'kysely';
import type { SourceView } from './sources.js';
import type { TypedTable } from './typed-sources.js';

/** An OAuth source as serializers need it: the base view plus the typed columns (no secret). */
export interface OAuthSourceRow extends SourceView {
  provider_type: string;
  request_token_url: string | null;
  authorization_url: string | null;
  access_token_url: string | null;
  profile_url: string | null;
  consumer_key: string;
  additional_scopes: string;
  oidc_well_known_url: string;
  oidc_jwks_url: string;
  oidc_jwks: unknown;
}

const typed = [
  'provider_type', 'request_token_url', 'authorization_url', 'access_token_url', 'profile_url',
  'consumer_key', 'additional_scopes', 'oidc_well_known_url', 'oidc_jwks_url', 'oidc_jwks',
] as const;

/** `oauth_source`: wire name → SQL for lists (`s` = source, `t` = oauth_source). `has_jwks` is `oauthHasJwks`. */
export const oauthSourceTable: TypedTable = {
  kind: 'oauth',
  table: 'oauth_source',
  select: Object.fromEntries(typed.map((c) => [c, c])),
  jsonColumns: ['oidc_jwks'],
  insertDefaults: { request_token_url: null, authorization_url: null, access_token_url: null, profile_url: null, oidc_jwks: {} },
  list: {
    filters: {
      name: 's.name', slug: 's.slug', enabled: 's.enabled',
      authentication_flow: 's.authentication_flow_id', enrollment_flow: 's.enrollment_flow_id',
      policy_engine_mode: 's.policy_engine_mode', user_matching_mode: 's.user_matching_mode',
      group_matching_mode: 's.group_matching_mode',
      provider_type: 't.provider_type', request_token_url: 't.request_token_url',
      authorization_url: 't.authorization_url', access_token_url: 't.access_token_url',
      profile_url: 't.profile_url', consumer_key: 't.consumer_key', additional_scopes: 't.additional_scopes',
    },
    ordering: {
      pk: 's.pbm_uuid', name: 's.name', slug: 's.slug', enabled: 's.enabled',
      authentication_flow: 's.authentication_flow_id', enrollment_flow: 's.enrollment_flow_id',
      policy_engine_mode: 's.policy_engine_mode', user_matching_mode: 's.user_matching_mode',
      managed: 's.managed', user_path_template: 's.user_path_template', group_matching_mode: 's.group_matching_mode',
      provider_type: 't.provider_type', request_token_url: 't.request_token_url',
      authorization_url: 't.authorization_url', access_token_url: 't.access_token_url', profile_url: 't.profile_url',
      consumer_key: 't.consumer_key', additional_scopes: 't.additional_scopes',
      oidc_well_known_url: 't.oidc_well_known_url', oidc_jwks_url: 't.oidc_jwks_url',
    },
  },
};

/** `has_jwks` true: a stored JWKS that is neither NULL nor `{}`; false: the others. */
export function oauthHasJwks(value: boolean) {
  return value
    ? sql<boolean>`(t.oidc_jwks IS NOT NULL AND t.oidc_jwks <> '{}'::jsonb)`
    : sql<boolean>`(t.oidc_jwks IS NULL OR t.oidc_jwks = '{}'::jsonb)`;
}
