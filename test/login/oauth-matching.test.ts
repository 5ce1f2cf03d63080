/**
 * Sign in through an OpenID Connect source, end to end against a real provider on loopback:
 * every user_matching_mode × {new person, matching email, matching email in other case, matching
 * username, existing link, already signed in, link held by another user, email_verified false,
 * two users with that email, inactive user, …} (source-flow.md §3, decisions F5, F6, F10, F11).
 * Each case checks the page, what was written (row counts), who is signed in, the audit event,
 * and that the connection shows up in /api/v3/sources/user_connections/all/ for the session's user.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountClaims } from '../helpers/oidc-provider.js';
import {
  apiGet, counts, makeOAuthSource, signInDirect, signInWithSource, startLoginEnv, TestBrowser, whoAmI,
  type LoginEnv,
} from '../helpers/login.js';

const MODES = ['identifier', 'email_link', 'email_deny', 'username_link', 'username_deny'] as const;
type Mode = (typeof MODES)[number];
const slugOf = (m: Mode) => `oidc-${m.replace('_', '-')}`;

let env: LoginEnv;
const sources = new Map<Mode, { pk: string; slug: string }>();

beforeAll(async () => {
  env = await startLoginEnv(MODES.map(slugOf));
  for (const m of MODES) sources.set(m, await makeOAuthSource(env, { slug: slugOf(m), name: `IdP ${m}`, mode: m }));
});
afterAll(async () => env?.close());

type Expected =
  | { action: 'enroll'; username: string }
  | { action: 'link'; username: string; signedIn?: boolean }
  | { action: 'auth'; username: string; signedIn?: boolean }
  | { action: 'deny'; reason: string };

interface Prepared {
  sub: string;
  claims: AccountClaims;
  browser: TestBrowser;
  expected: Expected;
}

const tagOf = () => `u${randomBytes(4).toString('hex')}`;

/** Each case prepares its own users (unique names) for one mode and says what must happen. */
const CASES: Record<string, (mode: Mode, src: { pk: string; slug: string }) => Promise<Prepared>> = {
  async 'new person'(mode) {
    const tag = tagOf();
    return { sub: `sub-${tag}`, claims: { email: `${tag}@new.example`, preferred_username: tag, name: 'New Person', email_verified: true }, browser: new TestBrowser(), expected: { action: 'enroll', username: tag } };
  },
  async 'matching email'(mode) {
    const tag = tagOf();
    const u = await env.t.makeUser({ username: `${tag}-local`, email: `${tag}@example.org` });
    const expected: Record<Mode, Expected> = {
      identifier: { action: 'enroll', username: `${tag}-remote` },
      email_link: { action: 'link', username: u.username },
      email_deny: { action: 'deny', reason: 'email_deny_match' },
      username_link: { action: 'enroll', username: `${tag}-remote` },
      username_deny: { action: 'enroll', username: `${tag}-remote` },
    };
    return { sub: `sub-${tag}`, claims: { email: `${tag}@example.org`, preferred_username: `${tag}-remote`, email_verified: true }, browser: new TestBrowser(), expected: expected[mode] };
  },
  async 'matching email in other case (F6)'(mode) {
    const tag = tagOf();
    const u = await env.t.makeUser({ username: `${tag}-local`, email: `${tag.toUpperCase()}@Example.ORG` });
    const expected: Record<Mode, Expected> = {
      identifier: { action: 'enroll', username: `${tag}-remote` },
      email_link: { action: 'link', username: u.username },
      email_deny: { action: 'deny', reason: 'email_deny_match' },
      username_link: { action: 'enroll', username: `${tag}-remote` },
      username_deny: { action: 'enroll', username: `${tag}-remote` },
    };
    return { sub: `sub-${tag}`, claims: { email: `${tag}@example.org`, preferred_username: `${tag}-remote` }, browser: new TestBrowser(), expected: expected[mode] };
  },
  async 'matching username'(mode) {
    const tag = tagOf();
    const u = await env.t.makeUser({ username: tag, email: `${tag}@local.example` });
    const expected: Record<Mode, Expected> = {
      identifier: { action: 'enroll', username: `${tag}-2` },
      email_link: { action: 'enroll', username: `${tag}-2` },
      email_deny: { action: 'enroll', username: `${tag}-2` },
      username_link: { action: 'link', username: u.username },
      username_deny: { action: 'deny', reason: 'username_deny_match' },
    };
    return { sub: `sub-${tag}`, claims: { email: `${tag}@remote.example`, preferred_username: tag }, browser: new TestBrowser(), expected: expected[mode] };
  },
  async 'existing link'(mode, src) {
    const tag = tagOf();
    const u = await env.t.makeUser({ username: tag, email: `${tag}@other.example` });
    await env.t.makeConnection(u.pk, src.pk, { identifier: `sub-${tag}` });
    return { sub: `sub-${tag}`, claims: { email: `${tag}@changed.example`, preferred_username: `${tag}-renamed` }, browser: new TestBrowser(), expected: { action: 'auth', username: tag } };
  },
  async 'existing link of an inactive user'(mode, src) {
    const tag = tagOf();
    const u = await env.t.makeUser({ username: tag, isActive: false });
    await env.t.makeConnection(u.pk, src.pk, { identifier: `sub-${tag}` });
    return { sub: `sub-${tag}`, claims: { email: `${tag}@x.example`, preferred_username: tag }, browser: new TestBrowser(), expected: { action: 'deny', reason: 'user_inactive' } };
  },
  async 'already signed in'(mode) {
    const tag = tagOf();
    const s = await env.t.makeUser({ username: `${tag}-me`, email: `${tag}@me.example` });
    const browser = new TestBrowser();
    await signInDirect(env, browser, s.pk);
    // The source's person even matches another local user: signed in, R1 links to the caller regardless.
    await env.t.makeUser({ username: tag, email: `${tag}@example.org` });
    return { sub: `sub-${tag}`, claims: { email: `${tag}@example.org`, preferred_username: tag }, browser, expected: { action: 'link', username: s.username, signedIn: true } };
  },
  async 'already signed in, identity already mine (F5)'(mode, src) {
    const tag = tagOf();
    const s = await env.t.makeUser({ username: `${tag}-me` });
    await env.t.makeConnection(s.pk, src.pk, { identifier: `sub-${tag}` });
    const browser = new TestBrowser();
    await signInDirect(env, browser, s.pk);
    return { sub: `sub-${tag}`, claims: { preferred_username: tag }, browser, expected: { action: 'auth', username: s.username, signedIn: true } };
  },
  async 'link held by another user (F5)'(mode, src) {
    const tag = tagOf();
    const other = await env.t.makeUser({ username: `${tag}-other` });
    await env.t.makeConnection(other.pk, src.pk, { identifier: `sub-${tag}` });
    const s = await env.t.makeUser({ username: `${tag}-me` });
    const browser = new TestBrowser();
    await signInDirect(env, browser, s.pk);
    return { sub: `sub-${tag}`, claims: { preferred_username: tag }, browser, expected: { action: 'deny', reason: 'linked_to_other_user' } };
  },
  async 'signed in, already linked to this source with another identity'(mode, src) {
    const tag = tagOf();
    const s = await env.t.makeUser({ username: `${tag}-me` });
    await env.t.makeConnection(s.pk, src.pk, { identifier: `sub-${tag}-old` });
    const browser = new TestBrowser();
    await signInDirect(env, browser, s.pk);
    return { sub: `sub-${tag}`, claims: { preferred_username: tag }, browser, expected: { action: 'deny', reason: 'source_already_linked' } };
  },
  async 'email_verified false (F6)'(mode) {
    const tag = tagOf();
    await env.t.makeUser({ username: tag, email: `${tag}@example.org` });
    const expected: Record<Mode, Expected> = {
      identifier: { action: 'enroll', username: `${tag}-2` },
      email_link: { action: 'deny', reason: 'email_not_verified' },
      email_deny: { action: 'deny', reason: 'email_deny_match' },
      username_link: { action: 'deny', reason: 'email_not_verified' },
      username_deny: { action: 'deny', reason: 'username_deny_match' },
    };
    return { sub: `sub-${tag}`, claims: { email: `${tag}@example.org`, preferred_username: tag, email_verified: false }, browser: new TestBrowser(), expected: expected[mode] };
  },
  async 'two users with that email (F6)'(mode) {
    const tag = tagOf();
    await env.t.makeUser({ username: `${tag}-a`, email: `${tag}@example.org` });
    await env.t.makeUser({ username: `${tag}-b`, email: `${tag.toUpperCase()}@EXAMPLE.org` });
    const expected: Record<Mode, Expected> = {
      identifier: { action: 'enroll', username: tag },
      email_link: { action: 'deny', reason: 'email_ambiguous' },
      email_deny: { action: 'deny', reason: 'email_deny_match' },
      username_link: { action: 'enroll', username: tag },
      username_deny: { action: 'enroll', username: tag },
    };
    return { sub: `sub-${tag}`, claims: { email: `${tag}@example.org`, preferred_username: tag }, browser: new TestBrowser(), expected: expected[mode] };
  },
  async 'inactive user (F6)'(mode) {
    const tag = tagOf();
    await env.t.makeUser({ username: tag, email: `${tag}@example.org`, isActive: false });
    const expected: Record<Mode, Expected> = {
      identifier: { action: 'enroll', username: `${tag}-2` },
      email_link: { action: 'deny', reason: 'user_inactive' },
      email_deny: { action: 'deny', reason: 'email_deny_match' },
      username_link: { action: 'deny', reason: 'user_inactive' },
      username_deny: { action: 'deny', reason: 'username_deny_match' },
    };
    return { sub: `sub-${tag}`, claims: { email: `${tag}@example.org`, preferred_username: tag }, browser: new TestBrowser(), expected: expected[mode] };
  },
  async 'no email / no username from the source'(mode) {
    const tag = tagOf();
    const expected: Record<Mode, Expected> = {
      identifier: { action: 'enroll', username: `${slugOf(mode)}-sub-${tag}` },
      email_link: { action: 'deny', reason: 'email_missing' },
      email_deny: { action: 'deny', reason: 'email_missing' },
      username_link: { action: 'deny', reason: 'username_missing' },
      username_deny: { action: 'deny', reason: 'username_missing' },
    };
    return { sub: `sub-${tag}`, claims: { name: 'Nameless' }, browser: new TestBrowser(), expected: expected[mode] };
  },
};

const matrix = MODES.flatMap((mode) => Object.keys(CASES).map((name) => [mode, name] as const));

describe.each(matrix)('%s × %s', (mode, name) => {
  it('ends as expected, writes exactly that, and shows the connection to its user', async () => {
    const src = sources.get(mode)!;
    const p = await CASES[name](mode, src);
    const sessionBefore = p.browser.cookie(env.base, 'authentik_session');
    const before = await counts(env);
    const r = await signInWithSource(env, p.browser, src.slug, p.sub, p.claims);
    const after = await counts(env);
    const lastEvents = await env.t.t.db.selectFrom('event').select(['action', 'context', 'user']).orderBy('created', 'desc').limit(after.events - before.events || 1).execute();
    const actions = lastEvents.map((e) => e.action).sort();
    const e = p.expected;

    if (e.action === 'deny') {
      expect(r.res.status).toBe(403);
      expect(r.body).toContain(`data-testid="rule">${e.reason}<`);
      expect(r.body).toContain(`has been denied`);
      expect(after).toEqual({ ...before, events: before.events + 1 });
      expect(actions).toEqual(['login_failed']);
      expect((lastEvents[0].context as any).decision).toMatchObject({ action: 'deny', reason: e.reason });
      expect(p.browser.cookie(env.base, 'authentik_session')).toBe(sessionBefore);
      return;
    }

    expect(r.res.status, r.body.slice(0, 500)).toBe(200);
    expect(new URL(r.url).pathname).toBe('/if/user/');
    expect(await whoAmI(env, p.browser)).toBe(e.username);
    const conn = await env.t.t.db.selectFrom('user_source_connection as c').innerJoin('user as u', 'u.id', 'c.user_id')
      .innerJoin('user_oauth_source_connection as o', 'o.id', 'c.id')
      .select(['c.id', 'u.username', 'o.access_token_encrypted']).where('c.source_id', '=', src.pk).where('c.identifier', '=', p.sub).executeTakeFirstOrThrow();
    expect(conn.username).toBe(e.username);
    // F9: the provider's access token is stored encrypted.
    expect(conn.access_token_encrypted).toMatch(/^v1\./);
    expect(env.t.secrets.decrypt(conn.access_token_encrypted!).length).toBeGreaterThan(10);

    if (e.action === 'enroll') {
      expect(after).toEqual({ ...before, users: before.users + 1, connections: before.connections + 1, oauthConnections: before.oauthConnections + 1, sessions: before.sessions + 1, events: before.events + 3 });
      expect(actions).toEqual(['login', 'model_created', 'source_linked']);
      const user = await env.t.t.db.selectFrom('user').selectAll().where('username', '=', e.username).executeTakeFirstOrThrow();
      expect(user).toMatchObject({ email: p.claims.email ?? '', name: p.claims.name ?? '', path: `goauthentik.io/sources/${src.slug}`, type: 'external', password: null, is_active: true });
    } else if (e.action === 'link' && e.signedIn) {
      expect(after).toEqual({ ...before, connections: before.connections + 1, oauthConnections: before.oauthConnections + 1, events: before.events + 1 });
      expect(actions).toEqual(['source_linked']);
      expect(p.browser.cookie(env.base, 'authentik_session')).toBe(sessionBefore);
    } else if (e.action === 'link') {
      expect(after).toEqual({ ...before, connections: before.connections + 1, oauthConnections: before.oauthConnections + 1, sessions: before.sessions + 1, events: before.events + 2 });
      expect(actions).toEqual(['login', 'source_linked']);
    } else {
      // AUTH: no new connection; a fresh session (the old one, if any, is replaced).
      expect(after).toEqual({ ...before, sessions: before.sessions + (e.signedIn ? 0 : 1), events: before.events + 1 });
      expect(actions).toEqual(['login']);
      if (e.signedIn) expect(p.browser.cookie(env.base, 'authentik_session')).not.toBe(sessionBefore);
    }
    for (const ev of lastEvents) {
      expect(JSON.stringify(ev)).not.toContain(env.t.secrets.decrypt(conn.access_token_encrypted!));
    }

    // The session authenticates /api/v3/: the connection is listed for the signed-in user.
    const api = await apiGet(env, p.browser, `/sources/user_connections/all/?source__slug=${src.slug}`);
    expect(api.status).toBe(200);
    expect(api.body.results.map((x: any) => x.pk)).toEqual([conn.id]);
  });
});
