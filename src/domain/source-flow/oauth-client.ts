/**
 * Talks to an OAuth source's provider through npm `openid-client` (no hand-written OAuth or JWT code):
 * builds the authorization redirect (state, nonce, PKCE S256) and completes the callback (code
 * exchange, ID token claims, userinfo / profile JSON).
 *
 * Two ways a source describes its provider (sources-api.md §4.1):
 * - **Discovery**: `oidc_well_known_url` is set → the discovery document gives the endpoints and the
 *   issuer; the ID token from the token endpoint is validated (iss, aud, nonce, exp) and the
 *   userinfo endpoint, when advertised, adds claims (its `sub` must equal the ID token's).
 * - **Explicit URLs**: `authorization_url` / `access_token_url` / `profile_url` (or the provider
 *   type's built-in ones). No issuer is known, so an ID token cannot be validated: it is ignored and
 *   the profile JSON from `profile_url` is the only source of claims, as authentik does.
 *
 * Plain `http` is accepted only for loopback hosts (127.0.0.0/8, ::1, localhost); everything else must
 * be https.
 *
 * Source: authentik/sources/oauth/clients/oauth2.py (OAuth2Client), views/redirect.py, views/callback.py.
 */
import * as client from 'openid-client';
import { SignInFailed } from './errors.js';
import { profileIdentifier, providerTypeInfo, requestedScopes } from './provider-types.js';

/** The OAuth settings of a source, with the consumer secret already decrypted. */
export interface OAuthSourceSettings {
  slug: string;
  providerType: string;
  authorizationUrl: string | null;
  accessTokenUrl: string | null;
  profileUrl: string | null;
  oidcWellKnownUrl: string;
  oidcJwksUrl: string;
  consumerKey: string;
  consumerSecret: string;
  additionalScopes: string;
}

/** What must be remembered between the redirect and the callback (kept in an encrypted cookie). */
export interface PendingAuthorization {
  /** Where to send the browser. */
  url: string;
  state: string;
  /** Present for OpenID-style flows (ID token expected). */
  nonce?: string;
  codeVerifier: string;
}

/** What the provider told us about the person. */
export interface ProviderIdentity {
  identifier: string;
  /** ID token claims merged with userinfo (discovery), or the profile JSON (explicit URLs). */
  profile: Record<string, unknown>;
  accessToken: string;
}

/** Seconds to wait for any one request to the provider. */
export const PROVIDER_TIMEOUT_SECONDS = 10;

/** Is `url` on a loopback host (where plain http is allowed)? */
export function isLoopbackUrl(url: URL): boolean {
  const h = url.hostname.toLowerCase();
  return h === 'localhost' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Parses a configured URL and checks its scheme: https anywhere, http only on loopback.
 * @returns the URL and whether it needs insecure (http) requests.
 * @throws SignInFailed source_misconfigured for a missing, malformed or non-loopback http URL.
 */
function checkedUrl(raw: string | null | undefined, what: string): { url: URL; insecure: boolean } {
  if (!raw) throw new SignInFailed('source_misconfigured', `The source has no ${what}.`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SignInFailed('source_misconfigured', `The source's ${what} is not a valid URL.`);
  }
  if (url.protocol === 'https:') return { url, insecure: false };
  if (url.protocol === 'http:' && isLoopbackUrl(url)) return { url, insecure: true };
  throw new SignInFailed('source_misconfigured', `The source's ${what} must use https (plain http is allowed only on loopback).`);
}

function isNetworkError(e: unknown): boolean {
  const err = e as { name?: string; message?: string; cause?: { code?: string; name?: string } } | undefined;
  if (!err) return false;
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return true;
  if (err.message === 'fetch failed') return true;
  return typeof err.cause?.code === 'string' && /^(E[A-Z]+|UND_ERR)/.test(err.cause.code);
}

/** Maps anything openid-client (or fetch) threw to a SignInFailed; SignInFailed passes through. */
export function classifyProviderError(e: unknown, step: string): SignInFailed {
  if (e instanceof SignInFailed) return e;
  if (isNetworkError(e) || isNetworkError((e as { cause?: unknown })?.cause)) {
    return new SignInFailed('provider_unreachable', `The provider could not be reached (${step}).`, { cause: e });
  }
  if (e instanceof client.ResponseBodyError) {
    if (e.error === 'invalid_grant') {
      return new SignInFailed('code_rejected', 'The provider rejected the sign-in code: it has expired or was already used. Please start again.', { cause: e });
    }
    return new SignInFailed('provider_invalid', `The provider refused the request (${step}): ${e.error}.`, { cause: e });
  }
  if (e instanceof client.AuthorizationResponseError) {
    return new SignInFailed('provider_error', `The provider answered with an error: ${e.error}.`, { cause: e });
  }
  return new SignInFailed('provider_invalid', `The provider sent an answer that could not be accepted (${step}).`, { cause: e });
}

/** A fetch that removes `id_token` from token responses (explicit-URL mode: no issuer to validate it against). */
function withoutIdToken(tokenEndpoint: string): client.CustomFetch {
  return async (url, options) => {
    const res = await fetch(url, options as RequestInit);
    if (url !== tokenEndpoint || !res.ok) return res;
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return new Response(text, { status: res.status, headers: res.headers });
    }
    if (body && typeof body === 'object' && !Array.isArray(body)) delete (body as Record<string, unknown>).id_token;
    const headers = new Headers(res.headers);
    headers.delete('content-length');
    return new Response(JSON.stringify(body), { status: res.status, headers });
  };
}

interface ResolvedProvider {
  config: client.Configuration;
  discovery: boolean;
  scopes: string[];
  /** Explicit mode: where the profile JSON is read. */
  profileUrl?: URL;
}

/**
 * Builds the openid-client Configuration for a source: discovery when a well-known URL is set,
 * otherwise the explicit (or built-in) endpoint URLs.
 * @throws SignInFailed source_misconfigured / provider_unreachable / provider_invalid.
 */
async function resolveProvider(s: OAuthSourceSettings): Promise<ResolvedProvider> {
  const info = providerTypeInfo(s.providerType);
  const auth = info.clientAuth === 'basic' ? client.ClientSecretBasic(s.consumerSecret) : client.ClientSecretPost(s.consumerSecret);
  if (s.oidcWellKnownUrl.trim() !== '') {
    const wk = checkedUrl(s.oidcWellKnownUrl.trim(), 'OpenID configuration URL');
    let config: client.Configuration;
    try {
      config = await client.discovery(wk.url, s.consumerKey, undefined, auth, {
        execute: wk.insecure ? [client.allowInsecureRequests] : [],
        timeout: PROVIDER_TIMEOUT_SECONDS,
      });
    } catch (e) {
      throw classifyProviderError(e, 'discovery');
    }
    const meta = config.serverMetadata();
    let insecure = wk.insecure;
    for (const [raw, what] of [
      [meta.authorization_endpoint, 'authorization endpoint'],
      [meta.token_endpoint, 'token endpoint'],
      ...(meta.userinfo_endpoint ? [[meta.userinfo_endpoint, 'userinfo endpoint']] : []),
    ] as [string | undefined, string][]) {
      insecure = checkedUrl(raw, what).insecure || insecure;
    }
    if (insecure && !wk.insecure) client.allowInsecureRequests(config);
    return { config, discovery: true, scopes: requestedScopes(info, s.additionalScopes, true) };
  }
  const authz = checkedUrl(s.authorizationUrl || info.authorizationUrl, 'authorization URL');
  const token = checkedUrl(s.accessTokenUrl || info.accessTokenUrl, 'access token URL');
  const profile = checkedUrl(s.profileUrl || info.profileUrl, 'profile URL');
  const jwks = s.oidcJwksUrl.trim() !== '' ? checkedUrl(s.oidcJwksUrl.trim(), 'JWKS URL') : undefined;
  const config = new client.Configuration(
    {
      // No issuer is configured for explicit URLs; this placeholder is never compared (see module doc).
      issuer: authz.url.origin,
      authorization_endpoint: authz.url.href,
      token_endpoint: token.url.href,
      userinfo_endpoint: profile.url.href,
      ...(jwks ? { jwks_uri: jwks.url.href } : {}),
    },
    s.consumerKey, undefined, auth,
  );
  config.timeout = PROVIDER_TIMEOUT_SECONDS;
  config[client.customFetch] = withoutIdToken(token.url.href);
  if (authz.insecure || token.insecure || profile.insecure || jwks?.insecure) client.allowInsecureRequests(config);
  return { config, discovery: false, scopes: requestedScopes(info, s.additionalScopes, false), profileUrl: profile.url };
}

/**
 * Starts a sign-in: resolves the provider and builds the authorization URL with a fresh state,
 * PKCE verifier (S256) and, for OpenID-style flows, a nonce.
 * @throws SignInFailed (502 kinds) when the provider cannot be resolved.
 * Source: authentik/sources/oauth/views/redirect.py OAuthRedirect.
 */
export async function startAuthorization(s: OAuthSourceSettings, redirectUri: string): Promise<PendingAuthorization> {
  const p = await resolveProvider(s);
  const state = client.randomState();
  const codeVerifier = client.randomPKCECodeVerifier();
  const nonce = p.discovery ? client.randomNonce() : undefined;
  const params: Record<string, string> = {
    redirect_uri: redirectUri,
    response_type: 'code',
    state,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  };
  if (p.scopes.length > 0) params.scope = p.scopes.join(' ');
  if (nonce) params.nonce = nonce;
  return { url: client.buildAuthorizationUrl(p.config, params).href, state, nonce, codeVerifier };
}

function jsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Completes a sign-in from the callback URL: validates the authorization response against the
 * remembered state, exchanges the code (with the PKCE verifier), validates the ID token (discovery
 * mode), reads userinfo / the profile, and extracts the identifier.
 * `callbackUrl` is the redirect URI with the callback's query string.
 * @throws SignInFailed: provider_error (400) for `?error=…`, code_rejected (400) for invalid_grant,
 *   provider_unreachable / provider_invalid / identifier_missing (502).
 * Source: authentik/sources/oauth/views/callback.py OAuthCallback.get.
 */
export async function finishAuthorization(
  s: OAuthSourceSettings,
  callbackUrl: URL,
  checks: { state: string; nonce?: string; codeVerifier: string },
): Promise<ProviderIdentity> {
  const p = await resolveProvider(s);
  let current = callbackUrl;
  if (!p.discovery) {
    // Without a known issuer an `iss` parameter cannot be checked; keep only what the code grant needs.
    current = new URL(callbackUrl.href);
    current.searchParams.delete('iss');
  }
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(p.config, current, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      ...(p.discovery && checks.nonce ? { expectedNonce: checks.nonce } : {}),
    });
  } catch (e) {
    throw classifyProviderError(e, 'code exchange');
  }
  const accessToken = tokens.access_token;
  let profile: Record<string, unknown>;
  if (p.discovery) {
    const claims = tokens.claims();
    profile = { ...(claims ?? {}) };
    if (p.config.serverMetadata().userinfo_endpoint) {
      try {
        const info = await client.fetchUserInfo(p.config, accessToken, claims?.sub ?? client.skipSubjectCheck);
        profile = { ...profile, ...info };
      } catch (e) {
        throw classifyProviderError(e, 'userinfo');
      }
    }
  } else {
    let res: Response;
    try {
      res = await client.fetchProtectedResource(p.config, accessToken, p.profileUrl!, 'GET', undefined, new Headers({ accept: 'application/json' }));
    } catch (e) {
      throw classifyProviderError(e, 'profile');
    }
    if (!res.ok) throw new SignInFailed('provider_invalid', `The provider's profile endpoint answered HTTP ${res.status}.`);
    let body: unknown;
    try {
      body = await res.json();
    } catch (e) {
      throw new SignInFailed('provider_invalid', "The provider's profile endpoint did not answer JSON.", { cause: e });
    }
    if (!jsonObject(body)) throw new SignInFailed('provider_invalid', "The provider's profile is not a JSON object.");
    profile = body;
  }
  const identifier = profileIdentifier(profile);
  if (!identifier) throw new SignInFailed('identifier_missing', 'The provider did not say who you are (no "sub" or "id" in the profile).');
  return { identifier, profile, accessToken };
}
