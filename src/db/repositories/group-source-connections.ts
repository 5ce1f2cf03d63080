/**
 * Group source connections (spec §1.3): the base rows behind `/sources/group_connections/<kind>/` and
 * their typed rows. The only place with their SQL.
 *
 *   SELECT c.id, c.group_id, c.source_id, c.identifier, c.created
 *   FROM group_source_connection c JOIN source s ON s.pbm_uuid = c.source_id
 *   JOIN group_oauth_source_connection t ON t.id = c.id
 *   WHERE s.slug = $1 ORDER BY s.slug, c.id LIMIT 100
 */
import { sql } from 'kysely';
import type { ListQuery, Page } from '../../domain/list.js';
import { translateConstraints } from '../errors.js';
import type { Executor } from '../executor.js';
import { applyFilters, runList, type ListColumns } from '../list.js';
import type { ConnectionKind } from './user-source-connections.js';

/** A group connection row as serializers need it. `created` is an ISO UTC string. */
export interface GroupConnectionRow {
  id: number;
  group_id: string;
  source_id: string;
  identifier: string;
  created: string;
}

export const GROUP_TYPED_TABLE = {
  oauth: 'group_oauth_source_connection',
  saml: 'group_saml_source_connection',
  plex: 'group_plex_source_connection',
  kerberos: 'group_kerberos_source_connection',
} as const;

/** Wire name → SQL for group connection lists (`c` = connection, `s` = its source). */
export const groupConnectionListColumns: ListColumns = {
  filters: { group: 'c.group_id', source__slug: 's.slug' },
  ordering: {
    pk: 'c.id', group: 'c.group_id', source: 'c.source_id', identifier: 'c.identifier', created: 'c.created',
    source__slug: 's.slug',
  },
  search: ['s.slug'],
};

const columns = ['c.id', 'c.group_id', 'c.source_id', 'c.identifier', 'c.created'] as const;

function scoped(db: Executor, kind: ConnectionKind) {
  return db.selectFrom('group_source_connection as c')
    .innerJoin('source as s', 's.pbm_uuid', 'c.source_id')
    .innerJoin(`${GROUP_TYPED_TABLE[kind]} as t` as 'group_oauth_source_connection as t', 't.id', 'c.id');
}

/**
 * Lists one kind's group connections. `none` gives an empty result with the usual paging rules
 * (callers who may see no group connection at all).
 * @throws InvalidPage when the page is out of range.
 */
export async function listGroupConnections(
  db: Executor,
  args: { kind: ConnectionKind; none?: boolean; query: ListQuery },
): Promise<Page<GroupConnectionRow>> {
  let q = scoped(db, args.kind);
  if (args.none) q = q.where(sql<boolean>`false`);
  const filtered = applyFilters(q, groupConnectionListColumns, args.query);
  return runList(filtered, (qb) => qb.select(columns as any), groupConnectionListColumns, args.query) as Promise<Page<GroupConnectionRow>>;
}

/** Finds one group connection of `kind` by pk; undefined when absent or of another kind. */
export async function findGroupConnection(db: Executor, id: number, kind: ConnectionKind): Promise<GroupConnectionRow | undefined> {
  return scoped(db, kind).select(columns).where('c.id', '=', id).executeTakeFirst();
}

/** Finds the group connection (any kind) holding (source, identifier), if any. */
export async function findGroupConnectionByIdentifier(db: Executor, sourcePk: string, identifier: string): Promise<GroupConnectionRow | undefined> {
  return db.selectFrom('group_source_connection as c').select(columns)
    .where('c.source_id', '=', sourcePk).where('c.identifier', '=', identifier).executeTakeFirst();
}

/** Does a group with this pk exist? */
export async function groupExists(db: Executor, groupPk: string): Promise<boolean> {
  return (await db.selectFrom('group').select('group_uuid').where('group_uuid', '=', groupPk).executeTakeFirst()) !== undefined;
}

/** Constraint → field errors for group connection writes (decisions F4, like F2). */
export function groupConnectionConstraintMessages(existingId?: number) {
  return {
    group_source_connection_source_identifier_key: {
      non_field_errors: [`This identifier is already connected to another group on this source${existingId ? ` (connection ${existingId})` : ''}.`],
    },
    group_source_connection_group_source_key: {
      non_field_errors: ['This group already has a connection to this source.'],
    },
    group_source_connection_group_id_fkey: { group: ['Invalid pk - object does not exist.'] },
    group_source_connection_source_id_fkey: { source: ['Invalid pk - object does not exist.'] },
  };
}

/**
 * Inserts a group connection (base row + typed row) in the caller's transaction.
 * @throws UniqueViolation on (group, source) or (source, identifier) conflicts; ValidationFailed when the
 * group or source vanished meanwhile.
 */
export async function insertGroupConnection(
  db: Executor,
  args: { kind: ConnectionKind; groupPk: string; sourcePk: string; identifier: string },
): Promise<GroupConnectionRow> {
  return translateConstraints(async () => {
    const row = await db.insertInto('group_source_connection')
      .values({ group_id: args.groupPk, source_id: args.sourcePk, identifier: args.identifier })
      .returning(['id', 'group_id', 'source_id', 'identifier', 'created'])
      .executeTakeFirstOrThrow();
    await db.insertInto(GROUP_TYPED_TABLE[args.kind]).values({ id: row.id }).execute();
    return row;
  }, groupConnectionConstraintMessages());
}

/** Refreshes `last_updated` (a save without changes). @returns false when absent. */
export async function touchGroupConnection(db: Executor, id: number): Promise<boolean> {
  const r = await db.updateTable('group_source_connection').set({ last_updated: sql`now()` as any }).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Deletes a group connection and (by cascade) its typed row. @returns false when absent. */
export async function deleteGroupConnection(db: Executor, id: number): Promise<boolean> {
  const r = await db.deleteFrom('group_source_connection').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
