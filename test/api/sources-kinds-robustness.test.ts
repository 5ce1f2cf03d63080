/**
 * No input makes the typed source endpoints answer 500 (SAML, Plex, LDAP, Kerberos, SCIM and the SCIM
 * objects): odd bodies on create/PUT/PATCH of existing objects, hostile list parameters, odd lookups.
 */
import { it, expect } from 'vitest';
import { createTestApp } from '../helpers/test-app.js';

it('no 500 for odd bodies, queries and lookups', async () => {
  const t = await createTestApp();
  const admin = await t.makeUser({ superuser: true });
  const key = await t.makeToken(admin.pk);
  const weird: unknown[] = [null, [], { name: {}, slug: [] },
    { name: 'n', slug: 's\u0000', user_property_mappings: [null], group_property_mappings: [{}] },
    { id: {}, user: 1.5, group: 5, source: 'urn:uuid:00000000-0000-0000-0000-000000000000', attributes: '\ud800' },
    { id: 'a', user: -1, source: '00000000000000000000000000000000' },
    { name: 'n', slug: 'sl', pre_authentication_flow: 'urn:uuid:00000000-0000-0000-0000-000000000000', sso_url: 'http://[::1', temporary_user_delete_after: 'days=1e308', allowed_servers: [1, 'a'], plex_token: 'x', server_uri: 'ldap://%', base_dn: 'x', realm: 'r', sync_users_password: false, sync_parent_group: '00000000-0000-0000-0000-000000000000', verification_kp: null },
  ];
  const bad: string[] = [];
  const flow = '11111111-1111-1111-1111-111111111111';
  await t.t.db.insertInto('flow').values({ flow_uuid: flow, slug: 'f', name: 'f', designation: 'authentication' }).execute();
  const mk = async (p: string, b: any) => { const r = await t.api('POST', `/sources/${p}/`, { token: key, body: b }); expect(r.statusCode, r.body).toBe(201); return r.json(); };
  const real: Record<string, string> = {
    saml: (await mk('saml', { name: 'a', slug: 'sa', pre_authentication_flow: flow, sso_url: 'https://x.example' })).slug,
    plex: (await mk('plex', { name: 'a', slug: 'pl', plex_token: 'x' })).slug,
    ldap: (await mk('ldap', { name: 'a', slug: 'ld', server_uri: 'ldap://x', base_dn: 'x' })).slug,
    kerberos: (await mk('kerberos', { name: 'a', slug: 'kr', realm: 'R' })).slug,
    scim: (await mk('scim', { name: 'a', slug: 'sc' })).slug,
  };
  const scimPk = (await t.api('GET', '/sources/scim/sc/', { token: key })).json().pk;
  real.scim_users = (await mk('scim_users', { id: 'u1', user: admin.pk, source: scimPk })).id;
  const g = '22222222-2222-2222-2222-222222222222';
  await t.t.db.insertInto('group').values({ group_uuid: g, name: 'g', is_superuser: false, parent_uuid: null, attributes: '{}' }).execute();
  real.scim_groups = (await mk('scim_groups', { id: 'g1', group: g, source: scimPk })).id;
  for (const p of ['saml', 'plex', 'ldap', 'kerberos', 'scim', 'scim_users', 'scim_groups']) {
    for (const b of weird) {
      for (const [m, path] of [['POST', `/sources/${p}/`], ['PUT', `/sources/${p}/${real[p]}/`], ['PATCH', `/sources/${p}/${real[p]}/`]] as const) {
        const r = await t.api(m, path, { token: key, raw: JSON.stringify(b), headers: { 'content-type': 'application/json' } });
        if (r.statusCode >= 500) bad.push(`${m} ${path} ${JSON.stringify(b).slice(0, 80)} → ${r.statusCode} ${r.body}`);
      }
    }
    const reads = [
      ...['ordering=-icon,token_obj,connectivity,attributes', 'page=99999999999999999999', 'page_size=-1', 'search=%00%25_', 'user_property_mappings=%00',
        'group_property_mappings=urn:uuid:00000000-0000-0000-0000-000000000000', 'sync_parent_group=zz', 'user__id=99999999999', 'group__group_uuid=x',
        'pre_authentication_flow=00000000000000000000000000000000', 'slug=%00', 'allowed_servers=x'].map((qs) => `/sources/${p}/?${qs}`),
      ...['%00/', 'x/used_by/', `${'a'.repeat(190)}/`, 'x/metadata/', 'x/sync/status/', 'x/debug/'].map((sub) => `/sources/${p}/${sub}`),
    ];
    await Promise.all(reads.map(async (path) => {
      const r = await t.api('GET', path, { token: key });
      if (r.statusCode >= 500) bad.push(`GET ${path} → ${r.statusCode} ${r.body}`);
    }));
  }
  for (const b of weird) for (const path of ['/sources/plex/redeem_token/?slug=%00', '/sources/plex/redeem_token_authenticated/?slug=x']) {
    const r = await t.api('POST', path, { token: key, raw: JSON.stringify(b), headers: { 'content-type': 'application/json' } });
    if (r.statusCode >= 500) bad.push(`POST ${path} → ${r.statusCode} ${r.body}`);
  }
  await t.close();
  expect(bad).toEqual([]);
}, 120000);
