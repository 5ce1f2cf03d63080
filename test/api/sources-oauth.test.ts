/**
 * `/api/v3/sources/oauth/` — spec §4, §4.1, §7; permissions.md §5; decisions F9, F10; docs/decisions.md D1–D6.
 * Discovery is exercised against a local HTTP server on 127.0.0.1 only.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rand } from '../helpers/factories.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const BASE = '/sources/oauth/';
const SECRET = `consumer-secret-${rand(8)}`;
const SOURCE_KEYS = [
  'pk', 'name', 'slug', 'enabled', 'authentication_flow', 'enrollment_flow', 'user_property_mappings',
  'group_property_mappings', 'component', 'verbose_name', 'verbose_name_plural', 'meta_model_name',
  'policy_engine_mode', 'user_matching_mode', 'managed', 'user_path_template', 'icon',
];
const OAUTH_KEYS = [
  ...SOURCE_KEYS, 'group_matching_mode', 'provider_type', 'request_token_url', 'authorization_url', 'access_token_url',
  'profile_url', 'consumer_key', 'callback_url', 'additional_scopes', 'type', 'oidc_well_known_url', 'oidc_jwks_url', 'oidc_jwks',
];
const TYPE_KEYS = ['name', 'verbose_name', 'urls_customizable', 'request_token_url', 'authorization_url', 'access_token_url',
  'profile_url', 'oidc_well_known_url', 'oidc_jwks_url'];
const NOT_FOUND = { detail: 'Not found.' };
const DENIED = { detail: 'You do not have permission to perform this action.' };

let t: TestApp;
let adminKey: string;
let admin: { pk: number };
/** Every response body seen, to check that the secret never appears in any of them. */
const bodies: string[] = [];

// ---- local OpenID provider (127.0.0.1 only) -------------------------------------------------------
let server: http.Server;
let origin: string;
const JWKS = { keys: [{ kty: 'RSA', kid: 'k1', n: 'abc', e: 'AQAB' }] };
const routes: Record<string, (res: http.ServerResponse) => void> = {};
function json(status: number, body: unknown) {
  return (res: http.ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

async function api(method: string, path: string, o: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
  const r = await t.api(method, path, o);
  bodies.push(r.body);
  return r;
}
const asAdmin = (method: string, path: string, body?: unknown) => api(method, path, { token: adminKey, body });

function oidcBody(extra: Record<string, unknown> = {}) {
  return {
    name: `OIDC ${rand()}`, slug: `oidc-${rand()}`, provider_type: 'openidconnect', consumer_key: 'ck', consumer_secret: SECRET,
    authorization_url: 'https://idp.example/authorize', access_token_url: 'https://idp.example/token',
    profile_url: 'https://idp.example/userinfo', ...extra,
  };
}
function githubBody(extra: Record<string, unknown> = {}) {
  return { name: `GitHub ${rand()}`, slug: `gh-${rand()}`, provider_type: 'github', consumer_key: 'ck', consumer_secret: SECRET, ...extra };
}

async function makeFlow(): Promise<string> {
  const pk = randomUUID();
  await t.t.db.insertInto('flow').values({ flow_uuid: pk, slug: `f-${rand()}`, name: 'flow', designation: 'authentication' }).execute();
  return pk;
}
async function makeMapping(name = `m-${rand()}`): Promise<string> {
  const pk = randomUUID();
  await t.t.db.insertInto('property_mapping').values({ pm_uuid: pk, name, managed: null, kind: 'oauth' }).execute();
  return pk;
}
async function grant(userPk: number, codename: string, objectPk: string | null = null) {
  await t.t.db.insertInto('permission_grant').values({ user_id: userPk, role_uuid: null, codename, object_pk: objectPk }).execute();
}
async function userWithKey(o: { superuser?: boolean } = {}) {
  const u = await t.makeUser({ superuser: o.superuser, password: 'x' });
  return { ...u, key: await t.makeToken(u.pk) };
}
async function createSource(body: Record<string, unknown>) {
  const r = await asAdmin('POST', BASE, body);
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}
async function storedRow(pk: string) {
  return t.t.db.selectFrom('oauth_source').selectAll().where('source_id', '=', pk).executeTakeFirstOrThrow();
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.makeUser({ superuser: true });
  adminKey = await t.makeToken(admin.pk);
  server = http.createServer((req, res) => {
    const h = routes[req.url ?? ''];
    if (h) h(res);
    else json(404, { error: 'nope' })(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await t?.close();
});

describe('create', () => {
  it('201 with the OAuthSource shape, key order and values; trims strings', async () => {
    const flow = await makeFlow();
    const m1 = await makeMapping();
    const m2 = await makeMapping();
    const slug = `gh-${rand()}`;
    const r = await api('POST', BASE, {
      token: adminKey, headers: { host: 'auth.example.org:9000' },
      body: {
        name: '  My GitHub  ', slug: `  ${slug} `, provider_type: 'github', consumer_key: ' ck ', consumer_secret: SECRET,
        authentication_flow: flow.toUpperCase(), user_property_mappings: [`urn:uuid:${m1}`], group_property_mappings: [m2],
        policy_engine_mode: 'all', user_matching_mode: 'email_link', group_matching_mode: 'name_link',
        additional_scopes: ' read:org ', pk: randomUUID(), callback_url: 'http://evil/', unknown_field: 1,
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    const b = r.json();
    expect(Object.keys(b)).toEqual(OAUTH_KEYS);
    expect(b).toMatchObject({
      name: 'My GitHub', slug, enabled: true, authentication_flow: flow, enrollment_flow: null,
      user_property_mappings: [m1], group_property_mappings: [m2],
      component: 'ak-source-oauth-form', verbose_name: 'OAuth Source', verbose_name_plural: 'OAuth Sources',
      meta_model_name: 'authentik_sources_oauth.oauthsource', policy_engine_mode: 'all', user_matching_mode: 'email_link',
      managed: null, user_path_template: 'goauthentik.io/sources/%(slug)s', icon: null, group_matching_mode: 'name_link',
      provider_type: 'github', request_token_url: null, authorization_url: null, access_token_url: null, profile_url: null,
      consumer_key: 'ck', callback_url: `http://auth.example.org:9000/source/oauth/callback/${slug}/`,
      additional_scopes: 'read:org', oidc_well_known_url: '', oidc_jwks_url: '', oidc_jwks: {},
    });
    expect(b.pk).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(b.type)).toEqual(TYPE_KEYS);
    expect(b.type).toEqual({
      name: 'github', verbose_name: 'GitHub', urls_customizable: true, request_token_url: null,
      authorization_url: 'https://github.com/login/oauth/authorize', access_token_url: 'https://github.com/login/oauth/access_token',
      profile_url: 'https://api.github.com/user',
      oidc_well_known_url: 'https://token.actions.githubusercontent.com/.well-known/openid-configuration',
      oidc_jwks_url: 'https://token.actions.githubusercontent.com/.well-known/jwks',
    });
    expect(b).not.toHaveProperty('consumer_secret');
    // F9: stored encrypted, decryptable with the server secret.
    const row = await storedRow(b.pk);
    expect(row.consumer_secret_encrypted).not.toContain(SECRET);
    expect(t.secrets.decrypt(row.consumer_secret_encrypted)).toBe(SECRET);
    const base = await t.t.db.selectFrom('source').select(['kind']).where('pbm_uuid', '=', b.pk).executeTakeFirstOrThrow();
    expect(base.kind).toBe('oauth');
    // F10: one model_created event naming the source.
    const ev = await t.t.db.selectFrom('event').selectAll().where('action', '=', 'model_created').execute();
    const mine = ev.filter((e) => (e.context as any).model.pk === b.pk);
    expect(mine).toHaveLength(1);
    expect((mine[0].context as any).model).toEqual({ app: 'authentik_sources_oauth', model_name: 'oauthsource', pk: b.pk, name: 'My GitHub' });
    expect(mine[0].user).toMatchObject({ pk: admin.pk });
    // Retrieve gives the same object.
    const g = await api('GET', `${BASE}${slug}/`, { token: adminKey, headers: { host: 'auth.example.org:9000' } });
    expect(g.json()).toEqual(b);
  });

  it('openidconnect with its three URLs; type has urls_customizable and no built-in URLs', async () => {
    const b = await createSource(oidcBody({ request_token_url: 'https://idp.example/req', oidc_jwks: { keys: [] } }));
    expect(b.type).toEqual({
      name: 'openidconnect', verbose_name: 'OpenID Connect', urls_customizable: true, request_token_url: null,
      authorization_url: null, access_token_url: null, profile_url: null, oidc_well_known_url: null, oidc_jwks_url: null,
    });
    expect(b).toMatchObject({ authorization_url: 'https://idp.example/authorize', request_token_url: 'https://idp.example/req', oidc_jwks: { keys: [] } });
  });

  it('oidc_jwks null is accepted and answered as null', async () => {
    const b = await createSource(oidcBody({ oidc_jwks: null }));
    expect(b.oidc_jwks).toBeNull();
  });
});

describe('validation (400 bodies)', () => {
  async function expect400(body: unknown, expected: Record<string, unknown>, method = 'POST', path = BASE) {
    const before = await t.t.db.selectFrom('source').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const r = await asAdmin(method, path, body);
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json()).toEqual(expected);
    const after = await t.t.db.selectFrom('source').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  }
  const req = 'This field is required.';
  const blank = 'This field may not be blank.';

  it('required fields', async () => {
    await expect400({}, { name: [req], slug: [req], provider_type: [req], consumer_key: [req], consumer_secret: [req] });
  });
  it('blank after trimming', async () => {
    await expect400(githubBody({ name: '   ', consumer_key: '', consumer_secret: ' ' }), { name: [blank], consumer_key: [blank], consumer_secret: [blank] });
    await expect400(githubBody({ slug: '  ' }), { slug: [blank] });
  });
  it('null for a non-nullable field', async () => {
    await expect400(githubBody({ name: null, enabled: null }), { name: ['This field may not be null.'], enabled: ['This field may not be null.'] });
  });
  it('slug pattern, length 50, duplicate', async () => {
    await expect400(githubBody({ slug: 'has space' }), { slug: ['Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.'] });
    await expect400(githubBody({ slug: 'a'.repeat(51) }), { slug: ['Ensure this field has no more than 50 characters.'] });
    const ok = await createSource(githubBody({ slug: ` ${'b'.repeat(50)} ` }));
    expect(ok.slug).toBe('b'.repeat(50));
    await expect400(githubBody({ slug: 'b'.repeat(50) }), { slug: ['source with this slug already exists.'] });
  });
  it('flows and mappings: malformed uuid, unknown pk', async () => {
    await expect400(githubBody({ authentication_flow: 'abc', enrollment_flow: '123', user_property_mappings: ['nope'] }), {
      authentication_flow: ['“abc” is not a valid UUID.'], enrollment_flow: ['“123” is not a valid UUID.'],
      user_property_mappings: ['“nope” is not a valid UUID.'],
    });
    const unknown = randomUUID();
    const known = await makeMapping();
    await expect400(githubBody({ enrollment_flow: unknown, group_property_mappings: [known, unknown] }), {
      enrollment_flow: [`Invalid pk "${unknown}" - object does not exist.`],
      group_property_mappings: [`Invalid pk "${unknown}" - object does not exist.`],
    });
  });
  it('enums', async () => {
    await expect400(githubBody({ provider_type: 'myspace', policy_engine_mode: 'some', user_matching_mode: 'x', group_matching_mode: 'y' }), {
      provider_type: ['"myspace" is not a valid choice.'], policy_engine_mode: ['"some" is not a valid choice.'],
      user_matching_mode: ['"x" is not a valid choice.'], group_matching_mode: ['"y" is not a valid choice.'],
    });
  });
  it('per-provider required URLs (non_field_errors)', async () => {
    await expect400(oidcBody({ authorization_url: undefined, access_token_url: undefined, profile_url: undefined }),
      { non_field_errors: ['authorization_url is required for provider openidconnect'] });
    await expect400(oidcBody({ access_token_url: undefined }), { non_field_errors: ['access_token_url is required for provider openidconnect'] });
    await expect400(oidcBody({ profile_url: null }), { non_field_errors: ['profile_url is required for provider openidconnect'] });
    await expect400({ ...githubBody(), provider_type: 'okta' }, { non_field_errors: ['authorization_url is required for provider okta'] });
  });
  it('URL fields: blank and longer than 255', async () => {
    await expect400(oidcBody({ authorization_url: '' }), { authorization_url: [blank] });
    await expect400(oidcBody({ profile_url: `https://x/${'a'.repeat(250)}` }), { profile_url: ['Ensure this field has no more than 255 characters.'] });
  });
  it('types, NUL characters, non-object bodies, malformed JSON', async () => {
    // Errors found while normalising (name, mappings, slug) and by the schema (enabled, consumer_key) come in one body.
    await expect400({ ...githubBody({ enabled: 'maybe', user_property_mappings: 'x', consumer_key: {}, name: true, slug: ' ' }), provider_type: undefined }, {
      enabled: ['Must be a valid boolean.'], user_property_mappings: ['Expected a list of items but got type "str".'],
      consumer_key: ['Not a valid string.'], name: ['Not a valid string.'], slug: ['This field may not be blank.'],
      provider_type: ['This field is required.'],
    });
    await expect400(githubBody({ name: 'a\u0000b' }), { name: ['Null characters are not allowed.'] });
    await expect400(oidcBody({ oidc_jwks: { k: 'a\u0000' } }), { oidc_jwks: ['Null characters are not allowed.'] });
    await expect400(oidcBody({ oidc_jwks: { keys: ['\ud800'] } }), { oidc_jwks: ['Unpaired surrogate characters are not allowed.'] });
    const deep = `${'['.repeat(50000)}${']'.repeat(50000)}`;
    const rd = await api('POST', BASE, { token: adminKey, raw: JSON.stringify(oidcBody()).replace(/}$/, `,"oidc_jwks":${deep}}`), headers: { 'content-type': 'application/json' } });
    expect(rd.statusCode).toBe(400);
    expect(rd.json()).toEqual({ oidc_jwks: ['Nesting deeper than 64 levels is not allowed.'] });
    await expect400([], { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
    const r = await api('POST', BASE, { token: adminKey, raw: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(r.statusCode).toBe(400);
    expect(r.json().detail).toMatch(/^JSON parse error - /);
  });
});

describe('update', () => {
  it('PUT requires the required fields, keeps omitted optional ones, re-encrypts the secret, writes an event', async () => {
    const m = await makeMapping();
    const s = await createSource(githubBody({ user_property_mappings: [m], additional_scopes: 'a' }));
    const bad = await asAdmin('PUT', `${BASE}${s.slug}/`, { name: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ slug: ['This field is required.'], provider_type: ['This field is required.'], consumer_key: ['This field is required.'], consumer_secret: ['This field is required.'] });
    const newSlug = `gh-${rand()}`;
    const r = await asAdmin('PUT', `${BASE}${s.slug}/`, { name: 'Renamed', slug: newSlug, provider_type: 'github', consumer_key: 'ck2', consumer_secret: `${SECRET}-2` });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ pk: s.pk, name: 'Renamed', slug: newSlug, consumer_key: 'ck2', user_property_mappings: [m], additional_scopes: 'a' });
    expect(r.json().callback_url).toMatch(new RegExp(`/source/oauth/callback/${newSlug}/$`));
    expect(t.secrets.decrypt((await storedRow(s.pk)).consumer_secret_encrypted)).toBe(`${SECRET}-2`);
    expect((await asAdmin('GET', `${BASE}${s.slug}/`)).statusCode).toBe(404);
    const ev = await t.t.db.selectFrom('event').selectAll().where('action', '=', 'model_updated').execute();
    expect(ev.some((e) => (e.context as any).model.pk === s.pk && (e.context as any).model.name === 'Renamed')).toBe(true);
  });

  it('PATCH changes only what is sent; mapping lists are replaced; slug may stay the same', async () => {
    const m1 = await makeMapping();
    const m2 = await makeMapping();
    const s = await createSource(githubBody({ user_property_mappings: [m1] }));
    const r = await asAdmin('PATCH', `${BASE}${s.slug}/`, { enabled: false, user_property_mappings: [m2, m2], slug: s.slug });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ ...s, enabled: false, user_property_mappings: [m2] });
    expect(t.secrets.decrypt((await storedRow(s.pk)).consumer_secret_encrypted)).toBe(SECRET);
  });

  it('PATCH without provider_type uses the stored type (authentik test_patch_no_type)', async () => {
    const s = await createSource(oidcBody());
    const r = await asAdmin('PATCH', `${BASE}${s.slug}/`, {
      authorization_url: 'https://a.example/a', profile_url: 'https://a.example/p', access_token_url: 'https://a.example/t',
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ provider_type: 'openidconnect', authorization_url: 'https://a.example/a' });
    // The stored URLs satisfy the provider rule for a PATCH that does not send them (D1).
    expect((await asAdmin('PATCH', `${BASE}${s.slug}/`, { name: 'only name' })).statusCode).toBe(200);
    const cleared = await asAdmin('PATCH', `${BASE}${s.slug}/`, { authorization_url: null });
    expect(cleared.statusCode).toBe(400);
    expect(cleared.json()).toEqual({ non_field_errors: ['authorization_url is required for provider openidconnect'] });
    // Switching a github source to openidconnect needs the URLs.
    const gh = await createSource(githubBody());
    const sw = await asAdmin('PATCH', `${BASE}${gh.slug}/`, { provider_type: 'openidconnect' });
    expect(sw.json()).toEqual({ non_field_errors: ['authorization_url is required for provider openidconnect'] });
  });

  it('a failed update changes nothing', async () => {
    const s = await createSource(githubBody());
    const other = await createSource(githubBody());
    const before = (await asAdmin('GET', `${BASE}${s.slug}/`)).json();
    const r = await asAdmin('PATCH', `${BASE}${s.slug}/`, { name: 'changed', slug: other.slug });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ slug: ['source with this slug already exists.'] });
    expect((await asAdmin('GET', `${BASE}${s.slug}/`)).json()).toEqual(before);
    const r2 = await asAdmin('PUT', `${BASE}${s.slug}/`, { ...githubBody(), user_property_mappings: [randomUUID()] });
    expect(r2.statusCode).toBe(400);
    expect((await asAdmin('GET', `${BASE}${s.slug}/`)).json()).toEqual(before);
  });

  it('unknown slug → 404 for GET, PUT, PATCH, DELETE, used_by', async () => {
    for (const [m, p] of [['GET', 'nope/'], ['PUT', 'nope/'], ['PATCH', 'nope/'], ['DELETE', 'nope/'], ['GET', 'nope/used_by/'], ['GET', '%00/']] as const) {
      const r = await asAdmin(m, `${BASE}${p}`, m === 'PUT' ? githubBody() : m === 'PATCH' ? {} : undefined);
      expect(r.statusCode, `${m} ${p}`).toBe(404);
      expect(r.json()).toEqual(NOT_FOUND);
    }
  });
});

describe('delete', () => {
  it('204, cascades connections and mapping links, writes model_deleted', async () => {
    const m = await makeMapping();
    const s = await createSource(githubBody({ user_property_mappings: [m] }));
    const u = await t.makeUser();
    const c = await t.makeConnection(u.pk, s.pk);
    const r = await asAdmin('DELETE', `${BASE}${s.slug}/`);
    expect(r.statusCode).toBe(204);
    expect(r.body).toBe('');
    expect(await t.t.db.selectFrom('oauth_source').select('source_id').where('source_id', '=', s.pk).executeTakeFirst()).toBeUndefined();
    expect(await t.t.db.selectFrom('user_source_connection').select('id').where('id', '=', c).executeTakeFirst()).toBeUndefined();
    expect(await t.t.db.selectFrom('source_user_property_mapping').select('id').where('source_id', '=', s.pk).executeTakeFirst()).toBeUndefined();
    expect(await t.t.db.selectFrom('property_mapping').select('pm_uuid').where('pm_uuid', '=', m).executeTakeFirst()).toBeDefined();
    const ev = await t.t.db.selectFrom('event').selectAll().where('action', '=', 'model_deleted').execute();
    expect(ev.some((e) => (e.context as any).model.pk === s.pk && (e.context as any).model.model_name === 'oauthsource')).toBe(true);
    expect((await asAdmin('GET', `${BASE}${s.slug}/`)).statusCode).toBe(404);
  });
});

describe('OIDC discovery (local server only)', () => {
  it('well-known fills the URLs and JWKS; has_jwks finds it', async () => {
    routes['/ok/.well-known/openid-configuration'] = json(200, {
      issuer: origin, authorization_endpoint: `${origin}/ok/authorize`, token_endpoint: `${origin}/ok/token`,
      userinfo_endpoint: `${origin}/ok/userinfo`, jwks_uri: `${origin}/ok/jwks`,
    });
    routes['/ok/jwks'] = json(200, JWKS);
    const b = await createSource(oidcBody({
      authorization_url: undefined, access_token_url: 'https://ignored.example/token', profile_url: undefined,
      oidc_well_known_url: `${origin}/ok/.well-known/openid-configuration`,
    }));
    expect(b).toMatchObject({
      authorization_url: `${origin}/ok/authorize`, access_token_url: `${origin}/ok/token`, profile_url: `${origin}/ok/userinfo`,
      oidc_well_known_url: `${origin}/ok/.well-known/openid-configuration`, oidc_jwks_url: `${origin}/ok/jwks`, oidc_jwks: JWKS,
    });
    const yes = (await asAdmin('GET', `${BASE}?has_jwks=true&page_size=1000`)).json().results.map((x: any) => x.pk);
    const no = (await asAdmin('GET', `${BASE}?has_jwks=false&page_size=1000`)).json().results.map((x: any) => x.pk);
    expect(yes).toContain(b.pk);
    expect(no).not.toContain(b.pk);
  });

  it('an explicit oidc_jwks_url is fetched into oidc_jwks', async () => {
    routes['/only-jwks'] = json(200, JWKS);
    const b = await createSource(oidcBody({ oidc_jwks_url: `${origin}/only-jwks` }));
    expect(b.oidc_jwks).toEqual(JWKS);
    const s2 = await createSource(githubBody());
    const p = await asAdmin('PATCH', `${BASE}${s2.slug}/`, { oidc_jwks_url: ` ${origin}/only-jwks ` });
    expect(p.json()).toMatchObject({ oidc_jwks_url: `${origin}/only-jwks`, oidc_jwks: JWKS });
  });

  it('fetch failures are 400 under the field and change nothing', async () => {
    routes['/broken/.well-known/openid-configuration'] = json(500, 'boom');
    routes['/partial/.well-known/openid-configuration'] = json(200, { authorization_endpoint: 'a', token_endpoint: 'b', userinfo_endpoint: 'c' });
    routes['/notjson/.well-known/openid-configuration'] = json(200, '<html>');
    routes['/badjwks/.well-known/openid-configuration'] = json(200, {
      authorization_endpoint: 'https://x/a', token_endpoint: 'https://x/t', userinfo_endpoint: 'https://x/u', jwks_uri: `${origin}/gone`,
    });
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/.well-known/openid-configuration`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ oidc_well_known_url: `${origin}/missing/.well-known/openid-configuration` }, 'oidc_well_known_url', /^404 Client Error: Not Found for url: http:\/\/127\.0\.0\.1:\d+\/missing\//],
      [{ oidc_well_known_url: `${origin}/broken/.well-known/openid-configuration` }, 'oidc_well_known_url', /^500 Server Error: /],
      [{ oidc_well_known_url: `${origin}/partial/.well-known/openid-configuration` }, 'oidc_well_known_url', /^Invalid well-known configuration: 'jwks_uri'$/],
      [{ oidc_well_known_url: `${origin}/notjson/.well-known/openid-configuration` }, 'oidc_well_known_url', /is not valid JSON/],
      [{ oidc_well_known_url: deadUrl }, 'oidc_well_known_url', /^Connection to 127\.0\.0\.1:\d+ failed/],
      [{ oidc_well_known_url: 'not a url' }, 'oidc_well_known_url', /Invalid URL/],
      [{ oidc_well_known_url: 'file:///etc/passwd' }, 'oidc_well_known_url', /No connection adapters/],
      [{ oidc_well_known_url: `${origin}/badjwks/.well-known/openid-configuration` }, 'jwks_url', /^404 Client Error/],
      [{ oidc_jwks_url: `${origin}/nothing-here` }, 'jwks_url', /^404 Client Error/],
    ];
    for (const [extra, field, msg] of cases) {
      const body = oidcBody(extra);
      const r = await asAdmin('POST', BASE, body);
      expect(r.statusCode, JSON.stringify(extra)).toBe(400);
      const j = r.json();
      expect(Object.keys(j)).toEqual([field]);
      expect(j[field][0]).toMatch(msg);
      expect((await asAdmin('GET', `${BASE}${body.slug}/`)).statusCode).toBe(404);
    }
  });
});

describe('list', () => {
  let a: any, b: any, c: any;
  let flow: string;
  let prefix: string;
  beforeAll(async () => {
    prefix = `lst${rand()}`;
    flow = await makeFlow();
    a = await createSource(githubBody({ name: `${prefix} Alpha`, slug: `${prefix}-zz`, enabled: false, authentication_flow: flow, additional_scopes: 'x y', policy_engine_mode: 'all' }));
    b = await createSource(oidcBody({ name: `${prefix} Bravo`, slug: `${prefix}-aa`, consumer_key: `${prefix}-key`, user_matching_mode: 'email_deny', group_matching_mode: 'name_deny', enrollment_flow: flow, request_token_url: 'https://r.example/' }));
    c = await createSource(githubBody({ name: `${prefix} charlie`, slug: `${prefix}-mm` }));
  });
  const pks = (r: any) => r.json().results.map((x: any) => x.pk);
  const q = (qs: string) => asAdmin('GET', `${BASE}?search=${prefix}&${qs}`);

  it('default ordering by name; envelope', async () => {
    const r = await q('');
    expect(r.statusCode).toBe(200);
    expect(Object.keys(r.json())).toEqual(['pagination', 'results']);
    expect(r.json().pagination).toEqual({ next: 0, previous: 0, count: 3, current: 1, total_pages: 1, start_index: 1, end_index: 3 });
    expect(pks(r)).toEqual([a.pk, b.pk, c.pk]);
    expect(Object.keys(r.json().results[0])).toEqual(OAUTH_KEYS);
  });
  it('ordering: fields, descending, several, unknown ignored', async () => {
    expect(pks(await q('ordering=slug'))).toEqual([b.pk, c.pk, a.pk]);
    expect(pks(await q('ordering=-name'))).toEqual([c.pk, b.pk, a.pk]);
    expect(pks(await q('ordering=provider_type,-slug'))).toEqual([a.pk, c.pk, b.pk]);
    expect(pks(await q('ordering=nope,icon,consumer_secret'))).toEqual([a.pk, b.pk, c.pk]);
    expect((await q('ordering=-enabled,name')).statusCode).toBe(200);
  });
  it('search on name and slug, every term must match', async () => {
    expect(pks(await asAdmin('GET', `${BASE}?search=${prefix}-aa`))).toEqual([b.pk]);
    expect(pks(await asAdmin('GET', `${BASE}?search=${prefix}%20CHARLIE`))).toEqual([c.pk]);
    expect(pks(await asAdmin('GET', `${BASE}?search=${prefix},bravo`))).toEqual([b.pk]);
    expect(pks(await asAdmin('GET', `${BASE}?search=${prefix}%25`))).toEqual([]);
  });
  it('each filter', async () => {
    const cases: [string, string[]][] = [
      [`name=${encodeURIComponent(`${prefix} Alpha`)}`, [a.pk]],
      [`name=${encodeURIComponent(`${prefix} alpha`)}`, []],
      [`slug=${prefix}-mm`, [c.pk]],
      ['enabled=false', [a.pk]],
      ['enabled=true', [b.pk, c.pk]],
      ['enabled=maybe', [a.pk, b.pk, c.pk]],
      ['provider_type=openidconnect', [b.pk]],
      [`consumer_key=${prefix}-key`, [b.pk]],
      ['additional_scopes=x%20y', [a.pk]],
      [`authentication_flow=${flow}`, [a.pk]],
      [`authentication_flow=${flow.replace(/-/g, '').toUpperCase()}`, [a.pk]],
      [`enrollment_flow=${flow}`, [b.pk]],
      ['policy_engine_mode=all', [a.pk]],
      ['user_matching_mode=email_deny', [b.pk]],
      ['group_matching_mode=name_deny', [b.pk]],
      ['authorization_url=https://idp.example/authorize', [b.pk]],
      ['access_token_url=https://idp.example/token', [b.pk]],
      ['profile_url=https://idp.example/userinfo', [b.pk]],
      ['request_token_url=https://r.example/', [b.pk]],
      ['has_jwks=true', []],
      ['has_jwks=false', [a.pk, b.pk, c.pk]],
      ['unknown_param=1', [a.pk, b.pk, c.pk]],
    ];
    for (const [qs, expected] of cases) {
      const r = await q(qs);
      expect(r.statusCode, qs).toBe(200);
      expect(pks(r), qs).toEqual(expected);
    }
  });
  it('invalid filter values → 400', async () => {
    const choice = 'Select a valid choice. That choice is not one of the available choices.';
    for (const [qs, body] of [
      [`authentication_flow=${randomUUID()}`, { authentication_flow: [choice] }],
      ['enrollment_flow=abc', { enrollment_flow: [choice] }],
      ['policy_engine_mode=some', { policy_engine_mode: ['Select a valid choice. some is not one of the available choices.'] }],
      ['user_matching_mode=x', { user_matching_mode: ['Select a valid choice. x is not one of the available choices.'] }],
      ['group_matching_mode=x', { group_matching_mode: ['Select a valid choice. x is not one of the available choices.'] }],
    ] as const) {
      const r = await q(qs);
      expect(r.statusCode, qs).toBe(400);
      expect(r.json()).toEqual(body);
    }
  });
  it('pagination edges', async () => {
    const p1 = await q('page_size=2');
    expect(p1.json().pagination).toEqual({ next: 2, previous: 0, count: 3, current: 1, total_pages: 2, start_index: 1, end_index: 2 });
    const p2 = await q('page_size=2&page=2');
    expect(p2.json().pagination).toEqual({ next: 0, previous: 1, count: 3, current: 2, total_pages: 2, start_index: 3, end_index: 3 });
    expect(pks(p2)).toEqual([c.pk]);
    expect(pks(await q('page_size=2&page=last'))).toEqual([c.pk]);
    expect((await q('page_size=0')).json().pagination.total_pages).toBe(1);
    expect((await q('page_size=abc')).json().results).toHaveLength(3);
    for (const p of ['3', '0', '-1', 'x']) {
      const r = await q(`page_size=2&page=${p}`);
      expect(r.statusCode, p).toBe(404);
      expect(r.json()).toEqual({ detail: 'Invalid page.' });
    }
    const empty = await asAdmin('GET', `${BASE}?slug=does-not-exist`);
    expect(empty.json().pagination).toEqual({ next: 0, previous: 0, count: 0, current: 1, total_pages: 1, start_index: 0, end_index: 0 });
  });
  it('lists only OAuth sources', async () => {
    const saml = await t.makeSource({ kind: 'saml', slug: `${prefix}-saml` });
    expect(pks(await q(''))).not.toContain(saml.pk);
    expect((await asAdmin('GET', `${BASE}${saml.slug}/`)).statusCode).toBe(404);
  });
});

describe('source_types', () => {
  it('all provider types in registry order; ?name= filters; unknown or empty → []', async () => {
    const r = await asAdmin('GET', `${BASE}source_types/`);
    expect(r.statusCode).toBe(200);
    expect(r.json().map((x: any) => x.name)).toEqual([
      'apple', 'openidconnect', 'azuread', 'discord', 'facebook', 'github', 'gitlab', 'google', 'mailcow', 'okta',
      'patreon', 'reddit', 'twitch', 'twitter',
    ]);
    for (const x of r.json()) expect(Object.keys(x)).toEqual(TYPE_KEYS);
    const one = await asAdmin('GET', `${BASE}source_types/?name=openidconnect`);
    expect(one.json()).toEqual([{
      name: 'openidconnect', verbose_name: 'OpenID Connect', urls_customizable: true, request_token_url: null,
      authorization_url: null, access_token_url: null, profile_url: null, oidc_well_known_url: null, oidc_jwks_url: null,
    }]);
    expect((await asAdmin('GET', `${BASE}source_types/?name=nope`)).json()).toEqual([]);
    expect((await asAdmin('GET', `${BASE}source_types/?name=`)).json()).toEqual([]);
  });
  it('any authenticated user; anonymous → 403', async () => {
    const u = await userWithKey();
    expect((await api('GET', `${BASE}source_types/`, { token: u.key })).statusCode).toBe(200);
    const r = await api('GET', `${BASE}source_types/`);
    expect(r.statusCode).toBe(403);
    expect(r.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
  });
});

describe('permissions (permissions.md §5)', () => {
  let s1: any, s2: any;
  beforeAll(async () => {
    s1 = await createSource(githubBody());
    s2 = await createSource(githubBody());
  });
  const P = (verb: string) => `authentik_sources_oauth.${verb}_oauthsource`;

  it('anonymous and bad tokens → 403 everywhere, before any lookup', async () => {
    for (const [m, p] of [['GET', BASE], ['POST', BASE], ['GET', `${BASE}${s1.slug}/`], ['PUT', `${BASE}nope/`], ['PATCH', `${BASE}${s1.slug}/`],
      ['DELETE', `${BASE}${s1.slug}/`], ['GET', `${BASE}${s1.slug}/used_by/`]] as const) {
      const r = await api(m, p, { body: m === 'GET' || m === 'DELETE' ? undefined : {} });
      expect(r.statusCode, `${m} ${p}`).toBe(403);
      expect(r.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
      const r2 = await api(m, p, { token: 'bogus', body: m === 'GET' || m === 'DELETE' ? undefined : {} });
      expect(r2.statusCode).toBe(403);
      expect(r2.json()).toEqual({ detail: 'Token invalid/expired' });
    }
  });

  it('no view permission at all → 403 on list, detail, writes (not an empty list); create needs add', async () => {
    const u = await userWithKey();
    for (const [m, p, body] of [['GET', BASE, undefined], ['GET', `${BASE}${s1.slug}/`, undefined], ['GET', `${BASE}nope/`, undefined],
      ['PATCH', `${BASE}${s1.slug}/`, { name: 'x' }], ['PUT', `${BASE}${s1.slug}/`, githubBody()], ['DELETE', `${BASE}${s1.slug}/`, undefined],
      ['POST', BASE, githubBody()], ['POST', BASE, {}]] as const) {
      const r = await api(m, p, { token: u.key, body });
      expect(r.statusCode, `${m} ${p}`).toBe(403);
      expect(r.json()).toEqual(DENIED);
    }
    expect((await asAdmin('GET', `${BASE}${s1.slug}/`)).json().name).toBe(s1.name);
  });

  it('per-object view: only that object listed; others 404; visible without change/delete → 403', async () => {
    const u = await userWithKey();
    await grant(u.pk, P('view'), s1.pk.toUpperCase());
    await grant(u.pk, P('view'), 'not-a-uuid');
    const l = await api('GET', `${BASE}?page_size=1000`, { token: u.key });
    expect(l.statusCode).toBe(200);
    expect(l.json().results.map((x: any) => x.pk)).toEqual([s1.pk]);
    expect((await api('GET', `${BASE}${s1.slug}/`, { token: u.key })).statusCode).toBe(200);
    for (const [m, body] of [['GET', undefined], ['PATCH', { name: 'x' }], ['DELETE', undefined]] as const) {
      const r = await api(m, `${BASE}${s2.slug}/`, { token: u.key, body });
      expect(r.statusCode, m).toBe(404);
    }
    const p = await api('PATCH', `${BASE}${s1.slug}/`, { token: u.key, body: { name: 'nope', slug: 'bad slug' } });
    expect(p.statusCode).toBe(403);
    expect(p.json()).toEqual(DENIED);
    expect((await api('DELETE', `${BASE}${s1.slug}/`, { token: u.key })).statusCode).toBe(403);
    // object change grant → PATCH allowed on that object
    await grant(u.pk, P('change'), s1.pk);
    const ok = await api('PATCH', `${BASE}${s1.slug}/`, { token: u.key, body: { name: `${s1.name}!` } });
    expect(ok.statusCode, ok.body).toBe(200);
    await api('PATCH', `${BASE}${s1.slug}/`, { token: adminKey, body: { name: s1.name } });
  });

  it('global view through a role (group → role); global delete; add for create', async () => {
    const u = await userWithKey();
    const role = randomUUID();
    const group = randomUUID();
    await t.t.db.insertInto('role').values({ role_uuid: role, name: `r-${rand()}` }).execute();
    await t.t.db.insertInto('group').values({ group_uuid: group, name: `g-${rand()}`, is_superuser: false, parent_uuid: null, attributes: '{}' }).execute();
    await t.t.db.insertInto('group_role').values({ group_uuid: group, role_uuid: role }).execute();
    await t.t.db.insertInto('user_group').values({ user_id: u.pk, group_uuid: group }).execute();
    await t.t.db.insertInto('permission_grant').values({ user_id: null, role_uuid: role, codename: P('view'), object_pk: null }).execute();
    const l = await api('GET', `${BASE}?page_size=1000`, { token: u.key });
    expect(l.json().results.map((x: any) => x.pk)).toEqual(expect.arrayContaining([s1.pk, s2.pk]));
    await grant(u.pk, P('add'));
    const created = await api('POST', BASE, { token: u.key, body: githubBody() });
    expect(created.statusCode, created.body).toBe(201);
    expect((await api('DELETE', `${BASE}${created.json().slug}/`, { token: u.key })).statusCode).toBe(403);
    await grant(u.pk, P('delete'));
    expect((await api('DELETE', `${BASE}${created.json().slug}/`, { token: u.key })).statusCode).toBe(204);
  });

  it('an internal service account without grants gets an empty list (200) and 404 on detail routes', async () => {
    const u = await userWithKey();
    await t.t.db.updateTable('user').set({ type: 'internal_service_account' }).where('id', '=', u.pk).execute();
    const l = await api('GET', BASE, { token: u.key });
    expect(l.statusCode).toBe(200);
    expect(l.json().pagination.count).toBe(0);
    expect((await api('GET', `${BASE}${s1.slug}/`, { token: u.key })).statusCode).toBe(404);
    expect((await api('PATCH', `${BASE}${s1.slug}/`, { token: u.key, body: {} })).statusCode).toBe(404);
  });

  it('grants for other models do not count', async () => {
    const u = await userWithKey();
    await grant(u.pk, 'authentik_core.view_source');
    await grant(u.pk, 'authentik_sources_saml.view_samlsource');
    expect((await api('GET', BASE, { token: u.key })).statusCode).toBe(403);
  });
});

describe('used_by (spec §7)', () => {
  it('lists mappings, users and connections; any authenticated user; only objects the caller may view', async () => {
    const gm = await makeMapping(`B-group-${rand()}`);
    const um = await makeMapping(`A-user-${rand()}`);
    const s = await createSource(githubBody({ user_property_mappings: [um], group_property_mappings: [gm] }));
    const u1 = await t.makeUser();
    const u2 = await t.makeUser();
    const c1 = await t.makeConnection(u1.pk, s.pk);
    const c2 = await t.makeConnection(u2.pk, s.pk);
    const gmName = (await t.t.db.selectFrom('property_mapping').select('name').where('pm_uuid', '=', gm).executeTakeFirstOrThrow()).name;
    const umName = (await t.t.db.selectFrom('property_mapping').select('name').where('pm_uuid', '=', um).executeTakeFirstOrThrow()).name;
    const all = [
      { app: 'authentik_core', model_name: 'propertymapping', pk: gm, name: `Property Mapping ${gmName}`, action: 'cascade_many' },
      { app: 'authentik_core', model_name: 'propertymapping', pk: um, name: `Property Mapping ${umName}`, action: 'cascade_many' },
      { app: 'authentik_core', model_name: 'user', pk: String(u1.pk), name: u1.username, action: 'cascade_many' },
      { app: 'authentik_core', model_name: 'user', pk: String(u2.pk), name: u2.username, action: 'cascade_many' },
      { app: 'authentik_core', model_name: 'usersourceconnection', pk: String(c1), name: `User-source connection (user=${u1.pk}, source=${s.pk})`, action: 'cascade' },
      { app: 'authentik_core', model_name: 'usersourceconnection', pk: String(c2), name: `User-source connection (user=${u2.pk}, source=${s.pk})`, action: 'cascade' },
    ];
    const r = await asAdmin('GET', `${BASE}${s.slug}/used_by/`);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual(all);
    // A user without any permission (not even view on the source) gets 200 and an empty list.
    const nobody = await userWithKey();
    const r2 = await api('GET', `${BASE}${s.slug}/used_by/`, { token: nobody.key });
    expect(r2.statusCode).toBe(200);
    expect(r2.json()).toEqual([]);
    // Global view on mappings, one user, one connection by object grant.
    await grant(nobody.pk, 'authentik_core.view_propertymapping');
    await grant(nobody.pk, 'authentik_core.view_user', String(u2.pk));
    await grant(nobody.pk, 'authentik_core.view_usersourceconnection', String(c1));
    await grant(nobody.pk, 'authentik_core.view_usersourceconnection', 'garbage');
    const r3 = await api('GET', `${BASE}${s.slug}/used_by/`, { token: nobody.key });
    expect(r3.json()).toEqual([all[0], all[1], all[3], all[4]]);
  });
});

describe('secrets', () => {
  it('the consumer secret never appears in any response or event row', async () => {
    expect(bodies.length).toBeGreaterThan(50);
    for (const b of bodies) expect(b).not.toContain(SECRET);
    const events = await t.t.db.selectFrom('event').selectAll().execute();
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain(SECRET);
    expect(JSON.stringify(events)).not.toContain('consumer_secret');
  });
});
