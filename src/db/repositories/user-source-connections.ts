/**
 * User source connections: the base rows behind `/sources/user_connections/all/` and the typed rows
 * behind `/sources/user_connections/<kind>/`. The only place with their SQL.
 *
 * Lists in the default order (source slug, pk) never count or sort the table: they read the exact
 * per-source and per-(source, id block) counters kept by triggers (migration
 * 2026-11-29T1020_create_connection_counts) and walk the index (source_id, id); see `listInSlugOrder`.
 * bench/README.md has the plans and measurements.
 */
import { sql, type RawBuilder } from 'kysely';
import { InvalidPage, StaleCredential } from '../../domain/errors.js';
import type { ListQuery, OrderTerm, Page } from '../../domain/list.js';
import type { SourceKind } from '../database.js';
import { translateConstraints } from '../errors.js';
import type { Executor } from '../executor.js';
import { applyFilters, likePattern, resolvePage, runList, type ListColumns } from '../list.js';
import { preparedStatement } from '../prepared.js';
import { eventParams, type EventParams, type NewEvent } from './events.js';
import { credentialCheck, type CredentialCheck } from './tokens.js';

/** `CredentialCheck` of a verified actor: nothing to re-check. */
const NO_CHECK: CredentialCheck = { authKey: null, authUser: null, authUsername: null, authEmail: null, authSuperuser: null };

/** The base connection row as serializers need it. `created` is an ISO UTC string. */
export interface ConnectionBaseRow {
  id: number;
  user_id: number;
  source_id: string;
  identifier: string | null;
  created: string;
  /**
   * `source.revision` of the row's source in the same snapshot, from the statements that feed the
   * source view cache (domain/sources/view-cache.ts); absent elsewhere.
   */
  source_revision?: number;
}

/** Kinds of connection that have a typed table. */
export type ConnectionKind = Extract<SourceKind, 'oauth' | 'saml' | 'plex' | 'kerberos'>;

export const TYPED_TABLE = {
  oauth: 'user_oauth_source_connection',
  saml: 'user_saml_source_connection',
  plex: 'user_plex_source_connection',
  kerberos: 'user_kerberos_source_connection',
} as const;

/** Wire name → SQL for connection lists (`c` = connection, `s` = its source). */
export const connectionListColumns: ListColumns = {
  filters: { user: 'c.user_id', source__slug: 's.slug' },
  ordering: {
    pk: 'c.id', user: 'c.user_id', source: 'c.source_id', created: 'c.created',
    identifier: 'c.identifier', source__slug: 's.slug',
  },
  search: ['s.slug'],
};

const baseColumns = ['c.id', 'c.user_id', 'c.source_id', 'c.identifier', 'c.created'] as const;

function scoped(db: Executor, args: { ownerPk?: number; kind?: ConnectionKind }) {
  let q = db.selectFrom('user_source_connection as c').innerJoin('source as s', 's.pbm_uuid', 'c.source_id');
  if (args.kind) q = q.innerJoin(`${TYPED_TABLE[args.kind]} as t` as any, 't.id' as any, 'c.id') as any;
  if (args.ownerPk !== undefined) q = q.where('c.user_id', '=', args.ownerPk);
  return q;
}

/** Filters the fast paths understand; a query with any other filter takes the generic path. */
const FAST_FILTERS = new Set(['user', 'source__slug']);

/** Is `ordering` the default (source slug, then pk, both ascending)? */
function isDefaultOrdering(ordering: readonly OrderTerm[]): boolean {
  return ordering.length === 2
    && ordering[0].field === 'source__slug' && !ordering[0].desc
    && ordering[1].field === 'pk' && !ordering[1].desc;
}

/** The slug filter and search patterns of a query, as the fast paths bind them. */
type SlugConditions = { slug: string | null; patterns: string[] };
function slugConditions(query: ListQuery): SlugConditions {
  const slug = query.filters.source__slug;
  return { slug: typeof slug === 'string' ? slug : null, patterns: query.search.map(likePattern) };
}

/**
 * Lists connections, scoped to `ownerPk` when given and to one typed table when `kind` is given.
 * Same rows, order and count as the plain query (scope → filters → search → ORDER BY → LIMIT/OFFSET);
 * test/db/connection-list-exact.test.ts compares the two.
 * - default order, no user scope, base rows: `listInSlugOrder` (counters + index walk);
 * - default order, scoped to one user (owner or `user` filter): `listForUser` (≤ one row per source);
 * - anything else: the generic count + ORDER BY/OFFSET (count from the counters when there is no
 *   user scope and no typed table).
 * @throws InvalidPage when the page is out of range.
 */
export async function listConnections(
  db: Executor,
  args: { ownerPk?: number; kind?: ConnectionKind; query: ListQuery; auth?: CredentialCheck },
): Promise<Page<ConnectionBaseRow>> {
  const { query } = args;
  const userFilter = typeof query.filters.user === 'number' ? query.filters.user : undefined;
  const userScoped = args.ownerPk !== undefined || userFilter !== undefined;
  const auth = args.auth ?? NO_CHECK;
  if (listUsesFastPath(args)) {
    return userScoped ? listForUser(db, { ownerPk: args.ownerPk, userPk: userFilter, query, auth }) : listInSlugOrder(db, query, auth);
  }
  if (auth.authKey !== null) throw new Error('listConnections: the generic path cannot re-check a speculative actor; verify it first');
  const fastFilters = Object.keys(query.filters).every((k) => FAST_FILTERS.has(k));
  const filtered = applyFilters(scoped(db, args), connectionListColumns, query);
  const count = args.kind === undefined && fastFilters && !userScoped ? () => countBySource(db, query) : undefined;
  return runList(filtered, (qb) => qb.select(baseColumns as any), connectionListColumns, query, count) as Promise<Page<ConnectionBaseRow>>;
}

/**
 * Does `listConnections` answer this list with one of its fast paths (default order, base rows, only
 * the `user` / `source__slug` filters)? Only those re-check a speculative actor (`auth`) themselves.
 */
export function listUsesFastPath(args: { kind?: ConnectionKind; query: ListQuery }): boolean {
  return args.kind === undefined && Object.keys(args.query.filters).every((k) => FAST_FILTERS.has(k)) && isDefaultOrdering(args.query.ordering);
}

/**
 * Connections matching the slug filter and search, from the per-source counters (no table scan).
 *   SELECT coalesce(sum(k.n), 0) FROM source s JOIN source_connection_count k ON k.source_id = s.pbm_uuid
 *   WHERE ($1::text IS NULL OR s.slug = $1) AND s.slug ILIKE ALL ($2::text[])
 */
export async function countBySource(db: Executor, query: ListQuery): Promise<number> {
  const rows = await countBySourceStatement.execute(db, slugConditions(query));
  return Number(rows[0].total);
}
const countBySourceStatement = preparedStatement('connection_count_by_source', (_db, p: SlugConditions) => sql<{ total: number }>`
  SELECT coalesce(sum(k.n), 0)::int8 AS total
  FROM source s JOIN source_connection_count k ON k.source_id = s.pbm_uuid
  WHERE (${p.slug}::text IS NULL OR s.slug = ${p.slug}::text) AND s.slug ILIKE ALL (${p.patterns}::text[])`);

/**
 * A page row of the fast paths: the count and the speculative actor's re-check (`auth_ok`, see
 * tokens.ts `credentialCheck`) on every row, the connection columns null when the page is empty.
 */
type CountedRow = { total: number; auth_ok: boolean } & { [K in keyof ConnectionBaseRow]: ConnectionBaseRow[K] | null };

function toPage(rows: CountedRow[], query: ListQuery, page: number): Page<ConnectionBaseRow> {
  if (rows[0] && !rows[0].auth_ok) throw new StaleCredential();
  const count = Number(rows[0]?.total ?? 0);
  const checked = resolvePage({ ...query, page }, count);
  const out: ConnectionBaseRow[] = [];
  for (const r of rows) {
    if (r.id !== null) {
      out.push({ id: r.id, user_id: r.user_id!, source_id: r.source_id!, identifier: r.identifier, created: r.created!, source_revision: r.source_revision ?? undefined });
    }
  }
  return { rows: out, count, page: checked, pageSize: query.pageSize };
}

/**
 * Every connection (no user scope) in the default order, from the counters, in one statement and
 * so one snapshot: count and page always agree.
 * 1. `src`: the matching sources in slug order with their counts and the running total before each;
 * 2. `win`: the sources overlapping rows [offset, offset + limit), with how many to skip and take;
 * 3. per such source, the id range where its skip lands, found top-down through the range counters
 *    (`rangeStep`: id >> 26, then >> 20, then >> 14; at most 32 + 64 + 64 counter rows), then the
 *    rows from that range on, read from the covering index (source_id, id) INCLUDE (user_id, created,
 *    identifier) (index-only scan), skipping fewer than 2^14 entries.
 * `page: 'last'` needs the count first (one more statement).
 * @throws InvalidPage when the page is out of range; StaleCredential when `auth` no longer holds.
 */
export async function listInSlugOrder(db: Executor, query: ListQuery, auth: CredentialCheck = NO_CHECK): Promise<Page<ConnectionBaseRow>> {
  // `last`: the count alone first (read-only, nothing of it is returned before the page's statement re-checks `auth`).
  const page = query.page === 'last' ? resolvePage(query, await countBySource(db, query)) : query.page;
  const rows = await slugOrderStatement.execute(db, { ...slugConditions(query), ...auth, offset: (page - 1) * query.pageSize, limit: query.pageSize });
  return toPage(rows, query, page);
}
/**
 * One level of the id-range walk for source `win.source_id`: among the ranges `block = id >> shift`
 * inside the parent range (`within`), in id order, the first one where the running count (from
 * `before`, the rows in earlier ranges) passes `win.skip`; returns that range and the rows before it.
 * At most 64 counter rows (32 at the top level).
 */
function rangeStep(shift: '26' | '20' | '14', within: RawBuilder<boolean>, before: RawBuilder<number>) {
  return sql`
      SELECT r.block, r.cum - r.n AS before FROM (
        SELECT b.block, b.n, ${before} + (sum(b.n) OVER (ORDER BY b.block ROWS UNBOUNDED PRECEDING))::int8 AS cum
        FROM source_connection_block_count b
        WHERE b.source_id = win.source_id AND b.shift = ${sql.lit(Number(shift))} AND ${within}
      ) r
      WHERE r.cum > win.skip ORDER BY r.block LIMIT 1`;
}

const slugOrderStatement = preparedStatement('connection_list_slug_order', (_db, p: SlugConditions & CredentialCheck & { offset: number; limit: number }) => sql<CountedRow>`
  WITH arg AS (SELECT ${p.offset}::int8 AS off, ${p.limit}::int8 AS lim),
  src AS (
    SELECT k.source_id, s.slug, s.revision, k.n, (sum(k.n) OVER (ORDER BY s.slug ROWS UNBOUNDED PRECEDING))::int8 - k.n AS before
    FROM source s JOIN source_connection_count k ON k.source_id = s.pbm_uuid
    WHERE (${p.slug}::text IS NULL OR s.slug = ${p.slug}::text) AND s.slug ILIKE ALL (${p.patterns}::text[])
  ),
  win AS (
    SELECT src.source_id, src.slug, src.revision, greatest(arg.off - src.before, 0) AS skip,
      least(arg.off + arg.lim - src.before, src.n) - greatest(arg.off - src.before, 0) AS take
    FROM src, arg
    WHERE src.before < arg.off + arg.lim AND src.before + src.n > arg.off
  )
  SELECT (SELECT coalesce(sum(n), 0) FROM src)::int8 AS total, ${credentialCheck(p)} AS auth_ok,
    p.id, p.user_id, p.source_id, p.identifier, p.created, p.source_revision
  FROM (SELECT 1) AS one
  LEFT JOIN LATERAL (
    SELECT c.id, c.user_id, c.source_id, c.identifier, c.created, win.revision AS source_revision, win.slug
    FROM win
    CROSS JOIN LATERAL (${rangeStep('26', sql`true`, sql`0::int8`)}) l26
    CROSS JOIN LATERAL (${rangeStep('20', sql`b.block >= l26.block << 6 AND b.block < (l26.block + 1) << 6`, sql`l26.before`)}) l20
    CROSS JOIN LATERAL (${rangeStep('14', sql`b.block >= l20.block << 6 AND b.block < (l20.block + 1) << 6`, sql`l20.before`)}) l14
    CROSS JOIN LATERAL (
      SELECT i.id, i.user_id, i.source_id, i.identifier, i.created FROM user_source_connection i
      WHERE i.source_id = win.source_id AND i.id >= l14.block << 14
      ORDER BY i.id OFFSET win.skip - l14.before LIMIT win.take
    ) c
  ) p ON true
  ORDER BY p.slug, p.id`);

/**
 * Connections of one user (the owner scope and/or the `user` filter; both given and different → none)
 * in the default order. A user has at most one connection per source, so counting and sorting
 * their rows is cheap; one statement gives count and page (and re-checks `auth`).
 * @throws InvalidPage when the page is out of range; StaleCredential when `auth` no longer holds.
 */
export async function listForUser(
  db: Executor,
  args: { ownerPk?: number; userPk?: number; query: ListQuery; auth?: CredentialCheck },
): Promise<Page<ConnectionBaseRow>> {
  const { query } = args;
  const bind = { ...slugConditions(query), ...(args.auth ?? NO_CHECK), user: args.userPk ?? args.ownerPk!, owner: args.ownerPk ?? null, limit: query.pageSize };
  if (query.page === 'last') {
    const first = await userListStatement.execute(db, { ...bind, offset: 0 });
    if (first[0] && !first[0].auth_ok) throw new StaleCredential();
    const page = resolvePage(query, Number(first[0]?.total ?? 0));
    if (page === 1) return toPage(first, query, 1);
    return toPage(await userListStatement.execute(db, { ...bind, offset: (page - 1) * query.pageSize }), query, page);
  }
  return toPage(await userListStatement.execute(db, { ...bind, offset: (query.page - 1) * query.pageSize }), query, query.page);
}
const userListStatement = preparedStatement('connection_list_user', (_db, p: SlugConditions & CredentialCheck & {
  user: number; owner: number | null; offset: number; limit: number;
}) => sql<CountedRow>`
  WITH m AS (
    SELECT c.id, c.user_id, c.source_id, c.identifier, c.created, s.revision AS source_revision, s.slug
    FROM user_source_connection c JOIN source s ON s.pbm_uuid = c.source_id
    WHERE c.user_id = ${p.user}::int AND (${p.owner}::int IS NULL OR c.user_id = ${p.owner}::int)
      AND (${p.slug}::text IS NULL OR s.slug = ${p.slug}::text) AND s.slug ILIKE ALL (${p.patterns}::text[])
  )
  SELECT (SELECT count(*) FROM m)::int8 AS total, ${credentialCheck(p)} AS auth_ok,
    p.id, p.user_id, p.source_id, p.identifier, p.created, p.source_revision
  FROM (SELECT 1) AS one
  LEFT JOIN LATERAL (SELECT * FROM m ORDER BY m.slug, m.id OFFSET ${p.offset}::int8 LIMIT ${p.limit}::int8) p ON true
  ORDER BY p.slug, p.id`);

/** Finds one connection by pk (scoped like the list). Undefined when absent or outside the scope. */
export async function findConnection(
  db: Executor,
  id: number,
  args: { ownerPk?: number; kind?: ConnectionKind } = {},
): Promise<ConnectionBaseRow | undefined> {
  return scoped(db, args).select(baseColumns).where('c.id', '=', id).executeTakeFirst() as Promise<ConnectionBaseRow | undefined>;
}

/**
 * `findConnection` for the base rows (no typed table) with its source's revision, in one statement
 * with the speculative actor's re-check (`auth`, see tokens.ts `credentialCheck`) in the same snapshot:
 *   SELECT <credential check> AS auth_ok, x.* FROM (SELECT 1) one LEFT JOIN LATERAL (
 *     SELECT c.id, …, s.revision AS source_revision FROM user_source_connection c JOIN source s …
 *     WHERE c.id = $1 AND ($2::int IS NULL OR c.user_id = $2)) x ON true
 * The source view itself comes from the view cache (domain/sources/view-cache.ts).
 * @returns undefined when absent or not owned by `ownerPk` (when given).
 * @throws StaleCredential when `auth` no longer holds (nothing else is returned then).
 */
export async function findVisibleConnection(
  db: Executor, id: number, args: { ownerPk?: number; auth?: CredentialCheck } = {},
): Promise<ConnectionBaseRow | undefined> {
  const [r] = await visibleStatement.execute(db, { id, owner: args.ownerPk ?? null, ...(args.auth ?? NO_CHECK) }) as Record<string, any>[];
  if (!r.auth_ok) throw new StaleCredential();
  return r.id === null ? undefined : baseRow(r);
}
const visibleStatement = preparedStatement('connection_visible', (db, p: { id: number; owner: number | null } & CredentialCheck) => db
  .selectFrom(sql`(SELECT 1)`.as('one'))
  .leftJoinLateral((eb) => eb
    .selectFrom('user_source_connection as c').innerJoin('source as s', 's.pbm_uuid', 'c.source_id')
    .select(baseColumns).select('s.revision as source_revision')
    .where('c.id', '=', p.id)
    .where(sql<boolean>`(${p.owner}::int IS NULL OR c.user_id = ${p.owner}::int)`)
    .as('x'), (join) => join.onTrue())
  .select(credentialCheck(p).as('auth_ok')).selectAll('x') as any);

function baseRow(r: Record<string, any>): ConnectionBaseRow {
  return { id: r.id, user_id: r.user_id, source_id: r.source_id, identifier: r.identifier, created: r.created, source_revision: r.source_revision };
}

/**
 * Refreshes `last_updated` of a visible connection (what a save without changes does in authentik)
 * and writes the audit event of the change, in one statement (one implicit transaction, one round
 * trip; bench/README.md "PUT"); returns the row with its source's revision (for the view cache):
 *   WITH u AS (UPDATE user_source_connection c SET last_updated = now() FROM source s
 *              WHERE s.pbm_uuid = c.source_id AND c.id = $1 AND ($2::int IS NULL OR c.user_id = $2) AND <ok>
 *              RETURNING c.id, …, s.revision AS source_revision),
 *        e AS (INSERT INTO event (…) SELECT $uuid, …, jsonb_set($context, '{model,name}', to_jsonb(format($name, u.user_id, u.source_id))), … FROM u)
 *   SELECT * FROM ok LEFT JOIN u ON true        -- ok: the speculative actor's re-check (`auth`)
 * The row is updated and the event written only when the row was found (and visible) and `auth`
 * holds; the event's `context.model.name` is `nameTemplate` (a `format()` template, `%s` = user pk,
 * then source pk) filled from the updated row.
 * @returns undefined when absent or not owned by `ownerPk` (when given); nothing is written then.
 * @throws StaleCredential when `auth` no longer holds; nothing is written then.
 */
export async function touchConnectionAudited(
  db: Executor, id: number, args: { ownerPk?: number; event: NewEvent; nameTemplate: string; auth?: CredentialCheck },
): Promise<ConnectionBaseRow | undefined> {
  const [r] = await touchAuditedStatement.execute(db, {
    id, owner: args.ownerPk ?? null, nameTemplate: args.nameTemplate, ...eventParams(args.event), ...(args.auth ?? NO_CHECK),
  }) as Record<string, any>[];
  if (!r.auth_ok) throw new StaleCredential();
  return r.id === null ? undefined : baseRow(r);
}
const touchAuditedStatement = preparedStatement('connection_touch_audited', (db, p: {
  id: number; owner: number | null; nameTemplate: string;
} & EventParams & CredentialCheck) => db
  .with('ok', (qc) => qc.selectNoFrom(credentialCheck(p).as('auth_ok')))
  .with('u', (qc) => qc
    .updateTable('user_source_connection as c').from('source as s')
    .set({ last_updated: sql`now()` as any })
    .whereRef('s.pbm_uuid', '=', 'c.source_id')
    .where('c.id', '=', p.id)
    .where(sql<boolean>`(${p.owner}::int IS NULL OR c.user_id = ${p.owner}::int)`)
    .where(sql<boolean>`(SELECT ok.auth_ok FROM ok)`)
    .returning(baseColumns).returning('s.revision as source_revision' as any))
  .with('e', (qc) => qc
    .insertInto('event').columns(['event_uuid', 'action', 'app', 'user', 'context', 'client_ip'])
    .expression((eb) => (eb as any).selectFrom('u').select([
      sql`${p.uuid}::uuid`.as('event_uuid'), sql`${p.action}::text`.as('action'), sql`${p.app}::text`.as('app'),
      sql`${p.user}::jsonb`.as('user'),
      sql`jsonb_set(${p.context}::jsonb, '{model,name}', to_jsonb(format(${p.nameTemplate}::text, u.user_id, u.source_id)))`.as('context'),
      sql`${p.clientIp}::text`.as('client_ip'),
    ])))
  .selectFrom('ok' as any).leftJoin('u' as any, (join: any) => join.onTrue()).selectAll() as any);

/** Deletes a connection and (by cascade) its typed row. @returns false when absent. */
export async function deleteConnection(db: Executor, id: number): Promise<boolean> {
  const r = await db.deleteFrom('user_source_connection').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Counts the connections a user has (any source). */
export async function countUserConnections(db: Executor, userPk: number): Promise<number> {
  const r = await db.selectFrom('user_source_connection').select(sql<number>`count(*)::int`.as('n')).where('user_id', '=', userPk).executeTakeFirstOrThrow();
  return r.n;
}

/** Constraint → field errors for connection writes (decisions F2). */
export function connectionConstraintMessages(existingId?: number) {
  return {
    user_source_connection_source_identifier_key: {
      non_field_errors: [`This identifier is already connected to another user on this source${existingId ? ` (connection ${existingId})` : ''}.`],
    },
    user_source_connection_user_source_key: {
      non_field_errors: ['This user already has a connection to this source.'],
    },
    user_source_connection_user_id_fkey: { user: ['Invalid pk - object does not exist.'] },
    user_source_connection_source_id_fkey: { source: ['Invalid pk - object does not exist.'] },
  };
}

/** Finds the connection holding (source, identifier), if any. */
export async function findByIdentifier(db: Executor, sourcePk: string, identifier: string): Promise<ConnectionBaseRow | undefined> {
  return db.selectFrom('user_source_connection as c').select(baseColumns)
    .where('c.source_id', '=', sourcePk).where('c.identifier', '=', identifier).executeTakeFirst() as Promise<ConnectionBaseRow | undefined>;
}

/**
 * Inserts a typed connection (base row + typed row) in the caller's transaction.
 * `extra` holds the typed table's columns (encrypted tokens).
 * @throws UniqueViolation on (user, source) or (source, identifier) conflicts (decisions F2).
 */
export async function insertConnection(
  db: Executor,
  args: { kind: ConnectionKind; userPk: number; sourcePk: string; identifier: string; extra?: Record<string, string | null> },
): Promise<ConnectionBaseRow> {
  return translateConstraints(async () => {
    const row = await db.insertInto('user_source_connection')
      .values({ user_id: args.userPk, source_id: args.sourcePk, identifier: args.identifier })
      .returning(['id', 'user_id', 'source_id', 'identifier', 'created'])
      .executeTakeFirstOrThrow();
    await db.insertInto(TYPED_TABLE[args.kind] as any).values({ id: row.id, ...(args.extra ?? {}) }).execute();
    return row as ConnectionBaseRow;
  }, connectionConstraintMessages());
}

/**
 * Updates a typed connection's identifier / user / typed columns and refreshes `last_updated`.
 * @throws UniqueViolation on (user, source) or (source, identifier) conflicts (decisions F2).
 */
export async function updateConnection(
  db: Executor,
  args: { kind: ConnectionKind; id: number; identifier?: string; userPk?: number; extra?: Record<string, string | null> },
): Promise<void> {
  await translateConstraints(async () => {
    const set: Record<string, unknown> = { last_updated: sql`now()` };
    if (args.identifier !== undefined) set.identifier = args.identifier;
    if (args.userPk !== undefined) set.user_id = args.userPk;
    await db.updateTable('user_source_connection').set(set as any).where('id', '=', args.id).execute();
    if (args.extra && Object.keys(args.extra).length > 0) {
      await db.updateTable(TYPED_TABLE[args.kind] as any).set(args.extra).where('id', '=', args.id).execute();
    }
  }, connectionConstraintMessages());
}
