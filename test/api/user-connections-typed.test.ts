/**
 * `/api/v3/sources/user_connections/{saml,plex,kerberos}/` — spec §6; permissions.md §3.2 (every cell, per kind);
 * decisions F1 (create with source + user), F2, F3 (identifier and Kerberos `user` are admin-only), F7, F9, F10.
 * The OAuth kind runs on the same implementation and has its own file (user-connections-oauth.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rand } from '../helpers/factories.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

type Kind = 'saml' | 'plex' | 'kerberos';
const KEYS = ['pk', 'user', 'source', 'created', 'identifier'];
const NOT_FOUND = { detail: 'Not found.' };
const DENIED = { detail: 'You do not have permission to perform this action.' };
const ANON = { detail: 'Authentication credentials were not provided.' };
const PLEX_TOKEN = `plex-secret-${rand(8)}`;
const APP: Record<Kind, [string, string]> = {
  saml: ['authentik_sources_saml', 'usersamlsourceconnection'],
  plex: ['authentik_sources_plex', 'userplexsourceconnection'],
  kerberos: ['authentik_sources_kerberos', 'userkerberossourceconnection'],
};
const taken = (pk: number) => ({
  non_field_errors: [`This identifier is already connected to another user on this source (connection ${pk}).`], code: 'unique',
});
const SAME_SOURCE = { non_field_errors: ['This user already has a connection to this source.'], code: 'unique' };

let t: TestApp;
type U = { pk: number; username: string; key: string };
let admin: U;
const bodies: { status: number; body: string }[] = [];

async function api(method: string, path: string, o: { token?: string; body?: unknown } = {}) {
  const r = await t.api(method, path, o);
  bodies.push({ status: r.statusCode, body: r.body });
  return r;
}
async function user(o: { superuser?: boolean; password?: string | null } = {}): Promise<U> {
  const u = await t.makeUser({ superuser: o.superuser, password: o.password === undefined ? 'x' : o.password });
  return { pk: u.pk, username: u.username, key: await t.makeToken(u.pk) };
}
async function grant(userPk: number, codename: string, objectPk: string | null = null) {
  await t.t.db.insertInto('permission_grant').values({ user_id: userPk, role_uuid: null, codename, object_pk: objectPk }).execute();
}
async function row(id: number) {
  return t.t.db.selectFrom('user_source_connection').select(['id', 'user_id', 'source_id', 'identifier', 'last_updated'])
    .where('id', '=', id).executeTakeFirst();
}
async function plexToken(id: number) {
  const r = await t.t.db.selectFrom('user_plex_source_connection').select('plex_token_encrypted').where('id', '=', id).executeTakeFirst();
  return r ? t.secrets.decrypt(r.plex_token_encrypted) : undefined;
}
async function count() {
  return Number((await t.t.db.selectFrom('user_source_connection').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await user({ superuser: true });
});
afterAll(async () => t?.close());

describe.each(['saml', 'plex', 'kerberos'] as const)('%s connections', (kind: Kind) => {
  const BASE = `/sources/user_connections/${kind}/`;
  const [app, model] = APP[kind];
  /** The kind's required extras (Plex needs its token). */
  const extra = (o: Record<string, unknown> = {}) => (kind === 'plex' ? { plex_token: PLEX_TOKEN, ...o } : o);
  const create = (token: string, body: unknown) => api('POST', BASE, { token, body });
  let src: { pk: string; slug: string };
  let oauthSrc: { pk: string; slug: string };
  let alice: U, bob: U;

  beforeAll(async () => {
    src = await t.makeSource({ kind, slug: `m-${kind}-${rand()}` });
    oauthSrc = await t.makeSource({ kind: 'oauth' });
    alice = await user();
    bob = await user();
  });

  describe('create (F1)', () => {
    it('201: user defaults to the caller, identifier trimmed, typed row written, event, secret never answered', async () => {
      const r = await create(alice.key, { source: src.pk, identifier: '  alice-id ', ...extra(), pk: 5, created: 'x' });
      expect(r.statusCode, r.body).toBe(201);
      const b = r.json();
      expect(Object.keys(b)).toEqual(KEYS);
      expect(b).toMatchObject({ user: alice.pk, identifier: 'alice-id' });
      expect(b.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
      expect(b.source).toMatchObject({ pk: src.pk, slug: src.slug, component: '', meta_model_name: 'authentik_core.source', verbose_name: 'source' });
      const typed = await t.t.db.selectFrom(`user_${kind}_source_connection` as 'user_saml_source_connection').select('id').where('id', '=', b.pk).executeTakeFirst();
      expect(typed).toBeDefined();
      if (kind === 'plex') {
        expect(r.body).not.toContain(PLEX_TOKEN);
        expect(r.body).not.toContain('plex_token');
        expect(await plexToken(b.pk)).toBe(PLEX_TOKEN);
        const raw = await t.t.db.selectFrom('user_plex_source_connection').select('plex_token_encrypted').where('id', '=', b.pk).executeTakeFirstOrThrow();
        expect(raw.plex_token_encrypted).not.toContain(PLEX_TOKEN);
      }
      const ev = (await t.t.db.selectFrom('event').selectAll().where('action', '=', 'model_created').execute())
        .filter((e) => (e.context as any).model.pk === b.pk);
      expect(ev.map((e) => (e.context as any).model)).toEqual([
        { app, model_name: model, pk: b.pk, name: `User-source connection (user=${alice.pk}, source=${src.pk})` },
      ]);
      expect((await api('GET', `${BASE}${b.pk}/`, { token: alice.key })).json()).toEqual(b);
      // visible through /all/ too, with the same base fields
      expect(Object.keys((await api('GET', `/sources/user_connections/all/${b.pk}/`, { token: alice.key })).json())).toEqual(['pk', 'user', 'source', 'created']);
    });

    it('naming another user needs superuser or the global add grant of this kind', async () => {
      const s = await t.makeSource({ kind });
      const u = await user();
      const r = await create(u.key, { source: s.pk, identifier: `x-${rand()}`, user: bob.pk, ...extra() });
      expect(r.statusCode).toBe(403);
      expect(r.json()).toEqual(DENIED);
      expect((await create(u.key, { source: s.pk, identifier: `x-${rand()}`, user: 99999999, ...extra() })).statusCode).toBe(403);
      await grant(u.pk, `authentik_sources_oauth.add_useroauthsourceconnection`); // another kind's grant does not count
      await grant(u.pk, `${app}.add_${model}`, '1'); // nor does an object grant
      expect((await create(u.key, { source: s.pk, identifier: `x-${rand()}`, user: bob.pk, ...extra() })).statusCode).toBe(403);
      await grant(u.pk, `${app}.add_${model}`);
      const ok = await create(u.key, { source: s.pk, identifier: `x-${rand()}`, user: bob.pk, ...extra() });
      expect(ok.statusCode, ok.body).toBe(201);
      expect(ok.json().user).toBe(bob.pk);
      const byAdmin = await create(admin.key, { source: s.pk, identifier: `x-${rand()}`, user: String(admin.pk), ...extra() });
      expect(byAdmin.statusCode, byAdmin.body).toBe(201);
      expect(byAdmin.json().user).toBe(admin.pk);
    });

    it('400 bodies change nothing: required, blank, null, length, types, wrong-kind or unknown source, unknown user', async () => {
      const before = await count();
      const unknown = randomUUID();
      const required: Record<string, string[]> = { source: ['This field is required.'], identifier: ['This field is required.'] };
      if (kind === 'plex') required.plex_token = ['This field is required.'];
      const cases: [unknown, Record<string, unknown>][] = [
        [{}, required],
        [{ source: src.pk, identifier: ' \t ', ...extra() }, { identifier: ['This field may not be blank.'] }],
        [{ source: src.pk, identifier: null, ...extra() }, { identifier: ['This field may not be null.'] }],
        [{ source: src.pk, identifier: 'x'.repeat(513), ...extra() }, { identifier: ['Ensure this field has no more than 512 characters.'] }],
        [{ source: src.pk, identifier: 'a\u0000b', ...extra() }, { identifier: ['Null characters are not allowed.'] }],
        [{ source: src.pk, identifier: ['x'], ...extra() }, { identifier: ['Not a valid string.'] }],
        [{ source: 'abc', identifier: 'x', ...extra() }, { source: ['“abc” is not a valid UUID.'] }],
        [{ source: unknown, identifier: 'x', ...extra() }, { source: [`Invalid pk "${unknown}" - object does not exist.`] }],
        [{ source: oauthSrc.pk, identifier: 'x', ...extra() }, { source: [`Invalid pk "${oauthSrc.pk}" - object does not exist.`] }],
        [{ source: src.pk, identifier: 'x', user: 'abc', ...extra() }, { user: ['Incorrect type. Expected pk value, received str.'] }],
        [{ source: src.pk, identifier: 'x', user: 99999999, ...extra() }, { user: ['Invalid pk "99999999" - object does not exist.'] }],
        [{ source: src.pk, identifier: 'x', user: 1e20, ...extra() }, { user: ['Invalid pk "100000000000000000000" - object does not exist.'] }],
        [[], { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }],
        ['text', { non_field_errors: ['Invalid data. Expected a dictionary, but got str.'] }],
      ];
      if (kind === 'plex') {
        cases.push(
          [{ source: src.pk, identifier: 'x', plex_token: '  ' }, { plex_token: ['This field may not be blank.'] }],
          [{ source: src.pk, identifier: 'x', plex_token: null }, { plex_token: ['This field may not be null.'] }],
          [{ source: src.pk, identifier: 'x', plex_token: {} }, { plex_token: ['Not a valid string.'] }],
        );
      }
      for (const [body, expected] of cases) {
        const r = await create(admin.key, body);
        expect(r.statusCode, JSON.stringify(body)).toBe(400);
        expect(r.json(), JSON.stringify(body)).toEqual(expected);
      }
      expect(await count()).toBe(before);
    });
  });

  describe('F2', () => {
    it('(source, identifier) and (user, source) are unique', async () => {
      const s = await t.makeSource({ kind });
      const first = await create(alice.key, { source: s.pk, identifier: 'shared', ...extra() });
      expect(first.statusCode).toBe(201);
      const second = await create(bob.key, { source: s.pk, identifier: 'shared', ...extra() });
      expect(second.statusCode).toBe(400);
      expect(second.json()).toEqual(taken(first.json().pk));
      const again = await create(alice.key, { source: s.pk, identifier: 'other', ...extra() });
      expect(again.statusCode).toBe(400);
      expect(again.json()).toEqual(SAME_SOURCE);
    });

    it('racing creates: one 201, the others 400, never 500', async () => {
      const s = await t.makeSource({ kind });
      const [u1, u2] = [await user(), await user()];
      const rs = await Promise.all([
        create(u1.key, { source: s.pk, identifier: 'race', ...extra() }),
        create(u2.key, { source: s.pk, identifier: 'race', ...extra() }),
      ]);
      expect(rs.map((r) => r.statusCode).sort()).toEqual([201, 400]);
      const winner = rs.find((r) => r.statusCode === 201)!.json().pk;
      expect(rs.find((r) => r.statusCode === 400)!.json()).toEqual(taken(winner));
    });
  });

  describe('update (F3)', () => {
    let s: { pk: string };
    let conn: number;
    beforeAll(async () => {
      s = await t.makeSource({ kind });
      conn = (await create(alice.key, { source: s.pk, identifier: 'alice-1', ...extra() })).json().pk;
    });
    const full = (o: Record<string, unknown> = {}) => ({ ...(kind === 'kerberos' ? { user: alice.pk } : {}), identifier: 'alice-1', ...extra(), ...o });

    it('owner: PUT/PATCH with unchanged values → 200, last_updated refreshed, source/user ignored where read-only', async () => {
      const before = (await api('GET', `${BASE}${conn}/`, { token: alice.key })).json();
      const lu0 = (await row(conn))!.last_updated;
      const put = await api('PUT', `${BASE}${conn}/`, { token: alice.key, body: full({ identifier: ' alice-1 ', source: oauthSrc.pk, ...(kind === 'kerberos' ? {} : { user: bob.pk }) }) });
      expect(put.statusCode, put.body).toBe(200);
      expect(put.json()).toEqual(before);
      const r = (await row(conn))!;
      expect(r.user_id).toBe(alice.pk);
      expect(r.source_id).toBe(s.pk);
      expect(r.last_updated > lu0).toBe(true);
      expect((await api('PATCH', `${BASE}${conn}/`, { token: alice.key, body: {} })).statusCode).toBe(200);
      if (kind === 'kerberos') expect((await api('PATCH', `${BASE}${conn}/`, { token: alice.key, body: { user: String(alice.pk) } })).statusCode).toBe(200);
    });

    if (kind === 'plex') {
      it('owner may replace the Plex token (encrypted, never answered)', async () => {
        const r = await api('PATCH', `${BASE}${conn}/`, { token: alice.key, body: { plex_token: `${PLEX_TOKEN}-2` } });
        expect(r.statusCode, r.body).toBe(200);
        expect(await plexToken(conn)).toBe(`${PLEX_TOKEN}-2`);
        const put = await api('PUT', `${BASE}${conn}/`, { token: alice.key, body: { identifier: 'alice-1' } });
        expect(put.statusCode).toBe(400);
        expect(put.json()).toEqual({ plex_token: ['This field is required.'] });
        expect((await api('PATCH', `${BASE}${conn}/`, { token: alice.key, body: { plex_token: '' } })).json()).toEqual({ plex_token: ['This field may not be blank.'] });
        expect(await plexToken(conn)).toBe(`${PLEX_TOKEN}-2`);
      });
    }

    it('owner changing the identifier → 403, nothing changes', async () => {
      for (const [m, body] of [['PUT', full({ identifier: 'bob-1' })], ['PATCH', { identifier: 'bob-1', ...(kind === 'plex' ? { plex_token: 'zzz' } : {}) }]] as const) {
        const r = await api(m, `${BASE}${conn}/`, { token: alice.key, body });
        expect(r.statusCode, m).toBe(403);
        expect(r.json()).toEqual(DENIED);
      }
      expect((await row(conn))!.identifier).toBe('alice-1');
      if (kind === 'plex') expect(await plexToken(conn)).not.toBe('zzz');
    });

    if (kind === 'kerberos') {
      it('owner re-assigning `user` → 403 (also for unknown or malformed pks decided after the right)', async () => {
        for (const body of [{ user: bob.pk }, { user: 99999999 }]) {
          const r = await api('PATCH', `${BASE}${conn}/`, { token: alice.key, body });
          expect(r.statusCode).toBe(403);
          expect(r.json()).toEqual(DENIED);
        }
        const put = await api('PUT', `${BASE}${conn}/`, { token: alice.key, body: { user: bob.pk, identifier: 'alice-1' } });
        expect(put.statusCode).toBe(403);
        expect((await row(conn))!.user_id).toBe(alice.pk);
      });

      it('Kerberos `user` validation: wrong type, unknown pk, PUT needs user; superuser re-assigns; (user, source) clash', async () => {
        const cases: [string, unknown, Record<string, unknown>][] = [
          ['PATCH', { user: 'abc' }, { user: ['Incorrect type. Expected pk value, received str.'] }],
          ['PATCH', { user: 1.5 }, { user: ['Incorrect type. Expected pk value, received float.'] }],
          ['PATCH', { user: null }, { user: ['This field may not be null.'] }],
          ['PATCH', { user: 99999999 }, { user: ['Invalid pk "99999999" - object does not exist.'] }],
          ['PATCH', { user: -5 }, { user: ['Invalid pk "-5" - object does not exist.'] }],
          ['PUT', { identifier: 'alice-1' }, { user: ['This field is required.'] }],
          ['PUT', {}, { user: ['This field is required.'], identifier: ['This field is required.'] }],
        ];
        for (const [m, body, expected] of cases) {
          const r = await api(m, `${BASE}${conn}/`, { token: admin.key, body });
          expect(r.statusCode, JSON.stringify(body)).toBe(400);
          expect(r.json(), JSON.stringify(body)).toEqual(expected);
        }
        const other = await user();
        const moved = await api('PATCH', `${BASE}${conn}/`, { token: admin.key, body: { user: other.pk } });
        expect(moved.statusCode, moved.body).toBe(200);
        expect(moved.json().user).toBe(other.pk);
        expect((await api('GET', `${BASE}${conn}/`, { token: alice.key })).statusCode).toBe(404);
        expect((await api('GET', `${BASE}${conn}/`, { token: other.key })).statusCode).toBe(200);
        const clash = (await create(admin.key, { source: s.pk, identifier: `b-${rand()}`, user: bob.pk })).json().pk;
        const r = await api('PATCH', `${BASE}${clash}/`, { token: admin.key, body: { user: other.pk } });
        expect(r.statusCode).toBe(400);
        expect(r.json()).toEqual(SAME_SOURCE);
        const back = await api('PUT', `${BASE}${conn}/`, { token: admin.key, body: { user: alice.pk, identifier: 'alice-1' } });
        expect(back.statusCode).toBe(200);
        const ev = await t.t.db.selectFrom('event').selectAll().where('action', '=', 'model_updated').execute();
        expect(ev.some((e) => (e.context as any).model.pk === conn && (e.context as any).model.name.includes(`user=${other.pk}`))).toBe(true);
      });

      it('an owner holding change_userkerberossourceconnection on the object may re-assign', async () => {
        const d = await user();
        const c = (await create(d.key, { source: (await t.makeSource({ kind })).pk, identifier: `d-${rand()}` })).json().pk;
        await grant(d.pk, `${app}.change_${model}`, String(c));
        const r = await api('PATCH', `${BASE}${c}/`, { token: d.key, body: { user: bob.pk } });
        expect(r.statusCode, r.body).toBe(200);
        expect(r.json().user).toBe(bob.pk);
      });
    }

    it('superuser, or the change grant of this kind, may re-key; a taken identifier → F2 400', async () => {
      const r = await api('PATCH', `${BASE}${conn}/`, { token: admin.key, body: { identifier: 'alice-2' } });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().identifier).toBe('alice-2');
      const carol = await user();
      const other = (await create(carol.key, { source: s.pk, identifier: `carol-${rand()}`, ...extra() })).json();
      const clash = await api('PATCH', `${BASE}${conn}/`, { token: admin.key, body: { identifier: other.identifier } });
      expect(clash.statusCode).toBe(400);
      expect(clash.json()).toEqual(taken(other.pk));
      await grant(carol.pk, `${app}.change_${model}`, String(other.pk));
      const own = await api('PATCH', `${BASE}${other.pk}/`, { token: carol.key, body: { identifier: 'carol-new' } });
      expect(own.statusCode, own.body).toBe(200);
      expect(own.json().identifier).toBe('carol-new');
    });
  });

  describe('list', () => {
    let u: U;
    let c1: number, c2: number, c3: number;
    beforeAll(async () => {
      u = await user();
      const [sz, sa, sm] = [await t.makeSource({ kind, slug: `zz-${rand()}` }), await t.makeSource({ kind, slug: `aa-${rand()}` }), await t.makeSource({ kind, slug: `mm-${rand()}` })];
      c1 = (await create(u.key, { source: sz.pk, identifier: 'm-identifier', ...extra() })).json().pk;
      c2 = (await create(u.key, { source: sa.pk, identifier: 'z-identifier', ...extra() })).json().pk;
      c3 = (await create(u.key, { source: sm.pk, identifier: 'a-identifier', ...extra() })).json().pk;
      await t.makeConnection(u.pk, oauthSrc.pk, { kind: 'oauth' }); // another kind: never listed here
    });
    const pks = (r: any) => r.json().results.map((x: any) => x.pk);

    it('owner sees own rows of this kind only; default order source slug then pk; shape', async () => {
      const r = await api('GET', BASE, { token: u.key });
      expect(r.statusCode).toBe(200);
      expect(r.json().pagination).toEqual({ next: 0, previous: 0, count: 3, current: 1, total_pages: 1, start_index: 1, end_index: 3 });
      expect(pks(r)).toEqual([c2, c3, c1]);
      expect(Object.keys(r.json().results[0])).toEqual(KEYS);
    });

    if (kind === 'kerberos') {
      it('no `user` filter: it is ignored, also for unknown pks', async () => {
        expect(pks(await api('GET', `${BASE}?user=99999999`, { token: u.key }))).toEqual([c2, c3, c1]);
        expect(pks(await api('GET', `${BASE}?user=${alice.pk}`, { token: u.key }))).toEqual([c2, c3, c1]);
      });
    } else {
      it('`user` filter: unknown → 400, another user → empty page, superuser filters', async () => {
        expect(pks(await api('GET', `${BASE}?user=${u.pk}`, { token: admin.key }))).toEqual([c2, c3, c1]);
        expect((await api('GET', `${BASE}?user=${alice.pk}`, { token: u.key })).json().pagination.count).toBe(0);
        const bad = await api('GET', `${BASE}?user=99999999`, { token: u.key });
        expect(bad.statusCode).toBe(400);
        expect(bad.json()).toEqual({ user: ['Select a valid choice. That choice is not one of the available choices.'] });
      });
    }

    it('source__slug filter, search, ordering, pagination', async () => {
      const slug = (await api('GET', `${BASE}${c3}/`, { token: u.key })).json().source.slug;
      expect(pks(await api('GET', `${BASE}?source__slug=${slug}`, { token: u.key }))).toEqual([c3]);
      expect(pks(await api('GET', `${BASE}?search=${slug.slice(0, 5).toUpperCase()}`, { token: u.key }))).toEqual([c3]);
      expect(pks(await api('GET', `${BASE}?search=identifier`, { token: u.key }))).toEqual([]);
      expect(pks(await api('GET', `${BASE}?ordering=identifier`, { token: u.key }))).toEqual([c3, c1, c2]);
      expect(pks(await api('GET', `${BASE}?ordering=-pk`, { token: u.key }))).toEqual([c3, c2, c1]);
      expect(pks(await api('GET', `${BASE}?ordering=plex_token,nope`, { token: u.key }))).toEqual([c2, c3, c1]);
      const p2 = await api('GET', `${BASE}?page_size=2&page=2`, { token: u.key });
      expect(pks(p2)).toEqual([c1]);
      expect((await api('GET', `${BASE}?page=3`, { token: u.key })).json()).toEqual({ detail: 'Invalid page.' });
    });
  });

  describe('permissions.md §3.2 matrix', () => {
    let owner: U, other: U, rbac: U;
    let c: number, oauthConn: number;
    beforeAll(async () => {
      owner = await user();
      other = await user();
      rbac = await user();
      c = (await create(owner.key, { source: (await t.makeSource({ kind })).pk, identifier: `own-${rand()}`, ...extra() })).json().pk;
      await t.makeConnection(owner.pk, (await t.makeSource({ kind })).pk, { kind }); // so deleting c is not F7's last way in
      oauthConn = await t.makeConnection(owner.pk, oauthSrc.pk, { kind: 'oauth' });
      for (const verb of ['view', 'change', 'delete', 'add']) {
        await grant(rbac.pk, `authentik_core.${verb}_usersourceconnection`);
        await grant(rbac.pk, `${app}.${verb}_${model}`);
        await grant(rbac.pk, `${app}.${verb}_${model}`, String(c));
      }
    });
    const body = () => ({ ...(kind === 'kerberos' ? { user: owner.pk } : {}), identifier: 'x', ...extra() });
    const ops = (id: string) => [
      ['GET', `${BASE}${id}/`, undefined], ['PUT', `${BASE}${id}/`, body()], ['PATCH', `${BASE}${id}/`, {}],
      ['DELETE', `${BASE}${id}/`, undefined], ['GET', `${BASE}${id}/used_by/`, undefined],
    ] as const;

    it('anonymous → 403 everywhere, before any lookup', async () => {
      for (const [m, p, b] of [['GET', BASE, undefined], ['POST', BASE, {}], ...ops(String(c)), ...ops('99999999')] as const) {
        const r = await api(m, p, { body: b });
        expect(r.statusCode, `${m} ${p}`).toBe(403);
        expect(r.json()).toEqual(ANON);
      }
    });
    it('bad, expired and wrong-intent tokens → 403', async () => {
      const expired = await t.makeToken(owner.pk, { expiring: true, expires: new Date(Date.now() - 1000) });
      const recovery = await t.makeToken(owner.pk, { intent: 'recovery' });
      for (const key of ['bogus', expired, recovery]) {
        for (const [m, p, b] of [['GET', BASE, undefined], ['POST', BASE, {}], ...ops(String(c))] as const) {
          const r = await api(m, p, { token: key, body: b });
          expect(r.statusCode, `${m} ${p}`).toBe(403);
          expect(r.json()).toEqual({ detail: 'Token invalid/expired' });
        }
      }
    });
    it('owner: list, GET, PUT/PATCH (same values), used_by []', async () => {
      expect((await api('GET', BASE, { token: owner.key })).json().results.map((x: any) => x.pk)).toContain(c);
      expect((await api('GET', `${BASE}${c}/`, { token: owner.key })).statusCode).toBe(200);
      const ident = (await row(c))!.identifier;
      const put = await api('PUT', `${BASE}${c}/`, { token: owner.key, body: { ...body(), identifier: ident } });
      expect(put.statusCode, put.body).toBe(200);
      expect((await api('PATCH', `${BASE}${c}/`, { token: owner.key, body: {} })).statusCode).toBe(200);
      const ub = await api('GET', `${BASE}${c}/used_by/`, { token: owner.key });
      expect(ub.statusCode).toBe(200);
      expect(ub.json()).toEqual([]);
    });
    it('non-owner, plain or with every RBAC grant: C absent from list, 404 on detail routes (even with bad bodies), used_by 403', async () => {
      for (const who of [other, rbac]) {
        const l = await api('GET', `${BASE}?page_size=1000`, { token: who.key });
        expect(l.statusCode).toBe(200);
        expect(l.json().results.map((x: any) => x.pk)).not.toContain(c);
        for (const [m, b] of [['GET', undefined], ['PUT', body()], ['PUT', {}], ['PATCH', { identifier: 'mine' }], ['PATCH', { user: who.pk }], ['PATCH', { identifier: '' }], ['DELETE', undefined]] as const) {
          const r = await api(m, `${BASE}${c}/`, { token: who.key, body: b });
          expect(r.statusCode, `${who.username} ${m} ${JSON.stringify(b)}`).toBe(404);
          expect(r.json()).toEqual(NOT_FOUND);
        }
        const ub = await api('GET', `${BASE}${c}/used_by/`, { token: who.key });
        expect(ub.statusCode).toBe(403);
        expect(ub.json()).toEqual(DENIED);
      }
      const r = (await row(c))!;
      expect(r.user_id).toBe(owner.pk);
      expect(r.identifier).not.toBe('mine');
    });
    it('superuser: everything', async () => {
      expect((await api('GET', `${BASE}?page_size=1000`, { token: admin.key })).json().results.map((x: any) => x.pk)).toContain(c);
      expect((await api('GET', `${BASE}${c}/`, { token: admin.key })).statusCode).toBe(200);
      expect((await api('PATCH', `${BASE}${c}/`, { token: admin.key, body: {} })).statusCode).toBe(200);
      expect((await api('GET', `${BASE}${c}/used_by/`, { token: admin.key })).json()).toEqual([]);
    });
    it('missing, non-integer and other-kind ids → 404 on every detail route', async () => {
      for (const id of ['99999999', 'abc', '1.5', '-1', '99999999999', String(oauthConn)]) {
        for (const [m, p, b] of ops(id)) {
          const r = await api(m, p, { token: admin.key, body: b });
          expect(r.statusCode, `${m} ${p}`).toBe(404);
          expect(r.json()).toEqual(NOT_FOUND);
        }
      }
    });
    it('owner DELETE → 204, typed row gone, model_deleted event; unmapped method → 405', async () => {
      const r = await api('DELETE', `${BASE}${c}/`, { token: owner.key });
      expect(r.statusCode).toBe(204);
      expect(r.body).toBe('');
      expect(await row(c)).toBeUndefined();
      const ev = await t.t.db.selectFrom('event').selectAll().where('action', '=', 'model_deleted').execute();
      expect(ev.some((e) => (e.context as any).model.pk === c && (e.context as any).model.app === app)).toBe(true);
      const m = await api('DELETE', BASE, { token: owner.key });
      expect(m.statusCode).toBe(405);
    });
  });

  it('F7: a user without a password may not delete their only connection; a superuser may', async () => {
    const u = await user({ password: null });
    const c = (await create(u.key, { source: (await t.makeSource({ kind })).pk, identifier: `f7-${rand()}`, ...extra() })).json().pk;
    const r = await api('DELETE', `${BASE}${c}/`, { token: u.key });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ non_field_errors: ['This is your only way to sign in: set a password or connect another source before removing it.'] });
    expect((await api('DELETE', `${BASE}${c}/`, { token: admin.key })).statusCode).toBe(204);
  });
});

describe('secrets (F9)', () => {
  it('Plex tokens never appear in responses or events', async () => {
    expect(bodies.length).toBeGreaterThan(100);
    for (const { status, body } of bodies) {
      expect(body).not.toContain(PLEX_TOKEN);
      if (status < 400) expect(body).not.toContain('plex_token');
    }
    const events = JSON.stringify(await t.t.db.selectFrom('event').selectAll().execute());
    expect(events).not.toContain(PLEX_TOKEN);
    expect(events).not.toContain('plex_token');
  });
});
