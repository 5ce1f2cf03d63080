/**
 * OpenID discovery for OAuth sources (spec §4.1): fetch a well-known document or a JWKS over HTTP(S)
 * while validating a source write, as authentik's serializer does. Failures become field errors.
 *
 * Only URLs the request itself supplies are fetched (docs/decisions.md D2): the built-in discovery URLs
 * of a provider type (e.g. GitHub's Actions issuer) are never contacted from API validation.
 * Source: authentik/sources/oauth/api/source.py OAuthSourceSerializer.validate.
 */
import { ValidationFailed } from '../errors.js';

/** Give up on a discovery URL after this long. */
export const DISCOVERY_TIMEOUT_MS = 5_000;
/** Largest discovery or JWKS document accepted. */
export const DISCOVERY_MAX_BYTES = 1024 * 1024;

/** Python requests' reason phrases for the status line in its HTTPError text. */
function reason(status: number, statusText: string): string {
  return statusText || ({ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' } as Record<number, string>)[status] || 'Error';
}

/**
 * GETs `url` and parses its JSON body.
 * @returns the parsed document.
 * @throws ValidationFailed under `field` when the URL is not http(s), unreachable, slow, answers a
 * non-2xx status, is too large, or is not JSON. Messages follow python-requests' wording
 * (`404 Client Error: Not Found for url: …`).
 */
export async function fetchJson(url: string, field: string): Promise<unknown> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw ValidationFailed.field(field, `Invalid URL '${url}': No scheme supplied.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw ValidationFailed.field(field, `No connection adapters were found for '${url}'`);
  }
  let res: Response;
  try {
    res = await fetch(parsed, {
      signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
      headers: { accept: 'application/json' },
      redirect: 'follow',
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = (e as Error).name === 'TimeoutError' ? `Read timed out. (read timeout=${DISCOVERY_TIMEOUT_MS / 1000})`
      : cause?.code ?? cause?.message ?? (e as Error).message;
    throw ValidationFailed.field(field, `Connection to ${parsed.host} failed for url: ${url} (${why})`);
  }
  try {
    if (!res.ok) {
      const kind = res.status >= 500 ? 'Server' : 'Client';
      throw ValidationFailed.field(field, `${res.status} ${kind} Error: ${reason(res.status, res.statusText)} for url: ${url}`);
    }
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > DISCOVERY_MAX_BYTES) throw ValidationFailed.field(field, `Response from ${url} is too large.`);
    const body = await readLimited(res, DISCOVERY_MAX_BYTES);
    if (body === undefined) throw ValidationFailed.field(field, `Response from ${url} is too large.`);
    try {
      return JSON.parse(body);
    } catch {
      throw ValidationFailed.field(field, `Response from ${url} is not valid JSON.`);
    }
  } catch (e) {
    if (e instanceof ValidationFailed) throw e;
    throw ValidationFailed.field(field, `Connection to ${parsed.host} failed for url: ${url} (${(e as Error).message})`);
  } finally {
    // Release the socket if the body was not (fully) read.
    if (res.body && !res.bodyUsed) await res.body.cancel().catch(() => undefined);
  }
}

/** Reads the body as text, or undefined when it exceeds `max` bytes. */
async function readLimited(res: Response, max: number): Promise<string | undefined> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The endpoints a discovery document contributes to a source. */
export interface DiscoveredEndpoints {
  authorization_url: string;
  access_token_url: string;
  profile_url: string;
  jwks_url: string;
}

/**
 * Fetches an OpenID Provider configuration and picks the endpoints authentik uses.
 * @throws ValidationFailed under `oidc_well_known_url` for fetch failures or a document without
 * `authorization_endpoint`, `token_endpoint`, `userinfo_endpoint` or `jwks_uri`
 * (`Invalid well-known configuration: 'token_endpoint'`, Python's KeyError text).
 */
export async function discoverWellKnown(url: string): Promise<DiscoveredEndpoints> {
  const field = 'oidc_well_known_url';
  const doc = await fetchJson(url, field);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw ValidationFailed.field(field, 'Invalid well-known configuration: expected a JSON object');
  }
  const pick = (key: string): string => {
    const v = (doc as Record<string, unknown>)[key];
    if (v === undefined) throw ValidationFailed.field(field, `Invalid well-known configuration: '${key}'`);
    if (typeof v !== 'string') throw ValidationFailed.field(field, `Invalid well-known configuration: '${key}' is not a string`);
    return v;
  };
  return {
    authorization_url: pick('authorization_endpoint'),
    access_token_url: pick('token_endpoint'),
    profile_url: pick('userinfo_endpoint'),
    jwks_url: pick('jwks_uri'),
  };
}

/**
 * Fetches a JWKS document. Failures are reported under `jwks_url`, the key authentik uses (spec §4.1).
 * @throws ValidationFailed `{jwks_url: [...]}`.
 */
export async function fetchJwks(url: string): Promise<unknown> {
  return fetchJson(url, 'jwks_url');
}
