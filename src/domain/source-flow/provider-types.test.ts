/** Provider types: identifiers, base properties and scopes (source-flow.md §2, sources-api.md §4.1). */
import { describe, expect, it } from 'vitest';
import { baseUserProperties, emailVerifiedClaim, profileIdentifier, providerTypeInfo, requestedScopes } from './provider-types.js';

describe('identifier', () => {
  it('sub wins, then id (numbers as strings); blank or missing → undefined', () => {
    expect(profileIdentifier({ sub: 'abc', id: 1 })).toBe('abc');
    expect(profileIdentifier({ id: 12345 })).toBe('12345');
    expect(profileIdentifier({ sub: '', id: 'x' })).toBe('x');
    expect(profileIdentifier({ sub: '  ' })).toBeUndefined();
    expect(profileIdentifier({ sub: { a: 1 } })).toBeUndefined();
    expect(profileIdentifier({})).toBeUndefined();
    expect(profileIdentifier({ sub: 'a\u0000b' })).toBeUndefined();
  });
});

describe('base properties', () => {
  it('OpenID Connect: nickname, else preferred_username; email, name, email_verified', () => {
    expect(baseUserProperties('openidconnect', { sub: 's', preferred_username: 'pu', email: 'a@x.org', name: 'A', email_verified: false }))
      .toEqual({ username: 'pu', email: 'a@x.org', name: 'A', emailVerified: false });
    expect(baseUserProperties('openidconnect', { nickname: 'nick', preferred_username: 'pu' }).username).toBe('nick');
  });
  it('github uses login; discord username (also as name); google the email', () => {
    expect(baseUserProperties('github', { id: 1, login: 'octo', name: 'Octo', email: 'o@x.org' }).username).toBe('octo');
    expect(baseUserProperties('discord', { id: '1', username: 'disc' })).toMatchObject({ username: 'disc', name: 'disc' });
    expect(baseUserProperties('google', { id: '1', email: 'g@x.org' }).username).toBe('g@x.org');
  });
  it('NUL characters are dropped from properties (PostgreSQL cannot store them)', () => {
    expect(baseUserProperties('openidconnect', { preferred_username: 'a\u0000b', email: 'e\u0000@x.org' })).toMatchObject({ username: 'ab', email: 'e@x.org' });
  });
  it('unknown types read username/login/preferred_username/nickname from the profile', () => {
    expect(baseUserProperties('mailcow', { id: 1, login: 'mc' }).username).toBe('mc');
    expect(baseUserProperties('something-new', { username: 'u' }).username).toBe('u');
  });
  it('email_verified accepts booleans and "true"/"false" strings only', () => {
    expect([true, false, 'true', 'false', 'yes', 1, null, undefined].map(emailVerifiedClaim))
      .toEqual([true, false, true, false, undefined, undefined, undefined, undefined]);
  });
});

describe('scopes', () => {
  it('defaults plus additional scopes, deduplicated; * replaces the defaults', () => {
    expect(requestedScopes(providerTypeInfo('openidconnect'), '', false)).toEqual(['openid', 'email', 'profile']);
    expect(requestedScopes(providerTypeInfo('openidconnect'), 'groups email', false)).toEqual(['openid', 'email', 'profile', 'groups']);
    expect(requestedScopes(providerTypeInfo('github'), '', false)).toEqual(['read:user', 'user:email']);
    expect(requestedScopes(providerTypeInfo('github'), '*repo', false)).toEqual(['repo']);
    expect(requestedScopes(providerTypeInfo('github'), '', true)).toEqual(['openid', 'read:user', 'user:email']);
  });
});
