/**
 * json.ts writes the same bytes as the route's response schemas would (fast-json-stringify through
 * serializer.ts), for awkward values, with frozen (cached text) and unfrozen views.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SourceView } from '../../../db/repositories/sources.js';
import type { ConnectionView } from '../../../domain/user-source-connections/service.js';
import { envelope, paginated, PaginationSchema } from '../../list/envelope.js';
import { buildSerializerFactory } from '../../plugins/serializer.js';
import { sourceSchemas } from '../sources/schemas.js';
import { connectionJson, pageJson } from './json.js';
import { UserSourceConnectionSchema } from './schemas.js';
import { serializeConnection } from './serialize.js';

const Paginated = paginated(UserSourceConnectionSchema);
const shared = Object.fromEntries([...sourceSchemas, PaginationSchema, UserSourceConnectionSchema, Paginated].map((s) => [s.$id!, s as any]));
const build = buildSerializerFactory(shared);
const viaSchemaPage = build({ schema: { $ref: Paginated.$id } as any });
const viaSchemaOne = build({ schema: { $ref: UserSourceConnectionSchema.$id } as any });

const NAMES = ['plain', 'quote " and \\ backslash', 'control \u0001\u001f\n\t', 'emoji 🚀 and é', 'lone \ud800 surrogate', '</script><!--', ''];

function view(i: number, frozen: boolean): SourceView {
  const v: SourceView = {
    pbm_uuid: randomUUID(), kind: i % 2 ? 'oauth' : null, name: NAMES[i % NAMES.length], slug: `s-${i}`, enabled: i % 3 !== 0,
    authentication_flow_id: i % 2 ? randomUUID() : null, enrollment_flow_id: i % 3 ? null : randomUUID(),
    user_property_mappings: Array.from({ length: i % 4 }, () => randomUUID()), group_property_mappings: i % 5 ? [] : [randomUUID()],
    policy_engine_mode: i % 2 ? 'any' : 'all', user_matching_mode: 'identifier', group_matching_mode: 'identifier',
    managed: i % 2 ? null : `goauthentik.io/${NAMES[i % NAMES.length]}`, user_path_template: 'goauthentik.io/sources/%(slug)s',
    icon: [null, 'https://cdn.example/icon.png', 'source-icons/x.svg', '/static/a.png', ''][i % 5], created: '2026-11-29T10:36:01.259201Z', revision: i,
  };
  return frozen ? Object.freeze(v) : v;
}

function rows(n: number, frozen: boolean): ConnectionView[] {
  const views = Array.from({ length: 7 }, (_, i) => view(i, frozen));
  return Array.from({ length: n }, (_, i) => ({
    row: { id: 1 + i * 7919, user_id: 2_000_000_000 - i, source_id: views[i % 7].pbm_uuid, identifier: null,
      created: i % 2 ? '2026-11-29T10:36:01Z' : '2026-11-29T10:36:01.000001Z' },
    source: views[i % 7],
  }));
}

describe('json.ts', () => {
  for (const frozen of [true, false]) {
    it(`a connection: same bytes as the schema serializer (${frozen ? 'frozen, text cached' : 'not frozen'})`, () => {
      for (const v of rows(14, frozen)) {
        expect(connectionJson(v)).toBe(viaSchemaOne(serializeConnection(v)));
        expect(connectionJson(v)).toBe(viaSchemaOne(serializeConnection(v))); // second time: from the cache
        expect(JSON.parse(connectionJson(v))).toEqual(JSON.parse(JSON.stringify(serializeConnection(v))));
      }
    });

    it(`pages: same bytes as the schema serializer (${frozen ? 'frozen' : 'not frozen'})`, () => {
      for (const [n, page, pageSize, count] of [[0, 1, 100, 0], [1, 1, 100, 1], [14, 2, 14, 100], [100, 1000, 100, 200_000]] as const) {
        const p = { rows: rows(n, frozen), page, pageSize, count };
        expect(pageJson(p)).toBe(viaSchemaPage(envelope(p, (v) => serializeConnection(v))));
      }
    });
  }
});
