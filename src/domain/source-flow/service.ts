/**
 * Completes a source login after the provider has said who the person is: gathers what the decision
 * needs (existing connection, signed-in user, matching users), decides (rules.ts), and carries the
 * decision out — user, connection (access token encrypted: decisions F9), session and audit events —
 * in one transaction (decisions F10, F11). A deny writes only its `login_failed` event.
 *
 * Concurrency: (source, identifier) and usernames are unique in the database; when a concurrent
 * login wins a race, the insert fails with UniqueViolation and the whole attempt is re-run, which
 * then sees the other login's rows (e.g. AUTH instead of a second ENROLL). Never a 500.
 *
 * Source: authentik/core/sources/flow_manager.py SourceFlowManager (get_flow, handle_auth,
 * handle_existing_link, handle_enroll), authentik/core/sources/stage.py PostSourceStage.
 */
import { insertEvent, type NewEvent } from '../../db/repositories/events.js';
import {
  findOAuthSourceBySlug, listEnabledOAuthSources,
  findLoginUser, findUsersByEmailInsensitive, findUsersByUsername, insertEnrolledUser, usernamesLike,
  type LoginUserRow, type OAuthLoginSourceRow,
} from '../../db/repositories/source-login.js';
import { findByIdentifier, insertConnection, listConnections, updateConnection } from '../../db/repositories/user-source-connections.js';
import type { Executor } from '../../db/executor.js';
import type { Actor } from '../actor.js';
import { modelEvent } from '../audit.js';
import type { Deps } from '../deps.js';
import { UniqueViolation } from '../errors.js';
import { SignInFailed } from './errors.js';
import type { OAuthSourceSettings } from './oauth-client.js';
import { startSession, type NewSession } from '../sessions/service.js';
import { baseUserProperties } from './provider-types.js';
import { decide, denyMessage, uniqueUsername, type Decision, type LocalUser, type UserProperties } from './rules.js';

export interface SourceLoginInput {
  source: Pick<OAuthLoginSourceRow, 'pbm_uuid' | 'name' | 'slug' | 'user_matching_mode' | 'user_path_template' | 'provider_type'>;
  identifier: string;
  /** The provider's profile (ID token claims + userinfo, or profile JSON); mapped to user properties here. */
  profile: Record<string, unknown>;
  accessToken: string;
  /** The browser's current session, if it is signed in. */
  signedIn?: { actor: Actor; sessionKey: string };
  clientIp: string;
  userAgent: string;
  sessionTtlSeconds: number;
}

export interface SourceLoginOutcome {
  decision: Decision;
  /** The user signed in or linked (absent on deny). */
  user?: { pk: number; username: string };
  /** Set when a new session was started (cookie to send); absent for deny and for LINK while signed in. */
  session?: NewSession;
  /** Success message or the deny reason sentence (plain text; escape for HTML). */
  message: string;
}

const MAX_ATTEMPTS = 3;

/** A source that can be signed in with, and its provider settings (secret decrypted). */
export interface LoginSource {
  row: OAuthLoginSourceRow;
  settings: OAuthSourceSettings;
}

/**
 * Loads the enabled OAuth source behind `slug` with its decrypted provider settings.
 * @throws SignInFailed source_not_found (404) for unknown slugs, disabled or non-OAuth sources;
 *   source_misconfigured (502) when the consumer secret cannot be decrypted.
 * Source: authentik/sources/oauth/views/redirect.py (get_object_or_404(OAuthSource, slug=…, enabled=True)).
 */
export async function loadLoginSource(deps: Deps, slug: string): Promise<LoginSource> {
  const row = /^[-a-zA-Z0-9_]{1,50}$/.test(slug) ? await findOAuthSourceBySlug(deps.db, slug) : undefined;
  if (!row || !row.enabled) throw new SignInFailed('source_not_found', 'This source does not exist or is disabled.');
  let consumerSecret: string;
  try {
    consumerSecret = deps.secrets.decrypt(row.consumer_secret_encrypted);
  } catch (e) {
    throw new SignInFailed('source_misconfigured', "The source's client secret cannot be read (was the server secret changed?).", { cause: e });
  }
  return {
    row,
    settings: {
      slug: row.slug, providerType: row.provider_type, authorizationUrl: row.authorization_url, accessTokenUrl: row.access_token_url,
      profileUrl: row.profile_url, oidcWellKnownUrl: row.oidc_well_known_url, oidcJwksUrl: row.oidc_jwks_url,
      consumerKey: row.consumer_key, consumerSecret, additionalScopes: row.additional_scopes,
    },
  };
}

/** Enabled OAuth sources for the sign-in page (name, slug), by name. */
export async function listLoginSources(deps: Deps): Promise<{ name: string; slug: string }[]> {
  return listEnabledOAuthSources(deps.db);
}

/** Model reference of an OAuth source, as authentik's model_to_dict gives it in event contexts. */
function sourceRef(source: SourceLoginInput['source']) {
  return { app: 'authentik_sources_oauth', model_name: 'oauthsource', pk: source.pbm_uuid, name: source.name };
}

function toLocal(u: LoginUserRow, connectedIdentifier?: string | null): LocalUser {
  return { pk: u.id, username: u.username, email: u.email, isActive: u.is_active, connectedIdentifier };
}

/** The identifier of `userPk`'s connection to the source, or undefined (at most one: unique (user, source)). */
async function connectedIdentifier(db: Executor, userPk: number, slug: string): Promise<string | null | undefined> {
  const page = await listConnections(db, {
    ownerPk: userPk, query: { page: 1, pageSize: 1, ordering: [], search: [], filters: { source__slug: slug } },
  });
  return page.rows.length === 0 ? undefined : page.rows[0].identifier;
}

/**
 * Decides and persists one source login.
 * @returns the decision and what was done; deny is a normal outcome, not an exception.
 * @throws only unexpected database errors (UniqueViolation races are retried).
 */
export async function completeSourceLogin(deps: Deps, input: SourceLoginInput): Promise<SourceLoginOutcome> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await deps.db.transaction().execute((tx) => attemptLogin(tx, deps, input));
    } catch (e) {
      if (!(e instanceof UniqueViolation) || attempt >= MAX_ATTEMPTS) throw e;
    }
  }
}

async function attemptLogin(tx: Executor, deps: Deps, input: SourceLoginInput): Promise<SourceLoginOutcome> {
  const { source, identifier } = input;
  const properties: UserProperties = baseUserProperties(source.provider_type, input.profile);
  const mode = source.user_matching_mode;

  const existingRow = await findByIdentifier(tx, source.pbm_uuid, identifier);
  const existingUser = existingRow ? await findLoginUser(tx, existingRow.user_id) : undefined;
  const existing = existingRow && existingUser ? { connectionPk: existingRow.id, user: toLocal(existingUser) } : undefined;

  let signedIn: LocalUser | undefined;
  if (input.signedIn) {
    const u = await findLoginUser(tx, input.signedIn.actor.userPk);
    if (u) signedIn = toLocal(u, await connectedIdentifier(tx, u.id, source.slug));
  }

  let candidates: LocalUser[] = [];
  if (!signedIn && !existing) {
    let rows: LoginUserRow[] = [];
    if ((mode === 'email_link' || mode === 'email_deny') && properties.email?.trim()) {
      rows = await findUsersByEmailInsensitive(tx, properties.email.trim());
    } else if ((mode === 'username_link' || mode === 'username_deny') && properties.username?.trim()) {
      rows = await findUsersByUsername(tx, properties.username.trim());
    }
    candidates = rows.length === 1
      ? [toLocal(rows[0], await connectedIdentifier(tx, rows[0].id, source.slug))]
      : rows.map((r) => toLocal(r));
  }

  const decision = decide({
    source: { name: source.name, slug: source.slug, userMatchingMode: mode, userPathTemplate: source.user_path_template },
    identifier, properties, signedIn, existing, candidates,
  });

  const context = { source: sourceRef(source), identifier, decision: { action: decision.action, rule: decision.rule, reason: decision.reason } };
  const eventUser = (u: { pk: number; username: string; email: string }) => ({ pk: u.pk, username: u.username, email: u.email });
  const event = (e: Omit<NewEvent, 'clientIp'>) => insertEvent(tx, { ...e, clientIp: input.clientIp });

  if (decision.action === 'deny') {
    const message = denyMessage(decision.reason, source.name);
    await event({ action: 'login_failed', app: 'authentik.core.sources.flow_manager', user: signedIn ? eventUser(signedIn) : {}, context: { ...context, message } });
    return { decision, message };
  }

  const sealedToken = { access_token_encrypted: input.accessToken ? deps.secrets.encrypt(input.accessToken) : null };
  const signIn = async (user: { pk: number; username: string; email: string }) => {
    const session = await startSession(tx, deps, {
      userPk: user.pk, ttlSeconds: input.sessionTtlSeconds, ip: input.clientIp, userAgent: input.userAgent,
      previousKey: input.signedIn?.sessionKey,
    });
    await event({ action: 'login', app: 'authentik.events.signals', user: eventUser(user), context: { ...context, auth_method: 'source', auth_method_args: { source: sourceRef(source) } } });
    return session;
  };
  const linked = (user: { pk: number; username: string; email: string }) =>
    event({ action: 'source_linked', app: 'authentik.core.sources.flow_manager', user: eventUser(user), context: { ...context, message: 'Linked Source' } });
  const authenticated = `Successfully authenticated with ${source.name}!`;

  switch (decision.action) {
    case 'auth': {
      const user = decision.userPk === existing?.user.pk ? existing.user : signedIn!;
      await updateConnection(tx, { kind: 'oauth', id: decision.connectionPk, extra: sealedToken });
      const session = await signIn(user);
      return { decision, user: { pk: user.pk, username: user.username }, session, message: authenticated };
    }
    case 'link': {
      const user = decision.signIn ? candidates[0] : signedIn!;
      await insertConnection(tx, { kind: 'oauth', userPk: user.pk, sourcePk: source.pbm_uuid, identifier, extra: sealedToken });
      await linked(user);
      if (!decision.signIn) return { decision, user: { pk: user.pk, username: user.username }, message: `Successfully linked ${source.name}!` };
      const session = await signIn(user);
      return { decision, user: { pk: user.pk, username: user.username }, session, message: authenticated };
    }
    case 'enroll': {
      const data = decision.user;
      const username = uniqueUsername(data.username, await usernamesLike(tx, data.username));
      const created = await insertEnrolledUser(tx, { username, email: data.email, name: data.name, path: data.path, attributes: {} });
      const user = { pk: created.id, username, email: data.email };
      await event({
        ...modelEvent('model_created', undefined, { app: 'authentik_core', model_name: 'user', pk: created.id, name: username }, { source: sourceRef(source), decision: context.decision }),
      });
      await insertConnection(tx, { kind: 'oauth', userPk: user.pk, sourcePk: source.pbm_uuid, identifier, extra: sealedToken });
      await linked(user);
      const session = await signIn(user);
      return { decision, user: { pk: user.pk, username }, session, message: authenticated };
    }
  }
}
