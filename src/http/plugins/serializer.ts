/**
 * Response serialization: fast-json-stringify compiled from the route schemas (as Fastify does by
 * default), after rewriting two TypeBox shapes that fast-json-stringify can only serialize by running
 * an Ajv validation per value (`anyOf`):
 *   - a union of literals  `{anyOf: [{const: 'all'}, {const: 'any'}]}`  → `{type: 'string', enum: ['all', 'any']}`
 *   - a nullable scalar     `{anyOf: [{type: 'string', …}, {type: 'null'}]}` → `{type: ['string', 'null'], …}`
 * The JSON written is identical (same keys, same order, same whitelist); only the per-value checks
 * are cheaper (a connection list page has 100 nested sources with 5 such fields each: measured in
 * bench/README.md). The rewrite applies to serialization only: validation and the OpenAPI document
 * keep the declared schemas. Values that violate an enum are written as the plain string instead of
 * failing the response; the database constraints (CHECK) keep them valid.
 *
 * Each route's serializer gets only the shared schemas it references (transitively through `$ref`):
 * Fastify's default hands every shared schema to every route's compile and fast-json-stringify
 * validates each of them each time — O(routes × shared schemas), about 10 s of start-up with ~190
 * routes and ~150 components.
 */
import fastJsonStringify from 'fast-json-stringify';

type Json = Record<string, unknown>;
const SCALARS = new Set(['string', 'number', 'integer', 'boolean']);

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `{anyOf: [{const: a}, {const: b}, …]}` with one scalar type → `[type, [a, b, …]]`, else undefined. */
function literalUnion(branches: unknown[]): [string, unknown[]] | undefined {
  let type: string | undefined;
  const values: unknown[] = [];
  for (const b of branches) {
    if (!isObject(b) || !('const' in b)) return undefined;
    const t = typeof b.const === 'number' ? (Number.isInteger(b.const) ? 'integer' : 'number') : typeof b.const;
    const declared = typeof b.type === 'string' ? b.type : t;
    if (!SCALARS.has(declared) || (type !== undefined && type !== declared)) return undefined;
    type = declared;
    values.push(b.const);
  }
  return type === undefined ? undefined : [type, values];
}

/** `{anyOf: [X, {type: 'null'}]}` (either order) with X a plain scalar schema → X, else undefined. */
function nullableScalar(branches: unknown[]): Json | undefined {
  if (branches.length !== 2) return undefined;
  const nulls = branches.filter((b) => isObject(b) && b.type === 'null' && Object.keys(b).length === 1);
  const others = branches.filter((b) => !(isObject(b) && b.type === 'null' && Object.keys(b).length === 1));
  if (nulls.length !== 1 || others.length !== 1 || !isObject(others[0])) return undefined;
  const x = others[0];
  if (typeof x.type !== 'string' || !SCALARS.has(x.type) || 'anyOf' in x || 'oneOf' in x || 'allOf' in x || 'const' in x) return undefined;
  return x;
}

/**
 * A copy of `schema` with the two rewrites above applied everywhere (properties, items, nested
 * combinators). Other keywords and annotations, `$id` and `$ref` included, are kept as they are.
 */
export function simplifyForSerialization<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map((s) => simplifyForSerialization(s)) as T;
  if (!isObject(schema)) return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'const' || k === 'enum' || k === 'default' || k === 'examples' || k === 'example') out[k] = v;
    else if (k === 'properties' || k === 'patternProperties' || k === 'definitions' || k === '$defs') {
      out[k] = isObject(v) ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, simplifyForSerialization(s)])) : v;
    } else out[k] = simplifyForSerialization(v);
  }
  const branches = out.anyOf ?? out.oneOf;
  if (Array.isArray(branches)) {
    const key = out.anyOf !== undefined ? 'anyOf' : 'oneOf';
    const lit = literalUnion(branches);
    if (lit) {
      delete out[key];
      return { ...out, type: lit[0], enum: lit[1] } as T;
    }
    const x = nullableScalar(branches);
    if (x) {
      delete out[key];
      return { ...x, ...out, type: [x.type, 'null'] } as T;
    }
  }
  return out as T;
}

/** The `$id` part of a `$ref` (`Source`, `Source#`, `Source#/properties/pk` → `Source`). */
function refId(ref: string): string {
  const i = ref.indexOf('#');
  return i === -1 ? ref : ref.slice(0, i);
}

/** The shared schemas reachable from `schema` through `$ref`, by id. */
export function referencedSchemas(schema: unknown, byId: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = {};
  const stack: unknown[] = [schema];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const x of node) stack.push(x);
    } else if (isObject(node)) {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string') {
          const id = refId(v);
          if (id && !(id in out) && byId[id]) {
            out[id] = byId[id];
            stack.push(byId[id]);
          }
        } else if (typeof v === 'object' && v !== null) {
          stack.push(v);
        }
      }
    }
  }
  return out;
}

/**
 * Fastify `schemaController.compilersFactory.buildSerializer`: fast-json-stringify per route, with
 * simplified copies of the route's response schema and of the shared schemas it references.
 */
export function buildSerializerFactory(externalSchemas: Record<string, Json> = {}, serializerOpts: Record<string, unknown> = {}) {
  const simplified = new Map<string, Json>();
  const simple = (id: string) => {
    let s = simplified.get(id);
    if (!s) simplified.set(id, (s = simplifyForSerialization(externalSchemas[id])));
    return s;
  };
  return ({ schema }: { schema: Json }) => {
    const refs: Record<string, Json> = {};
    for (const id of Object.keys(referencedSchemas(schema, externalSchemas))) refs[id] = simple(id);
    if (typeof schema.$id === 'string') delete refs[schema.$id];
    return fastJsonStringify(simplifyForSerialization(schema) as any, { ...serializerOpts, schema: refs as any });
  };
}
