/**
 * The source login decision, as pure code: given what the source said about a person and what the
 * database holds, decide to AUTHenticate an existing user, LINK the identity to a user, ENROLL a
 * new user, or DENY — with a machine-readable reason. No HTTP, no SQL, no clock.
 *
 * Rules follow source-flow.md §3 (authentik's `SourceFlowManager.get_action`), overridden by
 * decisions.md where Fedlink fixes authentik's behaviour:
 * - F5: signed in + identity already linked to the caller → AUTH (no duplicate row); linked to
 *   someone else → DENY `linked_to_other_user`.
 * - F6: email matching is case-insensitive (the caller passes candidates found that way); more than
 *   one match → DENY `*_ambiguous`; a `*_link` mode does not link when the source says
 *   `email_verified: false` → DENY `email_not_verified`; an inactive user is never authenticated →
 *   DENY `user_inactive`.
 * - Fedlink (docs/decisions.md): a user holds at most one connection per source, so linking an
 *   identity to a user who is already connected to the same source with another identity is a
 *   DENY (`source_already_linked` when signed in, `user_linked_to_other_identity` when matched),
 *   where authentik answers 500.
 *
 * Source: authentik/core/sources/flow_manager.py SourceFlowManager.get_action (2024.8).
 */
import { DEFAULT_USER_PATH, expandUserPath } from './user-path.js';

export type UserMatchingMode = 'identifier' | 'email_link' | 'email_deny' | 'username_link' | 'username_deny';

export const USER_MATCHING_MODES: readonly UserMatchingMode[] = [
  'identifier', 'email_link', 'email_deny', 'username_link', 'username_deny',
];

/** What the decision needs to know about the source. */
export interface FlowSource {
  name: string;
  slug: string;
  /** One of USER_MATCHING_MODES; anything else is treated as `identifier` (the column's default). */
  userMatchingMode: string;
  userPathTemplate: string;
}

/**
 * The mapped user properties (source-flow.md §2): matching uses these, not the raw profile.
 * `emailVerified` is `false` only when the source explicitly says the email is unverified;
 * `undefined` means the source said nothing.
 */
export interface UserProperties {
  username?: string | null;
  email?: string | null;
  name?: string | null;
  emailVerified?: boolean;
}

/** A local user as the decision sees it. */
export interface LocalUser {
  pk: number;
  username: string;
  email: string;
  isActive: boolean;
  /** Identifier of this user's connection to *this* source, when they have one (at most one: unique (user, source)). */
  connectedIdentifier?: string | null;
}

export interface DecisionInput {
  source: FlowSource;
  /** The person's stable id at the source (non-empty). */
  identifier: string;
  properties: UserProperties;
  /** The user signed in on this browser, if any. An inactive one counts as not signed in. */
  signedIn?: LocalUser;
  /** The connection holding (source, identifier), with its user (decisions F2: at most one). */
  existing?: { connectionPk: number; user: LocalUser };
  /**
   * Users matching the mapped email (case-insensitive, F6) in `email_*` modes, or the mapped username
   * (exact) in `username_*` modes; ignored in `identifier` mode. Order does not matter.
   */
  candidates: readonly LocalUser[];
}

export type DenyReason =
  | 'linked_to_other_user'
  | 'source_already_linked'
  | 'user_inactive'
  | 'email_missing'
  | 'username_missing'
  | 'email_deny_match'
  | 'username_deny_match'
  | 'email_ambiguous'
  | 'username_ambiguous'
  | 'email_not_verified'
  | 'user_linked_to_other_identity';

/** Which spec rule produced a decision (source-flow.md R1–R8, decisions F5/F6, or Fedlink's own). */
export type RuleId = 'R1' | 'R2' | 'R3' | 'R4' | 'R5' | 'R6' | 'R7' | 'R8' | 'F5' | 'F6' | 'fedlink';

/** What a new user would be created with (ENROLL). `username` is a base; the service makes it unique. */
export interface EnrollmentData {
  username: string;
  email: string;
  name: string;
  path: string;
}

export type Decision =
  /** Sign in as the connection's user; refresh the connection's token. */
  | { action: 'auth'; rule: RuleId; reason: 'existing_link'; userPk: number; connectionPk: number }
  /** Attach a new connection to `userPk`; `signIn` when nobody was signed in (R7), not when linking to the signed-in user (R1). */
  | { action: 'link'; rule: RuleId; reason: 'signed_in' | 'email_match' | 'username_match'; userPk: number; signIn: boolean }
  /** Create a user and its connection, then sign in. */
  | { action: 'enroll'; rule: RuleId; reason: 'identifier_mode' | 'no_match'; user: EnrollmentData }
  | { action: 'deny'; rule: RuleId; reason: DenyReason };

function isMode(v: string): v is UserMatchingMode {
  return (USER_MATCHING_MODES as readonly string[]).includes(v);
}

function present(v: string | null | undefined): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

/** Longest username the user table stores (varchar(150), like Django's). */
export const USERNAME_MAX_LENGTH = 150;

/**
 * The username a new user gets before collision handling: the mapped username, else the mapped
 * email, else `<source slug>-<identifier>`; trimmed and cut to 150 characters.
 */
export function baseUsername(properties: UserProperties, identifier: string, slug: string): string {
  const raw = present(properties.username) ? properties.username : present(properties.email) ? properties.email : `${slug}-${identifier}`;
  return [...raw.trim()].slice(0, USERNAME_MAX_LENGTH).join('');
}

/**
 * A username based on `base` that is not in `taken`: `base` itself, else `base-2`, `base-3`, …
 * (the base is shortened so the result fits 150 characters). Never reuses an existing name, so
 * enrollment cannot overwrite or merge into another account.
 */
export function uniqueUsername(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i += 1) {
    const suffix = `-${i}`;
    const candidate = [...base].slice(0, USERNAME_MAX_LENGTH - suffix.length).join('') + suffix;
    if (!taken.has(candidate)) return candidate;
  }
}

/** What ENROLL writes for the person: username base, email, name, and the expanded user path. */
export function enrollmentData(input: Pick<DecisionInput, 'source' | 'identifier' | 'properties'>): EnrollmentData {
  const p = input.properties;
  const path = expandUserPath(input.source.userPathTemplate, input.source.slug);
  return {
    username: baseUsername(p, input.identifier, input.source.slug),
    email: present(p.email) ? p.email.trim() : '',
    name: present(p.name) ? p.name.trim() : '',
    path: path === '' ? DEFAULT_USER_PATH : path,
  };
}

/**
 * Decides what a completed source login does. Rules are evaluated in order; the first that applies wins.
 * @returns the decision; never throws.
 * Source: authentik/core/sources/flow_manager.py SourceFlowManager.get_action, with decisions F5/F6.
 */
export function decide(input: DecisionInput): Decision {
  const { existing } = input;
  const signedIn = input.signedIn?.isActive ? input.signedIn : undefined;

  // R1 with F5: a signed-in caller links, unless the identity is already theirs or someone else's.
  if (signedIn) {
    if (existing) {
      if (existing.user.pk === signedIn.pk) {
        return { action: 'auth', rule: 'F5', reason: 'existing_link', userPk: signedIn.pk, connectionPk: existing.connectionPk };
      }
      return { action: 'deny', rule: 'F5', reason: 'linked_to_other_user' };
    }
    if (signedIn.connectedIdentifier !== undefined && signedIn.connectedIdentifier !== null) {
      return { action: 'deny', rule: 'fedlink', reason: 'source_already_linked' };
    }
    return { action: 'link', rule: 'R1', reason: 'signed_in', userPk: signedIn.pk, signIn: false };
  }

  // R2 with F6: an existing link authenticates its user, whatever the mode — unless that user is inactive.
  if (existing) {
    if (!existing.user.isActive) return { action: 'deny', rule: 'F6', reason: 'user_inactive' };
    return { action: 'auth', rule: 'R2', reason: 'existing_link', userPk: existing.user.pk, connectionPk: existing.connectionPk };
  }

  const mode: UserMatchingMode = isMode(input.source.userMatchingMode) ? input.source.userMatchingMode : 'identifier';
  if (mode === 'identifier') {
    return { action: 'enroll', rule: 'R3', reason: 'identifier_mode', user: enrollmentData(input) };
  }

  const byEmail = mode === 'email_link' || mode === 'email_deny';
  const value = byEmail ? input.properties.email : input.properties.username;
  if (!present(value)) {
    return byEmail
      ? { action: 'deny', rule: 'R4', reason: 'email_missing' }
      : { action: 'deny', rule: 'R5', reason: 'username_missing' };
  }

  const matches = input.candidates;
  if (matches.length === 0) {
    return { action: 'enroll', rule: 'R6', reason: 'no_match', user: enrollmentData(input) };
  }
  if (mode === 'email_deny') return { action: 'deny', rule: 'R8', reason: 'email_deny_match' };
  if (mode === 'username_deny') return { action: 'deny', rule: 'R8', reason: 'username_deny_match' };

  // R7 (link modes) with F6's guards.
  if (matches.length > 1) {
    return { action: 'deny', rule: 'F6', reason: byEmail ? 'email_ambiguous' : 'username_ambiguous' };
  }
  if (input.properties.emailVerified === false) return { action: 'deny', rule: 'F6', reason: 'email_not_verified' };
  const match = matches[0];
  if (!match.isActive) return { action: 'deny', rule: 'F6', reason: 'user_inactive' };
  if (match.connectedIdentifier !== undefined && match.connectedIdentifier !== null) {
    return { action: 'deny', rule: 'fedlink', reason: 'user_linked_to_other_identity' };
  }
  return { action: 'link', rule: 'R7', reason: byEmail ? 'email_match' : 'username_match', userPk: match.pk, signIn: true };
}

/**
 * The sentence shown on a deny page, naming the rule (decisions F12). Built from the source's name;
 * the caller escapes it for HTML.
 * Source: authentik/core/sources/flow_manager.py (the DENY message), extended with Fedlink's reasons.
 */
export function denyMessage(reason: DenyReason, sourceName: string): string {
  const base = `Request to authenticate with ${sourceName} has been denied.`;
  const why: Record<DenyReason, string> = {
    linked_to_other_user: `This ${sourceName} account is already linked to another user.`,
    source_already_linked: `Your account is already linked to a different ${sourceName} account; remove that connection first.`,
    user_inactive: 'The matching user account is disabled.',
    email_missing: `${sourceName} did not provide an email address, which this source needs to match users.`,
    username_missing: `${sourceName} did not provide a username, which this source needs to match users.`,
    email_deny_match: "A user with this email address already exists. Please authenticate with the source you've previously signed up with.",
    username_deny_match: "A user with this username already exists. Please authenticate with the source you've previously signed up with.",
    email_ambiguous: 'More than one user has this email address, so it cannot be linked automatically.',
    username_ambiguous: 'More than one user has this username, so it cannot be linked automatically.',
    email_not_verified: `${sourceName} says this email address is not verified, so it cannot be linked to an existing user.`,
    user_linked_to_other_identity: `The matching user is already linked to a different ${sourceName} account.`,
  };
  return `${base} ${why[reason]}`;
}
