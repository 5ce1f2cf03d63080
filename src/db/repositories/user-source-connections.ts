/**
 * User source connections: the base rows behind `/sources/user_connections/all/` and the typed rows
 * behind `/sources/user_connections/<kind>/`. The only place with their SQL.
 */
import { sql } from 'kysely';
import type { ListQuery, Page } from '../../domain/list.js';
import type { SourceKind } from '../database.js';
import { translateConstraints } from '../errors.js';
import type { Executor } from '../executor.js';
import { applyFilters, runList, type ListColumns } from '../list.js';

/** The base connection row as serializers need it. `created` is an ISO UTC string. */
export interface ConnectionBaseRow {
  id: number;
  user_id: number;
  source_id: string;
  identifier: string | null;
  created: string;
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

/**
 * Lists connections, scoped to `ownerPk` when given and to one typed table when `kind` is given.
 * @throws InvalidPage when the page is out of range.
 */
export async function listConnections(
  db: Executor,
  args: { ownerPk?: number; kind?: ConnectionKind; query: ListQuery },
): Promise<Page<ConnectionBaseRow>> {
  const filtered = applyFilters(scoped(db, args), connectionListColumns, args.query);
  return runList(filtered, (qb) => qb.select(baseColumns as any), connectionListColumns, args.query) as Promise<Page<ConnectionBaseRow>>;
}

/** Finds one connection by pk (scoped like the list). Undefined when absent or outside the scope. */
export async function findConnection(
  db: Executor,
  id: number,
  args: { ownerPk?: number; kind?: ConnectionKind } = {},
): Promise<ConnectionBaseRow | undefined> {
  return scoped(db, args).select(baseColumns).where('c.id', '=', id).executeTakeFirst() as Promise<ConnectionBaseRow | undefined>;
}

/** Refreshes `last_updated` (what a save without changes does in authentik). @returns false when absent. */
export async function touchConnection(db: Executor, id: number): Promise<boolean> {
  const r = await db.updateTable('user_source_connection').set({ last_updated: sql`now()` as any }).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

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
