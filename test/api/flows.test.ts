/**
 * `/api/v3/flows/instances/` — Flow CRUD by slug, used_by (spec §1.4, §1.5, §7), object permissions
 * (`authentik_flows.*_flow`, permissions.md §5), audit events (F10).
 */
import { randomUUID } from 'node:crypto';
import { FlowFromJSON, PaginatedFlowListFromJSON } from '@goauthentik/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { rand } from '../helpers/factories.js';

const BASE = '/flows/instances/';
let t: TestApp;
let admin: { pk: number }, adminKey: string, userKey: string, user: { pk: number };

async function create(body: Record<string, unknown>) {
  return t.api('POST', BASE, { token: adminKey, body });
}
async function flow(o: Record<string, unknown> = {}) {
  const slug = (o.slug as string) ?? `flow-${rand()}`;
  const r = await create({ name: `Flow ${slug}`, slug, title: `Title ${slug}`, designation: 'authentication', ...o });
  expect(r.statusCode).toBe(201);
  return r.json();
}
async function grant(userPk: number, codename: string, objectPk: string | null = null) {
  await t.t.db.insertInto('permission_grant').values({ user_id: userPk, role_uuid: null, codename, object_pk: objectPk }).execute();
}
async function lastEvent() {
  return t.t.db.selectFrom('event').selectAll().orderBy('created', 'desc').limit(1).executeTakeFirstOrThrow();
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.makeUser({ superuser: true });
  adminKey = await t.makeToken(admin.pk);
  user = await t.makeUser();
  userKey = await t.makeToken(user.pk);
});
afterAll(async () => t?.close());

describe('create', () => {
  it('201 with the Flow shape, defaults, trimmed strings; read-only keys ignored; model_created event', async () => {
    const r = await create({
      name: ' Welcome ', slug: ' default-auth ', title: 'Welcome!', designation: 'authentication',
      pk: randomUUID(), background: 'x.png', stages: [randomUUID()], cache_count: 5, unknown: 1,
    });
    expect(r.statusCode).toBe(201);
    const body = r.json();
    expect(Object.keys(body)).toEqual([
      'pk', 'policybindingmodel_ptr_id', 'name', 'slug', 'title', 'designation', 'background', 'stages', 'policies',
      'cache_count', 'policy_engine_mode', 'compatibility_mode', 'export_url', 'layout', 'denied_action', 'authentication',
    ]);
    expect(body).toEqual({
      pk: body.pk, policybindingmodel_ptr_id: body.pk, name: 'Welcome', slug: 'default-auth', title: 'Welcome!',
      designation: 'authentication', background: '/static/dist/assets/images/flow_background.jpg', stages: [], policies: [],
      cache_count: 0, policy_engine_mode: 'any', compatibility_mode: false, export_url: '/api/v3/flows/instances/default-auth/export/',
      layout: 'stacked', denied_action: 'message_continue', authentication: 'none',
    });
    expect(FlowFromJSON(body).designation).toBe('authentication');
    const ev = await lastEvent();
    expect(ev.action).toBe('model_created');
    expect(ev.context).toEqual({ model: { app: 'authentik_flows', model_name: 'flow', pk: body.pk.replace(/-/g, ''), name: 'Flow Welcome (default-auth)' } });
  });

  it('stores every setting the client sends', async () => {
    const body = await flow({
      designation: 'enrollment', policy_engine_mode: 'all', compatibility_mode: true, layout: 'sidebar_left',
      denied_action: 'continue', authentication: 'require_unauthenticated',
    });
    const again = (await t.api('GET', `${BASE}${body.slug}/`, { token: adminKey })).json();
    expect(again).toMatchObject({
      designation: 'enrollment', policy_engine_mode: 'all', compatibility_mode: true, layout: 'sidebar_left',
      denied_action: 'continue', authentication: 'require_unauthenticated',
    });
  });

  it('validation → 400 with DRF messages, nothing written', async () => {
    const before = (await t.t.db.selectFrom('flow').select('flow_uuid').execute()).length;
    const ok = { name: 'n', slug: `s-${rand()}`, title: 't', designation: 'recovery' };
    const cases: Array<[Record<string, unknown>, Record<string, string[]>]> = [
      [{}, { name: ['This field is required.'], slug: ['This field is required.'], title: ['This field is required.'], designation: ['This field is required.'] }],
      [{ ...ok, slug: 'has space' }, { slug: ['Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.'] }],
      [{ ...ok, slug: 'x'.repeat(51) }, { slug: ['Ensure this field has no more than 50 characters.'] }],
      [{ ...ok, name: '  ' }, { name: ['This field may not be blank.'] }],
      [{ ...ok, title: null }, { title: ['This field may not be null.'] }],
      [{ ...ok, designation: 'login' }, { designation: ['"login" is not a valid choice.'] }],
      [{ ...ok, layout: 'wide' }, { layout: ['"wide" is not a valid choice.'] }],
      [{ ...ok, denied_action: 'x' }, { denied_action: ['"x" is not a valid choice.'] }],
      [{ ...ok, authentication: 'x' }, { authentication: ['"x" is not a valid choice.'] }],
      [{ ...ok, policy_engine_mode: 'x' }, { policy_engine_mode: ['"x" is not a valid choice.'] }],
      [{ ...ok, compatibility_mode: 'maybe' }, { compatibility_mode: ['Must be a valid boolean.'] }],
      [{ ...ok, name: 'a\u0000' }, { name: ['Null characters are not allowed.'] }],
    ];
    for (const [body, expected] of cases) {
      const r = await create(body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json(), JSON.stringify(body)).toEqual(expected);
    }
    await flow({ slug: 'taken' });
    const dup = await create({ ...ok, slug: 'taken' });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().slug).toEqual(['Flow with this slug already exists.']);
    expect((await t.t.db.selectFrom('flow').select('flow_uuid').execute()).length).toBe(before + 1);
  });
});

describe('list', () => {
  it('default order slug; filters; search; ordering; pagination', async () => {
    const a = await flow({ slug: `l-a-${rand()}`, designation: 'recovery', denied_action: 'message' });
    const b = await flow({ slug: `l-b-${rand()}`, designation: 'recovery', title: 'Needle in title' });
    const r = await t.api('GET', `${BASE}?designation=recovery`, { token: adminKey });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(() => PaginatedFlowListFromJSON(body)).not.toThrow();
    expect(body.results.map((f: any) => f.slug)).toEqual([a.slug, b.slug]);
    expect((await t.api('GET', `${BASE}?designation=recovery&ordering=-slug`, { token: adminKey })).json().results.map((f: any) => f.slug)).toEqual([b.slug, a.slug]);
    expect((await t.api('GET', `${BASE}?slug=${a.slug}`, { token: adminKey })).json().pagination.count).toBe(1);
    expect((await t.api('GET', `${BASE}?name=${encodeURIComponent(a.name)}`, { token: adminKey })).json().results[0].pk).toBe(a.pk);
    expect((await t.api('GET', `${BASE}?flow_uuid=${b.pk}`, { token: adminKey })).json().results[0].slug).toBe(b.slug);
    expect((await t.api('GET', `${BASE}?denied_action=message`, { token: adminKey })).json().results.map((f: any) => f.pk)).toEqual([a.pk]);
    expect((await t.api('GET', `${BASE}?search=needle`, { token: adminKey })).json().results.map((f: any) => f.pk)).toEqual([b.pk]);
    expect((await t.api('GET', `${BASE}?designation=bogus`, { token: adminKey })).json()).toEqual({ designation: ['Select a valid choice. bogus is not one of the available choices.'] });
    expect((await t.api('GET', `${BASE}?flow_uuid=nope`, { token: adminKey })).statusCode).toBe(400);
    expect((await t.api('GET', `${BASE}?page=99`, { token: adminKey })).json()).toEqual({ detail: 'Invalid page.' });
    const p = (await t.api('GET', `${BASE}?designation=recovery&page_size=1&page=2`, { token: adminKey })).json();
    expect(p.pagination).toEqual({ next: 0, previous: 1, count: 2, current: 2, total_pages: 2, start_index: 2, end_index: 2 });
  });
});

describe('detail', () => {
  it('PUT needs every required field; PATCH is partial; slug can change; events', async () => {
    const f = await flow();
    const put = await t.api('PUT', `${BASE}${f.slug}/`, { token: adminKey, body: { name: 'x' } });
    expect(put.statusCode).toBe(400);
    expect(Object.keys(put.json()).sort()).toEqual(['designation', 'slug', 'title']);
    const newSlug = `renamed-${rand()}`;
    const ok = await t.api('PUT', `${BASE}${f.slug}/`, { token: adminKey, body: { name: 'N', slug: newSlug, title: 'T', designation: 'invalidation', layout: 'content_left' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ pk: f.pk, name: 'N', slug: newSlug, designation: 'invalidation', layout: 'content_left', export_url: `/api/v3/flows/instances/${newSlug}/export/` });
    expect((await lastEvent()).action).toBe('model_updated');
    expect((await t.api('GET', `${BASE}${f.slug}/`, { token: adminKey })).statusCode).toBe(404);
    const patch = await t.api('PATCH', `${BASE}${newSlug}/`, { token: adminKey, body: { compatibility_mode: true } });
    expect(patch.json()).toMatchObject({ name: 'N', compatibility_mode: true, layout: 'content_left' });
    const other = await flow();
    const clash = await t.api('PATCH', `${BASE}${newSlug}/`, { token: adminKey, body: { slug: other.slug } });
    expect(clash.statusCode).toBe(400);
    expect((await t.api('GET', `${BASE}${newSlug}/`, { token: adminKey })).statusCode).toBe(200);
  });

  it('DELETE → 204, event, referencing sources keep existing with the reference cleared (set_null)', async () => {
    const f = await flow();
    const src = await t.makeSource();
    await t.t.db.updateTable('source').set({ authentication_flow_id: f.pk, enrollment_flow_id: f.pk }).where('pbm_uuid', '=', src.pk).execute();
    const r = await t.api('DELETE', `${BASE}${f.slug}/`, { token: adminKey });
    expect(r.statusCode).toBe(204);
    const ev = await lastEvent();
    expect(ev.action).toBe('model_deleted');
    const s = await t.t.db.selectFrom('source').select(['authentication_flow_id', 'enrollment_flow_id']).where('pbm_uuid', '=', src.pk).executeTakeFirstOrThrow();
    expect(s).toEqual({ authentication_flow_id: null, enrollment_flow_id: null });
    expect((await t.api('DELETE', `${BASE}${f.slug}/`, { token: adminKey })).statusCode).toBe(404);
  });

  it('404 for unknown slugs (including odd characters)', async () => {
    for (const slug of ['nope', 'a%00b', '%E2%9C%93']) {
      const r = await t.api('GET', `${BASE}${slug}/`, { token: adminKey });
      expect(r.statusCode, slug).toBe(404);
      expect(r.json()).toEqual({ detail: 'Not found.' });
    }
  });
});

describe('used_by', () => {
  it('sources referencing the flow, per relation, set_null; filtered by view_source; any authenticated user', async () => {
    const f = await flow();
    const s1 = await t.makeSource({ name: 'Alpha' });
    const s2 = await t.makeSource({ name: 'Beta' });
    await t.t.db.updateTable('source').set({ authentication_flow_id: f.pk }).where('pbm_uuid', '=', s1.pk).execute();
    await t.t.db.updateTable('source').set({ enrollment_flow_id: f.pk, authentication_flow_id: f.pk }).where('pbm_uuid', '=', s2.pk).execute();
    const r = await t.api('GET', `${BASE}${f.slug}/used_by/`, { token: adminKey });
    expect(r.statusCode).toBe(200);
    const byPk = (a: any, b: any) => (a.pk < b.pk ? -1 : 1);
    const auth = [{ app: 'authentik_core', model_name: 'source', pk: s1.pk, name: 'Alpha', action: 'set_null' }, { app: 'authentik_core', model_name: 'source', pk: s2.pk, name: 'Beta', action: 'set_null' }].sort(byPk);
    expect(r.json()).toEqual([...auth, { app: 'authentik_core', model_name: 'source', pk: s2.pk, name: 'Beta', action: 'set_null' }]);
    expect((await t.api('GET', `${BASE}${f.slug}/used_by/`, { token: userKey })).json()).toEqual([]);
    await grant(user.pk, 'authentik_core.view_source', s1.pk);
    expect((await t.api('GET', `${BASE}${f.slug}/used_by/`, { token: userKey })).json().map((e: any) => e.pk)).toEqual([s1.pk]);
    expect((await t.api('GET', `${BASE}nope/used_by/`, { token: userKey })).statusCode).toBe(404);
  });
});

describe('permissions', () => {
  it('anonymous → 403 everywhere', async () => {
    for (const [m, p] of [['GET', BASE], ['POST', BASE], ['GET', `${BASE}x/`], ['PATCH', `${BASE}x/`], ['DELETE', `${BASE}x/`], ['GET', `${BASE}x/used_by/`]] as const) {
      const r = await t.api(m, p, { body: m === 'POST' || m === 'PATCH' ? {} : undefined });
      expect(r.statusCode, `${m} ${p}`).toBe(403);
      expect(r.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
    }
  });

  it('no view grant → 403; per-object view; change/delete/add need their permission', async () => {
    const f1 = await flow();
    const f2 = await flow();
    const u = await t.makeUser();
    const key = await t.makeToken(u.pk);
    expect((await t.api('GET', BASE, { token: key })).json()).toEqual({ detail: 'You do not have permission to perform this action.' });
    expect((await t.api('GET', `${BASE}${f1.slug}/`, { token: key })).statusCode).toBe(403);
    const before = (await t.t.db.selectFrom('flow').select('flow_uuid').execute()).length;
    expect((await t.api('POST', BASE, { token: key, body: { name: 'n', slug: `u-${rand()}`, title: 't', designation: 'recovery' } })).statusCode).toBe(403);
    expect((await t.t.db.selectFrom('flow').select('flow_uuid').execute()).length).toBe(before);

    await grant(u.pk, 'authentik_flows.view_flow', f1.pk);
    expect((await t.api('GET', BASE, { token: key })).json().results.map((f: any) => f.pk)).toEqual([f1.pk]);
    expect((await t.api('GET', `${BASE}${f2.slug}/`, { token: key })).statusCode).toBe(404);
    expect((await t.api('PATCH', `${BASE}${f1.slug}/`, { token: key, body: { title: 'x' } })).statusCode).toBe(403);
    expect((await t.api('DELETE', `${BASE}${f1.slug}/`, { token: key })).statusCode).toBe(403);
    await grant(u.pk, 'authentik_flows.change_flow', f1.pk);
    expect((await t.api('PATCH', `${BASE}${f1.slug}/`, { token: key, body: { title: 'x' } })).json().title).toBe('x');
    await grant(u.pk, 'authentik_flows.delete_flow');
    expect((await t.api('DELETE', `${BASE}${f1.slug}/`, { token: key })).statusCode).toBe(204);
    await grant(u.pk, 'authentik_flows.add_flow');
    expect((await t.api('POST', BASE, { token: key, body: { name: 'n', slug: `u-${rand()}`, title: 't', designation: 'recovery' } })).statusCode).toBe(201);
  });
});
