/**
 * Use cases behind `/sources/oauth/` (spec §4, §4.1, §7; permissions.md §5): list, create, retrieve,
 * update (PUT/PATCH), delete, used_by and the provider-type catalogue.
 * Object-permission model with codenames `authentik_sources_oauth.<verb>_oauthsource`.
 * Field types, lengths, patterns and enums were validated by the request schema (http layer, after
 * trimming); this module checks references, uniqueness and the object-level OAuth rules.
 * Source: authentik/sources/oauth/api/source.py (OAuthSourceSerializer, OAuthSourceViewSet),
 * authentik/core/api/used_by.py.
 */
import { randomUUID } from 'node:crypto';
import {
  deleteSource, existingFlowPks, existingPropertyMappingPks, findOAuthSourceByPk, findOAuthSourceBySlug, insertOAuthSource,
  listOAuthSources, lockSource, slugTaken, updateOAuthSource, type OAuthSourceRow, type OAuthSourceWrite, type SourceWrite,
} from '../../db/repositories/oauth-sources.js';
import { grantsFor } from '../../db/repositories/permissions.js';
import { sourceConnections, sourceMappings, sourceUsers, type PkRestriction } from '../../db/repositories/source-used-by.js';
import { insertEvent } from '../../db/repositories/events.js';
import { findUserType } from '../../db/repositories/users.js';
import type { Actor } from '../actor.js';
import { connectionName, modelEvent } from '../audit.js';
import type { Deps } from '../deps.js';
import { NotFound, PermissionDenied, UniqueViolation, ValidationFailed, type FieldErrors } from '../errors.js';
import { INVALID_CHOICE, type ListParamsSpec, type ListQuery, type Page } from '../list.js';
import { perm, require, visibility, type Visibility } from '../permissions.js';
import { discoverWellKnown, fetchJwks } from './oauth-discovery.js';
import {
  DEFAULT_PROVIDER_TYPE, findProviderType, PROVIDER_TYPES, PROVIDER_TYPE_NAMES, REQUIRED_PROVIDER_URLS, type ProviderType,
} from './oauth-types.js';

const APP = 'authentik_sources_oauth';
const MODEL = 'oauthsource';
export const OAUTH_SOURCE_PERMS = {
  view: perm(APP, 'view', MODEL),
  add: perm(APP, 'add', MODEL),
  change: perm(APP, 'change', MODEL),
  delete: perm(APP, 'delete', MODEL),
} as const;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const URL_MAX = 255;
/** Discovery-document key behind each URL we take from it. */
const DISCOVERY_KEY = { authorization_url: 'authorization_endpoint', access_token_url: 'token_endpoint', profile_url: 'userinfo_endpoint', jwks_url: 'jwks_uri' } as const;

/** List parameters of `/sources/oauth/` (spec §4.1; client SourcesOauthListRequest). */
export const oauthSourceListSpec: ListParamsSpec = {
  filters: {
    access_token_url: 'text', additional_scopes: 'text', authentication_flow: 'uuid', authorization_url: 'text',
    consumer_key: 'text', enabled: 'bool', enrollment_flow: 'uuid',
    group_matching_mode: { enum: ['identifier', 'name_link', 'name_deny'] },
    has_jwks: 'bool', name: 'text',
    policy_engine_mode: { enum: ['all', 'any'] },
    profile_url: 'text', provider_type: 'text', request_token_url: 'text', slug: 'text',
    user_matching_mode: { enum: ['identifier', 'email_link', 'email_deny', 'username_link', 'username_deny'] },
  },
  orderingFields: [
    'pk', 'name', 'slug', 'enabled', 'authentication_flow', 'enrollment_flow', 'policy_engine_mode',
    'user_matching_mode', 'managed', 'user_path_template', 'group_matching_mode', 'provider_type',
    'request_token_url', 'authorization_url', 'access_token_url', 'profile_url', 'consumer_key',
    'additional_scopes', 'oidc_well_known_url', 'oidc_jwks_url',
  ],
  defaultOrdering: ['name'],
  searchable: true,
};

/** A request body after schema validation and trimming; absent keys are "not sent". */
export interface OAuthSourceInput {
  name?: string;
  slug?: string;
  enabled?: boolean;
  authentication_flow?: string | null;
  enrollment_flow?: string | null;
  user_property_mappings?: string[];
  group_property_mappings?: string[];
  policy_engine_mode?: 'all' | 'any';
  user_matching_mode?: string;
  user_path_template?: string;
  group_matching_mode?: string;
  provider_type?: string;
  request_token_url?: string | null;
  authorization_url?: string | null;
  access_token_url?: string | null;
  profile_url?: string | null;
  consumer_key?: string;
  consumer_secret?: string;
  additional_scopes?: string;
  oidc_well_known_url?: string;
  oidc_jwks_url?: string;
  oidc_jwks?: unknown;
}

const REQUIRED_ON_WRITE = ['name', 'slug', 'provider_type', 'consumer_key', 'consumer_secret'] as const;

/** The provider type of a stored source (authentik's registry falls back to a "default" type). */
export function providerTypeOf(row: Pick<OAuthSourceRow, 'provider_type'>): ProviderType {
  return findProviderType(row.provider_type) ?? DEFAULT_PROVIDER_TYPE;
}

/**
 * `GET /sources/oauth/source_types/`: every provider type, or with `name` given only that type
 * (an empty list when unknown, including an empty name).
 */
export function sourceTypes(name?: string): ProviderType[] {
  if (name === undefined) return [...PROVIDER_TYPES];
  const t = findProviderType(name);
  return t ? [t] : [];
}

/** Canonical form of a uuid the request schema accepted (case-insensitive, optional `urn:uuid:` prefix, as Python's UUID). */
function lower(v: string): string {
  const u = v.replace(/^urn:uuid:/i, '').replace(/-/g, '').toLowerCase();
  return /^[0-9a-f]{32}$/.test(u) ? `${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20)}` : v.toLowerCase();
}

/**
 * The visibility filter of permissions.md §5.1 for OAuth sources. An internal service account (outpost)
 * without any view grant sees an empty set instead of getting 403, as authentik's filter answers it.
 * @throws PermissionDenied when anyone else holds no view permission at all.
 */
async function sourceVisibility(deps: Deps, actor: Actor): Promise<Visibility> {
  try {
    return await visibility(deps, actor, OAUTH_SOURCE_PERMS.view);
  } catch (e) {
    if (e instanceof PermissionDenied && (await findUserType(deps.db, actor.userPk)) === 'internal_service_account') {
      return { all: false, pks: [] };
    }
    throw e;
  }
}

/** Only well-formed uuids from grants can match a source pk (anything else would be a cast error). */
function visiblePks(pks: readonly string[]): string[] {
  return [...new Set(pks.map(lower).filter((p) => UUID_RE.test(p)))];
}

/**
 * Lists the OAuth sources `actor` may view (permissions.md §5.1).
 * @throws PermissionDenied when the actor holds no view permission at all;
 * ValidationFailed for an unknown flow in the `authentication_flow` / `enrollment_flow` filters;
 * InvalidPage for a page out of range.
 */
export async function list(deps: Deps, actor: Actor, query: ListQuery): Promise<Page<OAuthSourceRow>> {
  const vis = await sourceVisibility(deps, actor);
  const errors: FieldErrors = {};
  for (const f of ['authentication_flow', 'enrollment_flow'] as const) {
    const v = query.filters[f];
    if (typeof v === 'string' && !(await existingFlowPks(deps.db, [lower(v)])).has(lower(v))) errors[f] = [INVALID_CHOICE];
  }
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  return listOAuthSources(deps.db, { visiblePks: vis.all ? undefined : visiblePks(vis.pks), query });
}

/**
 * The source behind `slug` if the actor may view it.
 * @throws PermissionDenied when the actor holds no view permission at all; NotFound when absent or not visible.
 */
async function getVisible(deps: Deps, actor: Actor, slug: string): Promise<OAuthSourceRow> {
  const vis = await sourceVisibility(deps, actor);
  if (slug.includes('\0')) throw new NotFound();
  const row = await findOAuthSourceBySlug(deps.db, slug);
  if (!row) throw new NotFound();
  if (!vis.all && !visiblePks(vis.pks).includes(row.pbm_uuid)) throw new NotFound();
  return row;
}

/**
 * The access checks DRF runs before it looks at a request body: `add` for create; visibility, then
 * `change` / `delete` on the object for the detail writes.
 * @throws PermissionDenied, NotFound.
 */
export async function checkAccess(deps: Deps, actor: Actor, verb: 'add' | 'change' | 'delete', slug?: string): Promise<void> {
  if (verb === 'add') return require(deps, actor, OAUTH_SOURCE_PERMS.add);
  const row = await getVisible(deps, actor, slug ?? '');
  await require(deps, actor, OAUTH_SOURCE_PERMS[verb], row.pbm_uuid);
}

/** Retrieves one source. @throws PermissionDenied, NotFound (see getVisible). */
export async function retrieve(deps: Deps, actor: Actor, slug: string): Promise<OAuthSourceRow> {
  return getVisible(deps, actor, slug);
}

/** Field-level reference checks shared by create and update: flows, mappings, slug uniqueness. */
async function checkReferences(deps: Deps, input: OAuthSourceInput, selfPk?: string): Promise<void> {
  const errors: FieldErrors = {};
  for (const f of ['authentication_flow', 'enrollment_flow'] as const) {
    const v = input[f];
    if (typeof v === 'string' && !(await existingFlowPks(deps.db, [lower(v)])).has(lower(v))) {
      errors[f] = [`Invalid pk "${v}" - object does not exist.`];
    }
  }
  for (const f of ['user_property_mappings', 'group_property_mappings'] as const) {
    const v = input[f];
    if (!v || v.length === 0) continue;
    const found = await existingPropertyMappingPks(deps.db, v.map(lower));
    const missing = v.find((p) => !found.has(lower(p)));
    if (missing !== undefined) errors[f] = [`Invalid pk "${missing}" - object does not exist.`];
  }
  if (input.slug !== undefined && (await slugTaken(deps.db, input.slug, selfPk))) {
    errors.slug = ['source with this slug already exists.'];
  }
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
}

/** Deepest JSON nesting accepted for `oidc_jwks` (a JWKS is three levels deep; PostgreSQL and recursion have limits). */
const JSON_MAX_DEPTH = 64;

/**
 * Why PostgreSQL's jsonb could not store `v` (NUL characters, lone surrogates, nesting deeper than
 * JSON_MAX_DEPTH), or undefined when it can. Iterative, so hostile nesting cannot overflow the stack.
 */
function unstorableJson(v: unknown): string | undefined {
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length > 0) {
    const [x, depth] = stack.pop()!;
    if (depth > JSON_MAX_DEPTH) return `Nesting deeper than ${JSON_MAX_DEPTH} levels is not allowed.`;
    if (typeof x === 'string') {
      if (x.includes('\0')) return 'Null characters are not allowed.';
      if (/\p{Cs}/u.test(x)) return 'Unpaired surrogate characters are not allowed.';
    } else if (Array.isArray(x)) {
      for (const y of x) stack.push([y, depth + 1]);
    } else if (x !== null && typeof x === 'object') {
      for (const [k, y] of Object.entries(x)) {
        stack.push([k, depth + 1]);
        stack.push([y, depth + 1]);
      }
    }
  }
  return undefined;
}

function storableJson(v: unknown): boolean {
  return unstorableJson(v) === undefined;
}

/**
 * Object-level validation (authentik's OAuthSourceSerializer.validate), on the merged state of the
 * stored row (updates) and the input:
 * - `oidc_well_known_url` sent and non-empty → fetched; its endpoints overwrite the three URLs and
 *   provide a JWKS URL;
 * - a JWKS URL (sent, else discovered) → fetched into `oidc_jwks`;
 * - each of authorization/access token/profile URL must be built into the provider type or present.
 * @returns the input with discovered values filled in.
 * @throws ValidationFailed `{non_field_errors: ["authorization_url is required for provider openidconnect"]}`,
 * discovery errors under `oidc_well_known_url` / `jwks_url`.
 */
async function validateObject(input: OAuthSourceInput, stored?: OAuthSourceRow): Promise<OAuthSourceInput> {
  const out: OAuthSourceInput = { ...input };
  const badJwks = out.oidc_jwks === undefined ? undefined : unstorableJson(out.oidc_jwks);
  if (badJwks) throw ValidationFailed.field('oidc_jwks', badJwks);
  let inferredJwksUrl: string | undefined;
  if (out.oidc_well_known_url) {
    const found = await discoverWellKnown(out.oidc_well_known_url);
    for (const k of ['authorization_url', 'access_token_url', 'profile_url', 'jwks_url'] as const) {
      if ((k !== 'jwks_url' && found[k].length > URL_MAX) || !storableJson(found[k])) {
        throw ValidationFailed.field('oidc_well_known_url', `Invalid well-known configuration: ${DISCOVERY_KEY[k]} is not a usable URL`);
      }
    }
    out.authorization_url = found.authorization_url;
    out.access_token_url = found.access_token_url;
    out.profile_url = found.profile_url;
    inferredJwksUrl = found.jwks_url;
  }
  const jwksUrl = out.oidc_jwks_url || inferredJwksUrl;
  if (jwksUrl) {
    out.oidc_jwks_url = jwksUrl;
    const jwks = await fetchJwks(jwksUrl);
    const bad = unstorableJson(jwks);
    if (bad) throw ValidationFailed.field('jwks_url', `Invalid JWKS: ${bad}`);
    out.oidc_jwks = jwks;
  }
  const typeName = out.provider_type ?? stored?.provider_type ?? '';
  const type = findProviderType(typeName) ?? DEFAULT_PROVIDER_TYPE;
  for (const url of REQUIRED_PROVIDER_URLS) {
    if (type[url] !== null) continue;
    const value = url in out ? out[url] : stored?.[url];
    if (value === undefined || value === null || value === '') {
      throw ValidationFailed.field('non_field_errors', `${url} is required for provider ${type.name}`);
    }
  }
  return out;
}

function missingRequired(input: OAuthSourceInput): void {
  const errors: FieldErrors = {};
  for (const f of REQUIRED_ON_WRITE) if (input[f] === undefined) errors[f] = ['This field is required.'];
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  if (!PROVIDER_TYPE_NAMES.includes(input.provider_type!)) {
    throw ValidationFailed.field('provider_type', `"${input.provider_type}" is not a valid choice.`);
  }
}

/** Splits validated input into base-row and typed-row column sets; seals the consumer secret. */
function columns(deps: Deps, input: OAuthSourceInput): { source: SourceWrite; oauth: OAuthSourceWrite } {
  const source: SourceWrite = {};
  const oauth: OAuthSourceWrite = {};
  if (input.name !== undefined) source.name = input.name;
  if (input.slug !== undefined) source.slug = input.slug;
  if (input.enabled !== undefined) source.enabled = input.enabled;
  if (input.authentication_flow !== undefined) source.authentication_flow_id = input.authentication_flow === null ? null : lower(input.authentication_flow);
  if (input.enrollment_flow !== undefined) source.enrollment_flow_id = input.enrollment_flow === null ? null : lower(input.enrollment_flow);
  if (input.policy_engine_mode !== undefined) source.policy_engine_mode = input.policy_engine_mode;
  if (input.user_matching_mode !== undefined) source.user_matching_mode = input.user_matching_mode;
  if (input.group_matching_mode !== undefined) source.group_matching_mode = input.group_matching_mode;
  if (input.user_path_template !== undefined) source.user_path_template = input.user_path_template;
  for (const k of ['provider_type', 'request_token_url', 'authorization_url', 'access_token_url', 'profile_url',
    'consumer_key', 'additional_scopes', 'oidc_well_known_url', 'oidc_jwks_url', 'oidc_jwks'] as const) {
    if (input[k] !== undefined) (oauth as Record<string, unknown>)[k] = input[k];
  }
  if (input.consumer_secret !== undefined) oauth.consumer_secret_encrypted = deps.secrets.encrypt(input.consumer_secret);
  return { source, oauth };
}

function sourceRef(pk: string, name: string) {
  return { app: APP, model_name: MODEL, pk, name };
}

/** A slug taken by a concurrent write reaches us as a constraint violation: same body as the pre-check. */
async function plainUnique<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof UniqueViolation) throw new ValidationFailed(e.fieldErrors);
    throw e;
  }
}

/**
 * Creates an OAuth source: base row (kind 'oauth'), typed row, mapping links and a `model_created`
 * event in one transaction.
 * @returns the stored source.
 * @throws PermissionDenied without `add_oauthsource` (superusers hold it); ValidationFailed per spec §4/§4.1.
 */
export async function create(deps: Deps, actor: Actor, input: OAuthSourceInput): Promise<OAuthSourceRow> {
  await require(deps, actor, OAUTH_SOURCE_PERMS.add);
  missingRequired(input);
  await checkReferences(deps, input);
  const valid = await validateObject(input);
  const pk = randomUUID();
  const { source, oauth } = columns(deps, valid);
  await plainUnique(() => deps.db.transaction().execute(async (tx) => {
    await insertOAuthSource(tx, {
      pk,
      source: source as SourceWrite & { name: string; slug: string },
      oauth: oauth as OAuthSourceWrite & { provider_type: string; consumer_key: string; consumer_secret_encrypted: string },
      userPropertyMappings: (valid.user_property_mappings ?? []).map(lower),
      groupPropertyMappings: (valid.group_property_mappings ?? []).map(lower),
    });
    await insertEvent(tx, modelEvent('model_created', actor, sourceRef(pk, source.name!)));
  }));
  const row = await findOAuthSourceByPk(deps.db, pk);
  if (!row) throw new NotFound(); // deleted by a concurrent request in between
  return row;
}

/**
 * PUT (`partial` false: the required fields must be present) or PATCH. Fields not sent keep their values.
 * @throws PermissionDenied (no view grant at all, or visible without `change_oauthsource`);
 * NotFound (absent / not visible); ValidationFailed per spec §4/§4.1.
 */
export async function update(deps: Deps, actor: Actor, slug: string, input: OAuthSourceInput, partial: boolean): Promise<OAuthSourceRow> {
  const stored = await getVisible(deps, actor, slug);
  await require(deps, actor, OAUTH_SOURCE_PERMS.change, stored.pbm_uuid);
  if (!partial) missingRequired(input);
  await checkReferences(deps, input, stored.pbm_uuid);
  const valid = await validateObject(input, stored);
  const { source, oauth } = columns(deps, valid);
  await plainUnique(() => deps.db.transaction().execute(async (tx) => {
    if (!(await lockSource(tx, stored.pbm_uuid))) throw new NotFound(); // deleted meanwhile
    await updateOAuthSource(tx, stored.pbm_uuid, {
      source, oauth,
      userPropertyMappings: valid.user_property_mappings?.map(lower),
      groupPropertyMappings: valid.group_property_mappings?.map(lower),
    });
    await insertEvent(tx, modelEvent('model_updated', actor, sourceRef(stored.pbm_uuid, source.name ?? stored.name)));
  }));
  const row = await findOAuthSourceByPk(deps.db, stored.pbm_uuid);
  if (!row) throw new NotFound();
  return row;
}

/**
 * Deletes a source (connections and links go by cascade) and writes a `model_deleted` event.
 * @throws PermissionDenied (no view grant at all, or visible without `delete_oauthsource`); NotFound.
 */
export async function destroy(deps: Deps, actor: Actor, slug: string): Promise<void> {
  const stored = await getVisible(deps, actor, slug);
  await require(deps, actor, OAUTH_SOURCE_PERMS.delete, stored.pbm_uuid);
  await deps.db.transaction().execute(async (tx) => {
    if (!(await deleteSource(tx, stored.pbm_uuid))) throw new NotFound();
    await insertEvent(tx, modelEvent('model_deleted', actor, sourceRef(stored.pbm_uuid, stored.name)));
  });
}

/** One `used_by` entry (spec §7). */
export interface UsedByEntry {
  app: string;
  model_name: string;
  pk: string;
  name: string;
  action: 'cascade' | 'cascade_many' | 'set_null' | 'set_default';
}

/** Which objects of a model the actor may view: undefined = all, else these pks (none → []). */
async function viewable(deps: Deps, actor: Actor, codename: string): Promise<PkRestriction> {
  if (actor.isSuperuser) return undefined;
  const g = await grantsFor(deps.db, actor.userPk, codename);
  return g.global ? undefined : g.objectPks;
}

/**
 * `used_by` for a source: any authenticated caller; the source is looked up without the visibility
 * filter (404 only when the slug does not exist); entries are limited to objects the caller may view.
 * Relations in attribute order: group_property_mappings, user_property_mappings, user_set,
 * usersourceconnection_set (Fedlink has no identification stages, policies, source stages or group
 * connections to list).
 * @throws NotFound.
 */
export async function usedBy(deps: Deps, actor: Actor, slug: string): Promise<UsedByEntry[]> {
  if (slug.includes('\0')) throw new NotFound();
  const src = await findOAuthSourceBySlug(deps.db, slug);
  if (!src) throw new NotFound();
  const mappingsVisible = await viewable(deps, actor, 'authentik_core.view_propertymapping');
  const out: UsedByEntry[] = [];
  for (const m of await sourceMappings(deps.db, src.pbm_uuid, 'group', mappingsVisible)) {
    out.push({ app: 'authentik_core', model_name: 'propertymapping', pk: m.pm_uuid, name: `Property Mapping ${m.name}`, action: 'cascade_many' });
  }
  for (const m of await sourceMappings(deps.db, src.pbm_uuid, 'user', mappingsVisible)) {
    out.push({ app: 'authentik_core', model_name: 'propertymapping', pk: m.pm_uuid, name: `Property Mapping ${m.name}`, action: 'cascade_many' });
  }
  for (const u of await sourceUsers(deps.db, src.pbm_uuid, await viewable(deps, actor, 'authentik_core.view_user'))) {
    out.push({ app: 'authentik_core', model_name: 'user', pk: String(u.id), name: u.username, action: 'cascade_many' });
  }
  for (const c of await sourceConnections(deps.db, src.pbm_uuid, await viewable(deps, actor, 'authentik_core.view_usersourceconnection'))) {
    out.push({ app: 'authentik_core', model_name: 'usersourceconnection', pk: String(c.id), name: connectionName(c.user_id, c.source_id), action: 'cascade' });
  }
  return out;
}

