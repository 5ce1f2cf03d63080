/**
 * simplifyForSerialization rewrites only literal unions and nullable scalars, and the JSON written
 * from the simplified schemas is byte-for-byte the JSON written from the declared ones.
 */
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { paginated, PaginationSchema } from '../list/envelope.js';
import { sourceSchemas } from '../routes/sources/schemas.js';
import { UserSourceConnectionSchema } from '../routes/user-source-connections/schemas.js';
import { simplifyForSerialization } from './serializer.js';

const plain = (s: unknown) => JSON.parse(JSON.stringify(s));

describe('simplifyForSerialization', () => {
  it('turns a union of literals into an enum and keeps annotations and $id', () => {
    const s = Type.Union([Type.Literal('all'), Type.Literal('any')], { $id: 'Mode', description: 'd' });
    expect(plain(simplifyForSerialization(s))).toEqual({ $id: 'Mode', description: 'd', type: 'string', enum: ['all', 'any'] });
  });

  it('turns a nullable scalar into a type list, keeping its format', () => {
    const s = Type.Object({ f: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'x' }) });
    expect(plain(simplifyForSerialization(s)).properties.f).toEqual({ type: ['string', 'null'], format: 'uuid', description: 'x' });
  });

  it('leaves other unions, refs and arrays alone', () => {
    const s = Type.Object({
      a: Type.Union([Type.String(), Type.Integer()]),
      b: Type.Union([Type.Object({ x: Type.String() }), Type.Null()]),
      c: Type.Union([Type.Literal('x'), Type.Literal(1)]),
      d: Type.Array(Type.String({ format: 'uuid' })),
      e: Type.Ref(Type.Object({}, { $id: 'E' })),
    });
    const out = plain(simplifyForSerialization(s));
    expect(out.properties).toEqual(plain(s).properties);
  });

  it('serializes a connection page exactly as the declared schemas do', () => {
    const page = paginated(UserSourceConnectionSchema);
    const externals = Object.fromEntries([...sourceSchemas, PaginationSchema, UserSourceConnectionSchema].map((s) => [s.$id!, s]));
    const compile = (simplify: boolean) => {
      const ext = simplify ? simplifyForSerialization(externals) : externals;
      return SerializerSelector()(ext, {})({ schema: simplify ? simplifyForSerialization(page) : page, method: 'GET', url: '/', httpStatus: '200' });
    };
    const source = (i: number) => ({
      pk: '8b1319ee-9c81-9d80-b3b7-4753b16750dd', name: `S "${i}"\n`, slug: `s-${i}`, enabled: i % 2 === 0,
      authentication_flow: i % 3 ? null : '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', enrollment_flow: null,
      user_property_mappings: i % 2 ? [] : ['11111111-2222-3333-4444-555555555555'], group_property_mappings: [],
      component: '', verbose_name: 'source', verbose_name_plural: 'sources', meta_model_name: 'authentik_core.source',
      policy_engine_mode: i % 2 ? 'all' : 'any', user_matching_mode: ['identifier', 'email_link', 'email_deny', 'username_link', 'username_deny'][i % 5],
      managed: i % 4 ? null : `goauthentik.io/x/${i}`, user_path_template: 'goauthentik.io/sources/%(slug)s',
      icon: i % 5 ? null : `/media/ä-${i}.png`, extra_secret: 'must not appear',
    });
    const body = {
      pagination: { next: 2, previous: 0, count: 10, current: 1, total_pages: 2, start_index: 1, end_index: 5 },
      results: [0, 1, 2, 3, 4].map((i) => ({ pk: i, user: i + 1, source: source(i), created: '2024-01-01T00:00:03Z', identifier: 'hidden' })),
    };
    const a = compile(false)(body);
    expect(compile(true)(body)).toBe(a);
    expect(a).not.toContain('must not appear');
    expect(a).not.toContain('hidden');
  });
});
