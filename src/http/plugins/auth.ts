/**
 * Authentication for `/api/v3/` (permissions.md §1, spec §9.2): a bearer API token first, then (when a
 * session resolver is given) the session cookie. Failures are 403, never 401 (decisions W4).
 * Anonymous callers get 403 `Authentication credentials were not provided.` unless the route allows them.
 * Source: authentik/api/authentication.py TokenAuthentication.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../domain/actor.js';
import { AuthenticationFailed, NotAuthenticated } from '../../domain/errors.js';

/**
 * Resolves a bearer key to an actor, or undefined when no live token has it (or its user is inactive).
 * With `speculative`, it may answer from its cache with an `unverified` actor (domain/auth.ts).
 */
export type TokenResolver = (key: string, clientIp: string, speculative?: boolean) => Promise<Actor | undefined>;
/** Resolves the request's session to an actor (and enforces CSRF on unsafe methods), or undefined. */
export type SessionResolver = (req: FastifyRequest) => Promise<Actor | undefined>;

/**
 * Finds the caller of `req` and stores it on `req.caller`. Routes with `config.speculativeAuth` may
 * get an `unverified` actor from the token cache (their handlers run under `withActor`).
 * @throws AuthenticationFailed for an unsupported scheme or an unknown/expired/inactive token.
 */
export async function authenticate(req: FastifyRequest, tokens: TokenResolver, sessions?: SessionResolver, speculative = false): Promise<void> {
  if (req.caller) return;
  const header = (req.headers.authorization ?? '').trim();
  if (header !== '' && header.includes(' ')) {
    const at = header.indexOf(' ');
    const scheme = header.slice(0, at);
    const key = header.slice(at + 1).trim();
    if (scheme.toLowerCase() !== 'bearer') throw new AuthenticationFailed('Unsupported authentication type');
    if (key === '') throw new AuthenticationFailed('Malformed header');
    const actor = await tokens(key, req.ip, speculative);
    if (!actor) throw new AuthenticationFailed('Token invalid/expired');
    req.caller = actor;
    return;
  }
  if (sessions) req.caller = await sessions(req);
}

/** Adds the authentication hook to every route of `app`'s scope. */
export function registerAuth(app: FastifyInstance, tokens: TokenResolver, sessions?: SessionResolver): void {
  app.decorateRequest('caller', undefined);
  // For withActor: authenticates again, from the database (no cache).
  app.decorateRequest('reauthenticate', async function (this: FastifyRequest) {
    this.caller = undefined;
    await authenticate(this, tokens, sessions, false);
    if (!this.caller) throw new NotAuthenticated();
    return this.caller;
  });
  app.addHook('onRequest', async (req) => {
    await authenticate(req, tokens, sessions, req.routeOptions.config?.speculativeAuth === true);
    if (!req.caller && !req.routeOptions.config?.anonymous) throw new NotAuthenticated();
  });
}
