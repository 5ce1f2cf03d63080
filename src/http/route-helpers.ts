/** Small helpers shared by route modules: the authenticated actor and path id parsing. */
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../domain/actor.js';
import { NotAuthenticated, NotFound } from '../domain/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth plugin; undefined for anonymous requests. */
    caller?: Actor;
  }
  interface FastifyContextConfig {
    /** Allow anonymous callers (default: authentication required under /api/v3/). */
    anonymous?: boolean;
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
