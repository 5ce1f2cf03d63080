/**
 * Cookie names and options of the browser side (authentik's names where it has them), and the
 * sealed short-lived cookies: the pending OAuth authorization and the one-shot flash message.
 * Sealed = AES-256-GCM under the server secret (domain/secrets.ts): unreadable and tamper-evident.
 */
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply } from 'fastify';
import type { SecretBox } from '../../domain/secrets.js';
import type { Message } from './html.js';

export const SESSION_COOKIE = 'authentik_session';
export const CSRF_COOKIE = 'authentik_csrf';
export const CSRF_HEADER = 'x-authentik-csrf';
export const STATE_COOKIE = 'authentik_source_oauth';
export const FLASH_COOKIE = 'authentik_messages';

/** How long a started sign-in may take before its state is refused (seconds). */
export const STATE_TTL_SECONDS = 600;
const FLASH_TTL_SECONDS = 60;

export function cookieOptions(secure: boolean, o: { httpOnly?: boolean; maxAgeSeconds?: number; path?: string } = {}): CookieSerializeOptions {
  return {
    path: o.path ?? '/',
    httpOnly: o.httpOnly ?? true,
    sameSite: 'lax',
    secure,
    ...(o.maxAgeSeconds !== undefined ? { maxAge: o.maxAgeSeconds } : {}),
  };
}

/** Sets the session and its CSRF cookie (the CSRF one readable by scripts, as authentik's UI needs). */
export function setSessionCookies(reply: FastifyReply, secure: boolean, s: { key: string; csrfToken: string; ttlSeconds: number }): void {
  reply.setCookie(SESSION_COOKIE, s.key, cookieOptions(secure, { maxAgeSeconds: s.ttlSeconds }));
  reply.setCookie(CSRF_COOKIE, s.csrfToken, cookieOptions(secure, { httpOnly: false, maxAgeSeconds: s.ttlSeconds }));
}

export function clearSessionCookies(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(secure));
  reply.clearCookie(CSRF_COOKIE, cookieOptions(secure, { httpOnly: false }));
}

/** What is remembered between the redirect to the provider and the callback. */
export interface PendingState {
  slug: string;
  state: string;
  nonce?: string;
  codeVerifier: string;
  redirectUri: string;
  /** Local path to go to after success. */
  next?: string;
  /** Expiry, ms since epoch. */
  exp: number;
}

export function sealState(box: SecretBox, s: PendingState): string {
  return box.encrypt(JSON.stringify({ v: 1, ...s }));
}

/** @returns the state, or undefined when the cookie is absent, tampered with, malformed or expired. */
export function unsealState(box: SecretBox, raw: string | undefined, nowMs: number): PendingState | undefined {
  if (!raw || raw.length > 4096) return undefined;
  try {
    const v = JSON.parse(box.decrypt(raw)) as Partial<PendingState> & { v?: number };
    if (v.v !== 1 || typeof v.slug !== 'string' || typeof v.state !== 'string' || typeof v.codeVerifier !== 'string'
      || typeof v.redirectUri !== 'string' || typeof v.exp !== 'number' || v.exp < nowMs) return undefined;
    return {
      slug: v.slug, state: v.state, codeVerifier: v.codeVerifier, redirectUri: v.redirectUri, exp: v.exp,
      nonce: typeof v.nonce === 'string' ? v.nonce : undefined, next: typeof v.next === 'string' ? v.next : undefined,
    };
  } catch {
    return undefined;
  }
}

export function setFlash(reply: FastifyReply, box: SecretBox, secure: boolean, m: Message): void {
  reply.setCookie(FLASH_COOKIE, box.encrypt(JSON.stringify(m)), cookieOptions(secure, { maxAgeSeconds: FLASH_TTL_SECONDS }));
}

/** Reads and clears the flash message. */
export function takeFlash(reply: FastifyReply, box: SecretBox, secure: boolean, raw: string | undefined): Message | undefined {
  if (raw === undefined) return undefined;
  reply.clearCookie(FLASH_COOKIE, cookieOptions(secure));
  try {
    const m = JSON.parse(box.decrypt(raw)) as Message;
    if ((m.level === 'error' || m.level === 'success' || m.level === 'info') && typeof m.text === 'string') return m;
  } catch {
    // tampered or from another secret: ignore
  }
  return undefined;
}

/** A safe local redirect target: an absolute path on this site (not `//host`, no backslashes or control characters). */
export function safeNext(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length > 1000) return undefined;
  if (!/^\/(?![/\\])/.test(v) || /[\\\u0000-\u001f\u007f]/.test(v)) return undefined;
  return v;
}
