/**
 * The login decision: every row of source-flow.md §3.1/§3.2 and §8, with decisions F5/F6 where they
 * override authentik, plus username/enrollment helpers.
 */
import { describe, expect, it } from 'vitest';
import {
  baseUsername, decide, denyMessage, enrollmentData, uniqueUsername,
  type DecisionInput, type DenyReason, type LocalUser, type UserMatchingMode,
} from './rules.js';

const alice: LocalUser = { pk: 10, username: 'alice', email: 'alice@example.org', isActive: true };
const bob: LocalUser = { pk: 11, username: 'bob', email: 'bob@example.org', isActive: true };

function input(mode: UserMatchingMode, o: Partial<DecisionInput> = {}): DecisionInput {
  return {
    source: { name: 'Corp IdP', slug: 'corp', userMatchingMode: mode, userPathTemplate: 'goauthentik.io/sources/%(slug)s' },
    identifier: 'ext-1',
    properties: { username: 'alice', email: 'alice@example.org', name: 'Alice A' },
    candidates: [],
    ...o,
  };
}

const MODES: UserMatchingMode[] = ['identifier', 'email_link', 'email_deny', 'username_link', 'username_deny'];
const existingAlice = { connectionPk: 5, user: alice };

describe('§3.1 caller not signed in', () => {
  describe.each(MODES)('mode %s', (mode) => {
    it('existing connection → AUTH as its user (R2), whatever the mode and matches', () => {
      expect(decide(input(mode, { existing: existingAlice, candidates: [bob, alice] })))
        .toEqual({ action: 'auth', rule: 'R2', reason: 'existing_link', userPk: alice.pk, connectionPk: 5 });
    });
    it('existing connection of an inactive user → DENY user_inactive (F6)', () => {
      expect(decide(input(mode, { existing: { connectionPk: 5, user: { ...alice, isActive: false } } })))
        .toMatchObject({ action: 'deny', rule: 'F6', reason: 'user_inactive' });
    });
  });

  it('identifier, no connection → ENROLL (R3), ignoring collisions', () => {
    const d = decide(input('identifier', { candidates: [alice] }));
    expect(d).toMatchObject({ action: 'enroll', rule: 'R3', reason: 'identifier_mode' });
  });

  describe.each([
    ['email_link', 'email', 'email_missing', 'R4'],
    ['email_deny', 'email', 'email_missing', 'R4'],
    ['username_link', 'username', 'username_missing', 'R5'],
    ['username_deny', 'username', 'username_missing', 'R5'],
  ] as const)('%s', (mode, key, missingReason, rule) => {
    it.each([undefined, null, '', '   '])(`${key} = %j → DENY ${missingReason}`, (v) => {
      expect(decide(input(mode, { properties: { username: 'u', email: 'e@x.org', [key]: v } })))
        .toEqual({ action: 'deny', rule, reason: missingReason });
    });
    it('present, no local user with it → ENROLL (R6)', () => {
      expect(decide(input(mode, { candidates: [] }))).toMatchObject({ action: 'enroll', rule: 'R6', reason: 'no_match' });
    });
  });

  it('email_link, one match → LINK to it and sign in (R7)', () => {
    expect(decide(input('email_link', { candidates: [alice] })))
      .toEqual({ action: 'link', rule: 'R7', reason: 'email_match', userPk: alice.pk, signIn: true });
  });
  it('username_link, one match → LINK (R7)', () => {
    expect(decide(input('username_link', { candidates: [alice] })))
      .toEqual({ action: 'link', rule: 'R7', reason: 'username_match', userPk: alice.pk, signIn: true });
  });
  it('email_deny, ≥ 1 match → DENY (R8)', () => {
    expect(decide(input('email_deny', { candidates: [alice] }))).toEqual({ action: 'deny', rule: 'R8', reason: 'email_deny_match' });
    expect(decide(input('email_deny', { candidates: [alice, bob] }))).toEqual({ action: 'deny', rule: 'R8', reason: 'email_deny_match' });
  });
  it('username_deny, ≥ 1 match → DENY (R8)', () => {
    expect(decide(input('username_deny', { candidates: [alice] }))).toEqual({ action: 'deny', rule: 'R8', reason: 'username_deny_match' });
  });
  it('deny modes deny a match even when it is inactive', () => {
    expect(decide(input('email_deny', { candidates: [{ ...alice, isActive: false }] }))).toMatchObject({ reason: 'email_deny_match' });
  });
  it('an unknown mode value is treated as identifier', () => {
    expect(decide(input('bogus' as UserMatchingMode, { candidates: [alice] }))).toMatchObject({ action: 'enroll', rule: 'R3' });
  });
});

describe('F6 overrides', () => {
  it('more than one match in a link mode → DENY ambiguous (never "lowest pk wins")', () => {
    expect(decide(input('email_link', { candidates: [alice, { ...bob, email: 'ALICE@example.org' }] })))
      .toEqual({ action: 'deny', rule: 'F6', reason: 'email_ambiguous' });
    expect(decide(input('username_link', { candidates: [alice, bob] })))
      .toEqual({ action: 'deny', rule: 'F6', reason: 'username_ambiguous' });
  });
  it.each(['email_link', 'username_link'] as const)('%s with email_verified false → DENY email_not_verified', (mode) => {
    expect(decide(input(mode, { properties: { username: 'alice', email: 'alice@example.org', emailVerified: false }, candidates: [alice] })))
      .toEqual({ action: 'deny', rule: 'F6', reason: 'email_not_verified' });
  });
  it('email_verified true or absent links', () => {
    for (const emailVerified of [true, undefined]) {
      expect(decide(input('email_link', { properties: { email: 'alice@example.org', emailVerified }, candidates: [alice] })).action).toBe('link');
    }
  });
  it('email_verified false does not block enrollment when nobody matches', () => {
    expect(decide(input('email_link', { properties: { email: 'new@example.org', emailVerified: false } })).action).toBe('enroll');
  });
  it('a matching inactive user is never signed in → DENY user_inactive', () => {
    expect(decide(input('email_link', { candidates: [{ ...alice, isActive: false }] })))
      .toEqual({ action: 'deny', rule: 'F6', reason: 'user_inactive' });
  });
  it('a matching user already connected to this source with another identity → DENY (no second link, no 500)', () => {
    expect(decide(input('email_link', { candidates: [{ ...alice, connectedIdentifier: 'other-ext' }] })))
      .toEqual({ action: 'deny', rule: 'fedlink', reason: 'user_linked_to_other_identity' });
  });
});

describe('§3.2 caller signed in, with F5', () => {
  describe.each(MODES)('mode %s', (mode) => {
    it('no connection anywhere → LINK to the signed-in user, no new sign-in (R1)', () => {
      expect(decide(input(mode, { signedIn: bob, candidates: [alice] })))
        .toEqual({ action: 'link', rule: 'R1', reason: 'signed_in', userPk: bob.pk, signIn: false });
    });
    it('identity already linked to the caller → AUTH, no duplicate (F5)', () => {
      expect(decide(input(mode, { signedIn: { ...alice, connectedIdentifier: 'ext-1' }, existing: existingAlice })))
        .toEqual({ action: 'auth', rule: 'F5', reason: 'existing_link', userPk: alice.pk, connectionPk: 5 });
    });
    it('identity linked to someone else → DENY linked_to_other_user (F5)', () => {
      expect(decide(input(mode, { signedIn: bob, existing: existingAlice })))
        .toEqual({ action: 'deny', rule: 'F5', reason: 'linked_to_other_user' });
    });
    it('caller already linked to this source with another identity → DENY source_already_linked (authentik: 500)', () => {
      expect(decide(input(mode, { signedIn: { ...bob, connectedIdentifier: 'ext-other' } })))
        .toEqual({ action: 'deny', rule: 'fedlink', reason: 'source_already_linked' });
    });
  });
  it('an inactive signed-in user counts as not signed in', () => {
    expect(decide(input('identifier', { signedIn: { ...bob, isActive: false } }))).toMatchObject({ action: 'enroll' });
    expect(decide(input('identifier', { signedIn: { ...bob, isActive: false }, existing: existingAlice }))).toMatchObject({ action: 'auth', userPk: alice.pk });
  });
});

describe('enrollment data', () => {
  it('uses the mapped username, email, name and the expanded user path', () => {
    expect(enrollmentData(input('identifier'))).toEqual({
      username: 'alice', email: 'alice@example.org', name: 'Alice A', path: 'goauthentik.io/sources/corp',
    });
  });
  it('falls back to email, then <slug>-<identifier>; path falls back to users', () => {
    expect(baseUsername({ email: 'e@x.org' }, 'id', 'corp')).toBe('e@x.org');
    expect(baseUsername({ username: '  ' }, 'id', 'corp')).toBe('corp-id');
    const d = enrollmentData({ ...input('identifier'), properties: {}, source: { name: 'n', slug: 's', userMatchingMode: 'identifier', userPathTemplate: '' } });
    expect(d).toEqual({ username: 's-id'.replace('id', 'ext-1'), email: '', name: '', path: 'users' });
    expect(enrollmentData({ ...input('identifier'), source: { name: 'n', slug: 's', userMatchingMode: 'identifier', userPathTemplate: '%(nope)s' } }).path).toBe('users');
  });
  it('usernames are cut to 150 characters', () => {
    expect(baseUsername({ username: 'x'.repeat(300) }, 'i', 's')).toHaveLength(150);
  });
  it('collisions get a numeric suffix and never reuse a taken name', () => {
    expect(uniqueUsername('alice', new Set())).toBe('alice');
    expect(uniqueUsername('alice', new Set(['alice']))).toBe('alice-2');
    expect(uniqueUsername('alice', new Set(['alice', 'alice-2', 'alice-3']))).toBe('alice-4');
    const long = 'y'.repeat(150);
    const u = uniqueUsername(long, new Set([long]));
    expect(u).toHaveLength(150);
    expect(u.endsWith('-2')).toBe(true);
  });
});

describe('deny messages', () => {
  const reasons: DenyReason[] = [
    'linked_to_other_user', 'source_already_linked', 'user_inactive', 'email_missing', 'username_missing', 'email_deny_match',
    'username_deny_match', 'email_ambiguous', 'username_ambiguous', 'email_not_verified', 'user_linked_to_other_identity',
  ];
  it.each(reasons)('%s has a message naming the source', (reason) => {
    const m = denyMessage(reason, 'Corp IdP');
    expect(m).toMatch(/^Request to authenticate with Corp IdP has been denied\. /);
    expect(m.length).toBeGreaterThan(60);
  });
});
