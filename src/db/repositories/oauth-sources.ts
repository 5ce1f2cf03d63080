/**
 * OAuth sources: the `source` base row (kind 'oauth'), its `oauth_source` row and its property-mapping
 * join rows. The only place with their SQL. The consumer secret is stored encrypted by the caller and
 * never selected here for anything that leaves the process.
 *
 *   SELECT s.pbm_uuid, …, <mapping aggregates>, o.provider_type, …, o.oidc_jwks
 *   FROM source s JOIN oauth_source o ON o.source_id = s.pbm_uuid WHERE s.slug = $1
 */
import { sql } from 'kysely';
import type { ListQuery, Page } from '../../domain/list.js';
import type { FieldErrors } from '../../domain/errors.js';
import { translateConstraints } from '../errors.js';
import type { Executor } from '../executor.js';
import { applyFilters, runList, type ListColumns } from '../list.js';
import { sourceViewColumns, type SourceView } from './sources.js';

/** An OAuth source as serializers need it: the base view plus the typed columns (no secret). */
export interface OAuthSourceRow extends SourceView {
  provider_type: string;
  request_token_url: string | null;
  authorization_url: string | null;
  access_token_url: string | null;
  profile_url: string | null;
  consumer_key: string;
  additional_scopes: string;
  oidc_well_known_url: string;
  oidc_jwks_url: string;
  oidc_jwks: unknown;
}

/** Writable base-row columns of a source. */
export interface SourceWrite {
  name?: string;
  slug?: string;
  enabled?: boolean;
  authentication_flow_id?: string | null;
  enrollment_flow_id?: string | null;
  policy_engine_mode?: 'all' | 'any';
  user_matching_mode?: string;
  group_matching_mode?: string;
  user_path_template?: string;
}

/** Writable `oauth_source` columns; `consumer_secret_encrypted` is already sealed. */
export interface OAuthSourceWrite {
  provider_type?: string;
  request_token_url?: string | null;
  authorization_url?: string | null;
  access_token_url?: string | null;
  profile_url?: string | null;
  consumer_key?: string;
  consumer_secret_encrypted?: string;
  additional_scopes?: string;
  oidc_well_known_url?: string;
  oidc_jwks_url?: string;
  /** Any JSON value; `null` is stored as SQL NULL. */
  oidc_jwks?: unknown;
}

/** Wire name → SQL for `/sources/oauth/` lists (`s` = source, `o` = oauth_source). `has_jwks` is special-cased. */
export const oauthSourceListColumns: ListColumns = {
  filters: {
    name: 's.name', slug: 's.slug', enabled: 's.enabled',
    authentication_flow: 's.authentication_flow_id', enrollment_flow: 's.enrollment_flow_id',
    policy_engine_mode: 's.policy_engine_mode', user_matching_mode: 's.user_matching_mode',
    group_matching_mode: 's.group_matching_mode',
    provider_type: 'o.provider_type', request_token_url: 'o.request_token_url',
    authorization_url: 'o.authorization_url', access_token_url: 'o.access_token_url',
    profile_url: 'o.profile_url', consumer_key: 'o.consumer_key', additional_scopes: 'o.additional_scopes',
  },
  ordering: {
    pk: 's.pbm_uuid', name: 's.name', slug: 's.slug', enabled: 's.enabled',
    authentication_flow: 's.authentication_flow_id', enrollment_flow: 's.enrollment_flow_id',
    policy_engine_mode: 's.policy_engine_mode', user_matching_mode: 's.user_matching_mode',
    managed: 's.managed', user_path_template: 's.user_path_template', group_matching_mode: 's.group_matching_mode',
    provider_type: 'o.provider_type', request_token_url: 'o.request_token_url',
    authorization_url: 'o.authorization_url', access_token_url: 'o.access_token_url', profile_url: 'o.profile_url',
    consumer_key: 'o.consumer_key', additional_scopes: 'o.additional_scopes',
    oidc_well_known_url: 'o.oidc_well_known_url', oidc_jwks_url: 'o.oidc_jwks_url',
  },
  search: ['s.name', 's.slug'],
};

const oauthColumns = [
  'o.provider_type', 'o.request_token_url', 'o.authorization_url', 'o.access_token_url', 'o.profile_url',
  'o.consumer_key', 'o.additional_scopes', 'o.oidc_well_known_url', 'o.oidc_jwks_url', 'o.oidc_jwks',
] as const;

/** `= any($1::uuid[])`: one bind parameter however long the list (lists come from request bodies and grants). */
function anyUuid(pks: readonly string[]) {
  return sql<string>`any(${[...new Set(pks)]}::uuid[])`;
}

function base(db: Executor) {
  return db.selectFrom('source as s').innerJoin('oauth_source as o', 'o.source_id', 's.pbm_uuid');
}

function selectRow(qb: any) {
  return qb.select((eb: any) => [...sourceViewColumns(eb), ...oauthColumns]);
}

/** Constraint → field errors for source writes. */
const sourceConstraintMessages: Record<string, FieldErrors> = {
  source_slug_key: { slug: ['source with this slug already exists.'] },
  source_authentication_flow_id_fkey: { authentication_flow: ['Invalid pk - object does not exist.'] },
  source_enrollment_flow_id_fkey: { enrollment_flow: ['Invalid pk - object does not exist.'] },
  source_user_property_mapping_property_mapping_id_fkey: { user_property_mappings: ['Invalid pk - object does not exist.'] },
  source_group_property_mapping_property_mapping_id_fkey: { group_property_mappings: ['Invalid pk - object does not exist.'] },
};

/**
 * Lists OAuth sources, restricted to `visiblePks` when given (the RBAC visibility filter),
 * then filters, search, ordering and paging. `has_jwks` true keeps sources whose JWKS is set and not `{}`;
 * false keeps the others.
 * @throws InvalidPage when the page is out of range.
 */
export async function listOAuthSources(
  db: Executor,
  args: { visiblePks?: readonly string[]; query: ListQuery },
): Promise<Page<OAuthSourceRow>> {
  let q: any = base(db);
  if (args.visiblePks !== undefined) {
    if (args.visiblePks.length === 0) q = q.where(sql<boolean>`false`);
    else q = q.where('s.pbm_uuid', '=', anyUuid(args.visiblePks));
  }
  const { has_jwks: hasJwks, ...filters } = args.query.filters;
  if (hasJwks === true) q = q.where(sql<boolean>`(o.oidc_jwks IS NOT NULL AND o.oidc_jwks <> '{}'::jsonb)`);
  else if (hasJwks === false) q = q.where(sql<boolean>`(o.oidc_jwks IS NULL OR o.oidc_jwks = '{}'::jsonb)`);
  q = applyFilters(q, oauthSourceListColumns, { ...args.query, filters });
  return runList(q, selectRow, oauthSourceListColumns, args.query) as Promise<Page<OAuthSourceRow>>;
}

/** Finds an OAuth source by slug; undefined when absent (or not an OAuth source). */
export async function findOAuthSourceBySlug(db: Executor, slug: string): Promise<OAuthSourceRow | undefined> {
  return selectRow(base(db)).where('s.slug', '=', slug).executeTakeFirst();
}

/** Finds an OAuth source by pk; undefined when absent (or not an OAuth source). */
export async function findOAuthSourceByPk(db: Executor, pk: string): Promise<OAuthSourceRow | undefined> {
  return selectRow(base(db)).where('s.pbm_uuid', '=', pk).executeTakeFirst();
}

/** Does any source other than `exceptPk` use `slug`? */
export async function slugTaken(db: Executor, slug: string, exceptPk?: string): Promise<boolean> {
  let q = db.selectFrom('source').select('pbm_uuid').where('slug', '=', slug);
  if (exceptPk) q = q.where('pbm_uuid', '<>', exceptPk);
  return (await q.executeTakeFirst()) !== undefined;
}

/** Which of `pks` (lower-case uuids) exist as flows. */
export async function existingFlowPks(db: Executor, pks: readonly string[]): Promise<Set<string>> {
  if (pks.length === 0) return new Set();
  const rows = await db.selectFrom('flow').select('flow_uuid').where('flow_uuid', '=', anyUuid(pks)).execute();
  return new Set(rows.map((r) => r.flow_uuid));
}

/** Which of `pks` (lower-case uuids) exist as property mappings. */
export async function existingPropertyMappingPks(db: Executor, pks: readonly string[]): Promise<Set<string>> {
  if (pks.length === 0) return new Set();
  const rows = await db.selectFrom('property_mapping').select('pm_uuid').where('pm_uuid', '=', anyUuid(pks)).execute();
  return new Set(rows.map((r) => r.pm_uuid));
}

async function replaceMappings(db: Executor, sourcePk: string, table: 'source_user_property_mapping' | 'source_group_property_mapping', pks: readonly string[]) {
  await db.deleteFrom(table).where('source_id', '=', sourcePk).execute();
  const unique = [...new Set(pks)];
  // Chunked: PostgreSQL takes at most 65535 bind parameters per statement.
  for (let i = 0; i < unique.length; i += 1000) {
    await db.insertInto(table).values(unique.slice(i, i + 1000).map((p) => ({ source_id: sourcePk, property_mapping_id: p }))).execute();
  }
}

function jsonValue(v: unknown): any {
  return v === null ? null : JSON.stringify(v);
}

/**
 * Inserts the base row (kind 'oauth'), the oauth_source row and the mapping join rows, in the caller's
 * transaction.
 * @throws UniqueViolation for a taken slug; ValidationFailed for a flow or mapping deleted meanwhile.
 */
export async function insertOAuthSource(
  db: Executor,
  args: {
    pk: string;
    source: SourceWrite & { name: string; slug: string };
    oauth: OAuthSourceWrite & { provider_type: string; consumer_key: string; consumer_secret_encrypted: string };
    userPropertyMappings: readonly string[];
    groupPropertyMappings: readonly string[];
  },
): Promise<void> {
  await translateConstraints(async () => {
    await db.insertInto('source').values({
      pbm_uuid: args.pk, kind: 'oauth', icon: null, managed: null,
      authentication_flow_id: null, enrollment_flow_id: null, ...args.source,
    } as any).execute();
    const { oidc_jwks, ...rest } = args.oauth;
    await db.insertInto('oauth_source').values({
      source_id: args.pk, request_token_url: null, authorization_url: null, access_token_url: null, profile_url: null,
      ...rest, oidc_jwks: oidc_jwks === undefined ? '{}' : jsonValue(oidc_jwks),
    } as any).execute();
    await replaceMappings(db, args.pk, 'source_user_property_mapping', args.userPropertyMappings);
    await replaceMappings(db, args.pk, 'source_group_property_mapping', args.groupPropertyMappings);
  }, sourceConstraintMessages);
}

/**
 * Updates the given columns of an OAuth source and, when given, replaces its mapping lists.
 * @throws UniqueViolation for a taken slug; ValidationFailed for a flow or mapping deleted meanwhile.
 */
export async function updateOAuthSource(
  db: Executor,
  pk: string,
  args: { source: SourceWrite; oauth: OAuthSourceWrite; userPropertyMappings?: readonly string[]; groupPropertyMappings?: readonly string[] },
): Promise<void> {
  await translateConstraints(async () => {
    if (Object.keys(args.source).length > 0) {
      await db.updateTable('source').set(args.source as any).where('pbm_uuid', '=', pk).execute();
    }
    const { oidc_jwks, ...rest } = args.oauth;
    const set: Record<string, unknown> = { ...rest };
    if (oidc_jwks !== undefined) set.oidc_jwks = jsonValue(oidc_jwks);
    if (Object.keys(set).length > 0) {
      await db.updateTable('oauth_source').set(set as any).where('source_id', '=', pk).execute();
    }
    if (args.userPropertyMappings) await replaceMappings(db, pk, 'source_user_property_mapping', args.userPropertyMappings);
    if (args.groupPropertyMappings) await replaceMappings(db, pk, 'source_group_property_mapping', args.groupPropertyMappings);
  }, sourceConstraintMessages);
}

/** Deletes a source; its typed row, connections and mapping links go by cascade. @returns false when absent. */
export async function deleteSource(db: Executor, pk: string): Promise<boolean> {
  const r = await db.deleteFrom('source').where('pbm_uuid', '=', pk).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Locks a source row for the rest of the transaction (serialises concurrent writes to one source). */
export async function lockSource(db: Executor, pk: string): Promise<boolean> {
  const r = await db.selectFrom('source').select('pbm_uuid').where('pbm_uuid', '=', pk).forUpdate().executeTakeFirst();
  return r !== undefined;
}
