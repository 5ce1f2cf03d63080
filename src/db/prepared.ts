/**
 * Named prepared statements for hot queries. PostgreSQL parses and plans a named statement once per
 * connection and then only binds and executes it; node-pg does the bookkeeping per client
 * (`parsedStatements`). Kysely always sends an unnamed statement, so the name is attached below
 * it: `preparedStatement` registers the compiled SQL text under a name, and `PreparingClient` (the
 * pool's client class, see db/connect.ts) sends every registered text as that named statement.
 *
 * Only fixed-shape queries belong here (same SQL text on every call, values as parameters). The
 * registry is bounded: past `MAX_STATEMENTS` texts, further ones run unnamed, so a misused dynamic
 * query cannot grow memory on either side without limit.
 *
 * The Kysely query is built and compiled once per process (with placeholder values); later calls
 * only fill in the parameters, so no query-builder work is done per request.
 *
 * Example:
 *   const userExists = preparedStatement('user_exists', (db, p: { pk: number }) =>
 *     db.selectFrom('user').select('id').where('id', '=', p.pk));
 *   await userExists.execute(db, { pk: 7 })   // first call: Parse as "user_exists_<hash>"; then Bind/Execute only
 */
import { createHash } from 'node:crypto';
import type { Compilable, CompiledQuery, RawBuilder } from 'kysely';
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

/** Placeholder prefix for `preparedStatement` parameters (cannot occur in real values: NUL). */
const MARK = '\u0000fedlink-param:';

/** A statement compiled once; `execute` binds `args` and runs it as a named prepared statement. */
export interface PreparedStatement<A, R> {
  execute(db: Executor, args: A): Promise<R[]>;
}

/**
 * Declares a fixed-shape statement: `build` is called once, with placeholders in `p`, and must not
 * branch on the values of `p` (express optional conditions in SQL: `($1::int IS NULL OR c.user_id = $1)`).
 * Constants used by `build` (not read from `p`) stay fixed parameters.
 * @throws Error (on the first execute) when a compiled parameter mixes a placeholder with other text.
 */
export function preparedStatement<A extends Record<string, unknown>, R>(
  name: string,
  build: (db: Executor, p: A) => Compilable<R> | RawBuilder<R>,
): PreparedStatement<A, R> {
  let template: { compiled: CompiledQuery<R>; slots: ({ arg: string } | { value: unknown })[] } | undefined;
  return {
    async execute(db, args) {
      if (!template) {
        const p = new Proxy({}, { get: (_t, k) => `${MARK}${String(k)}` }) as A;
        const compiled = (build(db, p) as RawBuilder<R>).compile(db);
        const slots = compiled.parameters.map((v) => {
          if (typeof v === 'string' && v.includes(MARK)) {
            if (!v.startsWith(MARK)) throw new Error(`preparedStatement ${name}: a parameter embeds a placeholder`);
            return { arg: v.slice(MARK.length) };
          }
          return { value: v };
        });
        template = { compiled, slots };
        registerPrepared(name, compiled.sql);
      }
      const parameters = template.slots.map((s) => ('arg' in s ? args[s.arg] : s.value));
      return (await db.executeQuery<R>({ ...template.compiled, parameters })).rows;
    },
  };
}
