/**
 * Shared API tests for the behaviour every typed source endpoint has (spec §4, §7; permissions.md §5;
 * decisions F9, F10): create shape and key order, the shared Source validation, PUT/PATCH/DELETE, list
 * (default ordering, search, shared filters, pagination), the permission matrix, used_by, and that secrets
 * never appear in a response or an event. Each `test/api/sources-<kind>.test.ts` calls
 * `typedSourceSuite(...)` once and adds its kind-specific cases with the returned context.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rand } from './factories.js';
import { createTestApp, type TestApp } from './test-app.js';

export const SOURCE_KEYS = [
  'pk', 'name', 'slug', 'enabled', 'authentication_flow', 'enrollment_flow', 'user_property_mappings',
  'group_property_mappings', 'component', 'verbose_name', 'verbose_name_plural', 'meta_model_name',
  'policy_engine_mode', 'user_matching_mode', 'managed', 'user_path_template', 'icon',
];
export const NOT_FOUND = { detail: 'Not found.' };
export const DENIED = { detail: 'You do not have permission to perform this action.' };
export const REQUIRED = 'This field is required.';
export const BLANK = 'This field may not be blank.';
export const INVALID_PK = (v: string) => `Invalid pk "${v}" - object does not exist.`;
export const CHOICE = 'Select a valid choice. That choice is not one of the available choices.';

export interface KindSpec {
  /** Path segment: `saml` → `/sources/saml/`. */
  path: string;
  app: string;
  model: string;
  meta: { component: string; verbose_name: string; verbose_name_plural: string; meta_model_name: string };
  /** Full response key order. */
  keys: string[];
  /** A valid create body (random name/slug); may create what it references. */
  body(ctx: SuiteContext, extra?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Expected 400 body for `{}`. */
  requiredErrors: Record<string, string[]>;
  /** Secret values sent in bodies that must never be answered or logged in events. */
  secrets?: string[];
  /** Whether the kind has flows, policy engine and matching modes (all but SCIM). */
  full?: boolean;
  /** Whether the list has the `authentication_flow` and `policy_engine_mode` filters (not LDAP, Kerberos). */
  flowFilters?: boolean;
}

export interface SuiteContext {
  t: TestApp;
  base: string;
  adminKey: string;
  admin: { pk: number; username: string };
  /** Request under /api/v3, recording every response body for the secrets check. */
  api(method: string, path: string, o?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): ReturnType<TestApp['api']>;
  asAdmin(method: string, path: string, body?: unknown): ReturnType<TestApp['api']>;
  create(body: Record<string, unknown>): Promise<any>;
  expect400(method: string, path: string, body: unknown, expected: Record<string, unknown>): Promise<void>;
  makeFlow(): Promise<string>;
  makeMapping(): Promise<string>;
  makeGroup(): Promise<string>;
  grant(userPk: number, codename: string, objectPk?: string | null): Promise<void>;
  userWithKey(): Promise<{ pk: number; username: string; key: string }>;
  events(pk: string): Promise<{ action: string; context: any; user: any }[]>;
  /** Asserts that no recorded response body and no event row holds one of `spec.secrets`; call it last. */
  assertNoSecrets(): Promise<void>;
}

/** Registers the shared suite for one kind; returns the context for kind-specific tests. */
export function typedSourceSuite(spec: KindSpec): SuiteContext {
  const full = spec.full ?? true;
  const bodies: string[] = [];
  const ctx = { base: `/sources/${spec.path}/` } as SuiteContext;
  const P = (verb: string) => `${spec.app}.${verb}_${spec.model}`;

  beforeAll(async () => {
    ctx.t = await createTestApp();
    const admin = await ctx.t.makeUser({ superuser: true });
    ctx.admin = admin;
    ctx.adminKey = await ctx.t.makeToken(admin.pk);
  });
  afterAll(async () => {
    await ctx.t?.close();
  });

  ctx.api = async (method, path, o = {}) => {
    const r = await ctx.t.api(method, path, o);
    bodies.push(r.body);
    return r;
  };
  ctx.asAdmin = (method, path, body) => ctx.api(method, path, { token: ctx.adminKey, body });
  ctx.create = async (body) => {
    const r = await ctx.asAdmin('POST', ctx.base, body);
    expect(r.statusCode, r.body).toBe(201);
    return r.json();
  };
  const count = async () => Number((await ctx.t.t.db.selectFrom('source').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  ctx.expect400 = async (method, path, body, expected) => {
    const before = await count();
    const r = await ctx.asAdmin(method, path, body);
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json()).toEqual(expected);
    expect(await count()).toBe(before);
  };
  ctx.makeFlow = async () => {
    const pk = randomUUID();
    await ctx.t.t.db.insertInto('flow').values({ flow_uuid: pk, slug: `f-${rand()}`, name: 'flow', designation: 'authentication' }).execute();
    return pk;
  };
  ctx.makeMapping = async () => {
    const pk = randomUUID();
    await ctx.t.t.db.insertInto('property_mapping').values({ pm_uuid: pk, name: `m-${rand()}`, managed: null, kind: spec.path }).execute();
    return pk;
  };
  ctx.makeGroup = async () => {
    const pk = randomUUID();
    await ctx.t.t.db.insertInto('group').values({ group_uuid: pk, name: `g-${rand()}`, is_superuser: false, parent_uuid: null, attributes: '{}' }).execute();
    return pk;
  };
  ctx.grant = async (userPk, codename, objectPk = null) => {
    await ctx.t.t.db.insertInto('permission_grant').values({ user_id: userPk, role_uuid: null, codename, object_pk: objectPk }).execute();
  };
  ctx.userWithKey = async () => {
    const u = await ctx.t.makeUser({ password: 'x' });
    return { ...u, key: await ctx.t.makeToken(u.pk) };
  };
  ctx.events = async (pk) => {
    const rows = await ctx.t.t.db.selectFrom('event').select(['action', 'context', 'user']).execute();
    return rows.filter((e) => (e.context as any)?.model?.pk === pk) as any;
  };

  describe(`shared Source behaviour of ${ctx.base}`, () => {
    it('create: 201, key order, Source values, trimming, event; retrieve gives the same object', async () => {
      const flow = full ? await ctx.makeFlow() : undefined;
      const m = await ctx.makeMapping();
      const body = await spec.body(ctx, {
        name: '  Trimmed  ', user_property_mappings: [m.toUpperCase()],
        ...(full ? { authentication_flow: flow, policy_engine_mode: 'all', user_matching_mode: 'email_link' } : {}),
        pk: randomUUID(), component: 'x', unknown_field: 1,
      });
      body.slug = `  ${body.slug as string} `;
      const r = await ctx.asAdmin('POST', ctx.base, body);
      expect(r.statusCode, r.body).toBe(201);
      const b = r.json();
      expect(Object.keys(b)).toEqual(spec.keys);
      expect(b).toMatchObject({
        name: 'Trimmed', slug: (body.slug as string).trim(), enabled: true, user_property_mappings: [m], group_property_mappings: [],
        ...spec.meta, managed: null, user_path_template: 'goauthentik.io/sources/%(slug)s',
        ...(full ? { authentication_flow: flow, enrollment_flow: null, policy_engine_mode: 'all', user_matching_mode: 'email_link', icon: null } : {}),
      });
      const ev = await ctx.events(b.pk);
      expect(ev.map((e) => e.action)).toEqual(['model_created']);
      expect(ev[0].context.model).toEqual({ app: spec.app, model_name: spec.model, pk: b.pk, name: 'Trimmed' });
      expect(ev[0].user).toMatchObject({ pk: ctx.admin.pk });
      const kind = await ctx.t.t.db.selectFrom('source').select('kind').where('pbm_uuid', '=', b.pk).executeTakeFirstOrThrow();
      expect(kind.kind).toBe(spec.path);
      expect((await ctx.asAdmin('GET', `${ctx.base}${b.slug}/`)).json()).toEqual(b);
    });

    it('400: required fields, blank, slug rules, unknown references, enums, non-object body; nothing stored', async () => {
      await ctx.expect400('POST', ctx.base, {}, spec.requiredErrors);
      await ctx.expect400('POST', ctx.base, await spec.body(ctx, { name: '  ', slug: 'has space' }), {
        name: [BLANK], slug: ['Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.'],
      });
      await ctx.expect400('POST', ctx.base, await spec.body(ctx, { slug: 'a'.repeat(51) }), { slug: ['Ensure this field has no more than 50 characters.'] });
      const taken = await ctx.create(await spec.body(ctx));
      await ctx.expect400('POST', ctx.base, await spec.body(ctx, { slug: taken.slug }), { slug: ['source with this slug already exists.'] });
      const unknown = randomUUID();
      await ctx.expect400('POST', ctx.base, await spec.body(ctx, { user_property_mappings: ['nope'] }), { user_property_mappings: ['“nope” is not a valid UUID.'] });
      await ctx.expect400('POST', ctx.base, await spec.body(ctx, { group_property_mappings: [unknown] }), { group_property_mappings: [INVALID_PK(unknown)] });
      if (full) {
        await ctx.expect400('POST', ctx.base, await spec.body(ctx, { authentication_flow: unknown, enrollment_flow: unknown }), {
          authentication_flow: [INVALID_PK(unknown)], enrollment_flow: [INVALID_PK(unknown)],
        });
        await ctx.expect400('POST', ctx.base, await spec.body(ctx, { policy_engine_mode: 'some', user_matching_mode: 'x' }), {
          policy_engine_mode: ['"some" is not a valid choice.'], user_matching_mode: ['"x" is not a valid choice.'],
        });
      }
      await ctx.expect400('POST', ctx.base, await spec.body(ctx, { name: null, enabled: 'maybe' }), {
        name: ['This field may not be null.'], enabled: ['Must be a valid boolean.'],
      });
      await ctx.expect400('POST', ctx.base, [], { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
    });

    it('PUT needs the required fields; PATCH changes only what is sent; failed writes change nothing; event', async () => {
      const s = await ctx.create(await spec.body(ctx));
      const put = await ctx.asAdmin('PUT', `${ctx.base}${s.slug}/`, { name: 'x' });
      expect(put.statusCode).toBe(400);
      const { name: _n, ...rest } = spec.requiredErrors;
      expect(put.json()).toEqual(rest);
      const m = await ctx.makeMapping();
      const p = await ctx.asAdmin('PATCH', `${ctx.base}${s.slug}/`, { enabled: false, group_property_mappings: [m, m], slug: s.slug });
      expect(p.statusCode, p.body).toBe(200);
      expect(p.json()).toEqual({ ...s, enabled: false, group_property_mappings: [m] });
      const other = await ctx.create(await spec.body(ctx));
      const bad = await ctx.asAdmin('PATCH', `${ctx.base}${s.slug}/`, { name: 'changed', slug: other.slug });
      expect(bad.json()).toEqual({ slug: ['source with this slug already exists.'] });
      expect((await ctx.asAdmin('GET', `${ctx.base}${s.slug}/`)).json()).toEqual(p.json());
      const newSlug = `renamed-${rand()}`;
      const ok = await ctx.asAdmin('PUT', `${ctx.base}${s.slug}/`, await spec.body(ctx, { name: 'Renamed', slug: newSlug }));
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json()).toMatchObject({ pk: s.pk, name: 'Renamed', slug: newSlug, group_property_mappings: [m] });
      expect((await ctx.asAdmin('GET', `${ctx.base}${s.slug}/`)).statusCode).toBe(404);
      expect((await ctx.events(s.pk)).map((e) => e.action)).toEqual(['model_created', 'model_updated', 'model_updated']);
    });

    it('DELETE: 204, cascades, event; unknown slug → 404 on every detail route; other kinds are not found', async () => {
      const s = await ctx.create(await spec.body(ctx));
      const u = await ctx.t.makeUser();
      const c = await ctx.t.makeConnection(u.pk, s.pk, { kind: null });
      const r = await ctx.asAdmin('DELETE', `${ctx.base}${s.slug}/`);
      expect(r.statusCode).toBe(204);
      expect(r.body).toBe('');
      expect(await ctx.t.t.db.selectFrom('user_source_connection').select('id').where('id', '=', c).executeTakeFirst()).toBeUndefined();
      expect((await ctx.events(s.pk)).map((e) => e.action)).toEqual(['model_created', 'model_deleted']);
      const other = await ctx.t.makeSource({ kind: spec.path === 'oauth' ? 'saml' : 'oauth' });
      for (const [m, p] of [['GET', 'nope/'], ['PUT', 'nope/'], ['PATCH', 'nope/'], ['DELETE', 'nope/'], ['GET', 'nope/used_by/'],
        ['GET', `${s.slug}/`], ['GET', `${other.slug}/`], ['GET', '%00/']] as const) {
        const x = await ctx.asAdmin(m, `${ctx.base}${p}`, m === 'PUT' || m === 'PATCH' ? {} : undefined);
        expect(x.statusCode, `${m} ${p}`).toBe(404);
        expect(x.json()).toEqual(NOT_FOUND);
      }
    });

    it('list: default ordering by name, envelope, search name/slug, ordering, name/slug filters, pagination', async () => {
      const prefix = `l${rand()}`;
      const a = await ctx.create(await spec.body(ctx, { name: `${prefix} Bravo`, slug: `${prefix}-aa` }));
      const b = await ctx.create(await spec.body(ctx, { name: `${prefix} Alpha`, slug: `${prefix}-zz`, enabled: false }));
      const pks = (r: any) => r.json().results.map((x: any) => x.pk);
      const q = (qs: string) => ctx.asAdmin('GET', `${ctx.base}?search=${prefix}&${qs}`);
      const r = await q('');
      expect(r.json().pagination).toEqual({ next: 0, previous: 0, count: 2, current: 1, total_pages: 1, start_index: 1, end_index: 2 });
      expect(pks(r)).toEqual([b.pk, a.pk]);
      expect(Object.keys(r.json().results[0])).toEqual(spec.keys);
      expect(pks(await q('ordering=-slug'))).toEqual([b.pk, a.pk]);
      expect(pks(await q('ordering=slug,nope'))).toEqual([a.pk, b.pk]);
      expect(pks(await ctx.asAdmin('GET', `${ctx.base}?search=${prefix}-zz`))).toEqual([b.pk]);
      expect(pks(await ctx.asAdmin('GET', `${ctx.base}?search=${prefix},BRAVO`))).toEqual([a.pk]);
      expect(pks(await q(`name=${encodeURIComponent(`${prefix} Alpha`)}`))).toEqual([b.pk]);
      expect(pks(await q(`slug=${prefix}-aa`))).toEqual([a.pk]);
      if (full) expect(pks(await q('enabled=false'))).toEqual([b.pk]);
      if (full && spec.flowFilters !== false) {
        expect((await q(`authentication_flow=${randomUUID()}`)).json()).toEqual({ authentication_flow: [CHOICE] });
        expect((await q('policy_engine_mode=x')).json()).toEqual({ policy_engine_mode: ['Select a valid choice. x is not one of the available choices.'] });
      }
      const p2 = await q('page_size=1&page=2');
      expect(p2.json().pagination).toMatchObject({ next: 0, previous: 1, count: 2, current: 2 });
      expect((await q('page=3')).json()).toEqual({ detail: 'Invalid page.' });
    });

    it(`permissions: anonymous/bad token 403; no grant 403; object grant; invisible 404; visible without change 403; ${P('add')}`, async () => {
      const s1 = await ctx.create(await spec.body(ctx));
      const s2 = await ctx.create(await spec.body(ctx));
      for (const [m, p] of [['GET', ctx.base], ['POST', ctx.base], ['GET', `${ctx.base}${s1.slug}/`], ['PATCH', `${ctx.base}nope/`], ['DELETE', `${ctx.base}${s1.slug}/`]] as const) {
        const body = m === 'GET' || m === 'DELETE' ? undefined : {};
        expect((await ctx.api(m, p, { body })).json()).toEqual({ detail: 'Authentication credentials were not provided.' });
        const bad = await ctx.api(m, p, { token: 'bogus', body });
        expect(bad.statusCode).toBe(403);
        expect(bad.json()).toEqual({ detail: 'Token invalid/expired' });
      }
      const u = await ctx.userWithKey();
      for (const [m, p, body] of [['GET', ctx.base, undefined], ['GET', `${ctx.base}${s1.slug}/`, undefined], ['PATCH', `${ctx.base}${s1.slug}/`, { name: 'x' }],
        ['DELETE', `${ctx.base}${s1.slug}/`, undefined], ['POST', ctx.base, {}]] as const) {
        const r = await ctx.api(m, p, { token: u.key, body });
        expect(r.statusCode, `${m} ${p}`).toBe(403);
        expect(r.json()).toEqual(DENIED);
      }
      await ctx.grant(u.pk, P('view'), s1.pk);
      await ctx.grant(u.pk, `authentik_sources_${spec.path === 'oauth' ? 'saml.view_samlsource' : 'oauth.view_oauthsource'}`);
      const l = await ctx.api('GET', `${ctx.base}?page_size=1000`, { token: u.key });
      expect(l.json().results.map((x: any) => x.pk)).toEqual([s1.pk]);
      expect((await ctx.api('GET', `${ctx.base}${s1.slug}/`, { token: u.key })).statusCode).toBe(200);
      expect((await ctx.api('GET', `${ctx.base}${s2.slug}/`, { token: u.key })).statusCode).toBe(404);
      expect((await ctx.api('PATCH', `${ctx.base}${s2.slug}/`, { token: u.key, body: { name: 'x' } })).statusCode).toBe(404);
      const denied = await ctx.api('PATCH', `${ctx.base}${s1.slug}/`, { token: u.key, body: { slug: 'bad slug' } });
      expect(denied.statusCode).toBe(403);
      expect((await ctx.api('DELETE', `${ctx.base}${s1.slug}/`, { token: u.key })).statusCode).toBe(403);
      await ctx.grant(u.pk, P('change'), s1.pk);
      const ok = await ctx.api('PATCH', `${ctx.base}${s1.slug}/`, { token: u.key, body: { name: 'by delegate' } });
      expect(ok.statusCode, ok.body).toBe(200);
      await ctx.grant(u.pk, P('add'));
      const created = await ctx.api('POST', ctx.base, { token: u.key, body: await spec.body(ctx) });
      expect(created.statusCode, created.body).toBe(201);
      // D6: creating grants nothing.
      expect((await ctx.api('GET', `${ctx.base}${created.json().slug}/`, { token: u.key })).statusCode).toBe(404);
      await ctx.grant(u.pk, P('delete'));
      expect((await ctx.api('DELETE', `${ctx.base}${s1.slug}/`, { token: u.key })).statusCode).toBe(204);
    });

    it('used_by: any authenticated user; entries limited to what the caller may view', async () => {
      const gm = await ctx.makeMapping();
      const s = await ctx.create(await spec.body(ctx, { group_property_mappings: [gm] }));
      const u = await ctx.t.makeUser();
      const c = await ctx.t.makeConnection(u.pk, s.pk, { kind: null });
      const r = await ctx.asAdmin('GET', `${ctx.base}${s.slug}/used_by/`);
      expect(r.statusCode).toBe(200);
      expect(r.json().map((x: any) => [x.model_name, x.pk, x.action])).toEqual([
        ['propertymapping', gm, 'cascade_many'], ['user', String(u.pk), 'cascade_many'], ['usersourceconnection', String(c), 'cascade'],
      ]);
      const nobody = await ctx.userWithKey();
      const r2 = await ctx.api('GET', `${ctx.base}${s.slug}/used_by/`, { token: nobody.key });
      expect(r2.statusCode).toBe(200);
      expect(r2.json()).toEqual([]);
    });
  });

  ctx.assertNoSecrets = async () => {
    expect(bodies.length).toBeGreaterThan(20);
    const events = JSON.stringify(await ctx.t.t.db.selectFrom('event').selectAll().execute());
    for (const secret of spec.secrets ?? []) {
      for (const b of bodies) expect(b).not.toContain(secret);
      expect(events).not.toContain(secret);
    }
  };

  return ctx;
}
