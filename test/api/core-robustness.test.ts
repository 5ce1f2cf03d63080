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
/** Values for POST bodies; PATCH gets the first three. */
const VALUES: unknown[] = [null, '\u0000', '9999-12-31T23:59:59+23:59', [2 ** 40], '\ud800', { '\ud800': 1 }, deep];
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

it('odd bodies and query strings answer 2xx/4xx, never 500', async () => {
  const requests: Array<[string, string, unknown]> = [];
  let n = 0;
  for (const [base, fields] of Object.entries(FIELDS)) {
    for (const f of fields) {
      VALUES.forEach((v, i) => {
        n++;
        const required = base === '/core/users/' ? { username: `r${n}`, name: 'n' } : base === '/core/groups/' ? { name: `r${n}` } : { identifier: `r${n}` };
        requests.push(['POST', base, { ...required, [f]: v }]);
        if (i < 3 && !(base === '/core/tokens/' && f === 'identifier')) requests.push(['PATCH', base + detail[base], { [f]: v }]);
      });
    }
    for (const q of QUERIES) requests.push(['GET', `${base}?${q}`, undefined]);
  }
  const bad: string[] = [];
  for (let i = 0; i < requests.length; i += 8) {
    await Promise.all(requests.slice(i, i + 8).map(async ([m, p, body]) => {
      const r = await t.api(m, p, { token: key, body });
      if (r.statusCode >= 500) bad.push(`${m} ${p} ${JSON.stringify(body)?.slice(0, 60)} → ${r.statusCode}`);
    }));
  }
  expect(bad).toEqual([]);
});
