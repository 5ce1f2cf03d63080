/**
 * Named prepared statements for hot queries. PostgreSQL parses and plans a named statement once per
 * connection and then only binds and executes it; node-pg does the bookkeeping per client
 * (`parsedStatements`). Kysely always sends an unnamed statement, so the name is attached below
 * it: `executePrepared` registers the compiled SQL text under a name, and `PreparingClient` (the
 * pool's client class, see db/connect.ts) sends every registered text as that named statement.
 *
 * Only fixed-shape queries belong here (same SQL text on every call, values as parameters). The
 * registry is bounded: past `MAX_STATEMENTS` texts, further ones run unnamed, so a misused dynamic
 * query cannot grow memory on either side without limit.
 *
 * Example:
 *   const q = db.selectFrom('user').select('id').where('id', '=', pk);
 *   await executePrepared(db, 'user_exists', q)   // → Parse once as "user_exists_<hash>", then Bind/Execute
 */
import { createHash } from 'node:crypto';
import type { CompiledQuery, Compilable, RawBuilder } from 'kysely';
import pg from 'pg';
import type { Executor } from './executor.js';

const MAX_STATEMENTS = 200;
/** SQL text → statement name. */
const names = new Map<string, string>();

/**
 * Registers `text` under `name` (suffixed with a hash of the text, so two shapes never share a name).
 * @returns the statement name, or undefined when the registry is full.
 */
export function registerPrepared(name: string, text: string): string | undefined {
  const known = names.get(text);
  if (known) return known;
  if (names.size >= MAX_STATEMENTS) return undefined;
  const full = `${name}_${createHash('sha1').update(text).digest('hex').slice(0, 8)}`;
  names.set(text, full);
  return full;
}

/** The statement name registered for `text`, if any. */
export function preparedName(text: string): string | undefined {
  return names.get(text);
}

/**
 * A pg client that sends registered SQL texts as named prepared statements; everything else is
 * passed through unchanged.
 */
export class PreparingClient extends pg.Client {
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === 'string') {
      const name = names.get(config);
      if (name !== undefined) {
        if (typeof values === 'function') return super.query({ name, text: config } as any, values);
        return super.query({ name, text: config, values } as any, callback);
      }
    }
    return super.query(config, values, callback);
  }
}

/**
 * Executes a Kysely query (builder or `sql` template) as the named prepared statement `name`.
 * @returns the result rows, typed as the query's output.
 */
export async function executePrepared<R>(db: Executor, name: string, query: Compilable<R> | RawBuilder<R>): Promise<R[]> {
  // Builders compile on their own; `sql` templates need the executor (RawBuilder.compile(db)).
  const compiled: CompiledQuery<R> = (query as RawBuilder<R>).compile(db);
  registerPrepared(name, compiled.sql);
  return (await db.executeQuery(compiled)).rows;
}
