/**
 * `/api/v3/sources/kerberos/` — spec §4.5, §7; permissions.md §5; docs/decisions.md S7, S8.
 * Shared Source behaviour comes from test/helpers/typed-source-suite.ts; Kerberos specifics below.
 */
import { describe, expect, it } from 'vitest';
import { rand } from '../helpers/factories.js';
import { BLANK, REQUIRED, SOURCE_KEYS, typedSourceSuite } from '../helpers/typed-source-suite.js';

const KERBEROS_KEYS = [
  ...SOURCE_KEYS, 'group_matching_mode', 'realm', 'krb5_conf', 'sync_users', 'sync_users_password', 'sync_principal', 'sync_ccache',
  'connectivity', 'spnego_server_name', 'spnego_ccache', 'password_login_update_internal_password',
];
const SYNC_PASSWORD = `kadmin-password-${rand(8)}`;
const SYNC_KEYTAB = `sync-keytab-${rand(8)}`;
const SPNEGO_KEYTAB = `spnego-keytab-${rand(8)}`;

const ctx = typedSourceSuite({
  path: 'kerberos', app: 'authentik_sources_kerberos', model: 'kerberossource',
  meta: { component: 'ak-source-kerberos-form', verbose_name: 'Kerberos Source', verbose_name_plural: 'Kerberos Sources', meta_model_name: 'authentik_sources_kerberos.kerberossource' },
  keys: KERBEROS_KEYS,
  async body(_c, extra = {}) {
    return { name: `Krb ${rand()}`, slug: `krb-${rand()}`, realm: `R${rand()}.EXAMPLE`, sync_password: SYNC_PASSWORD, spnego_keytab: SPNEGO_KEYTAB, ...extra };
  },
  requiredErrors: { name: [REQUIRED], slug: [REQUIRED], realm: [REQUIRED] },
  secrets: [SYNC_PASSWORD, SYNC_KEYTAB, SPNEGO_KEYTAB],
  flowFilters: false,
});

describe('Kerberos fields', () => {
  it('defaults, every field stored and returned; secrets write-only and sealed; realm unique', async () => {
    const realm = `A${rand()}.EXAMPLE`;
    const s = await ctx.create({ name: 'K', slug: `krb-${rand()}`, realm: ` ${realm} ` });
    expect(s).toMatchObject({
      group_matching_mode: 'identifier', realm, krb5_conf: '', sync_users: false, sync_users_password: true, sync_principal: '',
      sync_ccache: '', connectivity: null, spnego_server_name: '', spnego_ccache: '', password_login_update_internal_password: false,
    });
    const all = {
      group_matching_mode: 'name_link', realm: `B${rand()}.EXAMPLE`, krb5_conf: '[libdefaults]\n', sync_users: true, sync_users_password: false,
      sync_principal: 'admin/admin', sync_ccache: 'FILE:/tmp/cc', spnego_server_name: 'HTTP/auth.example', spnego_ccache: 'MEMORY:x',
      password_login_update_internal_password: true,
    };
    const r = await ctx.asAdmin('PATCH', `${ctx.base}${s.slug}/`, { ...all, sync_password: SYNC_PASSWORD, sync_keytab: SYNC_KEYTAB, spnego_keytab: SPNEGO_KEYTAB });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ ...s, ...all, krb5_conf: '[libdefaults]' });
    for (const k of ['sync_password', 'sync_keytab', 'spnego_keytab']) expect(r.json()).not.toHaveProperty(k);
    const row = await ctx.t.t.db.selectFrom('kerberos_source').selectAll().where('source_id', '=', s.pk).executeTakeFirstOrThrow();
    expect(ctx.t.secrets.decrypt(row.sync_password_encrypted!)).toBe(SYNC_PASSWORD);
    expect(ctx.t.secrets.decrypt(row.sync_keytab_encrypted!)).toBe(SYNC_KEYTAB);
    expect(ctx.t.secrets.decrypt(row.spnego_keytab_encrypted!)).toBe(SPNEGO_KEYTAB);
    await ctx.expect400('POST', ctx.base, { name: 'K', slug: `krb-${rand()}`, realm: all.realm }, { realm: ['Kerberos Source with this realm already exists.'] });
    expect((await ctx.asAdmin('PATCH', `${ctx.base}${s.slug}/`, { realm: all.realm })).statusCode).toBe(200);
    await ctx.expect400('POST', ctx.base, { name: 'K', slug: `krb-${rand()}`, realm: ' ', sync_users: 'x' }, { realm: [BLANK], sync_users: ['Must be a valid boolean.'] });
  });

  it('list filters of SourcesKerberosListRequest', async () => {
    const prefix = `f${rand()}`;
    const a = await ctx.create({ name: `${prefix}-a`, slug: `${prefix}-a`, realm: `${prefix}.A`, sync_users: true, sync_principal: 'p',
      spnego_server_name: 'HTTP/a', password_login_update_internal_password: true });
    const b = await ctx.create({ name: `${prefix}-b`, slug: `${prefix}-b`, realm: `${prefix}.B`, sync_users_password: false });
    const pks = async (qs: string) => (await ctx.asAdmin('GET', `${ctx.base}?search=${prefix}&${qs}`)).json().results.map((x: any) => x.pk);
    for (const [qs, expected] of [
      [`realm=${prefix}.A`, [a.pk]], ['sync_users=true', [a.pk]], ['sync_users_password=false', [b.pk]], ['sync_principal=p', [a.pk]],
      ['spnego_server_name=HTTP/a', [a.pk]], ['password_login_update_internal_password=false', [b.pk]], ['ordering=-realm', [b.pk, a.pk]],
    ] as const) expect(await pks(qs), qs).toEqual(expected);
  });

  it('sync/status: any authenticated user; 404 unknown slug; anonymous 403', async () => {
    const s = await ctx.create({ name: 'K', slug: `krb-${rand()}`, realm: `S${rand()}.EXAMPLE` });
    const nobody = await ctx.userWithKey();
    const r = await ctx.api('GET', `${ctx.base}${s.slug}/sync/status/`, { token: nobody.key });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ is_running: false, tasks: [] });
    expect((await ctx.asAdmin('GET', `${ctx.base}nope/sync/status/`)).statusCode).toBe(404);
    expect((await ctx.api('GET', `${ctx.base}${s.slug}/sync/status/`)).statusCode).toBe(403);
  });

  it('passwords and keytabs never appear in a response or an event', () => ctx.assertNoSecrets());
});
