/**
 * `/api/v3/sources/ldap/` — spec §4.4, §7; permissions.md §5; docs/decisions.md S2, S7.
 * Shared Source behaviour comes from test/helpers/typed-source-suite.ts; LDAP specifics below.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rand } from '../helpers/factories.js';
import { BLANK, CHOICE, INVALID_PK, REQUIRED, SOURCE_KEYS, typedSourceSuite } from '../helpers/typed-source-suite.js';

const LDAP_KEYS = [
  ...SOURCE_KEYS, 'server_uri', 'peer_certificate', 'client_certificate', 'bind_cn', 'start_tls', 'sni', 'base_dn',
  'additional_user_dn', 'additional_group_dn', 'user_object_filter', 'group_object_filter', 'group_membership_field',
  'object_uniqueness_field', 'password_login_update_internal_password', 'sync_users', 'sync_users_password', 'sync_groups',
  'sync_parent_group', 'connectivity',
];
const BIND_PASSWORD = `bind-password-${rand(8)}`;
const SYNC_MSG = 'Only a single LDAP Source with password synchronization is allowed';

const ctx = typedSourceSuite({
  path: 'ldap', app: 'authentik_sources_ldap', model: 'ldapsource',
  meta: { component: 'ak-source-ldap-form', verbose_name: 'LDAP Source', verbose_name_plural: 'LDAP Sources', meta_model_name: 'authentik_sources_ldap.ldapsource' },
  keys: LDAP_KEYS,
  async body(_c, extra = {}) {
    return { name: `LDAP ${rand()}`, slug: `ldap-${rand()}`, server_uri: 'ldaps://ldap.example', base_dn: 'dc=example,dc=org', bind_password: BIND_PASSWORD, sync_users_password: false, ...extra };
  },
  requiredErrors: { name: [REQUIRED], slug: [REQUIRED], server_uri: [REQUIRED], base_dn: [REQUIRED] },
  secrets: [BIND_PASSWORD],
  flowFilters: false,
});

const body = (extra: Record<string, unknown> = {}) => ({
  name: `LDAP ${rand()}`, slug: `ldap-${rand()}`, server_uri: 'ldap://ldap.example', base_dn: 'dc=example', sync_users_password: false, ...extra,
});

describe('LDAP fields', () => {
  it('defaults, every field stored and returned, bind password write-only and sealed', async () => {
    const s = await ctx.create(body({ bind_password: BIND_PASSWORD }));
    expect(s).toMatchObject({
      server_uri: 'ldap://ldap.example', peer_certificate: null, client_certificate: null, bind_cn: '', start_tls: false, sni: false,
      base_dn: 'dc=example', additional_user_dn: '', additional_group_dn: '', user_object_filter: '(objectClass=person)',
      group_object_filter: '(objectClass=group)', group_membership_field: 'member', object_uniqueness_field: 'objectSid',
      password_login_update_internal_password: false, sync_users: true, sync_users_password: false, sync_groups: true,
      sync_parent_group: null, connectivity: null,
    });
    expect(s).not.toHaveProperty('bind_password');
    const row = await ctx.t.t.db.selectFrom('ldap_source').selectAll().where('source_id', '=', s.pk).executeTakeFirstOrThrow();
    expect(ctx.t.secrets.decrypt(row.bind_password_encrypted!)).toBe(BIND_PASSWORD);
    const group = await ctx.makeGroup();
    const um = await ctx.makeMapping();
    const gm = await ctx.makeMapping();
    const all = {
      server_uri: 'ldaps://a.example:636,ldap://10.0.0.1', bind_cn: 'cn=admin,dc=example', start_tls: true, sni: true, base_dn: 'dc=other',
      additional_user_dn: 'ou=people', additional_group_dn: 'ou=groups', user_object_filter: '(objectClass=inetOrgPerson)',
      group_object_filter: '(objectClass=groupOfNames)', group_membership_field: 'memberUid', object_uniqueness_field: 'uid',
      password_login_update_internal_password: true, sync_users: true, sync_groups: true, sync_parent_group: group,
      user_property_mappings: [um], group_property_mappings: [gm],
    };
    const r = await ctx.asAdmin('PATCH', `${ctx.base}${s.slug}/`, { ...all, sync_users_password: false, peer_certificate: null, client_certificate: null, bind_password: `${BIND_PASSWORD}-2` });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ ...s, ...all });
    const row2 = await ctx.t.t.db.selectFrom('ldap_source').selectAll().where('source_id', '=', s.pk).executeTakeFirstOrThrow();
    expect(ctx.t.secrets.decrypt(row2.bind_password_encrypted!)).toBe(`${BIND_PASSWORD}-2`);
    await ctx.t.t.db.deleteFrom('group').where('group_uuid', '=', group).execute();
    expect((await ctx.asAdmin('GET', `${ctx.base}${s.slug}/`)).json().sync_parent_group).toBeNull();
  });

  it('400: server URIs, blanks, certificates, unknown parent group', async () => {
    for (const uri of ['http://x.example', 'ldap://a, ldap://b', 'ldap://', 'x']) {
      await ctx.expect400('POST', ctx.base, body({ server_uri: uri }), { server_uri: ['Enter a valid URL.'] });
    }
    await ctx.expect400('POST', ctx.base, body({ base_dn: ' ', user_object_filter: '', server_uri: '' }), { base_dn: [BLANK], user_object_filter: [BLANK], server_uri: [BLANK] });
    const u = randomUUID();
    await ctx.expect400('POST', ctx.base, body({ peer_certificate: u, client_certificate: u, sync_parent_group: u }), {
      peer_certificate: [INVALID_PK(u)], client_certificate: [INVALID_PK(u)], sync_parent_group: [INVALID_PK(u)],
    });
  });

  it('one LDAP source with password sync; an omitted sync_users_password counts as true (2024.8)', async () => {
    const first = await ctx.create(body({ sync_users_password: true }));
    await ctx.expect400('POST', ctx.base, body({ sync_users_password: undefined }), { sync_users_password: [SYNC_MSG] });
    await ctx.expect400('POST', ctx.base, body({ sync_users_password: true }), { sync_users_password: [SYNC_MSG] });
    const second = await ctx.create(body());
    await ctx.expect400('PATCH', `${ctx.base}${second.slug}/`, { name: 'x' }, { sync_users_password: [SYNC_MSG] });
    expect((await ctx.asAdmin('PATCH', `${ctx.base}${second.slug}/`, { name: 'x', sync_users_password: false })).statusCode).toBe(200);
    expect((await ctx.asAdmin('PATCH', `${ctx.base}${first.slug}/`, { name: 'still first' })).statusCode).toBe(200);
    expect((await ctx.asAdmin('PATCH', `${ctx.base}${first.slug}/`, { sync_users_password: false })).statusCode).toBe(200);
    expect((await ctx.asAdmin('PATCH', `${ctx.base}${second.slug}/`, { sync_users_password: true })).json().sync_users_password).toBe(true);
    await ctx.asAdmin('PATCH', `${ctx.base}${second.slug}/`, { sync_users_password: false });
  });

  it('sync_users / sync_groups sent as true need mappings in the same request', async () => {
    await ctx.expect400('POST', ctx.base, body({ sync_users: true }), { user_property_mappings: ["When 'Sync users' is enabled, 'users property mappings' cannot be empty."] });
    await ctx.expect400('POST', ctx.base, body({ sync_groups: true, group_property_mappings: [] }), { group_property_mappings: ["When 'Sync groups' is enabled, 'groups property mappings' cannot be empty."] });
    const ok = await ctx.create(body({ sync_users: true, user_property_mappings: [await ctx.makeMapping()], sync_groups: false }));
    await ctx.expect400('PATCH', `${ctx.base}${ok.slug}/`, { sync_users: true, sync_users_password: false }, {
      user_property_mappings: ["When 'Sync users' is enabled, 'users property mappings' cannot be empty."],
    });
  });

  it('list filters of SourcesLdapListRequest, including repeated mapping filters', async () => {
    const prefix = `f${rand()}`;
    const group = await ctx.makeGroup();
    const [m1, m2, m3] = [await ctx.makeMapping(), await ctx.makeMapping(), await ctx.makeMapping()];
    const a = await ctx.create(body({ name: `${prefix}-a`, slug: `${prefix}-a`, server_uri: 'ldap://a.example', bind_cn: 'cn=a', base_dn: 'dc=a',
      additional_user_dn: 'ou=u', additional_group_dn: 'ou=g', user_object_filter: '(u)', group_object_filter: '(g)', group_membership_field: 'm',
      object_uniqueness_field: 'o', password_login_update_internal_password: true, start_tls: true, sni: true, sync_users: false,
      sync_groups: false, sync_parent_group: group, user_property_mappings: [m1], group_property_mappings: [m2] }));
    const b = await ctx.create(body({ name: `${prefix}-b`, slug: `${prefix}-b`, user_property_mappings: [m2, m3] }));
    const pks = async (qs: string) => {
      const r = await ctx.asAdmin('GET', `${ctx.base}?search=${prefix}&${qs}`);
      expect(r.statusCode, `${qs}: ${r.body}`).toBe(200);
      return r.json().results.map((x: any) => x.pk);
    };
    for (const [qs, expected] of [
      ['server_uri=ldap://a.example', [a.pk]], ['bind_cn=cn=a', [a.pk]], ['base_dn=dc=a', [a.pk]], ['additional_user_dn=ou=u', [a.pk]],
      ['additional_group_dn=ou=g', [a.pk]], ['user_object_filter=(u)', [a.pk]], ['group_object_filter=(g)', [a.pk]],
      ['group_membership_field=m', [a.pk]], ['object_uniqueness_field=o', [a.pk]], ['password_login_update_internal_password=true', [a.pk]],
      ['start_tls=true', [a.pk]], ['sni=false', [b.pk]], ['sync_users=false', [a.pk]], ['sync_groups=true', [b.pk]],
      ['sync_users_password=false', [a.pk, b.pk]], [`sync_parent_group=${group}`, [a.pk]], ['enabled=true', [a.pk, b.pk]],
      [`user_property_mappings=${m1}`, [a.pk]], [`user_property_mappings=${m1}&user_property_mappings=${m3}`, [a.pk, b.pk]],
      [`group_property_mappings=${m2}`, [a.pk]], [`user_property_mappings=${m2}&group_property_mappings=${m2}`, []],
      ['ordering=-start_tls', [a.pk, b.pk]],
    ] as const) expect(await pks(qs), qs).toEqual(expected);
    const unknown = randomUUID();
    for (const [qs, err] of [
      [`sync_parent_group=${unknown}`, { sync_parent_group: [CHOICE] }], [`peer_certificate=${unknown}`, { peer_certificate: [CHOICE] }],
      [`client_certificate=${unknown}`, { client_certificate: [CHOICE] }],
      [`user_property_mappings=${unknown}`, { user_property_mappings: [`Select a valid choice. ${unknown} is not one of the available choices.`] }],
      ['group_property_mappings=x', { group_property_mappings: ['“x” is not a valid value.'] }],
    ] as const) {
      const r = await ctx.asAdmin('GET', `${ctx.base}?${qs}`);
      expect(r.statusCode, qs).toBe(400);
      expect(r.json(), qs).toEqual(err);
    }
  });

  it('sync/status and debug: any authenticated user, no directory traffic; 404 unknown slug; anonymous 403', async () => {
    const s = await ctx.create(body());
    const nobody = await ctx.userWithKey();
    const st = await ctx.api('GET', `${ctx.base}${s.slug}/sync/status/`, { token: nobody.key });
    expect(st.statusCode).toBe(200);
    expect(st.json()).toEqual({ is_running: false, tasks: [] });
    const dbg = await ctx.api('GET', `${ctx.base}${s.slug}/debug/`, { token: nobody.key });
    expect(dbg.statusCode).toBe(200);
    expect(dbg.json()).toEqual({ users: [], groups: [], membership: [] });
    for (const p of ['nope/sync/status/', 'nope/debug/']) expect((await ctx.asAdmin('GET', `${ctx.base}${p}`)).statusCode).toBe(404);
    expect((await ctx.api('GET', `${ctx.base}${s.slug}/debug/`)).statusCode).toBe(403);
  });

  it('the bind password never appears in a response or an event', () => ctx.assertNoSecrets());
});
