/**
 * Whether a JSON value from a request body can be stored in a PostgreSQL jsonb column (OAuth `oidc_jwks`,
 * SCIM object `attributes`): jsonb rejects NUL characters and lone surrogates, and deep nesting is
 * refused before it reaches recursion limits.
 */
/** Deepest JSON nesting accepted (a JWKS is three levels deep; PostgreSQL and recursion have limits). */
const JSON_MAX_DEPTH = 64;

/**
 * Why PostgreSQL's jsonb could not store `v` (NUL characters, lone surrogates, nesting deeper than
 * JSON_MAX_DEPTH), or undefined when it can. Iterative, so hostile nesting cannot overflow the stack.
 */
export function unstorableJson(v: unknown): string | undefined {
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

