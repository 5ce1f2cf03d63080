/**
 * What Fedlink knows about each OAuth `provider_type` (sources-api.md §4.1): built-in endpoint URLs
 * for the hosted providers, default scopes, how to read the user's id, and the base user properties
 * built from the profile (source-flow.md §2). Pure data and functions: no I/O.
 *
 * Property mappings (Python expressions) are not executed by Fedlink; these base properties are all
 * the decision sees (docs/decisions.md).
 *
 * Source: authentik/sources/oauth/types/*.py (`SourceType` subclasses: urls, scopes,
 * get_base_user_properties) and authentik/sources/oauth/views/callback.py (identifier from the profile).
 */
import type { UserProperties } from './rules.js';

/** Built-in settings of a provider type; `undefined` URLs must come from the source row. */
export interface ProviderTypeInfo {
  /** OpenID-style claims (`sub`, `preferred_username`, …) and an `openid` scope. */
  oidc: boolean;
  authorizationUrl?: string;
  accessTokenUrl?: string;
  profileUrl?: string;
  scopes: string[];
  /** Token endpoint client authentication: authentik 2024.8 posts the secret in the body, Reddit wants HTTP Basic. */
  clientAuth: 'post' | 'basic';
}

const OIDC_SCOPES = ['openid', 'email', 'profile'];

const TYPES: Record<string, ProviderTypeInfo> = {
  openidconnect: { oidc: true, scopes: OIDC_SCOPES, clientAuth: 'post' },
  okta: { oidc: true, scopes: OIDC_SCOPES, clientAuth: 'post' },
  azuread: {
    oidc: true, scopes: OIDC_SCOPES, clientAuth: 'post',
    authorizationUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    accessTokenUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    profileUrl: 'https://graph.microsoft.com/oidc/userinfo',
  },
  gitlab: {
    oidc: true, scopes: ['read_user', 'openid', 'profile', 'email'], clientAuth: 'post',
    authorizationUrl: 'https://gitlab.com/oauth/authorize',
    accessTokenUrl: 'https://gitlab.com/oauth/token',
    profileUrl: 'https://gitlab.com/oauth/userinfo',
  },
  twitch: {
    oidc: true, scopes: ['openid', 'user:read:email'], clientAuth: 'post',
    authorizationUrl: 'https://id.twitch.tv/oauth2/authorize',
    accessTokenUrl: 'https://id.twitch.tv/oauth2/token',
    profileUrl: 'https://id.twitch.tv/oauth2/userinfo',
  },
  github: {
    oidc: false, scopes: ['read:user', 'user:email'], clientAuth: 'post',
    authorizationUrl: 'https://github.com/login/oauth/authorize',
    accessTokenUrl: 'https://github.com/login/oauth/access_token',
    profileUrl: 'https://api.github.com/user',
  },
  google: {
    oidc: false, scopes: ['email', 'profile'], clientAuth: 'post',
    authorizationUrl: 'https://accounts.google.com/o/oauth2/auth',
    accessTokenUrl: 'https://oauth2.googleapis.com/token',
    profileUrl: 'https://www.googleapis.com/oauth2/v1/userinfo',
  },
  discord: {
    oidc: false, scopes: ['email', 'identify'], clientAuth: 'post',
    authorizationUrl: 'https://discord.com/api/oauth2/authorize',
    accessTokenUrl: 'https://discord.com/api/oauth2/token',
    profileUrl: 'https://discord.com/api/users/@me',
  },
  facebook: {
    oidc: false, scopes: ['email'], clientAuth: 'post',
    authorizationUrl: 'https://www.facebook.com/v7.0/dialog/oauth',
    accessTokenUrl: 'https://graph.facebook.com/v7.0/oauth/access_token',
    profileUrl: 'https://graph.facebook.com/v7.0/me?fields=id,name,email',
  },
  reddit: {
    oidc: false, scopes: ['identity'], clientAuth: 'basic',
    authorizationUrl: 'https://www.reddit.com/api/v1/authorize',
    accessTokenUrl: 'https://www.reddit.com/api/v1/access_token',
    profileUrl: 'https://oauth.reddit.com/api/v1/me',
  },
  patreon: {
    oidc: false, scopes: ['identity', 'identity[email]'], clientAuth: 'post',
    authorizationUrl: 'https://www.patreon.com/oauth2/authorize',
    accessTokenUrl: 'https://www.patreon.com/api/oauth2/token',
    profileUrl: 'https://www.patreon.com/api/oauth2/api/current_user',
  },
};

const GENERIC: ProviderTypeInfo = { oidc: false, scopes: [], clientAuth: 'post' };

/** The settings of `providerType`; unknown types (and apple, twitter, mailcow, …) get the generic OAuth2 behaviour. */
export function providerTypeInfo(providerType: string): ProviderTypeInfo {
  return Object.prototype.hasOwnProperty.call(TYPES, providerType) ? TYPES[providerType] : GENERIC;
}

/**
 * Scopes to request: the type's defaults plus the source's `additional_scopes` (split on whitespace
 * and commas), without duplicates, in order. A leading `*` in `additional_scopes` replaces the defaults
 * (authentik's convention for "only these").
 */
export function requestedScopes(info: ProviderTypeInfo, additionalScopes: string, forceOpenid: boolean): string[] {
  let extra = additionalScopes.trim();
  let base = forceOpenid && !info.scopes.includes('openid') ? ['openid', ...info.scopes] : info.scopes;
  if (extra.startsWith('*')) {
    base = [];
    extra = extra.slice(1);
  }
  return [...new Set([...base, ...extra.split(/[\s,]+/).filter((s) => s !== '')])];
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** NUL cannot be stored in PostgreSQL text or jsonb; providers have no business sending it. */
const NUL = /\u0000/g;

function pick(profile: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = str(profile[k])?.replace(NUL, '');
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

/**
 * The user's stable id at the source: `sub` for OpenID-style profiles, else `id` (numbers become
 * strings). `undefined` when neither is a non-empty string or number.
 * Source: authentik/sources/oauth/views/callback.py OAuthCallback.get_user_id.
 */
export function profileIdentifier(profile: Record<string, unknown>): string | undefined {
  for (const k of ['sub', 'id']) {
    const v = str(profile[k]);
    if (v === undefined || v.trim() === '') continue;
    // An id with NUL cannot be stored; dropping the NUL could alias another id, so refuse it.
    return v.includes('\u0000') ? undefined : v;
  }
  return undefined;
}

/** `email_verified` as a boolean when the source said something recognisable ("false" strings count), else undefined. */
export function emailVerifiedClaim(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

/**
 * Base user properties for the decision (source-flow.md §2), by provider type:
 * OpenID-style → username = `nickname`, else `preferred_username`; github → `login`; google → the
 * email; discord → `username`; reddit/facebook → `name`; anything else → the profile's own
 * `username`/`login`/`preferred_username`/`nickname`. `email`, `name` and `email_verified` come from
 * the profile keys of that name.
 * Source: authentik/sources/oauth/types/*.py get_base_user_properties.
 */
export function baseUserProperties(providerType: string, profile: Record<string, unknown>): UserProperties {
  const info = providerTypeInfo(providerType);
  let username: string | undefined;
  if (info.oidc) username = pick(profile, 'nickname', 'preferred_username');
  else if (providerType === 'github') username = pick(profile, 'login');
  else if (providerType === 'google') username = pick(profile, 'email');
  else if (providerType === 'discord') username = pick(profile, 'username');
  else if (providerType === 'reddit' || providerType === 'facebook') username = pick(profile, 'name');
  else username = pick(profile, 'username', 'login', 'preferred_username', 'nickname');
  return {
    username,
    email: pick(profile, 'email'),
    name: pick(profile, 'name') ?? (providerType === 'discord' ? username : undefined),
    emailVerified: emailVerifiedClaim(profile.email_verified),
  };
}
