/**
 * The OAuth provider types Fedlink knows (spec §4.1 `provider_type`), with their built-in URLs.
 * Pure data: no I/O. Order is authentik's registry order (the order of `ProviderTypeEnum`).
 * Source: authentik/sources/oauth/types/*.py (the `SourceType` subclasses) and types/registry.py.
 */

/** One provider type as `GET /sources/oauth/source_types/` and the `type` field describe it. */
export interface ProviderType {
  /** Wire value of `provider_type`, e.g. `github`. */
  name: string;
  verbose_name: string;
  /** Whether an administrator may override the built-in URLs. */
  urls_customizable: boolean;
  request_token_url: string | null;
  authorization_url: string | null;
  access_token_url: string | null;
  profile_url: string | null;
  oidc_well_known_url: string | null;
  oidc_jwks_url: string | null;
}

function type(p: Partial<ProviderType> & Pick<ProviderType, 'name' | 'verbose_name'>): ProviderType {
  return {
    urls_customizable: false, request_token_url: null, authorization_url: null, access_token_url: null,
    profile_url: null, oidc_well_known_url: null, oidc_jwks_url: null, ...p,
  };
}

/** Every provider type, in registry order. */
export const PROVIDER_TYPES: readonly ProviderType[] = [
  type({
    name: 'apple', verbose_name: 'Apple',
    authorization_url: 'https://appleid.apple.com/auth/authorize',
    access_token_url: 'https://appleid.apple.com/auth/token',
    // Apple's profile comes from the id_token; authentik declares an empty (but present) profile URL.
    profile_url: '',
  }),
  type({ name: 'openidconnect', verbose_name: 'OpenID Connect', urls_customizable: true }),
  type({
    name: 'azuread', verbose_name: 'Azure AD', urls_customizable: true,
    authorization_url: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    access_token_url: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    profile_url: 'https://graph.microsoft.com/v1.0/me',
    oidc_well_known_url: 'https://login.microsoftonline.com/common/.well-known/openid-configuration',
    oidc_jwks_url: 'https://login.microsoftonline.com/common/discovery/keys',
  }),
  type({
    name: 'discord', verbose_name: 'Discord',
    authorization_url: 'https://discord.com/api/oauth2/authorize',
    access_token_url: 'https://discord.com/api/oauth2/token',
    profile_url: 'https://discord.com/api/users/@me',
  }),
  type({
    name: 'facebook', verbose_name: 'Facebook',
    authorization_url: 'https://www.facebook.com/v7.0/dialog/oauth',
    access_token_url: 'https://graph.facebook.com/v7.0/oauth/access_token',
    profile_url: 'https://graph.facebook.com/v7.0/me?fields=id,name,email',
  }),
  type({
    name: 'github', verbose_name: 'GitHub', urls_customizable: true,
    authorization_url: 'https://github.com/login/oauth/authorize',
    access_token_url: 'https://github.com/login/oauth/access_token',
    profile_url: 'https://api.github.com/user',
    oidc_well_known_url: 'https://token.actions.githubusercontent.com/.well-known/openid-configuration',
    oidc_jwks_url: 'https://token.actions.githubusercontent.com/.well-known/jwks',
  }),
  type({
    name: 'gitlab', verbose_name: 'GitLab', urls_customizable: true,
    authorization_url: 'https://gitlab.com/oauth/authorize',
    access_token_url: 'https://gitlab.com/oauth/token',
    profile_url: 'https://gitlab.com/oauth/userinfo',
    oidc_well_known_url: 'https://gitlab.com/.well-known/openid-configuration',
    oidc_jwks_url: 'https://gitlab.com/oauth/discovery/keys',
  }),
  type({
    name: 'google', verbose_name: 'Google',
    authorization_url: 'https://accounts.google.com/o/oauth2/auth',
    access_token_url: 'https://oauth2.googleapis.com/token',
    profile_url: 'https://www.googleapis.com/oauth2/v1/userinfo',
    oidc_well_known_url: 'https://accounts.google.com/.well-known/openid-configuration',
    oidc_jwks_url: 'https://www.googleapis.com/oauth2/v3/certs',
  }),
  type({ name: 'mailcow', verbose_name: 'Mailcow', urls_customizable: true }),
  type({ name: 'okta', verbose_name: 'Okta', urls_customizable: true }),
  type({
    name: 'patreon', verbose_name: 'Patreon',
    authorization_url: 'https://www.patreon.com/oauth2/authorize',
    access_token_url: 'https://www.patreon.com/api/oauth2/token',
    profile_url: 'https://www.patreon.com/api/oauth2/api/current_user',
  }),
  type({
    name: 'reddit', verbose_name: 'Reddit',
    authorization_url: 'https://www.reddit.com/api/v1/authorize',
    access_token_url: 'https://www.reddit.com/api/v1/access_token',
    profile_url: 'https://oauth.reddit.com/api/v1/me',
  }),
  type({
    name: 'twitch', verbose_name: 'Twitch',
    authorization_url: 'https://id.twitch.tv/oauth2/authorize',
    access_token_url: 'https://id.twitch.tv/oauth2/token',
    profile_url: 'https://id.twitch.tv/oauth2/userinfo',
  }),
  type({
    name: 'twitter', verbose_name: 'Twitter',
    authorization_url: 'https://twitter.com/i/oauth2/authorize',
    access_token_url: 'https://api.twitter.com/2/oauth2/token',
    profile_url: 'https://api.twitter.com/2/users/me',
  }),
];

/** Wire values of `provider_type` (authentik's `ProviderTypeEnum`). */
export const PROVIDER_TYPE_NAMES: readonly string[] = PROVIDER_TYPES.map((t) => t.name);

/** What authentik's registry answers for an unknown name ("default" type, no URLs). */
export const DEFAULT_PROVIDER_TYPE: ProviderType = type({ name: 'default', verbose_name: 'Default source type' });

/** The provider type named `name`, or undefined. */
export function findProviderType(name: string): ProviderType | undefined {
  return PROVIDER_TYPES.find((t) => t.name === name);
}

/** The URL fields a provider must have, built in or supplied (spec §4.1 object-level validation). */
export const REQUIRED_PROVIDER_URLS = ['authorization_url', 'access_token_url', 'profile_url'] as const;
