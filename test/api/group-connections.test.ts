/**
 * `/api/v3/sources/group_connections/{oauth,saml,plex,kerberos}/` — spec §8.1; permissions.md §4;
 * decisions F4 (superusers only, create works, never 500), F10 (events); docs/decisions.md C5–C7.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rand } from '../helpers/factories.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

type Kind = 'oauth' | 'saml' | 'plex' | 'kerberos';
const KEYS = ['pk', 'group', 'source', 'identifier', 'created'];
const NOT_FOUND = { detail: 'Not found.' };
const DENIED = { detail: 'You do not have permission to perform this action.' };
const INVALID_CHOICE = ['Select a valid choice. That choice is not one of the available choices.'];

let t: TestApp;
type U = { pk: number; key: string };
let admin: U, alice: U, rbac: U;

async function user(superuser = false): Promise<U> {
  const u = await t.makeUser({ superuser, password: 'x' });
  return { pk: u.pk, key: await t.makeToken(u.pk) };
}
async function group(name = `g-${rand()}`): Promise<string> {
  const pk = randomUUID();
  await t.t.db.insertInto('group').values({ group_uuid: pk, name, is_superuser: false, parent_uuid: null, attributes: '{}' }).execute();
  return pk;
}
async function stored(id: number) {
  return t.t.db.selectFrom('group_source_connection').selectAll().where('id', '=', id).executeTakeFirst();
}
async function count() {
  return Number((await t.t.db.selectFrom('group_source_connection').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await user(true);
  alice = await user();
  rbac = await user();
  for (const codename of ['add', 'view', 'change', 'delete'].flatMap((v) => [
    `authentik_core.${v}_groupsourceconnection`, `authentik_sources_oauth.${v}_groupoauthsourceconnection`,
    `authentik_sources_saml.${v}_groupsamlsourceconnection`,
  ])) {
    await t.t.db.insertInto('permission_grant').values({ user_id: rbac.pk, role_uuid: null, codename, object_pk: null }).execute();
  }
});
afterAll(async () => t?.close());

describe.each(['oauth', 'saml', 'plex', 'kerberos'] as const)('%s group connections', (kind: Kind) => {
  const BASE = `/sources/group_connections/${kind}/`;
  const APP = `authentik_sources_${kind}`;
  const MODEL = `group${kind}sourceconnection`;
  let src: { pk: string; slug: string };
  let other: { pk: string; slug: string };
  let g: string;
  let conn: number;
  const create = (token: string, body: unknown) => t.api('POST', BASE, { token, body });

  beforeAll(async () => {
    src = await t.makeSource({ kind, slug: `m-${kind}-${rand()}` });
    other = await t.makeSource({ kind: kind === 'saml' ? 'plex' : 'saml' });
    g = await group();
  });

  it('superuser creates: 201 shape, trimmed identifier, nested base source, event; retrieve gives the same', async () => {
    const r = await create(admin.key, { group: g.toUpperCase(), source: src.pk, identifier: '  ext-group ', pk: 7 });
    expect(r.statusCode, r.body).toBe(201);
    const b = r.json();
    expect(Object.keys(b)).toEqual(KEYS);
    expect(b).toMatchObject({ group: g, identifier: 'ext-group' });
    expect(b.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
    expect(b.source).toMatchObject({ pk: src.pk, slug: src.slug, component: '', meta_model_name: 'authentik_core.source' });
    conn = b.pk;
    const typed = await t.t.db.selectFrom(`group_${kind}_source_connection` as 'group_oauth_source_connection').select('id').where('id', '=', conn).executeTakeFirst();
    expect(typed).toBeDefined();
    const ev = (await t.t.db.selectFrom('event').selectAll().where('action', '=', 'model_created').execute())
      .filter((e) => (e.context as any).model.model_name === MODEL && (e.context as any).model.pk === conn);
    expect(ev.map((e) => (e.context as any).model)).toEqual([
      { app: APP, model_name: MODEL, pk: conn, name: `Group-source connection (group=${g}, source=${src.pk})` },
    ]);
    expect((await t.api('GET', `${BASE}${conn}/`, { token: admin.key })).json()).toEqual(b);
  });

  it('400 bodies change nothing: required, uuids, unknown or wrong-kind references, blank, length, uniqueness', async () => {
    const before = await count();
    const g2 = await group();
    const unknown = randomUUID();
    const cases: [unknown, Record<string, unknown>][] = [
      [{}, { group: ['This field is required.'], source: ['This field is required.'], identifier: ['This field is required.'] }],
      [{ group: 'nope', source: src.pk, identifier: 'x' }, { group: ['“nope” is not a valid UUID.'] }],
      [{ group: unknown, source: src.pk, identifier: 'x' }, { group: [`Invalid pk "${unknown}" - object does not exist.`] }],
      [{ group: g2, source: 'x', identifier: 'x' }, { source: ['“x” is not a valid UUID.'] }],
      [{ group: g2, source: unknown, identifier: 'x' }, { source: [`Invalid pk "${unknown}" - object does not exist.`] }],
      [{ group: g2, source: other.pk, identifier: 'x' }, { source: [`Invalid pk "${other.pk}" - object does not exist.`] }],
      [{ group: unknown, source: unknown, identifier: 'x' }, {
        group: [`Invalid pk "${unknown}" - object does not exist.`], source: [`Invalid pk "${unknown}" - object does not exist.`],
      }],
      [{ group: g2, source: src.pk, identifier: '   ' }, { identifier: ['This field may not be blank.'] }],
      [{ group: g2, source: src.pk, identifier: null }, { identifier: ['This field may not be null.'] }],
      [{ group: g2, source: src.pk, identifier: 'x'.repeat(513) }, { identifier: ['Ensure this field has no more than 512 characters.'] }],
      [{ group: g2, source: src.pk, identifier: 'a\u0000' }, { identifier: ['Null characters are not allowed.'] }],
      [{ group: [g2], source: src.pk, identifier: 'x' }, { group: ['Not a valid string.'] }],
      [{ group: g2, source: src.pk, identifier: 'ext-group' }, {
        non_field_errors: [`This identifier is already connected to another group on this source (connection ${conn}).`], code: 'unique',
      }],
      [{ group: g, source: src.pk, identifier: 'other' }, { non_field_errors: ['This group already has a connection to this source.'], code: 'unique' }],
      [[], { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }],
    ];
    for (const [body, expected] of cases) {
      const r = await create(admin.key, body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json(), JSON.stringify(body)).toEqual(expected);
    }
    expect(await count()).toBe(before);
  });

  it('racing creates for one (source, identifier): one 201, the other 400 naming the winner, never 500', async () => {
    const [g1, g2] = [await group(), await group()];
    const s = await t.makeSource({ kind });
    const rs = await Promise.all([g1, g2].map((x) => create(admin.key, { group: x, source: s.pk, identifier: 'race' })));
    expect(rs.map((r) => r.statusCode).sort()).toEqual([201, 400]);
    const winner = rs.find((r) => r.statusCode === 201)!.json().pk;
    expect(rs.find((r) => r.statusCode === 400)!.json()).toEqual({
      non_field_errors: [`This identifier is already connected to another group on this source (connection ${winner}).`], code: 'unique',
    });
  });

  it('F4: non-superusers (also with every RBAC grant) see none, get 404 on every detail route and 403 on create', async () => {
    for (const who of [alice, rbac]) {
      const l = await t.api('GET', BASE, { token: who.key });
      expect(l.statusCode).toBe(200);
      expect(l.json()).toEqual({ pagination: { next: 0, previous: 0, count: 0, current: 1, total_pages: 1, start_index: 0, end_index: 0 }, results: [] });
      // no probing group pks through the filter, no page beyond the first
      expect((await t.api('GET', `${BASE}?group=${randomUUID()}`, { token: who.key })).statusCode).toBe(200);
      expect((await t.api('GET', `${BASE}?page=2`, { token: who.key })).json()).toEqual({ detail: 'Invalid page.' });
      for (const id of [String(conn), '99999999']) {
        for (const [m, p, body] of [
          ['GET', `${BASE}${id}/`, undefined], ['PUT', `${BASE}${id}/`, {}], ['PATCH', `${BASE}${id}/`, []],
          ['DELETE', `${BASE}${id}/`, undefined], ['GET', `${BASE}${id}/used_by/`, undefined],
        ] as const) {
          const r = await t.api(m, p, { token: who.key, body });
          expect(r.statusCode, `${m} ${p}`).toBe(404);
          expect(r.json()).toEqual(NOT_FOUND);
        }
      }
      for (const body of [{ group: g, source: src.pk, identifier: `x-${rand()}` }, {}, []]) {
        const r = await create(who.key, body);
        expect(r.statusCode).toBe(403);
        expect(r.json()).toEqual(DENIED);
      }
    }
    expect((await stored(conn))!.identifier).toBe('ext-group');
  });

  it('anonymous and bad tokens → 403', async () => {
    for (const [m, p] of [['GET', BASE], ['POST', BASE], ['GET', `${BASE}${conn}/`], ['DELETE', `${BASE}${conn}/`], ['GET', `${BASE}${conn}/used_by/`]] as const) {
      expect((await t.api(m, p, {})).json()).toEqual({ detail: 'Authentication credentials were not provided.' });
      expect((await t.api(m, p, { token: 'bogus' })).statusCode).toBe(403);
    }
  });

  it('superuser PUT/PATCH: any object body accepted and ignored, last_updated refreshed, event; non-object → 400', async () => {
    const before = (await t.api('GET', `${BASE}${conn}/`, { token: admin.key })).json();
    const lu0 = (await stored(conn))!.last_updated;
    for (const [m, body] of [['PUT', { identifier: 'hijack', group: randomUUID(), source: other.pk }], ['PATCH', {}], ['PUT', undefined]] as const) {
      const r = await t.api(m, `${BASE}${conn}/`, { token: admin.key, body });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toEqual(before);
    }
    expect((await stored(conn))!.last_updated > lu0).toBe(true);
    expect((await t.api('PATCH', `${BASE}${conn}/`, { token: admin.key, body: [1] })).json()).toEqual({
      non_field_errors: ['Invalid data. Expected a dictionary, but got list.'],
    });
    const ev = await t.t.db.selectFrom('event').selectAll().where('action', '=', 'model_updated').execute();
    expect(ev.filter((e) => (e.context as any).model.model_name === MODEL && (e.context as any).model.pk === conn).length).toBeGreaterThanOrEqual(3);
  });

  it('superuser used_by [] ; missing, non-integer and other-kind ids → 404', async () => {
    expect((await t.api('GET', `${BASE}${conn}/used_by/`, { token: admin.key })).json()).toEqual([]);
    const otherKind = kind === 'oauth' ? 'saml' : 'oauth';
    const foreign = (await t.api('POST', `/sources/group_connections/${otherKind}/`, {
      token: admin.key, body: { group: await group(), source: (await t.makeSource({ kind: otherKind })).pk, identifier: 'f' },
    })).json().pk;
    for (const id of ['99999999', 'abc', '-1', String(foreign)]) {
      for (const [m, p] of [['GET', `${BASE}${id}/`], ['PATCH', `${BASE}${id}/`], ['DELETE', `${BASE}${id}/`], ['GET', `${BASE}${id}/used_by/`]] as const) {
        const r = await t.api(m, p, { token: admin.key, body: m === 'PATCH' ? {} : undefined });
        expect(r.statusCode, `${m} ${p}`).toBe(404);
      }
    }
  });
});

describe('lists (superuser)', () => {
  const BASE = '/sources/group_connections/oauth/';
  let g1: string, g2: string;
  let c1: number, c2: number, c3: number;
  let sz: { pk: string; slug: string }, sa: { pk: string; slug: string };
  beforeAll(async () => {
    [g1, g2] = [await group(), await group()];
    sz = await t.makeSource({ slug: `zz-${rand()}` });
    sa = await t.makeSource({ slug: `aa-${rand()}` });
    const mk = async (g: string, s: string, identifier: string) => (await t.api('POST', BASE, { token: admin.key, body: { group: g, source: s, identifier } })).json().pk;
    c1 = await mk(g1, sz.pk, 'm');
    c2 = await mk(g1, sa.pk, 'z');
    c3 = await mk(g2, sa.pk, 'a');
  });
  const pks = async (q: string) => (await t.api('GET', `${BASE}?page_size=1000&${q}`, { token: admin.key })).json().results.map((x: any) => x.pk).filter((p: number) => [c1, c2, c3].includes(p));

  it('default order source slug then pk; ordering fields; unknown ignored', async () => {
    expect(await pks('')).toEqual([c2, c3, c1]);
    expect(await pks('ordering=identifier')).toEqual([c3, c1, c2]);
    expect(await pks('ordering=-identifier')).toEqual([c2, c1, c3]);
    expect(await pks('ordering=-pk')).toEqual([c3, c2, c1]);
    expect(await pks('ordering=created')).toEqual([c1, c2, c3]);
    expect(await pks('ordering=nope')).toEqual([c2, c3, c1]);
    for (const f of ['group', 'source', '-group']) expect((await t.api('GET', `${BASE}?ordering=${f}`, { token: admin.key })).statusCode).toBe(200);
  });
  it('filters group (validated) and source__slug; search on source slug', async () => {
    expect(await pks(`group=${g1}`)).toEqual([c2, c1]);
    expect(await pks(`group=${g2.toUpperCase()}`)).toEqual([c3]);
    for (const bad of [randomUUID(), 'nope']) {
      const r = await t.api('GET', `${BASE}?group=${bad}`, { token: admin.key });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toEqual({ group: INVALID_CHOICE });
    }
    expect(await pks(`source__slug=${sz.slug}`)).toEqual([c1]);
    expect(await pks(`search=${sa.slug.slice(0, 6).toUpperCase()}`)).toEqual([c2, c3]);
    expect(await pks('search=identifier')).toEqual([]);
  });
  it('deleting a group or a source deletes its connections; DELETE → 204 with an event', async () => {
    await t.t.db.deleteFrom('group').where('group_uuid', '=', g2).execute();
    expect(await stored(c3)).toBeUndefined();
    expect(await t.t.db.selectFrom('group_oauth_source_connection').select('id').where('id', '=', c3).executeTakeFirst()).toBeUndefined();
    const r = await t.api('DELETE', `${BASE}${c1}/`, { token: admin.key });
    expect(r.statusCode).toBe(204);
    expect(r.body).toBe('');
    expect(await stored(c1)).toBeUndefined();
    const ev = await t.t.db.selectFrom('event').selectAll().where('action', '=', 'model_deleted').execute();
    expect(ev.some((e) => (e.context as any).model.pk === c1 && (e.context as any).model.model_name === 'groupoauthsourceconnection')).toBe(true);
    expect((await t.api('GET', `${BASE}${c1}/`, { token: admin.key })).statusCode).toBe(404);
  });
});
