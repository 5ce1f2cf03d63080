/**
 * authentik's own generated client (`@goauthentik/api@2024.8.3-1729836831`, CoreApi) against a listening
 * Fedlink: every core operation parses our responses into its models unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Configuration, CoreApi, IntentEnum, ResponseError } from '@goauthentik/api';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let api: CoreApi;
let baseUrl: string;

beforeAll(async () => {
  t = await createTestApp();
  const admin = await t.makeUser({ superuser: true, username: 'client-admin' });
  const key = await t.makeToken(admin.pk);
  const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `${address}/api/v3`;
  api = new CoreApi(new Configuration({ basePath: baseUrl, accessToken: key }));
});
afterAll(async () => t?.close());

describe('generated client', () => {
  it('users, groups and tokens round-trip through the client models', async () => {
    const group = await api.coreGroupsCreate({ groupRequest: { name: 'client-team', attributes: { a: 1 } } });
    expect(group.pk).toMatch(/^[0-9a-f-]{36}$/);
    expect(group.rolesObj).toEqual([]);

    const user = await api.coreUsersCreate({ userRequest: { username: 'client-user', name: 'Client User', groups: [group.pk], email: 'c@example.org' } });
    expect(user.username).toBe('client-user');
    expect(user.groupsObj?.[0].name).toBe('client-team');
    expect(user.isSuperuser).toBe(false);
    expect(user.lastLogin ?? null).toBeNull(); // the client maps null to undefined

    const patched = await api.coreUsersPartialUpdate({ id: user.pk, patchedUserRequest: { name: 'Renamed', lastLogin: new Date('2024-10-25T12:00:00Z') } });
    expect(patched.name).toBe('Renamed');
    expect(patched.lastLogin?.toISOString()).toBe('2024-10-25T12:00:00.000Z');

    const list = await api.coreUsersList({ groupsByName: ['client-team'], ordering: 'username', includeGroups: false });
    expect(list.pagination.count).toBe(1);
    expect(list.results[0].groupsObj).toBeNull();

    const groups = await api.coreGroupsList({ membersByPk: [user.pk] });
    expect(groups.results.map((g) => g.name)).toEqual(['client-team']);
    expect(groups.results[0].usersObj?.[0].username).toBe('client-user');
    const g2 = await api.coreGroupsRetrieve({ groupUuid: group.pk, includeUsers: false });
    expect(g2.usersObj).toBeNull();
    expect(g2.users).toEqual([user.pk]);

    const token = await api.coreTokensCreate({ tokenRequest: { identifier: 'client-token', user: user.pk, intent: IntentEnum.Api, expiring: false } });
    expect(token.userObj.username).toBe('client-user');
    expect(token.expires).toBeInstanceOf(Date);
    const { key } = await api.coreTokensViewKeyRetrieve({ identifier: 'client-token' });
    const asUser = new CoreApi(new Configuration({ basePath: baseUrl, accessToken: key }));
    const me = await asUser.coreUsersMeRetrieve();
    expect(me.user.username).toBe('client-user');
    expect(me.user.groups).toEqual([{ name: 'client-team', pk: group.pk }]);
    expect((await asUser.coreTokensList({})).results.map((x) => x.identifier)).toEqual(['client-token']);

    const tokens = await api.coreTokensList({ userUsername: 'client-user', intent: 'api' as any });
    expect(tokens.results).toHaveLength(1);
    await api.coreTokensPartialUpdate({ identifier: 'client-token', patchedTokenRequest: { description: 'via client' } });
    expect((await api.coreTokensRetrieve({ identifier: 'client-token' })).description).toBe('via client');

    await api.coreGroupsUpdate({ groupUuid: group.pk, groupRequest: { name: 'client-team-2', users: [user.pk] } });
    await api.coreUsersUpdate({ id: user.pk, userRequest: { username: 'client-user', name: 'Put', groups: [] } });
    await api.coreTokensDestroy({ identifier: 'client-token' });
    await api.coreUsersDestroy({ id: user.pk });
    await api.coreGroupsDestroy({ groupUuid: group.pk });
    const err = await api.coreUsersRetrieve({ id: user.pk }).catch((e) => e);
    expect(err).toBeInstanceOf(ResponseError);
    expect(err.response.status).toBe(404);
  });
});
