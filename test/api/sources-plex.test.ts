/**
 * `/api/v3/sources/plex/` — spec §4.3, §7; permissions.md §2, §5; docs/decisions.md S5, S6.
 * Shared Source behaviour comes from test/helpers/typed-source-suite.ts; Plex specifics below.
 */
import { describe, expect, it } from 'vitest';
import { rand } from '../helpers/factories.js';
import { BLANK, REQUIRED, SOURCE_KEYS, typedSourceSuite } from '../helpers/typed-source-suite.js';

const PLEX_KEYS = [...SOURCE_KEYS, 'group_matching_mode', 'client_id', 'allowed_servers', 'allow_friends', 'plex_token'];
const TOKEN = `plex-token-${rand(8)}`;

const ctx = typedSourceSuite({
  path: 'plex', app: 'authentik_sources_plex', model: 'plexsource',
  meta: { component: 'ak-source-plex-form', verbose_name: 'Plex Source', verbose_name_plural: 'Plex Sources', meta_model_name: 'authentik_sources_plex.plexsource' },
  keys: PLEX_KEYS,
  async body(_c, extra = {}) {
    return { name: `Plex ${rand()}`, slug: `plex-${rand()}`, plex_token: TOKEN, ...extra };
  },
  requiredErrors: { name: [REQUIRED], slug: [REQUIRED], plex_token: [REQUIRED] },
});

describe('Plex fields', () => {
  it('client_id generated when absent, kept on PUT; token returned, stored encrypted; servers trimmed', async () => {
    const s = await ctx.create({ name: 'P', slug: `plex-${rand()}`, plex_token: ` ${TOKEN} `, allowed_servers: [' srv1 ', 'srv2'] });
    expect(s).toMatchObject({ group_matching_mode: 'identifier', allowed_servers: ['srv1', 'srv2'], allow_friends: true, plex_token: TOKEN });
    expect(s.client_id).toMatch(/^[A-Za-z0-9]{40}$/);
    const row = await ctx.t.t.db.selectFrom('plex_source').selectAll().where('source_id', '=', s.pk).executeTakeFirstOrThrow();
    expect(row.plex_token_encrypted).not.toContain(TOKEN);
    expect(ctx.t.secrets.decrypt(row.plex_token_encrypted)).toBe(TOKEN);
    const put = await ctx.asAdmin('PUT', `${ctx.base}${s.slug}/`, { name: 'P2', slug: s.slug, plex_token: `${TOKEN}-2`, allow_friends: false, group_matching_mode: 'name_link' });
    expect(put.json()).toMatchObject({ client_id: s.client_id, allowed_servers: ['srv1', 'srv2'], allow_friends: false, plex_token: `${TOKEN}-2`, group_matching_mode: 'name_link' });
    const other = await ctx.create({ name: 'P', slug: `plex-${rand()}`, plex_token: TOKEN, client_id: 'my-client' });
    expect(other.client_id).toBe('my-client');
    expect(other.client_id).not.toBe(s.client_id);
  });

  it('400: blank token and client id, list type, blank and NUL servers', async () => {
    const b = { name: 'P', slug: `plex-${rand()}` };
    await ctx.expect400('POST', ctx.base, { ...b, plex_token: ' ', client_id: '' }, { plex_token: [BLANK], client_id: [BLANK] });
    await ctx.expect400('POST', ctx.base, { ...b, plex_token: 'x', allowed_servers: 'srv' }, { allowed_servers: ['Expected a list of items but got type "str".'] });
    await ctx.expect400('POST', ctx.base, { ...b, plex_token: 'x', allowed_servers: ['a', ' '] }, { allowed_servers: [BLANK] });
    await ctx.expect400('POST', ctx.base, { ...b, plex_token: 'x', allowed_servers: ['a\u0000'] }, { allowed_servers: ['Null characters are not allowed.'] });
    await ctx.expect400('POST', ctx.base, { ...b, plex_token: 'x', allow_friends: 'sure', group_matching_mode: 'x' }, {
      allow_friends: ['Must be a valid boolean.'], group_matching_mode: ['"x" is not a valid choice.'],
    });
  });

  it('list filters of SourcesPlexListRequest', async () => {
    const prefix = `f${rand()}`;
    const a = await ctx.create({ name: `${prefix}-a`, slug: `${prefix}-a`, plex_token: TOKEN, client_id: `${prefix}-cid`, allow_friends: false, group_matching_mode: 'name_deny' });
    const b = await ctx.create({ name: `${prefix}-b`, slug: `${prefix}-b`, plex_token: TOKEN, user_matching_mode: 'email_deny' });
    const pks = async (qs: string) => (await ctx.asAdmin('GET', `${ctx.base}?search=${prefix}&${qs}`)).json().results.map((x: any) => x.pk);
    for (const [qs, expected] of [
      ['allow_friends=false', [a.pk]], ['allow_friends=true', [b.pk]], [`client_id=${prefix}-cid`, [a.pk]],
      ['group_matching_mode=name_deny', [a.pk]], ['user_matching_mode=email_deny', [b.pk]], ['ordering=allow_friends', [a.pk, b.pk]],
    ] as const) expect(await pks(qs), qs).toEqual(expected);
  });
});

describe('redeem_token (anonymous) and redeem_token_authenticated', () => {
  it('unknown slug 404, bad body 400, otherwise 403 Access denied; bad bearer token 403; nothing written', async () => {
    const s = await ctx.create({ name: 'R', slug: `redeem-${rand()}`, plex_token: TOKEN });
    const user = await ctx.userWithKey();
    const eventsBefore = (await ctx.t.t.db.selectFrom('event').select('event_uuid').execute()).length;
    for (const [path, token] of [['redeem_token', undefined], ['redeem_token', user.key], ['redeem_token_authenticated', user.key]] as const) {
      const url = `${ctx.base}${path}/`;
      const nf = await ctx.api('POST', `${url}?slug=nope`, { token, body: { plex_token: 'x' } });
      expect(nf.statusCode, path).toBe(404);
      expect(nf.json()).toEqual({ detail: 'Not found.' });
      expect((await ctx.api('POST', url, { token, body: {} })).statusCode).toBe(404);
      const missing = await ctx.api('POST', `${url}?slug=${s.slug}`, { token, body: {} });
      expect(missing.statusCode).toBe(400);
      expect(missing.json()).toEqual({ plex_token: [REQUIRED] });
      expect((await ctx.api('POST', `${url}?slug=${s.slug}`, { token, body: { plex_token: '  ' } })).json()).toEqual({ plex_token: [BLANK] });
      expect((await ctx.api('POST', `${url}?slug=${s.slug}`, { token, body: { plex_token: true } })).json()).toEqual({ plex_token: ['Not a valid string.'] });
      const denied = await ctx.api('POST', `${url}?slug=${s.slug}`, { token, body: { plex_token: 'some-token' } });
      expect(denied.statusCode).toBe(403);
      expect(denied.json()).toEqual({ detail: 'Access denied.' });
      const bad = await ctx.api('POST', `${url}?slug=${s.slug}`, { token: 'bogus', body: { plex_token: 'x' } });
      expect(bad.statusCode).toBe(403);
      expect(bad.json()).toEqual({ detail: 'Token invalid/expired' });
    }
    for (const path of ['redeem_token', 'redeem_token_authenticated']) {
      const r = await ctx.api('GET', `${ctx.base}${path}/`, { token: user.key });
      expect(r.statusCode).toBe(405);
      expect(r.json()).toEqual({ detail: 'Method "GET" not allowed.' });
    }
    const anon = await ctx.api('POST', `${ctx.base}redeem_token_authenticated/?slug=${s.slug}`, { body: { plex_token: 'x' } });
    expect(anon.statusCode).toBe(403);
    expect(anon.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
    expect((await ctx.t.t.db.selectFrom('event').select('event_uuid').execute()).length).toBe(eventsBefore);
    expect(await ctx.t.t.db.selectFrom('user_source_connection').select('id').where('source_id', '=', s.pk).execute()).toEqual([]);
  });
});

describe('secrets', () => {
  it('the Plex token is never written to an event row', async () => {
    const events = JSON.stringify(await ctx.t.t.db.selectFrom('event').selectAll().execute());
    expect(events.length).toBeGreaterThan(100);
    expect(events).not.toContain(TOKEN);
  });
});
