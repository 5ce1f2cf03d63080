/**
 * Regression: `used_by` of a source is one list on `/sources/all/{slug}/used_by/` and on the source's typed endpoint
 * (spec §7, docs/decisions.md C12). authentik answers both from the concrete source object; Fedlink used to leave
 * group connections out of the typed endpoints and SCIM users/groups out of `/sources/all/`.
 * Found by test/e2e/conformance-sources.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rand } from '../helpers/factories.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let adminKey: string;

beforeAll(async () => {
  t = await createTestApp();
  adminKey = await t.makeToken((await t.makeUser({ superuser: true })).pk);
});
afterAll(async () => t?.close());

async function group(): Promise<{ uuid: string; name: string }> {
  const g = { uuid: randomUUID(), name: `g-${rand()}` };
  await t.t.db.insertInto('group').values({ group_uuid: g.uuid, name: g.name, is_superuser: false, parent_uuid: null, attributes: '{}' }).execute();
  return g;
}
async function usedBy(path: string) {
  const r = await t.api('GET', path, { token: adminKey });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

it('OAuth source: the typed endpoint lists group connections in attribute order, like /sources/all/', async () => {
  const s = await t.makeSource({ kind: 'oauth' });
  const g = await group();
  const gc = await t.api('POST', '/sources/group_connections/oauth/', { token: adminKey, body: { group: g.uuid, source: s.pk, identifier: 'ext' } });
  expect(gc.statusCode, gc.body).toBe(201);
  const u = await t.makeUser();
  const conn = await t.makeConnection(u.pk, s.pk, { kind: 'oauth' });
  const expected = [
    { app: 'authentik_core', model_name: 'groupsourceconnection', pk: String(gc.json().pk), name: `Group-source connection (group=${g.uuid}, source=${s.pk})`, action: 'cascade' },
    { app: 'authentik_core', model_name: 'user', pk: String(u.pk), name: u.username, action: 'cascade_many' },
    { app: 'authentik_core', model_name: 'usersourceconnection', pk: String(conn), name: `User-source connection (user=${u.pk}, source=${s.pk})`, action: 'cascade' },
  ];
  expect(await usedBy(`/sources/oauth/${s.slug}/used_by/`)).toEqual(expected);
  expect(await usedBy(`/sources/all/${s.slug}/used_by/`)).toEqual(expected);
});

it('SCIM source: /sources/all/ lists its SCIM groups and users, like the typed endpoint', async () => {
  const created = await t.api('POST', '/sources/scim/', { token: adminKey, body: { name: `SCIM ${rand()}`, slug: `scim-${rand()}` } });
  expect(created.statusCode, created.body).toBe(201);
  const s = created.json();
  const u = await t.makeUser();
  const g = await group();
  expect((await t.api('POST', '/sources/scim_users/', { token: adminKey, body: { id: 'u-1', user: u.pk, source: s.pk } })).statusCode).toBe(201);
  expect((await t.api('POST', '/sources/scim_groups/', { token: adminKey, body: { id: 'g-1', group: g.uuid, source: s.pk } })).statusCode).toBe(201);
  const expected = [
    { app: 'authentik_sources_scim', model_name: 'scimsourcegroup', pk: 'g-1', name: `SCIM Group ${g.name} to ${s.name}`, action: 'cascade' },
    { app: 'authentik_sources_scim', model_name: 'scimsourceuser', pk: 'u-1', name: `SCIM User ${u.username} to ${s.name}`, action: 'cascade' },
  ];
  expect(await usedBy(`/sources/scim/${s.slug}/used_by/`)).toEqual(expected);
  expect(await usedBy(`/sources/all/${s.slug}/used_by/`)).toEqual(expected);
});
