/**
 * Unknown URLs under /api/v3/ answer 404 `{"detail": "Not found."}`; a known URL with a method it does
 * not route answers 405 `Method "X" not allowed.` — after authentication, as DRF checks it
 * (permissions.md §2: anonymous callers get 403 first).
 */
import type { FastifyInstance } from 'fastify';
import { NotAuthenticated, NotFound } from '../../domain/errors.js';
import { authenticate, type SessionResolver, type TokenResolver } from './auth.js';

export function registerNotFound(app: FastifyInstance, prefix: string, tokens: TokenResolver, sessions?: SessionResolver): void {
  const patterns: RegExp[] = [];
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith(prefix)) return;
    const re = route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+');
    patterns.push(new RegExp(`^${re}$`));
  });
  app.setNotFoundHandler(async (req, reply) => {
    const path = req.url.split('?')[0];
    if (path.startsWith(prefix) && patterns.some((p) => p.test(path))) {
      await authenticate(req, tokens, sessions);
      if (!req.caller) throw new NotAuthenticated();
      return reply.code(405).send({ detail: `Method "${req.method}" not allowed.` });
    }
    throw new NotFound();
  });
}
