/**
 * `/api/v3/sources/scim/`, `/sources/scim_users/`, `/sources/scim_groups/` — spec §4.6, §8.2;
 * permissions.md §5; docs/decisions.md S9, S10. Shared Source behaviour comes from
 * test/helpers/typed-source-suite.ts (reduced shape: no flows, matching modes, policy engine mode, icon).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rand } from '../helpers/factories.js';
import { BLANK, DENIED, INVALID_PK, NOT_FOUND, REQUIRED, typedSourceSuite } from '../helpers/typed-source-suite.js';

const SCIM_KEYS = [
  'pk', 'name', 'slug', 'enabled', 'user_property_mappings', 'group_property_mappings', 'component', 'verbose_name',
  'verbose_name_plural', 'meta_model_name', 'managed', 'user_path_template', 'root_url', 'token_obj',
];
const TOKEN_KEYS = ['pk', 'managed', 'identifier', 'intent', 'user', 'user_obj', 'description', 'expires', 'expiring'];
const USER_KEYS = ['pk', 'username', 'name', 'is_active', 'last_login', 'is_superuser', 'groups', 'groups_obj', 'email', 'avatar',
  'attributes', 'uid', 'path', 'type', 'uuid'];

const ctx = typedSourceSuite({
  path: 'scim', app: 'authentik_sources_scim', model: 'scimsource', full: false,
  meta: { component: 'ak-source-scim-form', verbose_name: 'SCIM Source', verbose_name_plural: 'SCIM Sources', meta_model_name: 'authentik_sources_scim.scimsource' },
  keys: SCIM_KEYS,
  async body(_c, extra = {}) {
    return { name: `SCIM ${rand()}`, slug: `scim-${rand()}`, ...extra };
  },
  requiredErrors: { name: [REQUIRED], slug: [REQUIRED] },
});

async function tokenKey(identifier: string) {
  const row = await ctx.t.t.db.selectFrom('token').select('key_encrypted').where('identifier', '=', identifier).executeTakeFirstOrThrow();
  return ctx.t.secrets.decrypt(row.key_encrypted);
}

describe('SCIM source', () => {
  it('create provisions a service account and a non-expiring API token; root_url; token_obj without key', async () => {
    const r = await ctx.api('POST', ctx.base, { token: ctx.adminKey, headers: { host: 'auth.example.org' }, body: { name: 'Dir', slug: `scim-${rand()}`, authentication_flow: randomUUID() } });
    expect(r.statusCode, r.body).toBe(201);
    const s = r.json();
    const identifier = `ak-source-scim-${s.pk}`;
    expect(s.root_url).toBe(`http://auth.example.org/source/scim/${s.slug}/v2`);
    expect(Object.keys(s.token_obj)).toEqual(TOKEN_KEYS);
    expect(s.token_obj).toMatchObject({ managed: `goauthentik.io/sources/scim/${s.pk}`, identifier, intent: 'api', description: '', expires: null, expiring: false });
    expect(Object.keys(s.token_obj.user_obj)).toEqual(USER_KEYS);
    expect(s.token_obj.user_obj).toMatchObject({
      pk: s.token_obj.user, username: identifier, name: 'SCIM Source Dir Service-Account', is_active: true, is_superuser: false,
      groups: [], groups_obj: [], path: 'goauthentik.io/sources/scim', type: 'service_account',
    });
    const key = await tokenKey(identifier);
    expect(r.body).not.toContain(key);
    // The token authenticates (it has no permissions, so 403 "permission", not "Token invalid").
    expect((await ctx.api('GET', ctx.base, { token: key })).json()).toEqual(DENIED);
    const ev = await ctx.t.t.db.selectFrom('event').select(['action', 'context']).execute();
    const models = ev.filter((e) => e.action === 'model_created').map((e) => (e.context as any).model);
    expect(models).toContainEqual({ app: 'authentik_core', model_name: 'user', pk: s.token_obj.user, name: identifier });
    expect(models).toContainEqual({ app: 'authentik_core', model_name: 'token', pk: s.token_obj.pk.replace(/-/g, ''), name: identifier });
    expect(JSON.stringify(ev)).not.toContain(key);
    // A token deleted elsewhere leaves token_obj null.
    await ctx.t.t.db.deleteFrom('token').where('identifier', '=', identifier).execute();
    expect((await ctx.asAdmin('GET', `${ctx.base}${s.slug}/`)).json().token_obj).toBeNull();
  });

  it('delete removes the service account and its token', async () => {
    const s = await ctx.create({ name: 'D', slug: `scim-${rand()}` });
    const identifier = `ak-source-scim-${s.pk}`;
    expect((await ctx.asAdmin('DELETE', `${ctx.base}${s.slug}/`)).statusCode).toBe(204);
    expect(await ctx.t.t.db.selectFrom('user').select('id').where('username', '=', identifier).executeTakeFirst()).toBeUndefined();
    expect(await ctx.t.t.db.selectFrom('token').select('token_uuid').where('identifier', '=', identifier).executeTakeFirst()).toBeUndefined();
    const ev = (await ctx.t.t.db.selectFrom('event').select(['action', 'context']).where('action', '=', 'model_deleted').execute()).map((e) => (e.context as any).model);
    expect(ev).toContainEqual({ app: 'authentik_core', model_name: 'user', pk: s.token_obj.user, name: identifier });
  });
});

describe('scim_users and scim_groups', () => {
  it('users: CRUD by string id, shapes, validation, filters, search, ordering, used_by, events', async () => {
    const src = await ctx.create({ name: 'Src', slug: `scim-${rand()}` });
    const other = await ctx.create({ name: 'Other', slug: `scim-${rand()}` });
    const u1 = await ctx.t.makeUser({ username: `alice-${rand()}` });
    const u2 = await ctx.t.makeUser({ username: `bob-${rand()}` });
    const base = '/sources/scim_users/';
    const c = await ctx.asAdmin('POST', base, { id: ' scim-1 ', user: String(u2.pk), source: src.pk.toUpperCase(), attributes: { userName: 'bob' } });
    expect(c.statusCode, c.body).toBe(201);
    const id1 = 'scim-1';
    expect(Object.keys(c.json())).toEqual(['id', 'user', 'user_obj', 'source', 'attributes']);
    expect(c.json()).toMatchObject({ id: id1, user: u2.pk, source: src.pk, attributes: { userName: 'bob' } });
    expect(Object.keys(c.json().user_obj)).toEqual(['pk', 'username', 'name', 'is_active', 'last_login', 'email', 'attributes', 'uid']);
    expect(c.json().user_obj).toMatchObject({ pk: u2.pk, username: u2.username });
    const id2 = `scim-${rand()}`;
    expect((await ctx.asAdmin('POST', base, { id: id2, user: u1.pk, source: other.pk })).json()).toMatchObject({ attributes: {} });
    expect((await ctx.asAdmin('GET', `${base}${id1}/`)).json()).toEqual(c.json());
    // validation
    const unknown = randomUUID();
    await ctx.expect400('POST', base, {}, { id: [REQUIRED], user: [REQUIRED], source: [REQUIRED] });
    await ctx.expect400('POST', base, { id: ' ', user: 'x', source: 'nope' }, {
      id: [BLANK], user: ['Incorrect type. Expected pk value, received str.'], source: ['“nope” is not a valid UUID.'],
    });
    await ctx.expect400('POST', base, { id: id1, user: 999999999999, source: unknown }, {
      id: ['scim source user with this id already exists.'], user: [INVALID_PK('999999999999')], source: [INVALID_PK(unknown)],
    });
    const samlish = await ctx.t.makeSource({ kind: 'saml' });
    await ctx.expect400('POST', base, { id: 'x', user: u1.pk, source: samlish.pk, attributes: { a: '\u0000' } }, {
      source: [INVALID_PK(samlish.pk)], attributes: ['Null characters are not allowed.'],
    });
    // list: default ordering by username, filters, search
    const pks = async (qs: string) => (await ctx.asAdmin('GET', `${base}?${qs}`)).json().results.map((x: any) => x.id);
    expect(await pks('')).toEqual([id2, id1]);
    expect(await pks('ordering=-id')).toEqual([id2, id1].sort().reverse());
    expect(await pks(`source__slug=${src.slug}`)).toEqual([id1]);
    expect(await pks(`user__id=${u1.pk}`)).toEqual([id2]);
    expect(await pks(`user__username=${u2.username}`)).toEqual([id1]);
    expect(await pks(`search=${other.slug}`)).toEqual([id2]);
    expect(await pks('search=bob-')).toEqual([id1]);
    // update: PATCH renames the id, PUT needs every required field
    const p = await ctx.asAdmin('PATCH', `${base}${id1}/`, { id: 'scim-1b', attributes: null });
    expect(p.statusCode, p.body).toBe(200);
    expect(p.json()).toMatchObject({ id: 'scim-1b', attributes: null });
    expect((await ctx.asAdmin('GET', `${base}${id1}/`)).statusCode).toBe(404);
    expect((await ctx.asAdmin('PUT', `${base}scim-1b/`, { id: 'scim-1b' })).json()).toEqual({ user: [REQUIRED], source: [REQUIRED] });
    expect((await ctx.asAdmin('PATCH', `${base}scim-1b/`, { id: id2 })).json()).toEqual({ id: ['scim source user with this id already exists.'] });
    const put = await ctx.asAdmin('PUT', `${base}scim-1b/`, { id: 'scim-1b', user: u1.pk, source: other.pk, attributes: [1] });
    expect(put.json()).toMatchObject({ user: u1.pk, source: other.pk, attributes: [1] });
    // used_by: [] for any authenticated user; the source's used_by lists it
    const nobody = await ctx.userWithKey();
    expect((await ctx.api('GET', `${base}scim-1b/used_by/`, { token: nobody.key })).json()).toEqual([]);
    expect((await ctx.asAdmin('GET', `${base}nope/used_by/`)).json()).toEqual(NOT_FOUND);
    const sourceUsedBy = (await ctx.asAdmin('GET', `${ctx.base}${other.slug}/used_by/`)).json();
    // ordered by id (id2 is random, so the expected order is computed)
    expect(sourceUsedBy.filter((x: any) => x.model_name === 'scimsourceuser').map((x: any) => [x.pk, x.action])).toEqual(['scim-1b', id2].sort().map((id) => [id, 'cascade']));
    // delete
    expect((await ctx.asAdmin('DELETE', `${base}scim-1b/`)).statusCode).toBe(204);
    expect((await ctx.asAdmin('GET', `${base}scim-1b/`)).json()).toEqual(NOT_FOUND);
    const actions = (await ctx.t.t.db.selectFrom('event').select(['action', 'context']).execute())
      .filter((e) => (e.context as any).model?.model_name === 'scimsourceuser').map((e) => e.action);
    expect(actions).toEqual(['model_created', 'model_created', 'model_updated', 'model_updated', 'model_deleted']);
    // deleting the source cascades its objects
    await ctx.asAdmin('DELETE', `${ctx.base}${other.slug}/`);
    expect(await pks('')).toEqual([]);
  });

  it('groups: CRUD, group_obj, filters; permissions on both endpoints', async () => {
    const src = await ctx.create({ name: 'Src', slug: `scim-${rand()}` });
    const g = await ctx.makeGroup();
    const base = '/sources/scim_groups/';
    const c = await ctx.asAdmin('POST', base, { id: 'grp-1', group: g, source: src.pk });
    expect(c.statusCode, c.body).toBe(201);
    expect(Object.keys(c.json())).toEqual(['id', 'group', 'group_obj', 'source', 'attributes']);
    expect(Object.keys(c.json().group_obj)).toEqual(['pk', 'num_pk', 'name', 'is_superuser', 'parent', 'parent_name', 'attributes']);
    expect(c.json().group_obj).toMatchObject({ pk: g, is_superuser: false, parent: null, parent_name: null });
    const unknown = randomUUID();
    await ctx.expect400('POST', base, { id: 'grp-2', group: unknown, source: src.pk }, { group: [INVALID_PK(unknown)] });
    const ids = async (qs: string, token = ctx.adminKey) => (await ctx.api('GET', `${base}?${qs}`, { token })).json().results?.map((x: any) => x.id);
    expect(await ids(`group__group_uuid=${g}`)).toEqual(['grp-1']);
    expect(await ids(`group__name=${c.json().group_obj.name}`)).toEqual(['grp-1']);
    expect(await ids(`group__group_uuid=${unknown}`)).toEqual([]);
    expect(await ids(`source__slug=${src.slug}`)).toEqual(['grp-1']);
    await ctx.asAdmin('POST', base, { id: 'grp-3', group: g, source: src.pk });
    // permissions: no grant 403; object grant → only that object; visible without change 403; add
    const u = await ctx.userWithKey();
    const r = await ctx.api('GET', base, { token: u.key });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toEqual(DENIED);
    expect((await ctx.api('POST', base, { token: u.key, body: {} })).json()).toEqual(DENIED);
    await ctx.grant(u.pk, 'authentik_sources_scim.view_scimsourcegroup', 'grp-1');
    expect(await ids('', u.key)).toEqual(['grp-1']);
    expect((await ctx.api('GET', `${base}grp-3/`, { token: u.key })).statusCode).toBe(404);
    expect((await ctx.api('PATCH', `${base}grp-1/`, { token: u.key, body: { id: '' } })).json()).toEqual(DENIED);
    expect((await ctx.api('DELETE', `${base}grp-1/`, { token: u.key })).statusCode).toBe(403);
    await ctx.grant(u.pk, 'authentik_sources_scim.change_scimsourcegroup', 'grp-1');
    expect((await ctx.api('PATCH', `${base}grp-1/`, { token: u.key, body: { attributes: { x: 1 } } })).json()).toMatchObject({ attributes: { x: 1 } });
    await ctx.grant(u.pk, 'authentik_sources_scim.add_scimsourcegroup');
    expect((await ctx.api('POST', base, { token: u.key, body: { id: 'grp-4', group: g, source: src.pk } })).statusCode).toBe(201);
    expect((await ctx.api('GET', '/sources/scim_users/', { token: u.key })).statusCode).toBe(403);
    expect((await ctx.api('GET', `${base}grp-1/`)).json()).toEqual({ detail: 'Authentication credentials were not provided.' });
  });
});
