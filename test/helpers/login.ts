/**
 * Shared setup for sign-in tests: a listening Fedlink over a fresh test database, OAuth sources
 * pointing at the test OpenID provider, table counts, and sign-in helpers for a TestBrowser.
 */
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { hashPassword } from '../../src/domain/passwords.js';
import { startSession } from '../../src/domain/sessions/service.js';
import { TestBrowser } from './browser.js';
import { startOidcProvider, type AccountClaims, type TestOidcProvider } from './oidc-provider.js';
import { createTestApp, type TestApp } from './test-app.js';

export interface LoginEnv {
  t: TestApp;
  op: TestOidcProvider;
  base: string;
  close(): Promise<void>;
}

/** Starts Fedlink on 127.0.0.1 and one provider whose client accepts callbacks for `slugs`. */
export async function startLoginEnv(slugs: string[]): Promise<LoginEnv> {
  const t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const op = await startOidcProvider({ redirectUris: slugs.map((s) => `${base}/source/oauth/callback/${s}/`) });
  return {
    t, op, base,
    async close() {
      await op.close();
      await t.close();
    },
  };
}

export interface OAuthSettings {
  provider_type?: string;
  oidc_well_known_url?: string;
  authorization_url?: string | null;
  access_token_url?: string | null;
  profile_url?: string | null;
  additional_scopes?: string;
  consumer_key?: string;
  consumer_secret?: string;
}

/** Creates an OAuth source (via factories) and points it at the provider (discovery by default). */
export async function makeOAuthSource(
  env: LoginEnv,
  o: { slug: string; name?: string; mode?: string; enabled?: boolean; userPathTemplate?: string; oauth?: OAuthSettings },
): Promise<{ pk: string; slug: string }> {
  const { t, op } = env;
  const src = await t.makeSource({ slug: o.slug, name: o.name });
  await t.t.db.updateTable('source').set({
    user_matching_mode: o.mode ?? 'identifier', enabled: o.enabled ?? true,
    ...(o.userPathTemplate !== undefined ? { user_path_template: o.userPathTemplate } : {}),
  }).where('pbm_uuid', '=', src.pk).execute();
  const s = o.oauth ?? {};
  await t.t.db.updateTable('oauth_source').set({
    provider_type: s.provider_type ?? 'openidconnect',
    oidc_well_known_url: s.oidc_well_known_url ?? op.wellKnownUrl,
    authorization_url: s.authorization_url ?? null,
    access_token_url: s.access_token_url ?? null,
    profile_url: s.profile_url ?? null,
    additional_scopes: s.additional_scopes ?? '',
    consumer_key: s.consumer_key ?? op.clientId,
    consumer_secret_encrypted: t.secrets.encrypt(s.consumer_secret ?? op.clientSecret),
  }).where('source_id', '=', src.pk).execute();
  return src;
}

export interface Counts { users: number; connections: number; oauthConnections: number; sessions: number; events: number }

/** Row counts of every table a sign-in can write. */
export async function counts(env: LoginEnv): Promise<Counts> {
  const n = async (table: string) => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(env.t.t.db)).rows[0].n);
  return {
    users: await n('user'), connections: await n('user_source_connection'), oauthConnections: await n('user_oauth_source_connection'),
    sessions: await n('session'), events: await n('event'),
  };
}

/** Runs the whole redirect exchange for `slug` as provider account `sub` (fresh provider session each time). */
export async function signInWithSource(env: LoginEnv, b: TestBrowser, slug: string, sub: string, claims?: AccountClaims) {
  if (claims) env.op.accounts.set(sub, claims);
  env.op.nextAccount = sub;
  b.clear(env.op.issuer);
  const r = await b.follow(`${env.base}/source/oauth/login/${slug}/`);
  return { ...r, body: await r.res.text() };
}

/** Signs in with the password form. @returns the final response after redirects. */
export async function signInWithPassword(env: LoginEnv, b: TestBrowser, uid: string, password: string) {
  const form = await b.request(`${env.base}/if/flow/default-authentication-flow/`);
  const html = await form.text();
  const csrf = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const r = await b.follow(`${env.base}/if/flow/default-authentication-flow/`, { form: { uid_field: uid, password, csrfmiddlewaretoken: csrf } });
  return { ...r, body: await r.res.text() };
}

/** Puts a fresh session for `userPk` into the browser's jar (fast path; the password form has its own tests). */
export async function signInDirect(env: LoginEnv, b: TestBrowser, userPk: number): Promise<void> {
  const s = await startSession(env.t.t.db, env.t.deps, { userPk, ttlSeconds: 3600, ip: '127.0.0.1', userAgent: 'test' });
  b.cookies(env.base).set('authentik_session', s.key);
  b.cookies(env.base).set('authentik_csrf', s.csrfToken);
}

/** A local user with a usable password. */
export async function makePasswordUser(env: LoginEnv, o: { username: string; email?: string; password: string; isActive?: boolean }) {
  return env.t.makeUser({ username: o.username, email: o.email, password: await hashPassword(o.password), isActive: o.isActive });
}

/** Who the browser is signed in as, per the user page (undefined when it redirects to sign-in). */
export async function whoAmI(env: LoginEnv, b: TestBrowser): Promise<string | undefined> {
  const r = await b.request(`${env.base}/if/user/`);
  const html = await r.text();
  if (r.status !== 200) return undefined;
  return /data-testid="username">([^<]*)</.exec(html)?.[1];
}

/** GET an /api/v3 path with the browser's cookies (session auth). */
export async function apiGet(env: LoginEnv, b: TestBrowser, path: string) {
  const r = await b.request(`${env.base}/api/v3${path}`);
  return { status: r.status, body: await r.json() as any };
}

export { TestBrowser };
