/**
 * Use cases behind `/api/v3/core/tokens/`: list, retrieve, create, update (PUT/PATCH), delete, view_key.
 * Owner model: superusers see and change every token, everyone else only their own (authentik's
 * TokenViewSet filters its queryset by user for non-superusers and lets owners write). Keys are
 * generated here, stored only as keyed digest + ciphertext, and leave the server only through
 * view_key (decisions F9). Source: authentik/core/api/tokens.py TokenViewSet / TokenSerializer (2024.8).
 */
import { randomUUID } from 'node:crypto';
import {
  deleteToken, findToken, findTokenKeyEncrypted, identifierTaken, IDENTIFIER_TAKEN, insertToken, listTokens, updateToken,
  type TokenIntent, type TokenRecord, type TokenWrite,
} from '../../db/repositories/core-tokens.js';
import { findUser, findAllGroupsOfUser } from '../../db/repositories/core-users.js';
import { insertEvent } from '../../db/repositories/events.js';
import type { Actor } from '../actor.js';
import { modelEvent } from '../audit.js';
import { addError, charField, dateTimeField, dateTimeMs, invalidPk, parseDateTime, parseTimedelta, textProblem } from '../core-fields.js';
import type { Deps } from '../deps.js';
import { NotFound, PermissionDenied, ValidationFailed, type FieldErrors } from '../errors.js';
import type { ListParamsSpec, ListQuery, Page } from '../list.js';
import { generateKey } from '../secrets.js';
import { noop, userViewsByPk, type UserView } from '../users/service.js';

export const TOKEN_INTENTS = ['verification', 'api', 'recovery', 'app_password'] as const;

/** authentik's default token lifetime (tenant `default_token_duration`, "minutes=30"). */
export const DEFAULT_TOKEN_DURATION_MS = 30 * 60 * 1000;
const ATTR_TOKEN_EXPIRING = 'goauthentik.io/user/token-expires';
const ATTR_TOKEN_MAX_LIFETIME = 'goauthentik.io/user/token-maximum-lifetime';

/** A token ready to serialize: the row (never the key) and its user as the User object. */
export interface TokenView {
  token: TokenRecord;
  user: UserView;
}

/** List parameters of `/core/tokens/`. `expires` is parsed as a datetime by `list`. */
export const tokenListSpec: ListParamsSpec = {
  filters: {
    identifier: 'text', intent: { enum: TOKEN_INTENTS }, user__username: 'text', description: 'text',
    expires: 'text', expiring: 'bool', managed: 'text',
  },
  orderingFields: ['pk', 'managed', 'identifier', 'intent', 'user', 'description', 'expires', 'expiring'],
  defaultOrdering: ['identifier', 'expires'],
  searchable: true,
};

/** Attaches each token's user (one query for the page); a token whose user vanished meanwhile is dropped. */
async function tokenViews(deps: Deps, rows: TokenRecord[]): Promise<TokenView[]> {
  const users = await userViewsByPk(deps, rows.map((r) => r.user_id));
  return rows.filter((r) => users.has(r.user_id)).map((token) => ({ token, user: users.get(token.user_id)! }));
}

/** Non-superusers only ever see their own tokens. */
function ownerScope(actor: Actor): number | undefined {
  return actor.isSuperuser ? undefined : actor.userPk;
}

/** @throws NotFound when absent, not the actor's (non-superuser), or the identifier cannot exist. */
async function getVisible(deps: Deps, actor: Actor, identifier: string): Promise<TokenRecord> {
  if (identifier.length > 255 || textProblem(identifier)) throw new NotFound();
  const t = await findToken(deps.db, identifier, ownerScope(actor));
  if (!t) throw new NotFound();
  return t;
}

/**
 * Lists the actor's tokens (all tokens for superusers), expired ones included.
 * @throws ValidationFailed for a malformed `expires` or an intent outside the enum; InvalidPage.
 */
export async function list(deps: Deps, actor: Actor, query: ListQuery): Promise<Page<TokenView>> {
  const filters = { ...query.filters };
  delete filters.expires;
  let expires: string | undefined;
  if (typeof query.filters.expires === 'string') {
    expires = parseDateTime(query.filters.expires);
    if (!expires) throw ValidationFailed.field('expires', 'Enter a valid date/time.');
  }
  const page = await listTokens(deps.db, { ownerPk: ownerScope(actor), query: { ...query, filters }, expires });
  return { ...page, rows: await tokenViews(deps, page.rows) };
}

/** Retrieves one token by identifier. @throws NotFound. */
export async function retrieve(deps: Deps, actor: Actor, identifier: string): Promise<TokenView> {
  const t = await getVisible(deps, actor, identifier);
  return (await tokenViews(deps, [t]))[0];
}

/** Python's `str(datetime)` of a UTC instant, as authentik prints it in the lifetime message. */
function pyDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)}.${String(d.getUTCMilliseconds()).padStart(3, '0')}000+00:00`;
}

/** A user attribute looked up in the user's own attributes, then in their groups' (by group name). */
async function userAttribute(deps: Deps, userPk: number, key: string): Promise<unknown> {
  const user = await findUser(deps.db, userPk);
  if (user && key in (user.attributes ?? {})) return user.attributes[key];
  for (const g of await findAllGroupsOfUser(deps.db, userPk)) if (g.attributes && key in g.attributes) return g.attributes[key];
  return undefined;
}

/** Latest `expires` allowed for an app password of `userPk`: now + the user's maximum lifetime, else + 30 min. */
async function maxLifetimeMs(deps: Deps, userPk: number): Promise<number> {
  const raw = await userAttribute(deps, userPk, ATTR_TOKEN_MAX_LIFETIME);
  const d = typeof raw === 'string' ? parseTimedelta(raw) : undefined;
  return Date.now() + (d ?? DEFAULT_TOKEN_DURATION_MS);
}

const SLUG_RE = /^[-a-zA-Z0-9_]+$/;

function identifierField(errors: FieldErrors, value: unknown, required: boolean): string | undefined {
  const s = charField(errors, 'identifier', value, { required, maxLength: 255 });
  if (s !== undefined && !SLUG_RE.test(s)) {
    addError(errors, 'identifier', 'Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.');
    return undefined;
  }
  return s;
}

/**
 * The `expires` a token gets. API tokens: always now + the default duration (authentik overrides any
 * value). App passwords: as given (null/omitted on create: now + default) but not beyond the maximum
 * lifetime. Other intents (update only): as given.
 */
async function resolveExpires(
  deps: Deps,
  errors: FieldErrors,
  intent: TokenIntent,
  given: string | null | undefined,
  ownerPk: number,
  creating: boolean,
): Promise<string | Date | null | undefined> {
  if (intent === 'api') return new Date(Date.now() + DEFAULT_TOKEN_DURATION_MS);
  if (intent !== 'app_password') return given;
  if (given === undefined && !creating) return undefined;
  if (given === undefined || given === null) return new Date(Date.now() + DEFAULT_TOKEN_DURATION_MS);
  const max = await maxLifetimeMs(deps, ownerPk);
  if (dateTimeMs(given) > max) {
    addError(errors, 'expires', `Token expires exceeds maximum lifetime (${pyDateTime(max)} UTC).`);
    return undefined;
  }
  return given;
}

function intentOf(errors: FieldErrors, value: unknown): TokenIntent | undefined {
  if (value === undefined) return undefined;
  const intent = value as TokenIntent;
  if (intent !== 'api' && intent !== 'app_password') {
    addError(errors, 'intent', `Invalid intent ${String(value)}`);
    return undefined;
  }
  return intent;
}

function tokenRef(t: { token_uuid: string; identifier: string }) {
  return { app: 'authentik_core', model_name: 'token', pk: t.token_uuid.replace(/-/g, ''), name: t.identifier };
}

/**
 * Creates a token with a server-generated key. Non-superusers create tokens for themselves only, with
 * `expiring` taken from their `goauthentik.io/user/token-expires` attribute (default true).
 * Writes `model_created` (no key in it). The key is not in the answer: read it with view_key.
 * @throws ValidationFailed (bad body, duplicate identifier, intent other than api/app_password,
 * expires beyond the maximum lifetime); PermissionDenied when a non-superuser names another user.
 */
export async function create(deps: Deps, actor: Actor, body: Record<string, unknown>, assertBody: () => void = noop): Promise<TokenView> {
  assertBody();
  const errors: FieldErrors = {};
  const identifier = identifierField(errors, body.identifier, true);
  const description = charField(errors, 'description', body.description, { allowBlank: true, trim: true }) ?? '';
  const givenExpires = dateTimeField(errors, 'expires', body.expires, { allowNull: true });
  let ownerPk = actor.userPk;
  if (typeof body.user === 'number') {
    const inRange = Number.isSafeInteger(body.user) && body.user >= -2147483648 && body.user <= 2147483647;
    if (!inRange || !(await findUser(deps.db, body.user))) addError(errors, 'user', invalidPk(body.user));
    else ownerPk = body.user;
  }
  if (identifier !== undefined && (await identifierTaken(deps.db, identifier))) addError(errors, 'identifier', IDENTIFIER_TAKEN);
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  const intent = intentOf(errors, body.intent ?? 'api');
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  if (!actor.isSuperuser && ownerPk !== actor.userPk) throw new PermissionDenied();
  let expiring = typeof body.expiring === 'boolean' ? body.expiring : true;
  if (!actor.isSuperuser) expiring = (await userAttribute(deps, actor.userPk, ATTR_TOKEN_EXPIRING)) !== false;
  const expires = await resolveExpires(deps, errors, intent!, givenExpires, ownerPk, true);
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  const key = generateKey();
  const row = {
    token_uuid: randomUUID(), identifier: identifier!, key_hash: deps.secrets.digest(key), key_encrypted: deps.secrets.encrypt(key),
    intent: intent!, user_id: ownerPk, description, expires: expires ?? null, expiring,
  };
  await deps.db.transaction().execute(async (tx) => {
    await insertToken(tx, row);
    await insertEvent(tx, modelEvent('model_created', actor, tokenRef(row)));
  });
  return retrieveUnscoped(deps, row.identifier);
}

async function retrieveUnscoped(deps: Deps, identifier: string): Promise<TokenView> {
  const t = await findToken(deps.db, identifier);
  if (!t) throw new NotFound();
  return (await tokenViews(deps, [t]))[0];
}

/**
 * PUT (`identifier` required) or PATCH of a visible token (owner or superuser). The user cannot be
 * changed; only superusers may change `expiring`; an omitted intent keeps the current one; API
 * tokens' `expires` is reset to now + the default duration, as authentik does on every save.
 * Writes `model_updated`. @throws NotFound, ValidationFailed.
 */
export async function update(
  deps: Deps, actor: Actor, identifier: string, body: Record<string, unknown>, partial: boolean, assertBody: () => void = noop,
): Promise<TokenView> {
  const existing = await getVisible(deps, actor, identifier);
  assertBody();
  const errors: FieldErrors = {};
  const w: TokenWrite = {};
  w.identifier = identifierField(errors, body.identifier, !partial);
  w.description = charField(errors, 'description', body.description, { allowBlank: true });
  const givenExpires = dateTimeField(errors, 'expires', body.expires, { allowNull: true });
  if (typeof body.user === 'number' && body.user !== existing.user_id) addError(errors, 'user', 'User cannot be changed');
  if (w.identifier !== undefined && (await identifierTaken(deps.db, w.identifier, existing.token_uuid))) addError(errors, 'identifier', IDENTIFIER_TAKEN);
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  const intent = body.intent === undefined ? existing.intent : intentOf(errors, body.intent);
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  w.intent = intent;
  if (typeof body.expiring === 'boolean' && actor.isSuperuser) w.expiring = body.expiring;
  w.expires = await resolveExpires(deps, errors, intent!, givenExpires, existing.user_id, false);
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  const newIdentifier = w.identifier ?? existing.identifier;
  await deps.db.transaction().execute(async (tx) => {
    await updateToken(tx, existing.token_uuid, w);
    await insertEvent(tx, modelEvent('model_updated', actor, tokenRef({ token_uuid: existing.token_uuid, identifier: newIdentifier })));
  });
  return retrieveUnscoped(deps, newIdentifier);
}

/** Deletes a visible token; writes `model_deleted`. @throws NotFound. */
export async function destroy(deps: Deps, actor: Actor, identifier: string): Promise<void> {
  const existing = await getVisible(deps, actor, identifier);
  await deps.db.transaction().execute(async (tx) => {
    if (!(await deleteToken(tx, existing.token_uuid))) throw new NotFound();
    await insertEvent(tx, modelEvent('model_deleted', actor, tokenRef(existing)));
  });
}

/**
 * `view_key`: the token's key for its owner or a superuser, and a `secret_view` event naming the
 * token (never the key). @throws NotFound when absent or not the actor's.
 */
export async function viewKey(deps: Deps, actor: Actor, identifier: string): Promise<{ key: string }> {
  const t = await getVisible(deps, actor, identifier);
  const sealed = await findTokenKeyEncrypted(deps.db, t.token_uuid);
  if (sealed === undefined) throw new NotFound();
  const key = deps.secrets.decrypt(sealed);
  await insertEvent(deps.db, {
    ...modelEvent('model_updated', actor, tokenRef(t)),
    action: 'secret_view',
    app: 'authentik.core.api.tokens',
    context: { secret: tokenRef(t) },
  });
  return { key };
}
