/**
 * `/api/v3/sources/all/` — spec §3, §7; permissions.md §5 (`authentik_core.*_source`); decisions F10, F11;
 * docs/decisions.md C8–C11. Includes a real multipart upload through authentik's generated client against a
 * listening app, fetching the icon back from `/media/`, and hostile file names and types.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Configuration, SourcesApi } from '@goauthentik/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rand } from '../helpers/factories.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const BASE = '/sources/all/';
const SOURCE_KEYS = [
  'pk', 'name', 'slug', 'enabled', 'authentication_flow', 'enrollment_flow', 'user_property_mappings', 'group_property_mappings',
  'component', 'verbose_name', 'verbose_name_plural', 'meta_model_name', 'policy_engine_mode', 'user_matching_mode', 'managed',
  'user_path_template', 'icon',
];
const NOT_FOUND = { detail: 'Not found.' };
const DENIED = { detail: 'You do not have permission to perform this action.' };
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');
const SVG = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>');

let t: TestApp;
let dataDir: string;
type U = { pk: number; key: string };
let admin: U, viewer: U, nobody: U;

async function user(superuser = false): Promise<U> {
  const u = await t.makeUser({ superuser, password: 'x' });
  return { pk: u.pk, key: await t.makeToken(u.pk) };
}
async function grant(userPk: number, codename: string, objectPk: string | null = null) {
  await t.t.db.insertInto('permission_grant').values({ user_id: userPk, role_uuid: null, codename, object_pk: objectPk }).execute();
}
async function storedIcon(pk: string) {
  return (await t.t.db.selectFrom('source').select('icon').where('pbm_uuid', '=', pk).executeTakeFirst())?.icon;
}
function iconFiles(): string[] {
  try {
    return readdirSync(path.join(dataDir, 'media', 'source-icons'));
  } catch {
    return [];
  }
}

/** A multipart/form-data body built by hand (to send what no well-behaved client would). */
function multipart(parts: { name: string; value?: string; filename?: string; type?: string; data?: Buffer }[]) {
  const boundary = `----fedlink${rand(8)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.type) head += `Content-Type: ${p.type}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), p.data ?? Buffer.from(p.value ?? ''), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { raw: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
async function upload(slug: string, token: string, parts: Parameters<typeof multipart>[0]) {
  const m = multipart(parts);
  return t.app.inject({ method: 'POST', url: `/api/v3${BASE}${slug}/set_icon/`, headers: { ...m.headers, authorization: `Bearer ${token}` }, payload: m.raw });
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'fedlink-media-'));
  t = await createTestApp({ dataDir });
  admin = await user(true);
  viewer = await user();
  nobody = await user();
  await grant(viewer.pk, 'authentik_core.view_source');
});
afterAll(async () => {
  await t?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('list and retrieve', () => {
  let oauth: { pk: string; slug: string }, saml: { pk: string; slug: string }, base: { pk: string; slug: string };
  let tag: string;
  beforeAll(async () => {
    tag = rand();
    oauth = await t.makeSource({ slug: `z-${tag}-oauth`, name: `Zed ${tag}` });
    saml = await t.makeSource({ kind: 'saml', slug: `a-${tag}-saml`, name: `Alpha ${tag}`, icon: 'https://cdn.example/i.png' });
    base = await t.makeSource({ kind: null, slug: `m-${tag}-base`, name: `Mid ${tag}`, icon: 'source-icons/x_1.png' });
    await t.makeSource({ kind: 'plex' });
    await t.makeSource({ kind: 'ldap' });
    await t.makeSource({ kind: 'kerberos' });
    await t.makeSource({ kind: 'scim' });
  });
  const slugs = async (q: string, token = admin.key) => (await t.api('GET', `${BASE}?page_size=1000&${q}`, { token })).json().results
    .map((s: any) => s.slug).filter((s: string) => s.includes(tag));

  it('every kind with its typed metadata; key order; icon URL per spec §3.1', async () => {
    const r = await t.api('GET', `${BASE}?search=${tag}`, { token: admin.key });
    expect(r.statusCode).toBe(200);
    expect(r.body).not.toContain('consumer');
    const byslug = Object.fromEntries(r.json().results.map((s: any) => [s.slug, s]));
    expect(Object.keys(byslug[oauth.slug])).toEqual(SOURCE_KEYS);
    expect(byslug[oauth.slug]).toMatchObject({
      pk: oauth.pk, component: 'ak-source-oauth-form', verbose_name: 'OAuth Source', verbose_name_plural: 'OAuth Sources',
      meta_model_name: 'authentik_sources_oauth.oauthsource', icon: null, managed: null,
    });
    expect(byslug[saml.slug]).toMatchObject({ component: 'ak-source-saml-form', meta_model_name: 'authentik_sources_saml.samlsource', icon: 'https://cdn.example/i.png' });
    expect(byslug[base.slug]).toMatchObject({ component: '', meta_model_name: 'authentik_core.source', verbose_name: 'source', icon: '/media/source-icons/x_1.png' });
    const kinds = new Set((await t.api('GET', `${BASE}?page_size=1000`, { token: admin.key })).json().results.map((s: any) => s.meta_model_name));
    for (const m of ['plexsource', 'ldapsource', 'kerberossource', 'scimsource']) expect([...kinds].some((k) => String(k).endsWith(m))).toBe(true);
  });

  it('no default ordering: creation order; ordering fields; unknown and icon ignored', async () => {
    expect(await slugs(`search=${tag}`)).toEqual([oauth.slug, saml.slug, base.slug]);
    expect(await slugs(`search=${tag}&ordering=slug`)).toEqual([saml.slug, base.slug, oauth.slug]);
    expect(await slugs(`search=${tag}&ordering=-name`)).toEqual([oauth.slug, base.slug, saml.slug]);
    expect(await slugs(`search=${tag}&ordering=icon,nope`)).toEqual([oauth.slug, saml.slug, base.slug]);
    for (const f of ['pk', 'enabled', 'managed', 'user_matching_mode', 'policy_engine_mode', 'authentication_flow', 'user_path_template']) {
      expect((await t.api('GET', `${BASE}?ordering=-${f}`, { token: admin.key })).statusCode).toBe(200);
    }
  });

  it('filters slug, name, managed (exact); search slug and name; pagination', async () => {
    expect(await slugs(`slug=${saml.slug}`)).toEqual([saml.slug]);
    expect(await slugs(`slug=${saml.slug.toUpperCase()}`)).toEqual([]);
    expect(await slugs(`name=Mid ${tag}`)).toEqual([base.slug]);
    await t.t.db.updateTable('source').set({ managed: `goauthentik.io/test/${tag}` }).where('pbm_uuid', '=', base.pk).execute();
    expect(await slugs(`managed=goauthentik.io/test/${tag}`)).toEqual([base.slug]);
    expect(await slugs(`search=ALPHA ${tag}`)).toEqual([saml.slug]);
    expect(await slugs(`search=${tag},oauth`)).toEqual([oauth.slug]);
    const p = await t.api('GET', `${BASE}?search=${tag}&page_size=2&page=2`, { token: admin.key });
    expect(p.json().pagination).toMatchObject({ count: 3, current: 2, previous: 1, next: 0, total_pages: 2, start_index: 3, end_index: 3 });
    expect((await t.api('GET', `${BASE}?page=9`, { token: admin.key })).json()).toEqual({ detail: 'Invalid page.' });
  });

  it('retrieve by slug: typed shape; 404 unknown slug', async () => {
    const r = await t.api('GET', `${BASE}${saml.slug}/`, { token: viewer.key });
    expect(r.statusCode).toBe(200);
    expect(Object.keys(r.json())).toEqual(SOURCE_KEYS);
    expect(r.json()).toMatchObject({ pk: saml.pk, component: 'ak-source-saml-form' });
    for (const s of ['nope', '%00', 'a%2Fb']) expect((await t.api('GET', `${BASE}${s}/`, { token: admin.key })).statusCode).toBe(404);
  });

  it('visibility (permissions.md §5.1): no view grant → 403; object grants → those; global → all', async () => {
    const l = await t.api('GET', BASE, { token: nobody.key });
    expect(l.statusCode).toBe(403);
    expect(l.json()).toEqual(DENIED);
    expect((await t.api('GET', `${BASE}${saml.slug}/`, { token: nobody.key })).json()).toEqual(DENIED);
    const some = await user();
    await grant(some.pk, 'authentik_core.view_source', saml.pk);
    await grant(some.pk, 'authentik_core.view_source', 'not-a-uuid');
    expect((await t.api('GET', `${BASE}?page_size=1000`, { token: some.key })).json().results.map((s: any) => s.slug)).toEqual([saml.slug]);
    expect((await t.api('GET', `${BASE}${oauth.slug}/`, { token: some.key })).json()).toEqual(NOT_FOUND);
    await grant(some.pk, 'authentik_sources_oauth.view_oauthsource'); // a typed grant does not count here
    expect((await t.api('GET', `${BASE}${oauth.slug}/`, { token: some.key })).statusCode).toBe(404);
    expect(await slugs(`search=${tag}`, viewer.key)).toEqual([oauth.slug, saml.slug, base.slug]);
    const svc = await t.makeUser();
    await t.t.db.updateTable('user').set({ type: 'internal_service_account' }).where('id', '=', svc.pk).execute();
    const svcList = await t.api('GET', BASE, { token: await t.makeToken(svc.pk) });
    expect(svcList.statusCode).toBe(200);
    expect(svcList.json().results).toEqual([]);
    expect((await t.api('GET', BASE, {})).json()).toEqual({ detail: 'Authentication credentials were not provided.' });
    expect((await t.api('POST', BASE, { token: admin.key, body: {} })).statusCode).toBe(405);
    expect((await t.api('PATCH', `${BASE}${saml.slug}/`, { token: admin.key, body: {} })).statusCode).toBe(405);
  });
});

describe('destroy', () => {
  it('needs visibility, then delete_source (global or on the object); cascades; event for the concrete model', async () => {
    const s = await t.makeSource({ slug: `del-${rand()}` });
    const u1 = await t.makeUser();
    const conn = await t.makeConnection(u1.pk, s.pk, { kind: 'oauth' });
    const g = (await t.t.db.insertInto('group').values({ group_uuid: randomUUID(), name: `g-${rand()}`, is_superuser: false, parent_uuid: null, attributes: '{}' }).returning('group_uuid').executeTakeFirstOrThrow()).group_uuid;
    const gc = (await t.api('POST', '/sources/group_connections/oauth/', { token: admin.key, body: { group: g, source: s.pk, identifier: 'grp' } })).json().pk;
    const other = await t.makeSource();
    const keep = await t.makeConnection(u1.pk, other.pk, { kind: 'oauth' });

    expect((await t.api('DELETE', `${BASE}${s.slug}/`, { token: nobody.key })).json()).toEqual(DENIED);
    expect((await t.api('DELETE', `${BASE}${s.slug}/`, { token: viewer.key })).json()).toEqual(DENIED);
    const objectOnly = await user();
    await grant(objectOnly.pk, 'authentik_core.view_source', other.pk);
    await grant(objectOnly.pk, 'authentik_core.delete_source', s.pk);
    expect((await t.api('DELETE', `${BASE}${s.slug}/`, { token: objectOnly.key })).json()).toEqual(NOT_FOUND); // not visible to them
    const deleter = await user();
    await grant(deleter.pk, 'authentik_core.view_source', s.pk);
    await grant(deleter.pk, 'authentik_core.delete_source', s.pk);
    expect((await t.api('DELETE', `${BASE}${other.slug}/`, { token: deleter.key })).statusCode).toBe(404);
    const r = await t.api('DELETE', `${BASE}${s.slug}/`, { token: deleter.key });
    expect(r.statusCode).toBe(204);
    expect(r.body).toBe('');
    expect(await t.t.db.selectFrom('source').select('pbm_uuid').where('pbm_uuid', '=', s.pk).executeTakeFirst()).toBeUndefined();
    expect(await t.t.db.selectFrom('oauth_source').select('source_id').where('source_id', '=', s.pk).executeTakeFirst()).toBeUndefined();
    expect(await t.t.db.selectFrom('user_source_connection').select('id').where('id', '=', conn).executeTakeFirst()).toBeUndefined();
    expect(await t.t.db.selectFrom('user_oauth_source_connection').select('id').where('id', '=', conn).executeTakeFirst()).toBeUndefined();
    expect(await t.t.db.selectFrom('group_source_connection').select('id').where('id', '=', gc).executeTakeFirst()).toBeUndefined();
    expect(await t.t.db.selectFrom('user_source_connection').select('id').where('id', '=', keep).executeTakeFirst()).toBeDefined();
    expect(await t.t.db.selectFrom('user').select('id').where('id', '=', u1.pk).executeTakeFirst()).toBeDefined();
    expect(await t.t.db.selectFrom('group').select('group_uuid').where('group_uuid', '=', g).executeTakeFirst()).toBeDefined();
    const ev = await t.t.db.selectFrom('event').selectAll().where('action', '=', 'model_deleted').execute();
    expect(ev.map((e) => (e.context as any).model)).toContainEqual({ app: 'authentik_sources_oauth', model_name: 'oauthsource', pk: s.pk, name: `Source ${s.slug}` });
    expect((await t.api('DELETE', `${BASE}${s.slug}/`, { token: admin.key })).statusCode).toBe(404);
    const b = await t.makeSource({ kind: null });
    expect((await t.api('DELETE', `${BASE}${b.slug}/`, { token: admin.key })).statusCode).toBe(204);
  });
});

describe('used_by (spec §7)', () => {
  it('relations in attribute order incl. group connections; any authenticated caller; only what the caller may view', async () => {
    const s = await t.makeSource({ slug: `ub-${rand()}` });
    const pm = randomUUID();
    await t.t.db.insertInto('property_mapping').values({ pm_uuid: pm, name: `pm-${rand()}`, managed: null, kind: 'oauth' }).execute();
    await t.t.db.insertInto('source_group_property_mapping').values({ source_id: s.pk, property_mapping_id: pm }).execute();
    await t.t.db.insertInto('source_user_property_mapping').values({ source_id: s.pk, property_mapping_id: pm }).execute();
    const u = await t.makeUser();
    const conn = await t.makeConnection(u.pk, s.pk, { kind: 'oauth' });
    const g = randomUUID();
    await t.t.db.insertInto('group').values({ group_uuid: g, name: `g-${rand()}`, is_superuser: false, parent_uuid: null, attributes: '{}' }).execute();
    const gc = (await t.api('POST', '/sources/group_connections/oauth/', { token: admin.key, body: { group: g, source: s.pk, identifier: 'ext' } })).json().pk;
    const pmName = (await t.t.db.selectFrom('property_mapping').select('name').where('pm_uuid', '=', pm).executeTakeFirstOrThrow()).name;
    const r = await t.api('GET', `${BASE}${s.slug}/used_by/`, { token: admin.key });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual([
      { app: 'authentik_core', model_name: 'propertymapping', pk: pm, name: `Property Mapping ${pmName}`, action: 'cascade_many' },
      { app: 'authentik_core', model_name: 'groupsourceconnection', pk: String(gc), name: `Group-source connection (group=${g}, source=${s.pk})`, action: 'cascade' },
      { app: 'authentik_core', model_name: 'propertymapping', pk: pm, name: `Property Mapping ${pmName}`, action: 'cascade_many' },
      { app: 'authentik_core', model_name: 'user', pk: String(u.pk), name: u.username, action: 'cascade_many' },
      { app: 'authentik_core', model_name: 'usersourceconnection', pk: String(conn), name: `User-source connection (user=${u.pk}, source=${s.pk})`, action: 'cascade' },
    ]);
    // no view grants at all: still 200, nothing listed; an object grant on the group connection shows it
    expect((await t.api('GET', `${BASE}${s.slug}/used_by/`, { token: nobody.key })).json()).toEqual([]);
    const some = await user();
    await grant(some.pk, 'authentik_core.view_groupsourceconnection', String(gc));
    expect((await t.api('GET', `${BASE}${s.slug}/used_by/`, { token: some.key })).json().map((e: any) => e.model_name)).toEqual(['groupsourceconnection']);
    expect((await t.api('GET', `${BASE}nope-${rand()}/used_by/`, { token: admin.key })).json()).toEqual(NOT_FOUND);
    expect((await t.api('GET', `${BASE}${s.slug}/used_by/`, {})).statusCode).toBe(403);
  });
});

describe('types and user_settings', () => {
  it('types: TypeCreate list sorted by name, OAuth flavours included, any authenticated caller', async () => {
    const r = await t.api('GET', `${BASE}types/`, { token: nobody.key });
    expect(r.statusCode).toBe(200);
    const list = r.json();
    expect(list.map((x: any) => x.name)).toEqual([...list.map((x: any) => x.name)].sort());
    expect(Object.keys(list[0])).toEqual(['name', 'description', 'component', 'model_name', 'icon_url', 'requires_enterprise']);
    const byModel = Object.fromEntries(list.map((x: any) => [x.model_name, x]));
    expect(byModel.githuboauthsource).toEqual({
      name: 'GitHub OAuth Source', description: 'Social Login using GitHub.com or a GitHub-Enterprise Instance.', component: 'ak-source-oauth-form',
      model_name: 'githuboauthsource', icon_url: '/static/authentik/sources/github.svg', requires_enterprise: false,
    });
    for (const m of ['samlsource', 'plexsource', 'ldapsource', 'kerberossource', 'scimsource', 'openidconnectoauthsource', 'azureadoauthsource']) {
      expect(byModel[m], m).toBeDefined();
    }
    expect(byModel.oauthsource).toBeUndefined();
    expect(list.filter((x: any) => x.component === 'ak-source-oauth-form')).toHaveLength(14);
    expect((await t.api('GET', `${BASE}types/`, {})).statusCode).toBe(403);
  });

  it('user_settings: enabled OAuth/SAML/Plex sources ordered by name, for any authenticated caller', async () => {
    const tag = rand();
    const o = await t.makeSource({ slug: `us-o-${tag}`, name: `B ${tag}` });
    const s = await t.makeSource({ kind: 'saml', slug: `us-s-${tag}`, name: `A ${tag}`, icon: 'source-icons/a_1.png' });
    const p = await t.makeSource({ kind: 'plex', slug: `us-p-${tag}`, name: `C ${tag}` });
    const off = await t.makeSource({ slug: `us-off-${tag}`, name: `D ${tag}` });
    await t.t.db.updateTable('source').set({ enabled: false }).where('pbm_uuid', '=', off.pk).execute();
    await t.makeSource({ kind: 'ldap', slug: `us-l-${tag}`, name: `E ${tag}` });
    await t.makeSource({ kind: 'kerberos', slug: `us-k-${tag}`, name: `F ${tag}` });
    const r = await t.api('GET', `${BASE}user_settings/`, { token: nobody.key });
    expect(r.statusCode).toBe(200);
    const mine = r.json().filter((x: any) => x.object_uid.endsWith(tag));
    expect(mine).toEqual([
      { object_uid: s.slug, component: 'ak-user-settings-source-saml', title: `A ${tag}`, configure_url: `/source/saml/${s.slug}/`, icon_url: '/media/source-icons/a_1.png' },
      { object_uid: o.slug, component: 'ak-user-settings-source-oauth', title: `B ${tag}`, configure_url: `/source/oauth/login/${o.slug}/`, icon_url: '/static/authentik/sources/openidconnect.svg' },
      { object_uid: p.slug, component: 'ak-user-settings-source-plex', title: `C ${tag}`, icon_url: '/static/authentik/sources/plex.svg' },
    ]);
    expect(Object.keys(mine[0])).toEqual(['object_uid', 'component', 'title', 'configure_url', 'icon_url']);
  });
});

describe('set_icon_url', () => {
  it('stores the URL as-is (icon field per spec §3.1); 400 empty body when url is missing; permissions', async () => {
    const s = await t.makeSource({ slug: `iu-${rand()}` });
    const url = `${BASE}${s.slug}/set_icon_url/`;
    const ok = await t.api('POST', url, { token: admin.key, body: { url: 'https://cdn.example/logo.svg' } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({});
    expect((await t.api('GET', `${BASE}${s.slug}/`, { token: admin.key })).json().icon).toBe('https://cdn.example/logo.svg');
    await t.api('POST', url, { token: admin.key, body: { url: '/static/dist/x.png' } });
    expect((await t.api('GET', `${BASE}${s.slug}/`, { token: admin.key })).json().icon).toBe('/static/dist/x.png');
    await t.api('POST', url, { token: admin.key, body: { url: 'custom/path.png' } });
    expect((await t.api('GET', `${BASE}${s.slug}/`, { token: admin.key })).json().icon).toBe('/media/custom/path.png');
    await t.api('POST', url, { token: admin.key, body: { url: '' } });
    expect((await t.api('GET', `${BASE}${s.slug}/`, { token: admin.key })).json().icon).toBeNull();
    // the nested base source of a connection shows it too
    await t.api('POST', url, { token: admin.key, body: { url: 'https://cdn.example/n.png' } });
    const c = await t.makeConnection(admin.pk, s.pk, { kind: 'oauth' });
    expect((await t.api('GET', `/sources/user_connections/all/${c}/`, { token: admin.key })).json().source.icon).toBe('https://cdn.example/n.png');

    for (const body of [{}, { url: null }, { url: 5 }, { uri: 'x' }, [], 'x']) {
      const r = await t.api('POST', url, { token: admin.key, body });
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.body, JSON.stringify(body)).toBe('');
    }
    expect((await t.api('POST', url, { token: admin.key })).statusCode).toBe(400);
    expect((await t.api('POST', url, { token: admin.key, body: { url: 'x'.repeat(501) } })).json()).toEqual({ url: ['Ensure this field has no more than 500 characters.'] });
    expect((await t.api('POST', url, { token: admin.key, body: { url: 'a\u0000' } })).json()).toEqual({ url: ['Null characters are not allowed.'] });
    expect((await t.api('POST', url, { token: admin.key, raw: '{"url":', headers: { 'content-type': 'application/json' } })).statusCode).toBe(400);
    expect(await storedIcon(s.pk)).toBe('https://cdn.example/n.png');

    // permissions: 404 unknown slug (before the body), 403 without change_source, object grant suffices
    expect((await t.api('POST', `${BASE}nope-${rand()}/set_icon_url/`, { token: nobody.key, body: [] })).json()).toEqual(NOT_FOUND);
    for (const who of [nobody, viewer]) {
      const r = await t.api('POST', url, { token: who.key, body: { url: 'https://evil.example/x.png' } });
      expect(r.statusCode).toBe(403);
      expect(r.json()).toEqual(DENIED);
    }
    const changer = await user();
    await grant(changer.pk, 'authentik_core.change_source', s.pk);
    expect((await t.api('POST', url, { token: changer.key, body: { url: 'https://cdn.example/ok.png' } })).statusCode).toBe(200);
    expect((await t.api('POST', `${BASE}${(await t.makeSource()).slug}/set_icon_url/`, { token: changer.key, body: { url: 'x' } })).statusCode).toBe(403);
    expect((await t.api('POST', url, { body: { url: 'x' } })).statusCode).toBe(403);
    const ev = await t.t.db.selectFrom('event').selectAll().where('action', '=', 'model_updated').execute();
    expect(ev.filter((e) => (e.context as any).model.pk === s.pk).length).toBeGreaterThanOrEqual(5);
  });
});

describe('set_icon (multipart) and /media/', () => {
  let s: { pk: string; slug: string };
  beforeAll(async () => {
    s = await t.makeSource({ slug: `icon-${rand()}` });
  });

  it('authentik\'s generated client uploads over real HTTP; the icon is served back with safe headers', async () => {
    // Listening does not stop app.inject; t.close() closes the server.
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const api = new SourcesApi(new Configuration({ basePath: `${address}/api/v3`, accessToken: async () => admin.key }));
    await api.sourcesAllSetIconCreate({ slug: s.slug, file: new File([PNG], 'logo.PNG', { type: 'image/png' }) });
    const src = await api.sourcesAllRetrieve({ slug: s.slug });
    expect(src.icon).toMatch(new RegExp(`^/media/source-icons/${s.slug}_[0-9a-f]{16}\\.png$`));
    const got = await fetch(`${address}${src.icon}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await got.arrayBuffer())).toEqual(PNG);
    // a Blob without a name ("blob") is stored by its content
    await api.sourcesAllSetIconCreate({ slug: s.slug, file: new Blob([GIF]) });
    expect((await api.sourcesAllRetrieve({ slug: s.slug })).icon).toMatch(/\.gif$/);
    await api.sourcesAllSetIconCreate({ slug: s.slug, clear: true });
    expect((await api.sourcesAllRetrieve({ slug: s.slug })).icon).toBeNull();
    await api.sourcesAllSetIconUrlCreate({ slug: s.slug, filePathRequest: { url: 'https://cdn.example/c.png' } });
    expect((await api.sourcesAllRetrieve({ slug: s.slug })).icon).toBe('https://cdn.example/c.png');
    expect((await api.sourcesAllTypesList()).length).toBe(19);
    expect(Array.isArray(await api.sourcesAllUserSettingsList())).toBe(true);
    expect((await api.sourcesAllUsedByList({ slug: s.slug }))).toEqual([]);
    const listed = await api.sourcesAllList({ slug: s.slug });
    expect(listed.results.map((x) => x.pk)).toEqual([s.pk]);
  });

  it('SVG: stored, served as image/svg+xml with a CSP that blocks its scripts', async () => {
    const r = await upload(s.slug, admin.key, [{ name: 'file', filename: 'logo.svg', type: 'image/svg+xml', data: SVG }]);
    expect(r.statusCode, r.body).toBe(200);
    const icon = (await t.api('GET', `${BASE}${s.slug}/`, { token: admin.key })).json().icon as string;
    const got = await t.app.inject({ method: 'GET', url: icon });
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('image/svg+xml');
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(String(got.headers['content-security-policy'])).toContain("default-src 'none'");
    expect(String(got.headers['content-security-policy'])).toContain('sandbox');
    expect(got.rawPayload).toEqual(SVG);
  });

  it('replacing and clearing delete the old upload; clear wins over a file; "clear=false" alone → 400 empty', async () => {
    const before = iconFiles().filter((f) => f.startsWith(`${s.slug}_`));
    expect(before).toHaveLength(1);
    expect((await upload(s.slug, admin.key, [{ name: 'file', filename: 'a.png', data: PNG }])).statusCode).toBe(200);
    const mine = iconFiles().filter((f) => f.startsWith(`${s.slug}_`));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatch(/\.png$/);
    expect((await upload(s.slug, admin.key, [{ name: 'clear', value: 'True' }, { name: 'file', filename: 'b.png', data: PNG }])).statusCode).toBe(200);
    expect(await storedIcon(s.pk)).toBeNull();
    expect(iconFiles().filter((f) => f.startsWith(`${s.slug}_`))).toEqual([]);
    for (const parts of [[{ name: 'clear', value: 'false' }], [{ name: 'clear', value: '1' }], [{ name: 'other', value: 'x' }], [{ name: 'file', value: 'not a file' }], []]) {
      const r = await upload(s.slug, admin.key, parts);
      expect(r.statusCode, JSON.stringify(parts)).toBe(400);
      expect(r.body).toBe('');
    }
    const empty = await t.app.inject({ method: 'POST', url: `/api/v3${BASE}${s.slug}/set_icon/`, headers: { authorization: `Bearer ${admin.key}` } });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toBe('');
  });

  it('hostile names and types: never stored under the given name, non-images rejected, nothing written', async () => {
    const files = iconFiles().length;
    const rejected: Parameters<typeof multipart>[0][] = [
      [{ name: 'file', filename: 'x.html', type: 'text/html', data: Buffer.from('<html><script>alert(1)</script></html>') }],
      [{ name: 'file', filename: 'x.png', type: 'image/png', data: Buffer.from('<html><script>alert(1)</script></html>') }],
      [{ name: 'file', filename: 'x.php', type: 'image/png', data: PNG }],
      [{ name: 'file', filename: 'x.png.html', type: 'image/png', data: PNG }],
      [{ name: 'file', filename: 'x.svg', type: 'image/svg+xml', data: PNG }],
      [{ name: 'file', filename: 'x.png', type: 'text/html', data: PNG }],
      [{ name: 'file', filename: 'x.', type: 'image/png', data: PNG }],
      [{ name: 'file', filename: 'noext', data: Buffer.from('plain text') }],
      [{ name: 'file', filename: 'empty.png', type: 'image/png', data: Buffer.alloc(0) }],
    ];
    for (const parts of rejected) {
      const r = await upload(s.slug, admin.key, parts);
      expect(r.statusCode, parts[0].filename).toBe(400);
      expect(r.json()).toEqual({ file: ['Upload a valid image: png, jpg, jpeg, gif, svg, webp or ico.'] });
    }
    expect(iconFiles().length).toBe(files);
    for (const name of ['../../../etc/passwd.png', '..\\..\\x.png', '/abs/path/x.png', 'a"b.png', 'ünï cödé.png', '%2e%2e%2fx.png']) {
      const r = await upload(s.slug, admin.key, [{ name: 'file', filename: name, type: 'image/png', data: PNG }]);
      expect(r.statusCode, name).toBe(200);
      expect(await storedIcon(s.pk)).toMatch(new RegExp(`^source-icons/${s.slug}_[0-9a-f]{16}\\.png$`));
    }
    expect(readdirSync(path.join(dataDir, 'media'))).toEqual(['source-icons']);
    expect(readdirSync(dataDir)).toEqual(['media']);
  });

  it('too large → 413; malformed multipart → 400; JSON → 415; access decided before the body', async () => {
    const big = await upload(s.slug, admin.key, [{ name: 'file', filename: 'big.png', data: Buffer.concat([PNG, Buffer.alloc(t.config.bodyLimitBytes + 10)]) }]);
    expect(big.statusCode).toBe(413);
    expect(big.json()).toEqual({ detail: 'Request body is too large.' });
    const twoFiles = await upload(s.slug, admin.key, [{ name: 'file', filename: 'a.png', data: PNG }, { name: 'file', filename: 'b.png', data: PNG }]);
    expect(twoFiles.statusCode).toBe(400);
    const url = `/api/v3${BASE}${s.slug}/set_icon/`;
    for (const [ct, payload] of [
      ['multipart/form-data', 'garbage'],
      ['multipart/form-data; boundary=xyz', 'garbage without boundary'],
      ['multipart/form-data; boundary=xyz', '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n\x89PNG'],
    ] as const) {
      const r = await t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${admin.key}`, 'content-type': ct }, payload });
      expect(r.statusCode, payload).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, payload).toBeLessThan(500);
    }
    const json = await t.api('POST', `${BASE}${s.slug}/set_icon/`, { token: admin.key, body: { clear: true } });
    expect(json.statusCode).toBe(415);
    expect(json.json()).toEqual({ detail: 'Unsupported media type "application/json" in request.' });
    expect((await upload(`nope-${rand()}`, nobody.key, [{ name: 'clear', value: 'true' }])).json()).toEqual(NOT_FOUND);
    const denied = await t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${viewer.key}`, 'content-type': 'application/json' }, payload: '{' });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toEqual(DENIED);
    const anon = await t.app.inject({ method: 'POST', url, headers: { 'content-type': 'text/plain' }, payload: 'x' });
    expect(anon.statusCode).toBe(403);
  });

  it('/media/ serves only generated names: traversal and unknown names are 404', async () => {
    for (const p of ['/media/source-icons/..%2F..%2Fetc%2Fpasswd', '/media/source-icons/../../package.json', '/media/source-icons/x.html',
      '/media/source-icons/missing_0.png', '/media/source-icons/.png', '/media/secret_key', '/media/source-icons/']) {
      const r = await t.app.inject({ method: 'GET', url: p });
      expect(r.statusCode, p).toBe(404);
    }
  });

  it('deleting a source deletes its uploaded icon unless another source uses the same file', async () => {
    const a = await t.makeSource({ slug: `da-${rand()}` });
    const b = await t.makeSource({ slug: `db-${rand()}` });
    expect((await upload(a.slug, admin.key, [{ name: 'file', filename: 'a.png', data: PNG }])).statusCode).toBe(200);
    const name = (await storedIcon(a.pk))!;
    await t.api('POST', `${BASE}${b.slug}/set_icon_url/`, { token: admin.key, body: { url: name } });
    expect((await t.api('DELETE', `${BASE}${a.slug}/`, { token: admin.key })).statusCode).toBe(204);
    expect(iconFiles()).toContain(name.split('/')[1]);
    expect((await t.api('DELETE', `${BASE}${b.slug}/`, { token: admin.key })).statusCode).toBe(204);
    expect(iconFiles()).not.toContain(name.split('/')[1]);
  });
});

describe('routing against the generated client', () => {
  it('every SourcesApi call of /sources/all/, group connections and typed user connections has a route and operation id', async () => {
    const js = readFileSync(createRequire(import.meta.url).resolve('@goauthentik/api/dist/apis/SourcesApi.js'), 'utf8');
    const calls = [...js.matchAll(/(sources(?:All|GroupConnections|UserConnections(?:Saml|Plex|Kerberos|Oauth))\w*?)Raw\([^)]*\)\s*\{[\s\S]*?path: `([^`]+)`[\s\S]*?method: '(\w+)'/g)]
      .map(([, name, p, method]) => ({ name, method: method.toLowerCase(), path: `/api/v3${p}` }));
    expect(calls.length).toBeGreaterThanOrEqual(60);
    const doc = (await t.api('GET', '/schema/', { token: admin.key })).json();
    const snake = (n: string) => n.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    for (const c of calls) {
      const op = doc.paths[c.path]?.[c.method];
      expect(op, `${c.method} ${c.path}`).toBeDefined();
      expect(op.operationId).toBe(snake(c.name));
    }
  });
});
