/**
 * `/api/v3/sources/user_connections/oauth/` — spec §6; permissions.md §3 (every cell of §3.2);
 * decisions F1 (create), F2 (source+identifier unique, also under races), F3 (re-keying), F7, F9, F10.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rand } from '../helpers/factories.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const BASE = '/sources/user_connections/oauth/';
const TOKEN = `access-token-${rand(8)}`;
const KEYS = ['pk', 'user', 'source', 'created', 'identifier'];
const NOT_FOUND = { detail: 'Not found.' };
const DENIED = { detail: 'You do not have permission to perform this action.' };
const ANON = { detail: 'Authentication credentials were not provided.' };
const taken = (pk: number) => ({
  non_field_errors: [`This identifier is already connected to another user on this source (connection ${pk}).`], code: 'unique',
});

let t: TestApp;
type U = { pk: number; username: string; key: string };
let admin: U, alice: U, bob: U, carol: U;
let gh: { pk: string; slug: string }, gl: { pk: string; slug: string }, saml: { pk: string; slug: string };
const bodies: string[] = [];

async function api(method: string, path: string, o: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
  const r = await t.api(method, path, o);
  bodies.push(r.body);
  return r;
}
async function user(o: { superuser?: boolean; password?: string | null } = {}): Promise<U> {
  const u = await t.makeUser({ superuser: o.superuser, password: o.password === undefined ? 'x' : o.password });
  return { pk: u.pk, username: u.username, key: await t.makeToken(u.pk) };
}
async function grant(userPk: number, codename: string, objectPk: string | null = null) {
  await t.t.db.insertInto('permission_grant').values({ user_id: userPk, role_uuid: null, codename, object_pk: objectPk }).execute();
}
async function stored(id: number) {
  return t.t.db.selectFrom('user_source_connection as c').innerJoin('user_oauth_source_connection as o', 'o.id', 'c.id')
    .select(['c.id', 'c.user_id', 'c.source_id', 'c.identifier', 'o.access_token_encrypted', 'c.last_updated'])
    .where('c.id', '=', id).executeTakeFirst();
}
async function create(token: string, body: Record<string, unknown>) {
  return api('POST', BASE, { token, body });
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await user({ superuser: true });
  alice = await user();
  bob = await user();
  carol = await user();
  gh = await t.makeSource({ slug: `b-gh-${rand()}` });
  gl = await t.makeSource({ slug: `a-gl-${rand()}` });
  saml = await t.makeSource({ slug: `saml-${rand()}`, kind: 'saml' });
});
afterAll(async () => t?.close());

describe('create (F1)', () => {
  it('201: user defaults to the caller; identifier trimmed; access token stored encrypted, never answered; event written', async () => {
    const r = await create(alice.key, { source: `urn:uuid:${gh.pk.toUpperCase()}`, identifier: '  a-1  ', access_token: TOKEN, pk: 999, created: 'x' });
    expect(r.statusCode, r.body).toBe(201);
    const b = r.json();
    expect(Object.keys(b)).toEqual(KEYS);
    expect(b).toMatchObject({ user: alice.pk, identifier: 'a-1' });
    expect(b.pk).not.toBe(999);
    expect(b.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
    expect(b.source).toMatchObject({ pk: gh.pk, slug: gh.slug, component: '', meta_model_name: 'authentik_core.source', verbose_name: 'source' });
    expect(r.body).not.toContain(TOKEN);
    const row = (await stored(b.pk))!;
    expect(row.access_token_encrypted).not.toContain(TOKEN);
    expect(t.secrets.decrypt(row.access_token_encrypted!)).toBe(TOKEN);
    const ev = await t.t.db.selectFrom('event').selectAll().where('action', '=', 'model_created').execute();
    const mine = ev.filter((e) => (e.context as any).model.pk === b.pk);
    expect(mine).toHaveLength(1);
    expect((mine[0].context as any).model).toEqual({
      app: 'authentik_sources_oauth', model_name: 'useroauthsourceconnection', pk: b.pk,
      name: `User-source connection (user=${alice.pk}, source=${gh.pk})`,
    });
    expect((await api('GET', `${BASE}${b.pk}/`, { token: alice.key })).json()).toEqual(b);
  });

  it('access_token optional; null and "" are stored as null', async () => {
    const u = await user();
    for (const [src, token] of [[gh, undefined], [gl, null]] as const) {
      const r = await create(u.key, { source: src.pk, identifier: `id-${rand()}`, ...(token === undefined ? {} : { access_token: token }) });
      expect(r.statusCode, r.body).toBe(201);
      expect((await stored(r.json().pk))!.access_token_encrypted).toBeNull();
    }
    const s = await t.makeSource();
    const r = await create(u.key, { source: s.pk, identifier: `id-${rand()}`, access_token: '' });
    expect((await stored(r.json().pk))!.access_token_encrypted).toBeNull();
  });

  it('naming yourself is fine; naming another user needs superuser or add_useroauthsourceconnection', async () => {
    const s = await t.makeSource();
    const self = await create(bob.key, { source: s.pk, identifier: `id-${rand()}`, user: String(bob.pk) });
    expect(self.statusCode, self.body).toBe(201);
    const other = await create(bob.key, { source: s.pk, identifier: `id-${rand()}`, user: carol.pk });
    expect(other.statusCode).toBe(403);
    expect(other.json()).toEqual(DENIED);
    const otherMissing = await create(bob.key, { source: s.pk, identifier: `id-${rand()}`, user: 99999999 });
    expect(otherMissing.statusCode).toBe(403);
    expect(await t.t.db.selectFrom('user_source_connection').select('id').where('user_id', '=', carol.pk).where('source_id', '=', s.pk).executeTakeFirst()).toBeUndefined();
    // object-level or other-model grants do not count; the global add grant does
    await grant(bob.pk, 'authentik_sources_oauth.add_useroauthsourceconnection', '1');
    await grant(bob.pk, 'authentik_core.add_usersourceconnection');
    expect((await create(bob.key, { source: s.pk, identifier: `id-${rand()}`, user: carol.pk })).statusCode).toBe(403);
    await grant(bob.pk, 'authentik_sources_oauth.add_useroauthsourceconnection');
    const ok = await create(bob.key, { source: s.pk, identifier: `id-${rand()}`, user: carol.pk });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().user).toBe(carol.pk);
    const byAdmin = await create(admin.key, { source: gh.pk, identifier: `id-${rand()}`, user: carol.pk });
    expect(byAdmin.statusCode, byAdmin.body).toBe(201);
    expect(byAdmin.json().user).toBe(carol.pk);
  });

  it('400 bodies: required, blank, length, types, unknown/non-OAuth source, unknown user', async () => {
    const count = async () => Number((await t.t.db.selectFrom('user_source_connection').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const unknownSource = randomUUID();
    const cases: [unknown, string, Record<string, unknown>][] = [
      [{}, admin.key, { source: ['This field is required.'], identifier: ['This field is required.'] }],
      [{ source: gh.pk, identifier: '   ' }, admin.key, { identifier: ['This field may not be blank.'] }],
      [{ source: gh.pk, identifier: null }, admin.key, { identifier: ['This field may not be null.'] }],
      [{ source: gh.pk, identifier: 'x'.repeat(256) }, admin.key, { identifier: ['Ensure this field has no more than 255 characters.'] }],
      [{ source: gh.pk, identifier: 'a\u0000' }, admin.key, { identifier: ['Null characters are not allowed.'] }],
      [{ source: gh.pk, identifier: 'x', access_token: 5 }, admin.key, {}],
      [{ source: 'abc', identifier: 'x' }, admin.key, { source: ['“abc” is not a valid UUID.'] }],
      [{ source: unknownSource, identifier: 'x' }, admin.key, { source: [`Invalid pk "${unknownSource}" - object does not exist.`] }],
      [{ source: saml.pk, identifier: 'x' }, admin.key, { source: [`Invalid pk "${saml.pk}" - object does not exist.`] }],
      [{ source: gh.pk, identifier: 'x', user: 'abc' }, admin.key, { user: ['Incorrect type. Expected pk value, received str.'] }],
      [{ source: gh.pk, identifier: 'x', user: true }, admin.key, { user: ['Incorrect type. Expected pk value, received bool.'] }],
      [{ source: gh.pk, identifier: 'x', user: null }, admin.key, { user: ['This field may not be null.'] }],
      [{ source: gh.pk, identifier: 'x', user: 99999999 }, admin.key, { user: ['Invalid pk "99999999" - object does not exist.'] }],
      [{ source: gh.pk, identifier: 'x', user: 1e20 }, admin.key, { user: ['Invalid pk "100000000000000000000" - object does not exist.'] }],
      [{ source: unknownSource, identifier: 'x', user: 99999999 }, admin.key, {
        source: [`Invalid pk "${unknownSource}" - object does not exist.`], user: ['Invalid pk "99999999" - object does not exist.'],
      }],
      [[], alice.key, { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }],
    ];
    for (const [body, key, expected] of cases) {
      const r = await create(key, body as Record<string, unknown>);
      if (Object.keys(expected).length === 0) {
        // a number is accepted as a string, as DRF's CharField does
        expect(r.statusCode, JSON.stringify(body)).toBe(201);
        await api('DELETE', `${BASE}${r.json().pk}/`, { token: admin.key });
        continue;
      }
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json(), JSON.stringify(body)).toEqual(expected);
    }
    expect(await count()).toBe(before);
  });

  it('anonymous / bad token → 403', async () => {
    expect((await api('POST', BASE, { body: { source: gh.pk, identifier: 'x' } })).json()).toEqual(ANON);
    const r = await api('POST', BASE, { token: 'nope', body: { source: gh.pk, identifier: 'x' } });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toEqual({ detail: 'Token invalid/expired' });
  });
});

describe('F2: (source, identifier) is unique', () => {
  it('a second user claiming the same identifier → 400 naming the existing connection; other source is fine', async () => {
    const s = await t.makeSource();
    const first = await create(alice.key, { source: s.pk, identifier: 'shared' });
    expect(first.statusCode).toBe(201);
    const second = await create(bob.key, { source: s.pk, identifier: ' shared ' });
    expect(second.statusCode).toBe(400);
    expect(second.json()).toEqual(taken(first.json().pk));
    const s2 = await t.makeSource();
    expect((await create(bob.key, { source: s2.pk, identifier: 'shared' })).statusCode).toBe(201);
  });

  it('(user, source) is unique too', async () => {
    const s = await t.makeSource();
    expect((await create(carol.key, { source: s.pk, identifier: `a-${rand()}` })).statusCode).toBe(201);
    const r = await create(carol.key, { source: s.pk, identifier: `b-${rand()}` });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ non_field_errors: ['This user already has a connection to this source.'], code: 'unique' });
  });

  it('two racing creates: exactly one wins, the other gets the F2 400 with the winner pk, never 500', async () => {
    for (let round = 0; round < 5; round++) {
      const s = await t.makeSource();
      const u1 = await user();
      const u2 = await user();
      const identifier = `race-${rand()}`;
      const rs = await Promise.all([
        create(u1.key, { source: s.pk, identifier }),
        create(u2.key, { source: s.pk, identifier }),
        create(admin.key, { source: s.pk, identifier, user: u2.pk }),
      ]);
      const codes = rs.map((r) => r.statusCode).sort();
      expect(codes).toEqual([201, 400, 400]);
      const winner = rs.find((r) => r.statusCode === 201)!.json().pk;
      for (const r of rs.filter((x) => x.statusCode === 400)) {
        const b = r.json();
        expect([taken(winner), { non_field_errors: ['This user already has a connection to this source.'], code: 'unique' }]).toContainEqual(b);
      }
      const rows = await t.t.db.selectFrom('user_source_connection').select('id').where('source_id', '=', s.pk).execute();
      expect(rows).toHaveLength(1);
    }
  });
});

describe('update (F3)', () => {
  let conn: number;
  beforeAll(async () => {
    conn = (await create(alice.key, { source: gl.pk, identifier: 'alice-gl', access_token: TOKEN })).json().pk;
  });

  it('owner: same identifier again is fine (PUT and PATCH), access token can change, 200 object, event', async () => {
    const before = (await api('GET', `${BASE}${conn}/`, { token: alice.key })).json();
    const lu0 = (await stored(conn))!.last_updated;
    const put = await api('PUT', `${BASE}${conn}/`, { token: alice.key, body: { identifier: ' alice-gl ', access_token: `${TOKEN}-2`, user: bob.pk, source: gh.pk } });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual(before);
    const row = (await stored(conn))!;
    expect(row.user_id).toBe(alice.pk);
    expect(row.source_id).toBe(gl.pk);
    expect(t.secrets.decrypt(row.access_token_encrypted!)).toBe(`${TOKEN}-2`);
    expect(row.last_updated > lu0).toBe(true);
    const patch = await api('PATCH', `${BASE}${conn}/`, { token: alice.key, body: { access_token: null } });
    expect(patch.statusCode).toBe(200);
    expect((await stored(conn))!.access_token_encrypted).toBeNull();
    expect((await api('PATCH', `${BASE}${conn}/`, { token: alice.key, body: {} })).statusCode).toBe(200);
    const ev = await t.t.db.selectFrom('event').selectAll().where('action', '=', 'model_updated').execute();
    expect(ev.filter((e) => (e.context as any).model.pk === conn && (e.context as any).model.model_name === 'useroauthsourceconnection').length).toBeGreaterThanOrEqual(3);
  });

  it('owner changing the identifier → 403 and nothing changes', async () => {
    for (const method of ['PUT', 'PATCH']) {
      const r = await api(method, `${BASE}${conn}/`, { token: alice.key, body: { identifier: 'someone-else', access_token: 'zzz' } });
      expect(r.statusCode).toBe(403);
      expect(r.json()).toEqual(DENIED);
    }
    const row = (await stored(conn))!;
    expect(row.identifier).toBe('alice-gl');
    expect(row.access_token_encrypted).toBeNull();
  });

  it('superuser, or an owner holding change_useroauthsourceconnection, may re-key', async () => {
    const r = await api('PATCH', `${BASE}${conn}/`, { token: admin.key, body: { identifier: 'alice-gl-2' } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().identifier).toBe('alice-gl-2');
    const d = await user();
    const c = (await create(d.key, { source: gl.pk, identifier: `d-${rand()}` })).json().pk;
    await grant(d.pk, 'authentik_sources_oauth.change_useroauthsourceconnection', String(c));
    const ok = await api('PATCH', `${BASE}${c}/`, { token: d.key, body: { identifier: 'd-new' } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().identifier).toBe('d-new');
  });

  it('re-keying onto a taken identifier → F2 400 with that pk', async () => {
    const other = (await create(bob.key, { source: gl.pk, identifier: `bob-${rand()}` })).json();
    const r = await api('PATCH', `${BASE}${conn}/`, { token: admin.key, body: { identifier: other.identifier } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual(taken(other.pk));
  });

  it('400 bodies: PUT needs identifier; blank; non-object', async () => {
    const cases: [string, unknown, Record<string, unknown>][] = [
      ['PUT', {}, { identifier: ['This field is required.'] }],
      ['PUT', { access_token: 'x' }, { identifier: ['This field is required.'] }],
      ['PATCH', { identifier: '' }, { identifier: ['This field may not be blank.'] }],
      ['PATCH', { identifier: 'y'.repeat(256) }, { identifier: ['Ensure this field has no more than 255 characters.'] }],
      ['PATCH', [1], { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }],
    ];
    for (const [m, body, expected] of cases) {
      const r = await api(m, `${BASE}${conn}/`, { token: alice.key, body });
      expect(r.statusCode, `${m} ${JSON.stringify(body)}`).toBe(400);
      expect(r.json()).toEqual(expected);
    }
  });
});

describe('list', () => {
  let u: U;
  let c1: number, c2: number, c3: number;
  beforeAll(async () => {
    u = await user();
    const sa = await t.makeSource({ slug: `zz-${rand()}` });
    const sb = await t.makeSource({ slug: `aa-${rand()}` });
    c1 = (await create(u.key, { source: sa.pk, identifier: 'm-identifier' })).json().pk;
    c2 = (await create(u.key, { source: sb.pk, identifier: 'z-identifier' })).json().pk;
    c3 = (await create(u.key, { source: gh.pk, identifier: 'a-identifier' })).json().pk;
    await t.makeConnection(u.pk, saml.pk, { kind: 'saml' }); // not an OAuth connection
  });
  const pks = (r: any) => r.json().results.map((x: any) => x.pk);

  it('owner sees own OAuth rows only, default order source slug then pk', async () => {
    const r = await api('GET', BASE, { token: u.key });
    expect(r.statusCode).toBe(200);
    expect(r.json().pagination).toEqual({ next: 0, previous: 0, count: 3, current: 1, total_pages: 1, start_index: 1, end_index: 3 });
    expect(pks(r)).toEqual([c2, c3, c1]);
    expect(Object.keys(r.json().results[0])).toEqual(KEYS);
  });
  it('superuser sees everyone; ?user= filters; unknown user → 400; other user → empty page', async () => {
    const all = await api('GET', `${BASE}?page_size=1000`, { token: admin.key });
    expect(new Set(all.json().results.map((x: any) => x.user)).size).toBeGreaterThan(2);
    expect(pks(await api('GET', `${BASE}?user=${u.pk}`, { token: admin.key }))).toEqual([c2, c3, c1]);
    expect((await api('GET', `${BASE}?user=${alice.pk}`, { token: u.key })).json().pagination.count).toBe(0);
    const bad = await api('GET', `${BASE}?user=99999999`, { token: u.key });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ user: ['Select a valid choice. That choice is not one of the available choices.'] });
    expect((await api('GET', `${BASE}?user=abc`, { token: u.key })).statusCode).toBe(400);
  });
  it('source__slug filter and search', async () => {
    expect(pks(await api('GET', `${BASE}?source__slug=${gh.slug}`, { token: u.key }))).toEqual([c3]);
    expect(pks(await api('GET', `${BASE}?source__slug=${gh.slug.toUpperCase()}`, { token: u.key }))).toEqual([]);
    expect(pks(await api('GET', `${BASE}?search=${gh.slug.slice(0, 6).toUpperCase()}`, { token: u.key }))).toEqual([c3]);
    expect(pks(await api('GET', `${BASE}?search=identifier`, { token: u.key }))).toEqual([]);
  });
  it('ordering: identifier, -pk, user, created, source; unknown ignored', async () => {
    expect(pks(await api('GET', `${BASE}?ordering=identifier`, { token: u.key }))).toEqual([c3, c1, c2]);
    expect(pks(await api('GET', `${BASE}?ordering=-identifier`, { token: u.key }))).toEqual([c2, c1, c3]);
    expect(pks(await api('GET', `${BASE}?ordering=-pk`, { token: u.key }))).toEqual([c3, c2, c1]);
    expect(pks(await api('GET', `${BASE}?ordering=created`, { token: u.key }))).toEqual([c1, c2, c3]);
    expect(pks(await api('GET', `${BASE}?ordering=user,pk`, { token: u.key }))).toEqual([c1, c2, c3]);
    expect(pks(await api('GET', `${BASE}?ordering=access_token,nope`, { token: u.key }))).toEqual([c2, c3, c1]);
    expect((await api('GET', `${BASE}?ordering=source`, { token: u.key })).statusCode).toBe(200);
  });
  it('pagination', async () => {
    const p2 = await api('GET', `${BASE}?page_size=2&page=2`, { token: u.key });
    expect(p2.json().pagination).toEqual({ next: 0, previous: 1, count: 3, current: 2, total_pages: 2, start_index: 3, end_index: 3 });
    expect(pks(p2)).toEqual([c1]);
    expect((await api('GET', `${BASE}?page_size=2&page=3`, { token: u.key })).json()).toEqual({ detail: 'Invalid page.' });
    expect(pks(await api('GET', `${BASE}?page_size=2&page=last`, { token: u.key }))).toEqual([c1]);
  });
});

describe('permissions.md §3.2 matrix', () => {
  let owner: U, other: U, rbac: U;
  let c: number;
  let samlConn: number;
  beforeAll(async () => {
    owner = await user();
    other = await user();
    rbac = await user();
    const s = await t.makeSource();
    c = (await create(owner.key, { source: s.pk, identifier: `own-${rand()}` })).json().pk;
    await create(owner.key, { source: gh.pk, identifier: `own2-${rand()}` }); // so deleting c is not F7's last way in
    samlConn = await t.makeConnection(owner.pk, saml.pk, { kind: 'saml' });
    // Every RBAC grant one could think of: global and per-object, base and typed models.
    for (const verb of ['view', 'change', 'delete', 'add']) {
      await grant(rbac.pk, `authentik_core.${verb}_usersourceconnection`);
      await grant(rbac.pk, `authentik_sources_oauth.${verb}_useroauthsourceconnection`);
      await grant(rbac.pk, `authentik_sources_oauth.${verb}_useroauthsourceconnection`, String(c));
    }
  });
  const detail = () => `${BASE}${c}/`;
  const ops = (id: string) => [
    ['GET', `${BASE}${id}/`, undefined], ['PUT', `${BASE}${id}/`, { identifier: 'x' }], ['PATCH', `${BASE}${id}/`, {}],
    ['DELETE', `${BASE}${id}/`, undefined], ['GET', `${BASE}${id}/used_by/`, undefined],
  ] as const;

  it('anonymous → 403 everywhere (before lookup, also for missing ids)', async () => {
    for (const [m, p, body] of [['GET', BASE, undefined], ['POST', BASE, {}], ...ops(String(c)), ...ops('99999999')] as const) {
      const r = await api(m, p, { body });
      expect(r.statusCode, `${m} ${p}`).toBe(403);
      expect(r.json()).toEqual(ANON);
    }
  });
  it('bad, expired and wrong-intent tokens → 403', async () => {
    const expired = await t.makeToken(owner.pk, { expiring: true, expires: new Date(Date.now() - 1000) });
    const recovery = await t.makeToken(owner.pk, { intent: 'recovery' });
    for (const key of ['bogus', expired, recovery]) {
      for (const [m, p, body] of [['GET', BASE, undefined], ['POST', BASE, {}], ...ops(String(c))] as const) {
        const r = await api(m, p, { token: key, body });
        expect(r.statusCode, `${m} ${p}`).toBe(403);
        expect(r.json()).toEqual({ detail: 'Token invalid/expired' });
      }
    }
  });
  it('owner: list 200 with own rows, GET 200, PUT/PATCH 200, used_by 200 [], DELETE 204', async () => {
    expect((await api('GET', BASE, { token: owner.key })).json().results.map((x: any) => x.pk)).toContain(c);
    expect((await api('GET', detail(), { token: owner.key })).statusCode).toBe(200);
    const ident = (await stored(c))!.identifier;
    expect((await api('PUT', detail(), { token: owner.key, body: { identifier: ident } })).statusCode).toBe(200);
    expect((await api('PATCH', detail(), { token: owner.key, body: {} })).statusCode).toBe(200);
    const ub = await api('GET', `${detail()}used_by/`, { token: owner.key });
    expect(ub.statusCode).toBe(200);
    expect(ub.json()).toEqual([]);
  });
  it('non-owner (plain and with RBAC grants): list without C, GET/PUT/PATCH/DELETE 404 (even with invalid bodies), used_by 403', async () => {
    for (const who of [other, rbac]) {
      const l = await api('GET', `${BASE}?page_size=1000`, { token: who.key });
      expect(l.statusCode).toBe(200);
      expect(l.json().results.map((x: any) => x.pk)).not.toContain(c);
      for (const [m, body] of [['GET', undefined], ['PUT', { identifier: 'x' }], ['PUT', {}], ['PATCH', { identifier: 'mine-now' }], ['PATCH', { identifier: '' }], ['DELETE', undefined]] as const) {
        const r = await api(m, detail(), { token: who.key, body });
        expect(r.statusCode, `${who.username} ${m}`).toBe(404);
        expect(r.json()).toEqual(NOT_FOUND);
      }
      const ub = await api('GET', `${detail()}used_by/`, { token: who.key });
      expect(ub.statusCode).toBe(403);
      expect(ub.json()).toEqual(DENIED);
    }
    const row = (await stored(c))!;
    expect(row.user_id).toBe(owner.pk);
    expect(row.identifier).not.toBe('mine-now');
  });
  it('superuser: everything', async () => {
    expect((await api('GET', `${BASE}?user=${owner.pk}`, { token: admin.key })).json().results.map((x: any) => x.pk)).toContain(c);
    expect((await api('GET', detail(), { token: admin.key })).statusCode).toBe(200);
    expect((await api('PATCH', detail(), { token: admin.key, body: {} })).statusCode).toBe(200);
    expect((await api('GET', `${detail()}used_by/`, { token: admin.key })).json()).toEqual([]);
  });
  it('missing id and non-integer id → 404 on every detail route; a SAML connection is not found here', async () => {
    for (const id of ['99999999', 'abc', '1.5', '-1', '99999999999', String(samlConn)]) {
      for (const [m, p, body] of ops(id)) {
        const r = await api(m, p, { token: admin.key, body });
        expect(r.statusCode, `${m} ${p}`).toBe(404);
        expect(r.json()).toEqual(NOT_FOUND);
      }
    }
  });
  it('owner DELETE → 204 and a model_deleted event; then 404', async () => {
    const r = await api('DELETE', detail(), { token: owner.key });
    expect(r.statusCode).toBe(204);
    expect(r.body).toBe('');
    expect(await stored(c)).toBeUndefined();
    const ev = await t.t.db.selectFrom('event').selectAll().where('action', '=', 'model_deleted').execute();
    expect(ev.some((e) => (e.context as any).model.pk === c && (e.context as any).model.app === 'authentik_sources_oauth')).toBe(true);
    expect((await api('GET', detail(), { token: owner.key })).statusCode).toBe(404);
  });
  it('unmapped method on the collection → 405 after auth', async () => {
    const r = await api('DELETE', BASE, { token: owner.key });
    expect(r.statusCode).toBe(405);
    expect(r.json()).toEqual({ detail: 'Method "DELETE" not allowed.' });
  });
});

describe('F7: the last way in', () => {
  it('a user without a password may not delete their only connection; a superuser may', async () => {
    const u = await user({ password: null });
    const c = (await create(u.key, { source: gh.pk, identifier: `f7-${rand()}` })).json().pk;
    const r = await api('DELETE', `${BASE}${c}/`, { token: u.key });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ non_field_errors: ['This is your only way to sign in: set a password or connect another source before removing it.'] });
    expect(await stored(c)).toBeDefined();
    expect((await api('DELETE', `${BASE}${c}/`, { token: admin.key })).statusCode).toBe(204);
  });
});

describe('secrets (F9)', () => {
  it('access tokens never appear in responses or event rows', async () => {
    expect(bodies.length).toBeGreaterThan(50);
    for (const b of bodies) {
      expect(b).not.toContain(TOKEN);
      expect(b).not.toContain('access_token');
    }
    const events = JSON.stringify(await t.t.db.selectFrom('event').selectAll().execute());
    expect(events).not.toContain(TOKEN);
    expect(events).not.toContain('access_token');
  });
});
