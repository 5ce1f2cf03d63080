/** source-flow.md §6: user_path_template expansion with Python %-formatting semantics. */
import { describe, expect, it } from 'vitest';
import { expandUserPath, pyFormatMapping, pyRepr } from './user-path.js';

const slug = 'my-src';

describe('§6 table, one row each', () => {
  it.each([
    ['goauthentik.io/sources/%(slug)s', 'goauthentik.io/sources/my-src'],
    ['plain/path', 'plain/path'],
    ['%(slug)s/%(slug)s', 'my-src/my-src'],
    ['%%(slug)s', '%(slug)s'],
    ['%(slug)10s', '    my-src'],
    ['%(slug)r', "'my-src'"],
    ["a%sb", "a{'slug': 'my-src'}b"],
    ['', ''],
  ])('%j → %j', (template, expected) => {
    expect(expandUserPath(template, slug)).toBe(expected);
  });

  it.each(['%(other)s', '%(slug)d', '100%', '%c'])('%j is a formatting error → users', (template) => {
    expect(expandUserPath(template, slug)).toBe('users');
  });
});

describe('printf details (checked against CPython 3)', () => {
  it.each([
    ['%(slug)-10s|', 'my-src    |'],
    ['%(slug).3s', 'my-'],
    ['%(slug)10.2s', '        my'],
    ['%(slug)05s', 'my-src'],
    ['%(slug)ls', 'my-src'],
    ['%(slug)hs', 'my-src'],
    ['%(slug)#s', 'my-src'],
    ['%(slug)+s', 'my-src'],
    ['%(slug) s', 'my-src'],
    ['%(slug)a', "'my-src'"],
    ['%(slug)5.1r', "    '"],
    ['%(slug).0s', ''],
    ['% s', "{'slug': 'my-src'}"],
    ['%-s', "{'slug': 'my-src'}"],
    ['%r', "{'slug': 'my-src'}"],
    ['%(slug)s %%', 'my-src %'],
    ['%s %(slug)s', "{'slug': 'my-src'} my-src"],
    ['%% %s', "% {'slug': 'my-src'}"],
  ])('%j → %j', (template, expected) => {
    expect(pyFormatMapping(template, { slug })).toBe(expected);
  });

  it.each([
    '%(slug)s %s', '%s%s', '%s %(slug)s %s', '%(slug)c', '%(slug)10c', '%(slug)*s', '%(slug)s%', '%(slug)', '%(sl)ug)s', '%()s',
    '%(slug)%', '%(slug)%x', '%(slug)z', '%', '%(a(b)c)s', '%(slug)1000000000000s', '%(slug)x', '%(slug)f', '%(slug',
  ])('%j raises in Python → users', (template) => {
    expect(expandUserPath(template, slug)).toBe('users');
  });

  it('%c of a one-character slug is that character (precision ignored, width applies)', () => {
    expect(pyFormatMapping('%(slug)c', { slug: 'x' })).toBe('x');
    expect(pyFormatMapping('%(slug)3c', { slug: 'x' })).toBe('  x');
    expect(pyFormatMapping('%(slug).0c', { slug: 'x' })).toBe('x');
  });

  it('repr quoting and escapes follow CPython', () => {
    expect(pyRepr("it's")).toBe(`"it's"`);
    expect(pyRepr('a\u00a0bé')).toBe("'a\\xa0bé'");
    expect(pyRepr('é\n')).toBe("'é\\n'");
    expect(pyRepr('ab\u{1F600}', true)).toBe("'ab\\U0001f600'");
    expect(pyRepr('é', true)).toBe("'\\xe9'");
  });
});
