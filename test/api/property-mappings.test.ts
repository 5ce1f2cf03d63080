/**
 * `/api/v3/propertymappings/source/<kind>/` CRUD and `/api/v3/propertymappings/all/` (list, retrieve,
 * destroy, used_by): spec §1.4, §7, permissions.md §5, decisions F10. Expressions are stored, never run.
 */
import { randomUUID } from 'node:crypto';
import {
  OAuthSourcePropertyMappingFromJSON, PaginatedPropertyMappingListFromJSON, SCIMSourcePropertyMappingFromJSON,
} from '@goauthentik/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { rand } from '../helpers/factories.js';

let t: TestApp;
let adminKey: string;
const KINDS = [
  ['oauth', 'OAuth'], ['saml', 'SAML'], ['plex', 'Plex'], ['ldap', 'LDAP'], ['kerberos', 'Kerberos'], ['scim', 'SCIM'],
] as const;

async function mapping(kind: string, o: Record<string, unknown> = {}) {
  const r = await t.api('POST', `/propertymappings/source/${kind}/`, { token: adminKey, body: { name: `m-${rand()}`, expression: 'return {"x": 1}', ...o } });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}
async function grant(userPk: number, codename: string, objectPk: string | null = null) {
  await t.t.db.insertInto('permission_grant').values({ user_id: userPk, role_uuid: null, codename, object_pk: objectPk }).execute();
}
async function lastEvent() {
  return t.t.db.selectFrom('event').selectAll().orderBy('created', 'desc').limit(1).executeTakeFirstOrThrow();
}

beforeAll(async () => {
  t = await createTestApp();
  const admin = await t.makeUser({ superuser: true });
  adminKey = await t.makeToken(admin.pk);
});
afterAll(async () => t?.close());

describe('typed endpoints', () => {
  it.each(KINDS)('%s: create/retrieve/update/delete with typed metadata and events', async (kind, label) => {
    const m = await mapping(kind, { name: `  ${kind}-mapping  `, expression: '  return {}  ' });
    expect(Object.keys(m)).toEqual(['pk', 'managed', 'name', 'expression', 'component', 'verbose_name', 'verbose_name_plural', 'meta_model_name']);
    expect(m).toEqual({
      pk: m.pk, managed: null, name: `${kind}-mapping`, expression: 'return {}',
      component: `ak-property-mapping-source-${kind}-form`, verbose_name: `${label} Source Property Mapping`,
      verbose_name_plural: `${label} Source Property Mappings`, meta_model_name: `authentik_sources_${kind}.${kind}sourcepropertymapping`,
    });
    const ev = await lastEvent();
    expect(ev.action).toBe('model_created');
    expect(ev.context).toEqual({ model: { app: `authentik_sources_${kind}`, model_name: `${kind}sourcepropertymapping`, pk: m.pk.replace(/-/g, ''), name: `Property Mapping ${kind}-mapping` } });
    expect(JSON.stringify(ev.context)).not.toContain('return');
    const base = `/propertymappings/source/${kind}/${m.pk}/`;
    expect((await t.api('GET', base, { token: adminKey })).json()).toEqual(m);
    const put = await t.api('PUT', base, { token: adminKey, body: { name: `${kind}-renamed`, expression: 'return None', managed: `goauthentik.io/test/${kind}` } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ name: `${kind}-renamed`, expression: 'return None', managed: `goauthentik.io/test/${kind}` });
    expect((await lastEvent()).action).toBe('model_updated');
    const patch = await t.api('PATCH', base, { token: adminKey, body: { managed: null } });
    expect(patch.json()).toMatchObject({ name: `${kind}-renamed`, managed: null });
    expect((await t.api('DELETE', base, { token: adminKey })).statusCode).toBe(204);
    expect((await lastEvent()).action).toBe('model_deleted');
    expect((await t.api('GET', base, { token: adminKey })).statusCode).toBe(404);
  });

  it('responses parse with the generated client', async () => {
    const o = await mapping('oauth');
    expect(OAuthSourcePropertyMappingFromJSON(o).metaModelName).toBe('authentik_sources_oauth.oauthsourcepropertymapping');
    const s = await mapping('scim');
    expect(SCIMSourcePropertyMappingFromJSON(s).component).toBe('ak-property-mapping-source-scim-form');
  });

  it('validation: required, blank, null, unique name/managed → 400, nothing written', async () => {
    const taken = await mapping('saml', { managed: 'goauthentik.io/taken' });
    const count = async () => (await t.t.db.selectFrom('property_mapping').select('pm_uuid').execute()).length;
    const before = await count();
    const cases: Array<[unknown, Record<string, unknown>]> = [
      [{}, { name: ['This field is required.'], expression: ['This field is required.'] }],
      [{ name: ' ', expression: 'x' }, { name: ['This field may not be blank.'] }],
      [{ name: 'ok', expression: '' }, { expression: ['This field may not be blank.'] }],
      [{ name: null, expression: 'x' }, { name: ['This field may not be null.'] }],
      [{ name: 'ok2', expression: 'x', managed: '' }, { managed: ['This field may not be blank.'] }],
      [{ name: taken.name, expression: 'x' }, { name: ['Property Mapping with this name already exists.'], code: 'unique' }],
      [{ name: `n-${rand()}`, expression: 'x', managed: 'goauthentik.io/taken' }, { managed: ['Property Mapping with this Managed by authentik already exists.'], code: 'unique' }],
      [{ name: 'x\u0000', expression: 'x' }, { name: ['Null characters are not allowed.'] }],
      ['just a string', { non_field_errors: ['Invalid data. Expected a dictionary, but got str.'] }],
    ];
    for (const [body, expected] of cases) {
      const r = await t.api('POST', '/propertymappings/source/oauth/', { token: adminKey, body });
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json(), JSON.stringify(body)).toEqual(expected);
    }
    // the name is unique across kinds
    expect((await t.api('POST', '/propertymappings/source/ldap/', { token: adminKey, body: { name: taken.name, expression: 'x' } })).statusCode).toBe(400);
    const other = await mapping('saml');
    const clash = await t.api('PATCH', `/propertymappings/source/saml/${other.pk}/`, { token: adminKey, body: { name: taken.name } });
    expect(clash.statusCode).toBe(400);
    expect((await t.api('GET', `/propertymappings/source/saml/${other.pk}/`, { token: adminKey })).json().name).toBe(other.name);
    expect(await count()).toBe(before + 1);
  });

  it('a typed endpoint does not see other kinds; malformed uuids are 404', async () => {
    const m = await mapping('plex');
    expect((await t.api('GET', `/propertymappings/source/oauth/${m.pk}/`, { token: adminKey })).statusCode).toBe(404);
    expect((await t.api('DELETE', `/propertymappings/source/oauth/${m.pk}/`, { token: adminKey })).statusCode).toBe(404);
    expect((await t.api('GET', '/propertymappings/source/oauth/not-a-uuid/', { token: adminKey })).statusCode).toBe(404);
    expect((await t.api('GET', `/propertymappings/source/oauth/${randomUUID()}/used_by/`, { token: adminKey })).statusCode).toBe(404);
    const list = (await t.api('GET', '/propertymappings/source/oauth/?page_size=1000', { token: adminKey })).json();
    expect(list.results.every((x: any) => x.meta_model_name === 'authentik_sources_oauth.oauthsourcepropertymapping')).toBe(true);
  });
});

describe('/propertymappings/all/', () => {
  it('lists every kind with its typed metadata; filters name/managed/managed__isnull; search; ordering', async () => {
    const a = await mapping('ldap', { name: `all-a-${rand()}`, managed: `goauthentik.io/all/a-${rand()}` });
    const b = await mapping('kerberos', { name: `all-b-${rand()}`, managed: `goauthentik.io/all/b-${rand()}` });
    await t.t.db.insertInto('property_mapping').values({ pm_uuid: randomUUID(), name: `all-base-${rand()}`, expression: 'x', managed: null, kind: null }).execute();
    const r = await t.api('GET', '/propertymappings/all/?search=all-', { token: adminKey });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(() => PaginatedPropertyMappingListFromJSON(body)).not.toThrow();
    expect(body.results.map((x: any) => x.meta_model_name)).toEqual([
      'authentik_sources_ldap.ldapsourcepropertymapping', 'authentik_sources_kerberos.kerberossourcepropertymapping', 'authentik_core.propertymapping',
    ]);
    expect(body.results[2]).toMatchObject({ component: '', verbose_name: 'Property Mapping', verbose_name_plural: 'Property Mappings' });
    expect((await t.api('GET', `/propertymappings/all/?name=${a.name}`, { token: adminKey })).json().results.map((x: any) => x.pk)).toEqual([a.pk]);
    const both = await t.api('GET', `/propertymappings/all/?managed=${encodeURIComponent(a.managed)}&managed=${encodeURIComponent(b.managed)}`, { token: adminKey });
    expect(both.json().results.map((x: any) => x.pk)).toEqual([a.pk, b.pk]);
    const bad = await t.api('GET', '/propertymappings/all/?managed=nothing-like-this', { token: adminKey });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ managed: ['Select a valid choice. nothing-like-this is not one of the available choices.'] });
    const isNull = (await t.api('GET', '/propertymappings/all/?managed__isnull=true&search=all-', { token: adminKey })).json();
    expect(isNull.results.map((x: any) => x.meta_model_name)).toEqual(['authentik_core.propertymapping']);
    const notNull = (await t.api('GET', '/propertymappings/all/?managed__isnull=false&search=all-&ordering=-name', { token: adminKey })).json();
    expect(notNull.results.map((x: any) => x.pk)).toEqual([b.pk, a.pk]);
    expect((await t.api('GET', `/propertymappings/all/${a.pk}/`, { token: adminKey })).json()).toEqual(a);
  });

  it('destroy any kind through /all/; used_by lists sources (group then user mappings), cascade_many', async () => {
    const m = await mapping('oauth');
    const s1 = await t.makeSource({ name: 'Uses as user mapping' });
    const s2 = await t.makeSource({ name: 'Uses as group mapping' });
    await t.t.db.insertInto('source_user_property_mapping').values({ source_id: s1.pk, property_mapping_id: m.pk }).execute();
    await t.t.db.insertInto('source_group_property_mapping').values({ source_id: s2.pk, property_mapping_id: m.pk }).execute();
    const expected = [
      { app: 'authentik_core', model_name: 'source', pk: s2.pk, name: 'Uses as group mapping', action: 'cascade_many' },
      { app: 'authentik_core', model_name: 'source', pk: s1.pk, name: 'Uses as user mapping', action: 'cascade_many' },
    ];
    expect((await t.api('GET', `/propertymappings/all/${m.pk}/used_by/`, { token: adminKey })).json()).toEqual(expected);
    expect((await t.api('GET', `/propertymappings/source/oauth/${m.pk}/used_by/`, { token: adminKey })).json()).toEqual(expected);
    const nobody = await t.makeUser();
    expect((await t.api('GET', `/propertymappings/all/${m.pk}/used_by/`, { token: await t.makeToken(nobody.pk) })).json()).toEqual([]);
    expect((await t.api('DELETE', `/propertymappings/all/${m.pk}/`, { token: adminKey })).statusCode).toBe(204);
    expect((await t.t.db.selectFrom('source_user_property_mapping').selectAll().where('property_mapping_id', '=', m.pk).execute()).length).toBe(0);
    expect((await t.api('GET', `/propertymappings/all/${m.pk}/`, { token: adminKey })).statusCode).toBe(404);
    expect((await t.t.db.selectFrom('source').select('pbm_uuid').where('pbm_uuid', '=', s1.pk).execute()).length).toBe(1);
  });

  it('POST/PUT on /all/ are not routed (405)', async () => {
    expect((await t.api('POST', '/propertymappings/all/', { token: adminKey, body: {} })).statusCode).toBe(405);
    expect((await t.api('PUT', `/propertymappings/all/${randomUUID()}/`, { token: adminKey, body: {} })).statusCode).toBe(405);
  });
});

describe('permissions', () => {
  it('anonymous → 403', async () => {
    for (const [m, p] of [['GET', '/propertymappings/all/'], ['POST', '/propertymappings/source/oauth/'], ['GET', `/propertymappings/source/saml/${randomUUID()}/`]] as const) {
      const r = await t.api(m, p, { body: m === 'POST' ? { name: 'x', expression: 'y' } : undefined });
      expect(r.statusCode).toBe(403);
      expect(r.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
    }
  });

  it('typed permissions guard typed endpoints; /all/ uses authentik_core.*_propertymapping', async () => {
    const m1 = await mapping('oauth');
    const m2 = await mapping('oauth');
    const u = await t.makeUser();
    const key = await t.makeToken(u.pk);
    expect((await t.api('GET', '/propertymappings/source/oauth/', { token: key })).statusCode).toBe(403);
    expect((await t.api('POST', '/propertymappings/source/oauth/', { token: key, body: { name: `x-${rand()}`, expression: 'y' } })).statusCode).toBe(403);
    await grant(u.pk, 'authentik_sources_oauth.view_oauthsourcepropertymapping', m1.pk);
    expect((await t.api('GET', '/propertymappings/source/oauth/', { token: key })).json().results.map((x: any) => x.pk)).toEqual([m1.pk]);
    expect((await t.api('GET', `/propertymappings/source/oauth/${m2.pk}/`, { token: key })).statusCode).toBe(404);
    expect((await t.api('GET', '/propertymappings/all/', { token: key })).statusCode).toBe(403);
    expect((await t.api('PATCH', `/propertymappings/source/oauth/${m1.pk}/`, { token: key, body: { name: 'changed' } })).statusCode).toBe(403);
    await grant(u.pk, 'authentik_sources_oauth.change_oauthsourcepropertymapping', m1.pk);
    expect((await t.api('PATCH', `/propertymappings/source/oauth/${m1.pk}/`, { token: key, body: { expression: 'changed' } })).json().expression).toBe('changed');
    expect((await t.api('DELETE', `/propertymappings/source/oauth/${m1.pk}/`, { token: key })).statusCode).toBe(403);
    await grant(u.pk, 'authentik_sources_oauth.add_oauthsourcepropertymapping');
    expect((await t.api('POST', '/propertymappings/source/oauth/', { token: key, body: { name: `x-${rand()}`, expression: 'y' } })).statusCode).toBe(201);
    expect((await t.api('POST', '/propertymappings/source/saml/', { token: key, body: { name: `x-${rand()}`, expression: 'y' } })).statusCode).toBe(403);
    await grant(u.pk, 'authentik_core.view_propertymapping');
    await grant(u.pk, 'authentik_core.delete_propertymapping', m2.pk);
    expect((await t.api('GET', '/propertymappings/all/', { token: key })).statusCode).toBe(200);
    expect((await t.api('DELETE', `/propertymappings/all/${m1.pk}/`, { token: key })).statusCode).toBe(403);
    expect((await t.api('DELETE', `/propertymappings/all/${m2.pk}/`, { token: key })).statusCode).toBe(204);
  });
});
