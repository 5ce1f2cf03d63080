/**
 * Building blocks of the typed source wire objects (spec §3.1, §4): the shared request fields with their
 * validation, and `typedSourceSchemas()`, which assembles `<Kind>Source` (response, the client's key
 * order), `<Kind>SourceRequest` (POST/PUT) and `Patched<Kind>SourceRequest` (PATCH) from a kind's fields.
 * Write-only fields exist only in the request schemas: the response schema is a whitelist.
 */
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import { paginated } from '../../list/envelope.js';
import { GroupMatchingModeSchema, PolicyEngineModeSchema, SourceSchema, UserMatchingModeSchema } from './schemas.js';

/** A uuid list (mapping pks). */
export const uuidList = () => Type.Array(Type.String({ format: 'uuid' }));
/** A nullable uuid reference. */
export const nullableUuid = (description: string) => Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description });
/** A string that may not be blank after trimming. */
export const nonBlank = (description?: string) => Type.String({ minLength: 1, ...(description ? { description } : {}) });

/** Request fields of the shared Source part (values are trimmed before validation: http/body-normalize.ts). */
export const sourceRequestFields = {
  name: Type.String({ minLength: 1, description: 'Source display name.' }),
  slug: Type.String({ minLength: 1, maxLength: 50, pattern: '^[-a-zA-Z0-9_]+$', description: 'Internal source name, used in URLs.' }),
  enabled: Type.Boolean(),
  authentication_flow: nullableUuid('Flow to use when authenticating existing users.'),
  enrollment_flow: nullableUuid('Flow to use when enrolling new users.'),
  user_property_mappings: uuidList(),
  group_property_mappings: uuidList(),
  policy_engine_mode: Type.Ref(PolicyEngineModeSchema),
  user_matching_mode: Type.Ref(UserMatchingModeSchema),
  user_path_template: Type.String({ minLength: 1 }),
};

/** The group matching mode field of the kinds that have it (OAuth, SAML, Plex, Kerberos). */
export const groupMatchingModeField = { group_matching_mode: Type.Ref(GroupMatchingModeSchema) };

function withRequired(props: Record<string, TSchema>, required: readonly string[]) {
  const out: Record<string, TSchema> = {};
  for (const [k, v] of Object.entries(props)) out[k] = required.includes(k) ? v : Type.Optional(v);
  return out;
}

/**
 * The three schemas of a kind plus its paginated list. `response` lists the typed response fields after
 * the Source fields (or replaces them when `baseResponse` is given, as SCIM's reduced shape does);
 * `request` the whole request object in the client's order; `required` its required keys.
 */
export function typedSourceSchemas(o: {
  id: string;
  description: string;
  response: Record<string, TSchema>;
  request: Record<string, TSchema>;
  required: readonly string[];
  baseResponse?: Record<string, TSchema>;
}): { response: TObject; request: TObject; patched: TObject; paginated: TObject; all: TSchema[] } {
  const response = Type.Object({ ...(o.baseResponse ?? SourceSchema.properties), ...o.response }, { $id: o.id, description: o.description });
  const request = Type.Object(withRequired(o.request, o.required), { $id: `${o.id}Request`, description: o.description, additionalProperties: true });
  const patched = Type.Object(withRequired(o.request, []), { $id: `Patched${o.id}Request`, description: o.description, additionalProperties: true });
  const page = paginated(response);
  return { response, request, patched, paginated: page, all: [response, request, patched, page] };
}

export const SlugParamsSchema = Type.Object({ slug: Type.String({ description: 'Internal source name, used in URLs.' }) });
