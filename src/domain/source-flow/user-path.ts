/**
 * Expands a source's `user_path_template` the way authentik's `Source.get_user_path()` does:
 * Python `%`-formatting of the template against the mapping `{"slug": <source slug>}`, with any
 * formatting error falling back to the default user path `users` (source-flow.md §6).
 *
 * Only what `template % {"slug": slug}` can do is implemented: `%(key)` lookups, flags
 * (`-`, `0`, `+`, space, `#`), width, precision, the ignored length modifiers `h`/`l`/`L`, the
 * string conversions `s`/`r`/`a`, `%%`, and a bare specifier that formats the whole mapping.
 * Numeric conversions of a string and `%c` of anything but one character raise in Python and
 * therefore give `users` here.
 *
 * Source: authentik/core/models.py Source.get_user_path (2024.8); CPython Objects/unicodeobject.c
 * (PyUnicode_Format) for the formatting rules.
 */

/** The path authentik uses when the template cannot be expanded (User.default_path()). */
export const DEFAULT_USER_PATH = 'users';

/** Thrown inside the formatter for anything Python would raise; never escapes this module. */
class FormatError extends Error {}

/** Widths/precisions above this would make CPython raise MemoryError/OverflowError; we refuse them. */
const MAX_WIDTH = 10_000;

/** Python's `repr()` of a str: single quotes unless the text has `'` and no `"`; escapes as CPython does. */
export function pyRepr(s: string, asciiOnly = false): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp > 0x7e && (asciiOnly || !isPrintable(cp))) {
      if (cp <= 0xff) out += `\\x${cp.toString(16).padStart(2, '0')}`;
      else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
      else out += `\\U${cp.toString(16).padStart(8, '0')}`;
    } else out += ch;
  }
  return out + quote;
}

/** Approximation of str.isprintable() for non-ASCII code points: letters, marks, numbers, punctuation, symbols. */
function isPrintable(cp: number): boolean {
  if (cp === 0xa0 || cp === 0xad) return false; // NBSP and soft hyphen are not printable in Python
  return /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(String.fromCodePoint(cp));
}

/** Python's `repr()` of the mapping `{'slug': …}` (what a bare `%s`/`%r` prints). */
function mappingRepr(mapping: Record<string, string>, asciiOnly = false): string {
  return `{${Object.entries(mapping).map(([k, v]) => `${pyRepr(k, asciiOnly)}: ${pyRepr(v, asciiOnly)}`).join(', ')}}`;
}

/**
 * `template % mapping` with Python's semantics for a dict operand whose values are strings.
 * @throws FormatError where Python raises (KeyError, TypeError, ValueError, MemoryError).
 */
export function pyFormatMapping(template: string, mapping: Record<string, string>): string {
  let out = '';
  let i = 0;
  // CPython keeps one positional "next argument" (the dict itself); any specifier consumes it (a keyed
  // one re-arms it first), so a bare specifier works only before every other specifier.
  let argumentConsumed = false;
  const n = template.length;
  while (i < n) {
    const pct = template.indexOf('%', i);
    if (pct < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, pct);
    i = pct + 1;
    if (i >= n) throw new FormatError('incomplete format');
    if (template[i] === '%') {
      out += '%';
      i += 1;
      continue;
    }
    let value: string | undefined;
    let fromKey = false;
    if (template[i] === '(') {
      // Key: up to the matching ')', counting nested parentheses like CPython.
      let depth = 1;
      let j = i + 1;
      while (j < n && depth > 0) {
        if (template[j] === '(') depth += 1;
        else if (template[j] === ')') depth -= 1;
        j += 1;
      }
      if (depth > 0) throw new FormatError('incomplete format key');
      const key = template.slice(i + 1, j - 1);
      if (!Object.prototype.hasOwnProperty.call(mapping, key)) throw new FormatError(`KeyError ${key}`);
      value = mapping[key];
      fromKey = true;
      i = j;
    }
    let leftAlign = false;
    while (i < n && '-+ #0'.includes(template[i])) {
      if (template[i] === '-') leftAlign = true;
      i += 1;
    }
    let width = 0;
    if (template[i] === '*') throw new FormatError('* wants int');
    while (i < n && template[i] >= '0' && template[i] <= '9') {
      width = width * 10 + Number(template[i]);
      if (width > MAX_WIDTH) throw new FormatError('width too big');
      i += 1;
    }
    let precision: number | undefined;
    if (template[i] === '.') {
      i += 1;
      if (template[i] === '*') throw new FormatError('* wants int');
      precision = 0;
      while (i < n && template[i] >= '0' && template[i] <= '9') {
        precision = precision * 10 + Number(template[i]);
        if (precision > MAX_WIDTH) throw new FormatError('precision too big');
        i += 1;
      }
    }
    while (i < n && 'hlL'.includes(template[i])) i += 1;
    if (i >= n) throw new FormatError('incomplete format');
    const conv = template[i];
    i += 1;
    if (!fromKey && argumentConsumed) throw new FormatError('not enough arguments for format string');
    argumentConsumed = true;
    let text: string;
    switch (conv) {
      case 's': text = fromKey ? value! : mappingRepr(mapping); break;
      case 'r': text = fromKey ? pyRepr(value!) : mappingRepr(mapping); break;
      case 'a': text = fromKey ? pyRepr(value!, true) : mappingRepr(mapping, true); break;
      case 'c':
        if (fromKey && [...value!].length === 1) { text = value!; break; }
        throw new FormatError('%c requires int or char');
      case 'd': case 'i': case 'u': case 'o': case 'x': case 'X':
      case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
        throw new FormatError(`%${conv} format: a real number is required`);
      default:
        throw new FormatError(`unsupported format character ${conv}`);
    }
    if (precision !== undefined && conv !== 'c') text = [...text].slice(0, precision).join('');
    const len = [...text].length;
    if (width > len) text = leftAlign ? text + ' '.repeat(width - len) : ' '.repeat(width - len) + text;
    out += text;
  }
  return out;
}

/**
 * The user path for users this source creates: the template expanded with the source's slug, or
 * `users` when the template cannot be formatted. An empty template gives `''` (the caller then uses `users`).
 * Source: authentik/core/models.py Source.get_user_path.
 */
export function expandUserPath(template: string, slug: string): string {
  try {
    return pyFormatMapping(template, { slug });
  } catch (e) {
    if (e instanceof FormatError) return DEFAULT_USER_PATH;
    throw e;
  }
}
