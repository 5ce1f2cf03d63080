/**
 * Session authentication for `/api/v3/` (permissions.md §1): the `authentik_session` cookie
 * resolves to its user (inactive → anonymous); unsafe methods (anything but GET, HEAD, OPTIONS,
 * TRACE) must carry the session's CSRF token in `X-authentik-CSRF`, else 403
 * `{"detail": "CSRF Failed: …"}`. Token auth runs first (http/plugins/auth.ts).
 * Source: rest_framework/authentication.py SessionAuthentication.enforce_csrf; Django CsrfViewMiddleware.
 */
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../../domain/deps.js';
import { PermissionDenied } from '../../domain/errors.js';
import { resolveSession, safeEqual } from '../../domain/sessions/service.js';
import type { SessionResolver } from '../plugins/auth.js';
import { CSRF_HEADER, SESSION_COOKIE } from './cookies.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** Builds the resolver given to buildApp / the auth plugin. */
export function createSessionResolver(deps: Deps): SessionResolver {
  return async (req: FastifyRequest) => {
    const key = req.cookies?.[SESSION_COOKIE];
    if (!key) return undefined;
    const resolved = await resolveSession(deps, key, req.ip);
    if (!resolved) return undefined;
    if (!SAFE_METHODS.has(req.method)) {
      const header = req.headers[CSRF_HEADER];
      const given = Array.isArray(header) ? header[0] : header;
      if (!given) throw new PermissionDenied('CSRF Failed: CSRF token missing.');
      if (!safeEqual(given, resolved.csrfToken)) throw new PermissionDenied('CSRF Failed: CSRF token incorrect.');
    }
    return resolved.actor;
  };
}
