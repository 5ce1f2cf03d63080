/**
 * completeSourceLogin on the database, without HTTP: concurrent first logins of one identity are
 * resolved by re-running the attempt (one ENROLL, then AUTH), never a 500 or a duplicate (decisions F2).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { completeSourceLogin } from '../../src/domain/source-flow/service.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

it('parallel logins of the same new identity: one user, one connection, every attempt signs in', async () => {
  const src = await t.makeSource({ slug: 'race-src' });
  const source = { pbm_uuid: src.pk, name: 'Race', slug: src.slug, user_matching_mode: 'identifier', user_path_template: 'x', provider_type: 'openidconnect' };
  const run = () => completeSourceLogin(t.deps, {
    source, identifier: 'race-1', profile: { sub: 'race-1', preferred_username: 'racer' }, accessToken: 'at',
    clientIp: '127.0.0.1', userAgent: 'test', sessionTtlSeconds: 60,
  });
  const outcomes = await Promise.all([run(), run(), run()]);
  expect(outcomes.map((o) => o.decision.action).sort()).toEqual(['auth', 'auth', 'enroll']);
  expect(new Set(outcomes.map((o) => o.user?.username))).toEqual(new Set(['racer']));
  const users = await t.t.db.selectFrom('user').select('username').where('username', 'like', 'racer%').execute();
  expect(users).toEqual([{ username: 'racer' }]);
  const conns = await t.t.db.selectFrom('user_source_connection').select('id').where('source_id', '=', src.pk).execute();
  expect(conns).toHaveLength(1);
});
