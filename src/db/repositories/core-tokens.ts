/**
 * Tokens as `/api/v3/core/tokens/` reads and writes them. Keys are never selected here except by
 * `findTokenKeyEncrypted` (view_key); rows carry neither `key_hash` nor `key_encrypted` (decisions F9).
 * Source: authentik/core/api/tokens.py TokenViewSet (2024.8).
 */
import { sql, type SqlBool } from 'kysely';
import type { ListQuery, Page } from '../../domain/list.js';
import { UniqueViolation, ValidationFailed } from '../../domain/errors.js';
import type { TokenTable } from '../database.js';
import { translateConstraints } from '../errors.js';
import type { Executor } from '../executor.js';
import { applyFilters, runList, type ListColumns } from '../list.js';

export type TokenIntent = TokenTable['intent'];

/** A token without its key. `expires` is an ISO UTC string or null. */
export interface TokenRecord {
  token_uuid: string;
  managed: string | null;
  identifier: string;
  intent: TokenIntent;
  user_id: number;
  description: string;
  expires: string | null;
  expiring: boolean;
}

/** Wire name → SQL for token lists (`t` = token, `u` = its user). `expires` is applied by `listTokens`. */
export const tokenListColumns: ListColumns = {
  filters: {
    identifier: 't.identifier', intent: 't.intent', user__username: 'u.username', description: 't.description',
    expiring: 't.expiring', managed: 't.managed',
  },
  ordering: {
    pk: 't.token_uuid', managed: 't.managed', identifier: 't.identifier', intent: 't.intent', user: 't.user_id',
    description: 't.description', expires: 't.expires', expiring: 't.expiring',
  },
  search: ['t.identifier', 't.intent', 'u.username', 't.description'],
};

const tokenSelect = ['t.token_uuid', 't.managed', 't.identifier', 't.intent', 't.user_id', 't.description', 't.expires', 't.expiring'] as const;

function scoped(db: Executor, ownerPk?: number) {
  let q = db.selectFrom('token as t').innerJoin('user as u', 'u.id', 't.user_id');
  if (ownerPk !== undefined) q = q.where('t.user_id', '=', ownerPk);
  return q;
}

/**
 * Lists tokens, only `ownerPk`'s when given. `expires` (ISO string, validated by the caller) is an exact match.
 *   SELECT t.token_uuid, … FROM token t JOIN "user" u ON u.id = t.user_id WHERE t.user_id = $1 … ORDER BY t.identifier, t.expires, t.token_uuid
 * @throws InvalidPage when the page is out of range.
 */
export async function listTokens(db: Executor, args: { ownerPk?: number; query: ListQuery; expires?: string }): Promise<Page<TokenRecord>> {
  let q: any = scoped(db, args.ownerPk);
  if (args.expires !== undefined) q = q.where(sql<SqlBool>`t.expires = ${args.expires}::timestamptz`);
  const filtered = applyFilters(q, tokenListColumns, args.query);
  return runList(filtered, (qb) => qb.select(tokenSelect as any), tokenListColumns, args.query) as Promise<Page<TokenRecord>>;
}

/** One token by identifier (only `ownerPk`'s when given), or undefined. */
export async function findToken(db: Executor, identifier: string, ownerPk?: number): Promise<TokenRecord | undefined> {
  return scoped(db, ownerPk).select(tokenSelect).where('t.identifier', '=', identifier).executeTakeFirst() as Promise<TokenRecord | undefined>;
}

/** The encrypted key of a token (for view_key only). */
export async function findTokenKeyEncrypted(db: Executor, tokenUuid: string): Promise<string | undefined> {
  const r = await db.selectFrom('token').select('key_encrypted').where('token_uuid', '=', tokenUuid).executeTakeFirst();
  return r?.key_encrypted;
}

/** Is `identifier` used by a token other than `exceptUuid`? */
export async function identifierTaken(db: Executor, identifier: string, exceptUuid?: string): Promise<boolean> {
  let q = db.selectFrom('token').select('token_uuid').where('identifier', '=', identifier);
  if (exceptUuid !== undefined) q = q.where('token_uuid', '<>', exceptUuid);
  return (await q.executeTakeFirst()) !== undefined;
}

export const IDENTIFIER_TAKEN = 'Token with this identifier already exists.';

/** Constraint → DRF field errors (no `code`, as DRF's UniqueValidator answers). */
async function translateToken<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await translateConstraints(fn, {
      token_identifier_key: { identifier: [IDENTIFIER_TAKEN] },
      token_user_id_fkey: { user: ['Invalid pk - object does not exist.'] },
      token_key_hash_key: { non_field_errors: ['Please retry.'] },
    });
  } catch (e) {
    if (e instanceof UniqueViolation) throw new ValidationFailed(e.fieldErrors);
    throw e;
  }
}

/** What an insert needs: the key already hashed and encrypted by the caller. */
export interface NewTokenRow {
  token_uuid: string;
  identifier: string;
  key_hash: string;
  key_encrypted: string;
  intent: TokenIntent;
  user_id: number;
  description: string;
  expires: string | Date | null;
  expiring: boolean;
}

/** Inserts a token. @throws ValidationFailed on a duplicate identifier or unknown user. */
export async function insertToken(db: Executor, row: NewTokenRow): Promise<void> {
  await translateToken(async () => {
    await db.insertInto('token').values({ ...row, managed: null }).execute();
  });
}

/** The columns an update may write. */
export interface TokenWrite {
  identifier?: string;
  intent?: TokenIntent;
  description?: string;
  expires?: string | Date | null;
  expiring?: boolean;
}

/** Updates a token. @throws ValidationFailed on a duplicate identifier. */
export async function updateToken(db: Executor, tokenUuid: string, w: TokenWrite): Promise<void> {
  const set: Record<string, unknown> = { ...w };
  for (const k of Object.keys(set)) if (set[k] === undefined) delete set[k];
  if (Object.keys(set).length === 0) return;
  await translateToken(async () => {
    await db.updateTable('token').set(set as any).where('token_uuid', '=', tokenUuid).execute();
  });
}

/** Deletes a token. @returns false when absent. */
export async function deleteToken(db: Executor, tokenUuid: string): Promise<boolean> {
  const r = await db.deleteFrom('token').where('token_uuid', '=', tokenUuid).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
