/**
 * The browser side (docs/login.md): sign-in page with the password form and one button per enabled
 * OAuth source, the OAuth redirect and callback at authentik's paths, the user page and sign-out.
 * Every failure renders an HTML page with a 4xx/502 status (decisions F12); none of these routes
 * answers 500 for any input.
 *
 *   GET  /                                        → 302 to /if/user/ (signed in) or the sign-in page
 *   GET  /if/flow/default-authentication-flow/    sign-in page (?next=/local/path)
 *   POST /if/flow/default-authentication-flow/    password form (uid_field, password, csrfmiddlewaretoken)
 *   GET  /if/user/                                signed-in user's page (connections, sign-out)
 *   POST /if/flow/default-invalidation-flow/      sign-out (csrfmiddlewaretoken)
 *   GET  /source/oauth/login/{slug}/              302 to the provider (state, nonce, PKCE in a sealed cookie)
 *   GET  /source/oauth/callback/{slug}/           code exchange, decision, session; 302 to /if/user/
 *
 * Source: authentik/sources/oauth/urls.py, views/redirect.py, views/callback.py; authentik/flows/urls.py.
 */
import formbody from '@fastify/formbody';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/schema.js';
import type { Deps } from '../../domain/deps.js';
import { endSession, passwordLogin, resolveSession, safeEqual, type ResolvedSession } from '../../domain/sessions/service.js';
import { SignInFailed } from '../../domain/source-flow/errors.js';
import { finishAuthorization, startAuthorization } from '../../domain/source-flow/oauth-client.js';
import { completeSourceLogin, listLoginSources, loadLoginSource } from '../../domain/source-flow/service.js';
import * as connections from '../../domain/user-source-connections/service.js';
import {
  clearSessionCookies, cookieOptions, CSRF_COOKIE, FLASH_COOKIE, safeNext, sealState, SESSION_COOKIE, setFlash,
  setSessionCookies, STATE_COOKIE, STATE_TTL_SECONDS, takeFlash, unsealState,
} from './cookies.js';
import { errorPage, signInPage, userPage, type Message } from './html.js';

export const SIGN_IN_PATH = '/if/flow/default-authentication-flow/';
export const SIGN_OUT_PATH = '/if/flow/default-invalidation-flow/';
export const USER_PATH = '/if/user/';

const STATE_COOKIE_PATH = '/source/oauth/';
const MAX_CONSUMED_STATES = 100_000;

/** A form field as one string (repeated fields: the last one, like Django's QueryDict.get). */
function field(body: unknown, name: string): string {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  const s = Array.isArray(v) ? v[v.length - 1] : v;
  return typeof s === 'string' ? s : '';
}

function html(reply: FastifyReply, status: number, body: string) {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
}

const TITLES: Record<number, string> = { 400: 'Sign-in failed', 403: 'Access denied', 404: 'Not found', 502: 'Provider error' };

/**
 * Registers the browser routes in their own scope (form bodies, HTML error pages).
 * `@fastify/cookie` must already be registered on the root instance.
 */
export async function registerBrowserRoutes(app: FastifyInstance, deps: Deps, config: Config): Promise<void> {
  const secure = config.cookieSecure;
  /** States already used by a callback, until they would have expired anyway (ms since epoch). */
  const consumedStates = new Map<string, number>();

  const consumeState = (state: string): boolean => {
    const now = Date.now();
    if (consumedStates.has(state)) return false;
    if (consumedStates.size >= MAX_CONSUMED_STATES) {
      for (const [k, exp] of consumedStates) if (exp < now) consumedStates.delete(k);
    }
    consumedStates.set(state, now + STATE_TTL_SECONDS * 1000);
    return true;
  };

  const current = async (req: FastifyRequest): Promise<(ResolvedSession & { key: string }) | undefined> => {
    const key = req.cookies[SESSION_COOKIE];
    const s = await resolveSession(deps, key, req.ip);
    return s && key ? { ...s, key } : undefined;
  };

  /** This request's origin as the browser sees it (https when cookies are Secure: we run behind TLS then). */
  const originOf = (req: FastifyRequest): string => {
    const proto = secure ? 'https' : req.protocol;
    const origin = new URL(`${proto}://${req.host}`).origin; // throws for a garbage Host header
    if (origin === 'null') throw new Error('no origin');
    return origin;
  };

  await app.register(async (browser) => {
    await browser.register(formbody, { bodyLimit: 65536 });
    // Not part of authentik's API: keep these out of the OpenAPI document.
    browser.addHook('onRoute', (route) => {
      route.schema = { ...(route.schema ?? {}), hide: true } as typeof route.schema;
    });

    browser.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
      if (err instanceof SignInFailed) {
        if (err.status === 502) req.log.warn({ err: err.cause ?? err, code: err.code }, 'source sign-in failed at the provider');
        return html(reply, err.status, errorPage({ title: TITLES[err.status], message: err.message, code: err.code }));
      }
      const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      if (status === 500) req.log.error({ err }, 'unhandled error on a browser route');
      return html(reply, status, errorPage({
        title: status === 500 ? 'Something went wrong' : 'Bad request',
        message: status === 500 ? 'The server could not complete this request.' : 'The request could not be processed.',
        code: status === 500 ? 'server_error' : 'bad_request',
      }));
    });

    browser.get('/', async (req, reply) => reply.redirect((await current(req)) ? USER_PATH : SIGN_IN_PATH, 302));

    const renderSignIn = async (req: FastifyRequest, reply: FastifyReply, status: number, o: { message?: Message; uid?: string; next?: string } = {}) => {
      const session = await current(req);
      let csrf = session?.csrfToken ?? req.cookies[CSRF_COOKIE];
      if (!csrf || !/^[A-Za-z0-9_-]{32,128}$/.test(csrf)) csrf = randomBytes(32).toString('base64url');
      if (req.cookies[CSRF_COOKIE] !== csrf) reply.setCookie(CSRF_COOKIE, csrf, cookieOptions(secure, { httpOnly: false }));
      const message = o.message ?? takeFlash(reply, deps.secrets, secure, req.cookies[FLASH_COOKIE]);
      return html(reply, status, signInPage({
        sources: await listLoginSources(deps), csrfToken: csrf, signedInAs: session?.actor.username, message, uid: o.uid, next: o.next,
      }));
    };

    browser.get<{ Querystring: { next?: string } }>(SIGN_IN_PATH, async (req, reply) =>
      renderSignIn(req, reply, 200, { next: safeNext(req.query.next) }));

    browser.post<{ Querystring: { next?: string } }>(SIGN_IN_PATH, async (req, reply) => {
      const session = await current(req);
      const expected = session?.csrfToken ?? req.cookies[CSRF_COOKIE];
      const given = field(req.body, 'csrfmiddlewaretoken');
      if (!expected || !given || !safeEqual(given, expected)) {
        throw new SignInFailed('csrf_failed', 'The form expired or was sent from another site (CSRF check failed). Please try again.');
      }
      const uid = field(req.body, 'uid_field');
      const next = safeNext(req.query.next);
      const r = await passwordLogin(deps, {
        uid, password: field(req.body, 'password'), ip: req.ip, userAgent: String(req.headers['user-agent'] ?? ''),
        ttlSeconds: config.sessionTtlSeconds, previousKey: session?.key,
      });
      if (!r.ok) return renderSignIn(req, reply, 403, { message: { level: 'error', text: 'Invalid username or password.' }, uid, next });
      setSessionCookies(reply, secure, r.session);
      return reply.redirect(next ?? USER_PATH, 302);
    });

    browser.get(USER_PATH, async (req, reply) => {
      const session = await current(req);
      if (!session) return reply.redirect(`${SIGN_IN_PATH}?next=${encodeURIComponent(USER_PATH)}`, 302);
      const page = await connections.listAll(deps, session.actor, {
        page: 1, pageSize: 1000, ordering: [], search: [], filters: { user: session.actor.userPk },
      });
      if (req.cookies[CSRF_COOKIE] !== session.csrfToken) reply.setCookie(CSRF_COOKIE, session.csrfToken, cookieOptions(secure, { httpOnly: false }));
      return html(reply, 200, userPage({
        username: session.actor.username,
        connections: page.rows.map((c) => ({ sourceName: c.source.name, sourceSlug: c.source.slug, created: c.row.created })),
        csrfToken: session.csrfToken,
        message: takeFlash(reply, deps.secrets, secure, req.cookies[FLASH_COOKIE]),
      }));
    });

    browser.post(SIGN_OUT_PATH, async (req, reply) => {
      const session = await current(req);
      if (session) {
        if (!safeEqual(field(req.body, 'csrfmiddlewaretoken'), session.csrfToken)) {
          throw new SignInFailed('csrf_failed', 'The form expired or was sent from another site (CSRF check failed). Please try again.');
        }
        await endSession(deps, session.key, session.actor);
        setFlash(reply, deps.secrets, secure, { level: 'info', text: 'You have been signed out.' });
      }
      clearSessionCookies(reply, secure);
      return reply.redirect(SIGN_IN_PATH, 302);
    });

    browser.get<{ Params: { slug: string }; Querystring: { next?: string } }>('/source/oauth/login/:slug/', async (req, reply) => {
      const source = await loadLoginSource(deps, req.params.slug);
      let redirectUri: string;
      try {
        redirectUri = `${originOf(req)}/source/oauth/callback/${encodeURIComponent(source.row.slug)}/`;
      } catch {
        throw new SignInFailed('callback_malformed', 'The request has no usable Host header.');
      }
      const pending = await startAuthorization(source.settings, redirectUri);
      const sealed = sealState(deps.secrets, {
        slug: source.row.slug, state: pending.state, nonce: pending.nonce, codeVerifier: pending.codeVerifier, redirectUri,
        next: safeNext(req.query.next), exp: Date.now() + STATE_TTL_SECONDS * 1000,
      });
      reply.setCookie(STATE_COOKIE, sealed, cookieOptions(secure, { path: STATE_COOKIE_PATH, maxAgeSeconds: STATE_TTL_SECONDS }));
      reply.header('cache-control', 'no-store');
      return reply.redirect(pending.url, 302);
    });

    browser.get<{ Params: { slug: string } }>('/source/oauth/callback/:slug/', async (req, reply) => {
      // Whatever happens next, this browser's pending state is spent.
      reply.clearCookie(STATE_COOKIE, cookieOptions(secure, { path: STATE_COOKIE_PATH }));
      const source = await loadLoginSource(deps, req.params.slug);
      const rawQuery = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
      const params = new URLSearchParams(rawQuery);
      for (const name of ['state', 'code', 'error', 'iss']) {
        if (params.getAll(name).length > 1) throw new SignInFailed('callback_malformed', `The callback repeats the "${name}" parameter.`);
      }
      const pending = unsealState(deps.secrets, req.cookies[STATE_COOKIE], Date.now());
      if (!pending) {
        throw new SignInFailed('state_missing', 'This sign-in was not started from this browser, has expired, or was already completed. Please start again.');
      }
      const state = params.get('state') ?? '';
      if (pending.slug !== source.row.slug || !safeEqual(state, pending.state)) {
        throw new SignInFailed('state_mismatch', 'The sign-in response does not belong to the sign-in this browser started (state mismatch).');
      }
      if (!consumeState(pending.state)) throw new SignInFailed('state_used', 'This sign-in response was already used. Please start again.');
      const error = params.get('error');
      if (error !== null) {
        const description = params.get('error_description');
        const text = `${error}${description ? `: ${description}` : ''}`.slice(0, 300);
        throw new SignInFailed('provider_error', `${source.row.name} answered with an error: ${text}`);
      }
      if (!params.get('code')) throw new SignInFailed('code_missing', 'The sign-in response has no authorization code.');

      const callbackUrl = new URL(pending.redirectUri);
      callbackUrl.search = rawQuery;
      const identity = await finishAuthorization(source.settings, callbackUrl, pending);
      const session = await current(req);
      const outcome = await completeSourceLogin(deps, {
        source: source.row, identifier: identity.identifier, profile: identity.profile, accessToken: identity.accessToken,
        signedIn: session ? { actor: session.actor, sessionKey: session.key } : undefined,
        clientIp: req.ip, userAgent: String(req.headers['user-agent'] ?? ''), sessionTtlSeconds: config.sessionTtlSeconds,
      });
      if (outcome.decision.action === 'deny') {
        return html(reply, 403, errorPage({ title: 'Access denied', message: outcome.message, code: outcome.decision.reason, rule: outcome.decision.reason, ruleId: outcome.decision.rule }));
      }
      if (outcome.session) setSessionCookies(reply, secure, outcome.session);
      setFlash(reply, deps.secrets, secure, { level: 'success', text: outcome.message });
      const linkedWhileSignedIn = outcome.decision.action === 'link' && !outcome.decision.signIn;
      return reply.redirect(pending.next ?? (linkedWhileSignedIn ? `${USER_PATH}#/settings;page-sources` : USER_PATH), 302);
    });
  });
}
