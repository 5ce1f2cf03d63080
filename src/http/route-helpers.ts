/** Small helpers shared by route modules: the authenticated actor and path id parsing. */
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../domain/actor.js';
import { NotAuthenticated, NotFound, StaleCredential } from '../domain/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth plugin; undefined for anonymous requests. */
    caller?: Actor;
    /** Authenticates again from the database (no cache); sets and returns `caller`. @throws AuthenticationFailed, NotAuthenticated. */
    reauthenticate(): Promise<Actor>;
  }
  interface FastifyContextConfig {
    /** Allow anonymous callers (default: authentication required under /api/v3/). */
    anonymous?: boolean;
    /**
     * The caller may be a speculative (cached, `unverified`) actor: the handler runs under `withActor`
     * and every statement it makes re-checks the actor or verifies it first (domain/auth.ts).
     */
    speculativeAuth?: boolean;
  }
}

/**
 * Runs `fn` with the caller. When a speculative caller turns out stale (StaleCredential: the token,
 * its user or the superuser flag changed since it was cached; nothing was read or written), the caller
 * is authenticated again from the database — 403 if the token no longer works — and `fn` runs once more.
 * @throws NotAuthenticated, AuthenticationFailed, and whatever `fn` throws.
 */
export async function withActor<T>(req: FastifyRequest, fn: (actor: Actor) => Promise<T>): Promise<T> {
  const actor = actorOf(req);
  try {
    return await fn(actor);
  } catch (e) {
    if (!(e instanceof StaleCredential) || !actor.unverified) throw e;
    return fn(await req.reauthenticate());
  }
}

/** The authenticated caller. @throws NotAuthenticated (403) for anonymous requests. */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.caller) throw new NotAuthenticated();
  return req.caller;
}

/** Parses an integer path id; anything else is a 404, as Django's URL resolver answers (spec §2.6). */
export function parseId(raw: string): number {
  if (!/^\d{1,10}$/.test(raw)) throw new NotFound();
  const n = Number(raw);
  if (n > 2147483647) throw new NotFound();
  return n;
}
