/**
 * The optimized paths of `/sources/user_connections/all/` seen through the API: counts follow writes
 * at once (counters in the same transaction), the caller's own `?user=` needs no lookup, PUT still
 * writes its event in the same statement (decisions F10), and a deleted or expired token and a
 * deactivated user stop working on the next request (the token cache is only a guess each statement
 * re-checks: user-connections-all-caches.test.ts).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const BASE = '/sources/user_connections/all/';
let t: TestApp;
let admin: { pk: number }, alice: { pk: number };
let adminKey: string, aliceKey: string;
let src: { pk: string; slug: string };

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.makeUser({ superuser: true });
  alice = await t.makeUser({ password: 'x' });
  adminKey = await t.makeToken(admin.pk);
  aliceKey = await t.makeToken(alice.pk);
  src = await t.makeSource({ slug: 'fast-path' });
});
afterAll(async () => t?.close());

const count = async (q = '') => (await t.api('GET', `${BASE}${q}`, { token: adminKey })).json().pagination.count as number;

describe('counts follow writes', () => {
  it('create, delete through the API and cascade from a deleted user', async () => {
    const n0 = await count();
    const bob = await t.makeUser();
    const c1 = await t.makeConnection(alice.pk, src.pk);
    await t.makeConnection(bob.pk, src.pk);
    expect(await count()).toBe(n0 + 2);
    expect(await count(`?source__slug=${src.slug}`)).toBe(2);
    expect((await t.api('DELETE', `${BASE}${c1}/`, { token: adminKey })).statusCode).toBe(204);
    expect(await count()).toBe(n0 + 1);
    await sql`DELETE FROM "user" WHERE id = ${bob.pk}`.execute(t.t.db);
    expect(await count()).toBe(n0);
    expect(await count(`?source__slug=${src.slug}`)).toBe(0);
  });
});

describe('?user= filter', () => {
  it("the caller's own pk lists their rows; an unknown pk is still 400", async () => {
    const id = await t.makeConnection(alice.pk, src.pk);
    const r = await t.api('GET', `${BASE}?user=${alice.pk}`, { token: aliceKey });
    expect(r.statusCode).toBe(200);
    expect(r.json().results.map((x: any) => x.pk)).toEqual([id]);
    expect((await t.api('GET', `${BASE}?user=987654`, { token: aliceKey })).statusCode).toBe(400);
  });
});

describe('PUT (decisions F10)', () => {
  it('writes one model_updated event naming the connection', async () => {
    const [row] = await t.t.db.selectFrom('user_source_connection').select(['id', 'user_id', 'source_id']).where('user_id', '=', alice.pk).execute();
    const before = (await t.t.db.selectFrom('event').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
    const r = await t.api('PUT', `${BASE}${row.id}/`, { token: aliceKey, body: {} });
    expect(r.statusCode).toBe(200);
    expect(r.json().source.pk).toBe(src.pk);
    const events = await t.t.db.selectFrom('event').select(['action', 'context', 'user']).orderBy('created', 'desc').execute();
    expect(events.length).toBe(before + 1);
    expect(events[0].action).toBe('model_updated');
    expect(events[0].context).toEqual({ model: {
      app: 'authentik_core', model_name: 'usersourceconnection', pk: row.id,
      name: `User-source connection (user=${row.user_id}, source=${row.source_id})`,
    } });
    expect((events[0].user as any).pk).toBe(alice.pk);
  });

  it('writes nothing for a connection the caller cannot see, or one that does not exist', async () => {
    const [bob, carol] = [await t.makeUser(), await t.makeUser()];
    const otherId = await t.makeConnection(carol.pk, src.pk);
    const [other] = await t.t.db.selectFrom('user_source_connection').select(['id', 'last_updated']).where('id', '=', otherId).execute();
    const count = async () => (await t.t.db.selectFrom('event').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
    const before = await count();
    const bobKey = await t.makeToken(bob.pk);
    for (const id of [other.id, 2_000_000_000]) {
      const r = await t.api('PUT', `${BASE}${id}/`, { token: bobKey, body: {} });
      expect(r.statusCode).toBe(404);
      expect(r.json()).toEqual({ detail: 'Not found.' });
    }
    expect(await count()).toBe(before);
    const [after] = await t.t.db.selectFrom('user_source_connection').select('last_updated').where('id', '=', other.id).execute();
    expect(after.last_updated).toEqual(other.last_updated);
  });
});

describe('authentication changes take effect on the next request', () => {
  it('a deleted token, an expired token and a deactivated user fail on the next request', async () => {
    const u = await t.makeUser();
    const key = await t.makeToken(u.pk);
    expect((await t.api('GET', BASE, { token: key })).statusCode).toBe(200);
    await sql`UPDATE token SET expiring = true, expires = now() - interval '1 second' WHERE user_id = ${u.pk}`.execute(t.t.db);
    expect((await t.api('GET', BASE, { token: key })).statusCode).toBe(403);
    await sql`UPDATE token SET expiring = false, expires = NULL WHERE user_id = ${u.pk}`.execute(t.t.db);
    expect((await t.api('GET', BASE, { token: key })).statusCode).toBe(200);
    await sql`UPDATE "user" SET is_active = false WHERE id = ${u.pk}`.execute(t.t.db);
    expect((await t.api('GET', BASE, { token: key })).statusCode).toBe(403);
    await sql`UPDATE "user" SET is_active = true WHERE id = ${u.pk}`.execute(t.t.db);
    expect((await t.api('GET', BASE, { token: key })).statusCode).toBe(200);
    await sql`DELETE FROM token WHERE user_id = ${u.pk}`.execute(t.t.db);
    expect((await t.api('GET', BASE, { token: key })).statusCode).toBe(403);
  });
});
