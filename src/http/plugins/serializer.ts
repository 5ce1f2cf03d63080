/**
 * Response serializers compiled by fast-json-stringify from each route's response schema, given only
 * the shared schemas that route actually references (transitively through `$ref`).
 *
 * Why: Fastify's default hands every shared schema to every route's compile, and fast-json-stringify
 * validates each of them each time — O(routes × shared schemas), about 10 s of start-up with ~190
 * routes and ~150 components. Passing the referenced closure gives the same serializers in a fraction.
 */
import fastJsonStringify from 'fast-json-stringify';

type Schema = Record<string, unknown>;

/** The `$id` part of a `$ref` (`Source`, `Source#`, `Source#/properties/pk` → `Source`). */
function refId(ref: string): string {
  const i = ref.indexOf('#');
  return i === -1 ? ref : ref.slice(0, i);
}

/** Collects the ids of every shared schema reachable from `schema` through `$ref`. */
export function referencedSchemas(schema: unknown, byId: Record<string, Schema>): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const stack: unknown[] = [schema];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const x of node) stack.push(x);
    } else if (node && typeof node === 'object') {
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

/** `compilersFactory.buildSerializer` for Fastify's schemaController option. */
export function buildSerializerFactory(externalSchemas: Record<string, Schema>, serializerOpts: Record<string, unknown> = {}) {
  return ({ schema }: { schema: Schema }) => {
    const refs = referencedSchemas(schema, externalSchemas);
    if (typeof schema.$id === 'string') delete refs[schema.$id];
    return fastJsonStringify(schema as any, { ...serializerOpts, schema: refs as any });
  };
}
