/**
 * No input makes the core endpoints answer 500 (brief: "bad input gets a clear 4xx"): odd values in
 * every writable field of users, groups and tokens, and odd list query strings.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let key: string;
let detail: Record<string, string>;

beforeAll(async () => {
  t = await createTestApp();
  const admin = await t.makeUser({ superuser: true });
  key = await t.makeToken(admin.pk);
  const u = await t.makeUser({});
  const g = (await t.api('POST', '/core/groups/', { token: key, body: { name: 'g' } })).json().pk;
  await t.api('POST', '/core/tokens/', { token: key, body: { identifier: 'tok' } });
  detail = { '/core/users/': `${u.pk}/`, '/core/groups/': `${g}/`, '/core/tokens/': 'tok/' };
});
afterAll(async () => t?.close());

let deep: Record<string, unknown> = {};
for (let i = 0; i < 100; i++) deep = { a: deep };
const VALUES: unknown[] = [
  null, 1.5, 2 ** 53, -(2 ** 31) - 1, ' ', '\u0000', '\ud800', [null], [2 ** 40], ['x'], { a: '\u0000' }, deep, { '\ud800': 1 },
  '2024-13-01T00:00:00Z', '9999-12-31T23:59:59+23:59',
];
const FIELDS: Record<string, string[]> = {
  '/core/users/': ['username', 'name', 'is_active', 'last_login', 'groups', 'email', 'attributes', 'path', 'type'],
  '/core/groups/': ['name', 'is_superuser', 'parent', 'users', 'attributes', 'roles'],
  '/core/tokens/': ['identifier', 'intent', 'user', 'description', 'expires', 'expiring', 'managed'],
};
const QUERIES = [
  'page=x', 'ordering=;drop', 'search=%00%25_', 'username=%00', 'uuid=%00', 'attributes=%7B%22a%5Cu0000%22%3A1%7D',
  'attributes=%7B%22a%22%3A%22%5Cud800%22%7D', 'groups_by_pk=%00', 'members_by_pk=99999999999', 'expires=0000-01-01T00:00:00Z',
  'intent=%00', 'path_startswith=%5C', 'user__username=%ED%A0%80',
];

it('odd bodies and query strings answer 2xx/4xx with JSON, never 500', async () => {
  const bad: string[] = [];
  let n = 0;
  for (const [base, fields] of Object.entries(FIELDS)) {
    for (const f of fields) {
      for (const v of VALUES) {
        n++;
        const required = base === '/core/users/' ? { username: `r${n}`, name: 'n' } : base === '/core/groups/' ? { name: `r${n}` } : { identifier: `r${n}` };
        for (const [m, p, body] of [['POST', base, { ...required, [f]: v }], ['PATCH', base + detail[base], { [f]: v }]] as const) {
          const r = await t.api(m, p, { token: key, body });
          if (r.statusCode >= 500) bad.push(`${m} ${p} ${f}=${JSON.stringify(v).slice(0, 40)} → ${r.statusCode}`);
          if (m === 'PATCH' && r.statusCode === 200 && base === '/core/tokens/' && f === 'identifier') {
            await t.api('PATCH', `/core/tokens/${r.json().identifier}/`, { token: key, body: { identifier: 'tok' } });
          }
        }
      }
    }
    for (const q of QUERIES) {
      const r = await t.api('GET', `${base}?${q}`, { token: key });
      if (r.statusCode >= 500) bad.push(`GET ${base}?${q} → ${r.statusCode}`);
    }
  }
  expect(bad).toEqual([]);
});
