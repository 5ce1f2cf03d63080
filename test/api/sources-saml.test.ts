/**
 * `/api/v3/sources/saml/` — spec §4.2, §7; permissions.md §5; docs/decisions.md S1–S4.
 * Shared Source behaviour comes from test/helpers/typed-source-suite.ts; SAML specifics below.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rand } from '../helpers/factories.js';
import { BLANK, CHOICE, INVALID_PK, REQUIRED, SOURCE_KEYS, typedSourceSuite } from '../helpers/typed-source-suite.js';

const SAML_KEYS = [
  ...SOURCE_KEYS, 'group_matching_mode', 'pre_authentication_flow', 'issuer', 'sso_url', 'slo_url', 'allow_idp_initiated',
  'name_id_policy', 'binding_type', 'verification_kp', 'signing_kp', 'digest_algorithm', 'signature_algorithm',
  'temporary_user_delete_after', 'encryption_kp',
];
let preAuth: string | undefined;

const ctx = typedSourceSuite({
  path: 'saml', app: 'authentik_sources_saml', model: 'samlsource',
  meta: { component: 'ak-source-saml-form', verbose_name: 'SAML Source', verbose_name_plural: 'SAML Sources', meta_model_name: 'authentik_sources_saml.samlsource' },
  keys: SAML_KEYS,
  async body(c, extra = {}) {
    preAuth ??= await c.makeFlow();
    return { name: `SAML ${rand()}`, slug: `saml-${rand()}`, pre_authentication_flow: preAuth, sso_url: 'https://idp.example/sso', ...extra };
  },
  requiredErrors: { name: [REQUIRED], slug: [REQUIRED], pre_authentication_flow: [REQUIRED], sso_url: [REQUIRED] },
});

describe('SAML fields', () => {
  it('defaults, then every field stored and returned; key pairs accept null', async () => {
    const s = await ctx.create({ name: 'S', slug: `saml-${rand()}`, pre_authentication_flow: await ctx.makeFlow(), sso_url: ' https://idp.example/sso ' });
    expect(s).toMatchObject({
      group_matching_mode: 'identifier', issuer: '', sso_url: 'https://idp.example/sso', slo_url: null, allow_idp_initiated: false,
      name_id_policy: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', binding_type: 'REDIRECT', verification_kp: null,
      signing_kp: null, digest_algorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
      signature_algorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', temporary_user_delete_after: 'days=1', encryption_kp: null,
    });
    const flow = await ctx.makeFlow();
    const all = {
      group_matching_mode: 'name_deny', pre_authentication_flow: flow, issuer: 'urn:example:sp', sso_url: 'http://idp.example/sso2',
      slo_url: 'https://idp.example/slo', allow_idp_initiated: true, name_id_policy: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
      binding_type: 'POST_AUTO', verification_kp: null, signing_kp: null, digest_algorithm: 'http://www.w3.org/2001/04/xmlenc#sha512',
      signature_algorithm: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256', temporary_user_delete_after: 'hours=2;minutes=30', encryption_kp: null,
    };
    const r = await ctx.asAdmin('PATCH', `${ctx.base}${s.slug}/`, { ...all, pre_authentication_flow: flow.toUpperCase() });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ ...s, ...all });
    const cleared = await ctx.asAdmin('PATCH', `${ctx.base}${s.slug}/`, { slo_url: null, issuer: '' });
    expect(cleared.json()).toMatchObject({ slo_url: null, issuer: '' });
  });

  it('400: unknown pre-authentication flow, key pairs, enums, URLs, durations, blanks', async () => {
    const unknown = randomUUID();
    const base = { name: 'x', slug: `saml-${rand()}`, pre_authentication_flow: await ctx.makeFlow(), sso_url: 'https://idp.example/sso' };
    await ctx.expect400('POST', ctx.base, { ...base, pre_authentication_flow: unknown, verification_kp: unknown, signing_kp: unknown.toUpperCase(), encryption_kp: unknown }, {
      pre_authentication_flow: [INVALID_PK(unknown)], verification_kp: [INVALID_PK(unknown)], signing_kp: [INVALID_PK(unknown.toUpperCase())],
      encryption_kp: [INVALID_PK(unknown)],
    });
    await ctx.expect400('POST', ctx.base, { ...base, encryption_kp: 'nope', pre_authentication_flow: 'x' }, {
      encryption_kp: ['“nope” is not a valid UUID.'], pre_authentication_flow: ['“x” is not a valid UUID.'],
    });
    await ctx.expect400('POST', ctx.base, { ...base, name_id_policy: 'email', binding_type: 'redirect', digest_algorithm: 'md5', signature_algorithm: 'x', group_matching_mode: 'y' }, {
      name_id_policy: ['"email" is not a valid choice.'], binding_type: ['"redirect" is not a valid choice.'], digest_algorithm: ['"md5" is not a valid choice.'],
      signature_algorithm: ['"x" is not a valid choice.'], group_matching_mode: ['"y" is not a valid choice.'],
    });
    await ctx.expect400('POST', ctx.base, { ...base, sso_url: 'ftp://idp.example/', slo_url: 'not a url', temporary_user_delete_after: 'hours:3' }, {
      sso_url: ['Enter a valid URL.'], slo_url: ['Enter a valid URL.'], temporary_user_delete_after: ["hours:3 is not in the correct format of 'hours=3;minutes=1'."],
    });
    for (const bad of ['foo=1', 'hours=x', 'days=1e12', 'hours=1;x']) {
      await ctx.expect400('POST', ctx.base, { ...base, temporary_user_delete_after: bad }, { temporary_user_delete_after: [`${bad} is not in the correct format of 'hours=3;minutes=1'.`] });
    }
    await ctx.expect400('POST', ctx.base, { ...base, sso_url: ' ', temporary_user_delete_after: '', slo_url: '', pre_authentication_flow: null }, {
      sso_url: [BLANK], temporary_user_delete_after: [BLANK], slo_url: [BLANK], pre_authentication_flow: ['This field may not be null.'],
    });
    const ok = await ctx.create({ ...base, temporary_user_delete_after: 'Days=1;foo=2;weeks=0.5' });
    expect(ok.temporary_user_delete_after).toBe('Days=1;foo=2;weeks=0.5');
  });

  it('list filters of SourcesSamlListRequest', async () => {
    const prefix = `f${rand()}`;
    const flow = await ctx.makeFlow();
    const a = await ctx.create({ name: `${prefix}-a`, slug: `${prefix}-a`, pre_authentication_flow: flow, sso_url: 'https://a.example/sso', issuer: 'urn:a',
      slo_url: 'https://a.example/slo', allow_idp_initiated: true, binding_type: 'POST', digest_algorithm: 'http://www.w3.org/2000/09/xmldsig#sha1',
      name_id_policy: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', signature_algorithm: 'http://www.w3.org/2000/09/xmldsig#dsa-sha1',
      temporary_user_delete_after: 'hours=1', user_matching_mode: 'username_deny', policy_engine_mode: 'all' });
    const b = await ctx.create({ name: `${prefix}-b`, slug: `${prefix}-b`, pre_authentication_flow: await ctx.makeFlow(), sso_url: 'https://b.example/sso' });
    const pks = async (qs: string) => {
      const r = await ctx.asAdmin('GET', `${ctx.base}?search=${prefix}&${qs}`);
      expect(r.statusCode, `${qs}: ${r.body}`).toBe(200);
      return r.json().results.map((x: any) => x.pk);
    };
    const e = encodeURIComponent;
    for (const [qs, expected] of [
      ['allow_idp_initiated=true', [a.pk]], ['allow_idp_initiated=false', [b.pk]], ['binding_type=POST', [a.pk]], ['binding_type=REDIRECT', [b.pk]],
      [`digest_algorithm=${e('http://www.w3.org/2000/09/xmldsig#sha1')}`, [a.pk]], ['issuer=urn:a', [a.pk]], ['managed=x', []],
      [`name_id_policy=${e('urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress')}`, [a.pk]], ['policy_engine_mode=all', [a.pk]],
      [`pre_authentication_flow=${flow}`, [a.pk]], [`signature_algorithm=${e('http://www.w3.org/2000/09/xmldsig#dsa-sha1')}`, [a.pk]],
      ['slo_url=https://a.example/slo', [a.pk]], ['sso_url=https://b.example/sso', [b.pk]], ['temporary_user_delete_after=days=1', [b.pk]],
      ['user_matching_mode=username_deny', [a.pk]], ['enabled=true', [a.pk, b.pk]], ['ordering=-binding_type', [b.pk, a.pk]],
    ] as const) expect(await pks(qs), qs).toEqual(expected);
    for (const [qs, body] of [
      [`pre_authentication_flow=${randomUUID()}`, { pre_authentication_flow: [CHOICE] }],
      [`signing_kp=${randomUUID()}`, { signing_kp: [CHOICE] }], ['verification_kp=abc', { verification_kp: [CHOICE] }],
      ['binding_type=x', { binding_type: ['Select a valid choice. x is not one of the available choices.'] }],
    ] as const) expect((await ctx.asAdmin('GET', `${ctx.base}?${qs}`)).json(), qs).toEqual(body);
  });

  it('metadata: SP metadata XML and download URL; any authenticated user; 404 unknown; anonymous 403', async () => {
    const s = await ctx.create({ name: 'M', slug: `meta-${rand()}`, pre_authentication_flow: await ctx.makeFlow(), sso_url: 'https://idp.example/sso', binding_type: 'POST' });
    const nobody = await ctx.userWithKey();
    const r = await ctx.api('GET', `${ctx.base}${s.slug}/metadata/`, { token: nobody.key, headers: { host: 'auth.example.org' } });
    expect(r.statusCode, r.body).toBe(200);
    const b = r.json();
    expect(Object.keys(b)).toEqual(['metadata', 'download_url']);
    expect(b.download_url).toBe(`http://auth.example.org/source/saml/${s.slug}/metadata/`);
    expect(b.metadata).toContain(`entityID="http://auth.example.org/source/saml/${s.slug}/metadata/"`);
    expect(b.metadata).toContain(`<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="http://auth.example.org/source/saml/${s.slug}/acs/"`);
    expect(b.metadata).toContain('<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>');
    await ctx.asAdmin('PATCH', `${ctx.base}${s.slug}/`, { issuer: 'urn:x&"<y>', binding_type: 'REDIRECT' });
    const m2 = (await ctx.asAdmin('GET', `${ctx.base}${s.slug}/metadata/`)).json().metadata;
    expect(m2).toContain('entityID="urn:x&amp;&quot;&lt;y&gt;"');
    expect(m2).toContain('Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"');
    expect((await ctx.asAdmin('GET', `${ctx.base}nope/metadata/`)).statusCode).toBe(404);
    expect((await ctx.api('GET', `${ctx.base}${s.slug}/metadata/`)).statusCode).toBe(403);
  });

  it('deleting the pre-authentication flow deletes the source (base row too)', async () => {
    const flow = await ctx.makeFlow();
    const s = await ctx.create({ name: 'F', slug: `flow-${rand()}`, pre_authentication_flow: flow, sso_url: 'https://idp.example/sso' });
    await ctx.t.t.db.deleteFrom('flow').where('flow_uuid', '=', flow).execute();
    expect(await ctx.t.t.db.selectFrom('source').select('pbm_uuid').where('pbm_uuid', '=', s.pk).executeTakeFirst()).toBeUndefined();
  });
});
