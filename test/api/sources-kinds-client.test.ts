/**
 * authentik's generated client (npm @goauthentik/api@2024.8.3-1729836831) against the typed source
 * endpoints over real HTTP: every kind's create/list/retrieve/partial update/used_by/destroy and the extra
 * actions parse without client-side errors and round-trip values.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Configuration, ResponseError, SourcesApi } from '@goauthentik/api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let api: SourcesApi;

beforeAll(async () => {
  t = await createTestApp();
  const admin = await t.makeUser({ superuser: true });
  const key = await t.makeToken(admin.pk);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (t.app.server.address() as AddressInfo).port;
  api = new SourcesApi(new Configuration({ basePath: `http://127.0.0.1:${port}/api/v3`, accessToken: async () => key }));
});
afterAll(async () => {
  await t?.close();
});

it('every kind through the generated client', async () => {
  const flow = randomUUID();
  await t.t.db.insertInto('flow').values({ flow_uuid: flow, slug: 'pre', name: 'pre', designation: 'authentication' }).execute();

  const saml = await api.sourcesSamlCreate({ sAMLSourceRequest: { name: 'SAML', slug: 'c-saml', preAuthenticationFlow: flow, ssoUrl: 'https://idp.example/sso' } });
  expect(saml).toMatchObject({ slug: 'c-saml', preAuthenticationFlow: flow, bindingType: 'REDIRECT' });
  expect((await api.sourcesSamlList({ bindingType: 'REDIRECT' as any })).results.map((s) => s.pk)).toEqual([saml.pk]);
  expect((await api.sourcesSamlPartialUpdate({ slug: 'c-saml', patchedSAMLSourceRequest: { issuer: 'urn:c' } })).issuer).toBe('urn:c');
  expect((await api.sourcesSamlMetadataRetrieve({ slug: 'c-saml' })).metadata).toContain('entityID="urn:c"');

  const plex = await api.sourcesPlexCreate({ plexSourceRequest: { name: 'Plex', slug: 'c-plex', plexToken: 'tok', allowedServers: ['a'] } });
  expect(plex).toMatchObject({ allowedServers: ['a'], allowFriends: true, plexToken: 'tok' });
  await expect(api.sourcesPlexRedeemTokenCreate({ slug: 'c-plex', plexTokenRedeemRequest: { plexToken: 'x' } })).rejects.toSatisfy((e: unknown) => e instanceof ResponseError && e.response.status === 403);

  const ldap = await api.sourcesLdapCreate({ lDAPSourceRequest: { name: 'LDAP', slug: 'c-ldap', serverUri: 'ldaps://l.example', baseDn: 'dc=x', bindPassword: 'pw' } });
  expect(ldap).toMatchObject({ syncUsersPassword: true, connectivity: null });
  expect((await api.sourcesLdapList({ syncUsersPassword: true, userPropertyMappings: [] })).results).toHaveLength(1);
  expect(await api.sourcesLdapSyncStatusRetrieve({ slug: 'c-ldap' })).toEqual({ isRunning: false, tasks: [] });
  expect(await api.sourcesLdapDebugRetrieve({ slug: 'c-ldap' })).toBeDefined();

  const krb = await api.sourcesKerberosCreate({ kerberosSourceRequest: { name: 'Krb', slug: 'c-krb', realm: 'C.EXAMPLE', syncKeytab: 'kt' } });
  expect(krb).toMatchObject({ realm: 'C.EXAMPLE', syncUsersPassword: true });
  expect(await api.sourcesKerberosSyncStatusRetrieve({ slug: 'c-krb' })).toEqual({ isRunning: false, tasks: [] });
  expect((await api.sourcesKerberosUpdate({ slug: 'c-krb', kerberosSourceRequest: { name: 'Krb2', slug: 'c-krb', realm: 'D.EXAMPLE' } })).realm).toBe('D.EXAMPLE');

  const scim = await api.sourcesScimCreate({ sCIMSourceRequest: { name: 'SCIM', slug: 'c-scim' } });
  expect(scim.tokenObj.userObj.type).toBe('service_account');
  expect(scim.rootUrl).toMatch(/\/source\/scim\/c-scim\/v2$/);
  const u = await api.sourcesScimUsersCreate({ sCIMSourceUserRequest: { id: 'u-1', user: scim.tokenObj.user!, source: scim.pk, attributes: { a: 1 } } });
  expect(u).toMatchObject({ id: 'u-1', source: scim.pk, userObj: { pk: scim.tokenObj.user } });
  expect((await api.sourcesScimUsersList({ sourceSlug: 'c-scim' })).results.map((x) => x.id)).toEqual(['u-1']);
  const g = randomUUID();
  await t.t.db.insertInto('group').values({ group_uuid: g, name: 'cg', is_superuser: false, parent_uuid: null, attributes: '{}' }).execute();
  const sg = await api.sourcesScimGroupsCreate({ sCIMSourceGroupRequest: { id: 'g-1', group: g, source: scim.pk } });
  expect(sg.groupObj.name).toBe('cg');
  expect(await api.sourcesScimGroupsUsedByList({ id: 'g-1' })).toEqual([]);
  expect((await api.sourcesScimUsedByList({ slug: 'c-scim' })).map((x) => x.modelName)).toEqual(['scimsourcegroup', 'scimsourceuser']);

  for (const slug of ['c-saml', 'c-plex', 'c-ldap', 'c-krb', 'c-scim']) {
    const kind = { 'c-saml': 'Saml', 'c-plex': 'Plex', 'c-ldap': 'Ldap', 'c-krb': 'Kerberos', 'c-scim': 'Scim' }[slug] as 'Saml';
    await (api as any)[`sources${kind}Destroy`]({ slug });
  }
  expect((await api.sourcesScimUsersList({})).results).toEqual([]);
});
