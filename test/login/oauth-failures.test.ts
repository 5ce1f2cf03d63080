/**
 * Sign-in failures (decisions F12), provider variants, sessions, CSRF and the HTML pages:
 * provider down, forged/missing/replayed state, provider error answers, misbehaving providers,
 * unknown and disabled sources — each an explicit page with nothing written; explicit-URL and
 * generic OAuth2 sources; session auth of /api/v3/ with CSRF; password form; sign-out; escaping.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/domain/bootstrap.js';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';
import {
  apiGet, counts, makeOAuthSource, makePasswordUser, signInDirect, signInWithPassword, signInWithSource, startLoginEnv, TestBrowser, whoAmI,
  type LoginEnv,
} from '../helpers/login.js';

const SLUGS = ['oidc-main', 'oidc-flaky', 'oidc-explicit', 'oauth2-generic', 'oidc-disabled', 'oidc-broken', 'oidc-down', 'oidc-plainhttp', 'oidc-badpath', 'xss-src'];
let env: LoginEnv;
let flaky: TestOidcProvider;
let broken: http.Server;
let n = 0;
const sub = () => `sub-${process.pid}-${(n += 1)}`;
const isCallback = (u: URL) => u.pathname.startsWith('/source/oauth/callback/');

beforeAll(async () => {
  env = await startLoginEnv(SLUGS);
  const { op } = env;
  await makeOAuthSource(env, { slug: 'oidc-main', name: 'Main IdP' });
  await makeOAuthSource(env, { slug: 'oidc-disabled', name: 'Disabled IdP', enabled: false });
  await makeOAuthSource(env, { slug: 'oidc-badpath', name: 'Bad path IdP', userPathTemplate: '%(nope)s' });
  await makeOAuthSource(env, { slug: 'xss-src', name: '<script>alert("src")</script>' });
  await makeOAuthSource(env, {
    slug: 'oidc-explicit', name: 'Explicit URLs',
    oauth: { oidc_well_known_url: '', authorization_url: `${op.issuer}/auth`, access_token_url: `${op.issuer}/token`, profile_url: `${op.issuer}/me` },
  });
  await makeOAuthSource(env, {
    slug: 'oauth2-generic', name: 'Generic OAuth2', mode: 'username_link',
    oauth: { provider_type: 'github', oidc_well_known_url: '', authorization_url: `${op.issuer}/auth`, access_token_url: `${op.issuer}/token`, profile_url: `${op.issuer}/me`, additional_scopes: '*openid profile email' },
  });
  flaky = await startOidcProvider({ redirectUris: [`${env.base}/source/oauth/callback/oidc-flaky/`] });
  await makeOAuthSource(env, { slug: 'oidc-flaky', name: 'Flaky IdP', oauth: { oidc_well_known_url: flaky.wellKnownUrl, consumer_key: flaky.clientId, consumer_secret: flaky.clientSecret } });
  broken = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html>not a discovery document</html>');
  });
  await new Promise<void>((r) => broken.listen(0, '127.0.0.1', r));
  await makeOAuthSource(env, { slug: 'oidc-broken', name: 'Broken IdP', oauth: { oidc_well_known_url: `http://127.0.0.1:${(broken.address() as AddressInfo).port}/.well-known/openid-configuration` } });
  // A port that nothing listens on.
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const deadPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  await makeOAuthSource(env, { slug: 'oidc-down', name: 'Down IdP', oauth: { oidc_well_known_url: `http://127.0.0.1:${deadPort}/.well-known/openid-configuration` } });
  await makeOAuthSource(env, { slug: 'oidc-plainhttp', name: 'Plain http IdP', oauth: { oidc_well_known_url: 'http://idp.example.invalid/.well-known/openid-configuration' } });
});
afterAll(async () => {
  await flaky?.close();
  if (broken) await new Promise<void>((r) => broken.close(() => r()));
  await env?.close();
});

/** Runs the exchange up to (not including) the callback and returns the callback URL. */
async function startUntilCallback(b: TestBrowser, slug: string, account: string, op: TestOidcProvider = env.op): Promise<URL> {
  op.accounts.set(account, { email: `${account}@example.org`, preferred_username: account });
  op.nextAccount = account;
  b.clear(op.issuer);
  const r = await b.follow(`${env.base}/source/oauth/login/${slug}/`, { stopBefore: isCallback });
  expect(r.stoppedAt, JSON.stringify(r.hops)).toBeDefined();
  return new URL(r.stoppedAt!);
}

function expectPage(r: { status: number }, body: string, status: number, code: string) {
  expect(r.status, body.slice(0, 400)).toBe(status);
  expect(body).toContain(`data-testid="code">${code}<`);
  expect(body).toMatch(/^<!DOCTYPE html>/);
}

describe('F12: failures end on a page, nothing written', () => {
  it('provider down at the start → 502 provider_unreachable', async () => {
    const before = await counts(env);
    const r = await new TestBrowser().request(`${env.base}/source/oauth/login/oidc-down/`);
    expectPage(r, await r.text(), 502, 'provider_unreachable');
    expect(await counts(env)).toEqual(before);
  });

  it('provider goes down between redirect and callback → 502, signed-in session untouched', async () => {
    const me = await env.t.makeUser();
    const b = new TestBrowser();
    await signInDirect(env, b, me.pk);
    const session = b.cookie(env.base, 'authentik_session');
    const cb = await startUntilCallback(b, 'oidc-flaky', sub(), flaky);
    await flaky.close();
    const before = await counts(env);
    const r = await b.request(cb.href);
    expectPage(r, await r.text(), 502, 'provider_unreachable');
    expect(await counts(env)).toEqual(before);
    expect(b.cookie(env.base, 'authentik_session')).toBe(session);
    expect(await whoAmI(env, b)).toBe(me.username);
  });

  it('forged state → 400 state_mismatch', async () => {
    const b = new TestBrowser();
    const cb = await startUntilCallback(b, 'oidc-main', sub());
    cb.searchParams.set('state', 'forged-state-value');
    const before = await counts(env);
    const r = await b.request(cb.href);
    expectPage(r, await r.text(), 400, 'state_mismatch');
    expect(await counts(env)).toEqual(before);
    expect(b.cookie(env.base, 'authentik_session')).toBeUndefined();
  });

  it('callback in another browser (no state cookie) → 400 state_missing', async () => {
    const cb = await startUntilCallback(new TestBrowser(), 'oidc-main', sub());
    const before = await counts(env);
    const r = await new TestBrowser().request(cb.href);
    expectPage(r, await r.text(), 400, 'state_missing');
    expect(await counts(env)).toEqual(before);
  });

  it('state cookie of another source → 400 state_mismatch', async () => {
    const b = new TestBrowser();
    const cb = await startUntilCallback(b, 'oidc-main', sub());
    const r = await b.request(cb.href.replace('/oidc-main/', '/oidc-explicit/'));
    expectPage(r, await r.text(), 400, 'state_mismatch');
  });

  it('replayed callback → 400 (cookie spent: state_missing; cookie restored: state_used), nothing written', async () => {
    const b = new TestBrowser();
    const cb = await startUntilCallback(b, 'oidc-main', sub());
    const stateCookie = b.cookie(env.base, 'authentik_source_oauth')!;
    const ok = await b.follow(cb.href);
    expect(ok.res.status).toBe(200);
    const before = await counts(env);
    const r1 = await b.request(cb.href);
    expectPage(r1, await r1.text(), 400, 'state_missing');
    const attacker = new TestBrowser();
    attacker.cookies(env.base).set('authentik_source_oauth', stateCookie);
    const r2 = await attacker.request(cb.href);
    expectPage(r2, await r2.text(), 400, 'state_used');
    expect(await counts(env)).toEqual(before);
  });

  it('provider error answer (?error=access_denied) → 400 provider_error, description escaped', async () => {
    const b = new TestBrowser();
    env.op.nextError = { error: 'access_denied', error_description: 'User <b>cancelled</b>' };
    const before = await counts(env);
    const r = await b.follow(`${env.base}/source/oauth/login/oidc-main/`);
    const body = await r.res.text();
    expectPage(r.res, body, 400, 'provider_error');
    expect(body).toContain('access_denied');
    expect(body).toContain('User &#60;b&#62;cancelled&#60;/b&#62;');
    expect(body).not.toContain('<b>cancelled');
    expect(await counts(env)).toEqual(before);
  });

  it('callback without code → 400 code_missing; repeated parameters → 400 callback_malformed', async () => {
    const b = new TestBrowser();
    const cb = await startUntilCallback(b, 'oidc-main', sub());
    const noCode = new URL(cb.href);
    noCode.searchParams.delete('code');
    const before = await counts(env);
    const r = await b.request(noCode.href);
    expectPage(r, await r.text(), 400, 'code_missing');
    const b2 = new TestBrowser();
    const cb2 = await startUntilCallback(b2, 'oidc-main', sub());
    const r2 = await b2.request(`${cb2.href}&state=again`);
    expectPage(r2, await r2.text(), 400, 'callback_malformed');
    expect(await counts(env)).toEqual(before);
  });

  it('provider that is not OpenID (HTML discovery) → 502 provider_invalid; plain http off loopback → 502 source_misconfigured', async () => {
    const r = await new TestBrowser().request(`${env.base}/source/oauth/login/oidc-broken/`);
    expectPage(r, await r.text(), 502, 'provider_invalid');
    const r2 = await new TestBrowser().request(`${env.base}/source/oauth/login/oidc-plainhttp/`);
    expectPage(r2, await r2.text(), 502, 'source_misconfigured');
  });

  it('unknown slug or disabled source → 404 page, for redirect and callback', async () => {
    for (const path of ['/source/oauth/login/nope/', '/source/oauth/callback/nope/?code=a&state=b', '/source/oauth/login/oidc-disabled/', '/source/oauth/callback/oidc-disabled/?code=a&state=b']) {
      const r = await new TestBrowser().request(`${env.base}${path}`);
      expectPage(r, await r.text(), 404, 'source_not_found');
    }
  });

  it('odd input never gives a 500', async () => {
    const paths = [
      '/source/oauth/login/%00/', `/source/oauth/login/${'a'.repeat(180)}/`, '/source/oauth/callback/oidc-main/?state=%FF&code=%00',
      '/source/oauth/callback/oidc-main/?error=x&error_description=%3Cscript%3E', '/source/oauth/callback/oidc-main/',
      '/source/oauth/login/oidc-main/?next=%00', '/if/flow/default-authentication-flow/?next=//evil.example',
    ];
    for (const p of paths) {
      const b = new TestBrowser();
      b.cookies(env.base).set('authentik_source_oauth', 'garbage');
      b.cookies(env.base).set('authentik_session', 'x'.repeat(200));
      const r = await b.request(`${env.base}${p}`);
      expect(r.status, p).toBeLessThan(500);
    }
    const posts = [{}, { uid_field: ['a', 'b'] as any }, { csrfmiddlewaretoken: 'x' }, { uid_field: 'a\u0000b', password: '\u0000' }];
    for (const form of posts) {
      const r = await new TestBrowser().request(`${env.base}/if/flow/default-authentication-flow/`, { form });
      expect(r.status).toBeLessThan(500);
    }
  });
});

describe('concurrency', () => {
  it('two simultaneous first sign-ins of one identity: one enrolls, the other authenticates; no 500, no duplicate', async () => {
    const s = sub();
    const [b1, b2] = [new TestBrowser(), new TestBrowser()];
    env.op.accounts.set(s, { preferred_username: `race-${s}` });
    const cbs: URL[] = [];
    for (const b of [b1, b2]) {
      env.op.nextAccount = s;
      b.clear(env.op.issuer);
      const r = await b.follow(`${env.base}/source/oauth/login/oidc-main/`, { stopBefore: isCallback });
      cbs.push(new URL(r.stoppedAt!));
    }
    const before = await counts(env);
    const [r1, r2] = await Promise.all([b1.follow(cbs[0].href), b2.follow(cbs[1].href)]);
    expect([r1.res.status, r2.res.status]).toEqual([200, 200]);
    const after = await counts(env);
    expect(after).toMatchObject({ users: before.users + 1, connections: before.connections + 1, sessions: before.sessions + 2 });
    expect(await whoAmI(env, b1)).toBe(`race-${s}`);
    expect(await whoAmI(env, b2)).toBe(`race-${s}`);
  });
});

describe('provider variants', () => {
  it('claims with NUL characters are stored without them; an id with NUL is refused (502)', async () => {
    const s = sub();
    const r = await signInWithSource(env, new TestBrowser(), 'oidc-main', s, { preferred_username: `nul\u0000${s}`, email: `nul\u0000${s}@x.org`, name: 'N\u0000' });
    expect(r.res.status, r.body.slice(0, 300)).toBe(200);
    const u = await env.t.t.db.selectFrom('user').select(['username', 'email', 'name']).where('username', '=', `nul${s}`).executeTakeFirstOrThrow();
    expect(u).toEqual({ username: `nul${s}`, email: `nul${s}@x.org`, name: 'N' });
  });

  it('explicit URLs (no discovery): profile from profile_url, identifier = sub', async () => {
    const s = sub();
    const r = await signInWithSource(env, new TestBrowser(), 'oidc-explicit', s, { email: `${s}@x.org`, preferred_username: `ex-${s}` });
    expect(r.res.status, r.body.slice(0, 300)).toBe(200);
    const c = await env.t.t.db.selectFrom('user_source_connection as c').innerJoin('user as u', 'u.id', 'c.user_id')
      .select(['u.username', 'c.identifier']).where('c.identifier', '=', s).executeTakeFirstOrThrow();
    expect(c.username).toBe(`ex-${s}`);
  });

  it('generic OAuth2 type (github rules): username from `login`, additional_scopes replace defaults with *', async () => {
    const local = await env.t.makeUser({ username: `gh-${process.pid}` });
    const s = sub();
    const b = new TestBrowser();
    const r = await signInWithSource(env, b, 'oauth2-generic', s, { login: local.username, email: 'someone@x.org' });
    expect(r.res.status, r.body.slice(0, 300)).toBe(200);
    expect(await whoAmI(env, b)).toBe(local.username); // username_link matched on `login`
  });

  it('a template that cannot be formatted gives user path `users`', async () => {
    const s = sub();
    const r = await signInWithSource(env, new TestBrowser(), 'oidc-badpath', s, { preferred_username: `bp-${s}` });
    expect(r.res.status).toBe(200);
    const u = await env.t.t.db.selectFrom('user').select('path').where('username', '=', `bp-${s}`).executeTakeFirstOrThrow();
    expect(u.path).toBe('users');
  });
});

describe('pages and escaping', () => {
  it('sign-in page lists enabled OAuth sources only, escaped; claims are escaped on the user page', async () => {
    const r = await new TestBrowser().request(`${env.base}/if/flow/default-authentication-flow/`);
    const body = await r.text();
    expect(r.status).toBe(200);
    expect(body).toContain('Sign in with Main IdP');
    expect(body).not.toContain('Disabled IdP');
    expect(body).toContain('&#60;script&#62;alert(&#34;src&#34;)&#60;/script&#62;');
    expect(body).not.toContain('<script>');
    const s = sub();
    const b = new TestBrowser();
    const r2 = await signInWithSource(env, b, 'xss-src', s, { preferred_username: `<img src=x onerror=alert(1)>${s}` });
    expect(r2.res.status).toBe(200);
    expect(r2.body).not.toContain('<img');
    expect(r2.body).toContain('&#60;img src&#61;x onerror&#61;alert(1)&#62;');
    expect(r2.body).not.toContain('<script>');
  });

  it('`next` is honoured for local paths only', async () => {
    const b = new TestBrowser();
    env.op.accounts.set('next-1', { preferred_username: `next-${process.pid}` });
    env.op.nextAccount = 'next-1';
    const r = await b.follow(`${env.base}/source/oauth/login/oidc-main/?next=${encodeURIComponent('//evil.example/x')}`);
    expect(new URL(r.url).origin).toBe(env.base);
    expect(new URL(r.url).pathname).toBe('/if/user/');
    const b2 = new TestBrowser();
    env.op.nextAccount = 'next-1';
    const r2 = await b2.follow(`${env.base}/source/oauth/login/oidc-main/?next=${encodeURIComponent('/if/user/?from=next')}`);
    expect(r2.url).toBe(`${env.base}/if/user/?from=next`);
  });
});

describe('sessions on /api/v3/ (permissions.md §1)', () => {
  it('session auth with CSRF for unsafe methods; bearer tried first; inactive or expired → anonymous', async () => {
    const s = sub();
    const b = new TestBrowser();
    await signInWithSource(env, b, 'oidc-main', s, { preferred_username: `api-${s}` });
    const list = await apiGet(env, b, '/sources/user_connections/all/');
    expect(list.status).toBe(200);
    expect(list.body.pagination.count).toBe(1);
    const id = list.body.results[0].pk;
    const url = `${env.base}/api/v3/sources/user_connections/all/${id}/`;
    const json = { 'content-type': 'application/json' };

    const noHeader = await b.request(url, { method: 'PATCH', headers: json });
    expect(noHeader.status).toBe(403);
    expect(await noHeader.json()).toEqual({ detail: 'CSRF Failed: CSRF token missing.' });
    const wrong = await b.request(url, { method: 'PATCH', headers: { ...json, 'x-authentik-csrf': 'nope' } });
    expect(await wrong.json()).toEqual({ detail: 'CSRF Failed: CSRF token incorrect.' });
    const csrf = b.cookie(env.base, 'authentik_csrf')!;
    const ok = await b.request(url, { method: 'PATCH', headers: { ...json, 'x-authentik-csrf': csrf } });
    expect(ok.status).toBe(200);

    const badBearer = await b.request(url, { headers: { authorization: 'Bearer nope' } });
    expect(badBearer.status).toBe(403);
    expect(await badBearer.json()).toEqual({ detail: 'Token invalid/expired' });

    const userPk = list.body.results[0].user;
    await env.t.t.db.updateTable('user').set({ is_active: false }).where('id', '=', userPk).execute();
    const inactive = await apiGet(env, b, '/sources/user_connections/all/');
    expect(inactive).toEqual({ status: 403, body: { detail: 'Authentication credentials were not provided.' } });
    expect(await whoAmI(env, b)).toBeUndefined();
    await env.t.t.db.updateTable('user').set({ is_active: true }).where('id', '=', userPk).execute();
    expect((await apiGet(env, b, '/sources/user_connections/all/')).status).toBe(200);
    await env.t.t.db.updateTable('session').set({ expires: new Date(Date.now() - 1000) }).where('user_id', '=', userPk).execute();
    expect((await apiGet(env, b, '/sources/user_connections/all/')).status).toBe(403);
  });
});

describe('password form and sign-out', () => {
  it('akadmin signs in with FEDLINK_BOOTSTRAP_PASSWORD; wrong password and missing CSRF are refused', async () => {
    await bootstrap(env.t.deps, { password: 'bootstrap-pw-123' });
    const b = new TestBrowser();
    const bad = await signInWithPassword(env, b, 'akadmin', 'wrong');
    expect(bad.res.status).toBe(403);
    expect(bad.body).toContain('Invalid username or password.');
    const failed = await env.t.t.db.selectFrom('event').select(['context']).where('action', '=', 'login_failed').orderBy('created', 'desc').executeTakeFirstOrThrow();
    expect(JSON.stringify(failed.context)).not.toContain('wrong');
    const noCsrf = await b.request(`${env.base}/if/flow/default-authentication-flow/`, { form: { uid_field: 'akadmin', password: 'bootstrap-pw-123' } });
    expect(noCsrf.status).toBe(403);
    expect(await noCsrf.text()).toContain('csrf_failed');
    const good = await signInWithPassword(env, b, 'akadmin', 'bootstrap-pw-123');
    expect(good.res.status).toBe(200);
    expect(await whoAmI(env, b)).toBe('akadmin');
  });

  it('email works as uid; an inactive user cannot sign in', async () => {
    const u = await makePasswordUser(env, { username: `pw-${process.pid}`, email: `PW-${process.pid}@Example.org`, password: 'pw-pw-pw-pw' });
    const b = new TestBrowser();
    expect((await signInWithPassword(env, b, `pw-${process.pid}@example.org`, 'pw-pw-pw-pw')).res.status).toBe(200);
    expect(await whoAmI(env, b)).toBe(u.username);
    await env.t.t.db.updateTable('user').set({ is_active: false }).where('id', '=', u.pk).execute();
    expect((await signInWithPassword(env, new TestBrowser(), u.username, 'pw-pw-pw-pw')).res.status).toBe(403);
  });

  it('sign-out needs the CSRF token, deletes the session and writes a logout event', async () => {
    const me = await env.t.makeUser();
    const b = new TestBrowser();
    await signInDirect(env, b, me.pk);
    const refused = await b.request(`${env.base}/if/flow/default-invalidation-flow/`, { form: { csrfmiddlewaretoken: 'nope' } });
    expect(refused.status).toBe(403);
    expect(await whoAmI(env, b)).toBe(me.username);
    const before = await counts(env);
    const out = await b.follow(`${env.base}/if/flow/default-invalidation-flow/`, { form: { csrfmiddlewaretoken: b.cookie(env.base, 'authentik_csrf')! } });
    expect(out.res.status).toBe(200);
    expect(await out.res.text()).toContain('You have been signed out.');
    expect(await counts(env)).toMatchObject({ sessions: before.sessions - 1, events: before.events + 1 });
    expect(await whoAmI(env, b)).toBeUndefined();
  });
});
