/**
 * `/api/v3/sources/saml/` — spec §4.2, §7; permissions.md §5: `SAMLSource` schemas, the typed-source
 * CRUD routes and `GET {slug}/metadata/` (`SAMLMetadata`). Lookup by slug.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../domain/deps.js';
import {
  BINDING_TYPES, DIGEST_ALGORITHMS, NAME_ID_POLICIES, samlMetadataXml, samlSources, samlUrls, SIGNATURE_ALGORITHMS,
} from '../../../domain/sources/saml.js';
import { actorOf } from '../../route-helpers.js';
import { errorResponses, notFoundResponse } from '../../schemas/common.js';
import { GroupMatchingModeSchema } from './schemas.js';
import { requestOrigin, typedSourceRoutes, typedWire, type SlugReq, type TypedSourceRouteOptions } from './typed-source-routes.js';
import { groupMatchingModeField, nonBlank, nullableUuid, SlugParamsSchema, sourceRequestFields, typedSourceSchemas } from './typed-source-schemas.js';

const literals = (id: string, values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)), { $id: id });
export const NameIdPolicyEnumSchema = literals('NameIdPolicyEnum', NAME_ID_POLICIES);
export const BindingTypeEnumSchema = literals('BindingTypeEnum', BINDING_TYPES);
export const DigestAlgorithmEnumSchema = literals('DigestAlgorithmEnum', DIGEST_ALGORITHMS);
export const SignatureAlgorithmEnumSchema = literals('SignatureAlgorithmEnum', SIGNATURE_ALGORITHMS);

const nullableString = (description: string) => Type.Union([Type.String(), Type.Null()], { description });
const kp = (description: string) => nullableUuid(`${description} Key pairs do not exist in Fedlink: always null.`);

const saml = typedSourceSchemas({
  id: 'SAMLSource',
  description: 'SAMLSource Serializer',
  response: {
    group_matching_mode: Type.Ref(GroupMatchingModeSchema),
    pre_authentication_flow: Type.String({ format: 'uuid', description: 'Flow used before authentication.' }),
    issuer: Type.String({ description: 'Entity ID; the metadata URL when empty.' }),
    sso_url: Type.String({ description: 'URL the login request is sent to.' }),
    slo_url: nullableString('Single-logout URL of the IdP, if any.'),
    allow_idp_initiated: Type.Boolean(),
    name_id_policy: Type.Ref(NameIdPolicyEnumSchema),
    binding_type: Type.Ref(BindingTypeEnumSchema),
    verification_kp: kp('Certificate to verify incoming assertions with.'),
    signing_kp: kp('Key pair to sign outgoing requests with.'),
    digest_algorithm: Type.Ref(DigestAlgorithmEnumSchema),
    signature_algorithm: Type.Ref(SignatureAlgorithmEnumSchema),
    temporary_user_delete_after: Type.String({ description: "Lifetime of transient users, e.g. 'days=1;hours=2'." }),
    encryption_kp: kp('Key pair to decrypt assertions with.'),
  },
  request: {
    ...sourceRequestFields,
    ...groupMatchingModeField,
    pre_authentication_flow: Type.String({ format: 'uuid', description: 'Flow used before authentication.' }),
    issuer: Type.String({ description: 'Entity ID; the metadata URL when empty.' }),
    sso_url: nonBlank('URL the login request is sent to.'),
    slo_url: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { description: 'Single-logout URL of the IdP, if any.' }),
    allow_idp_initiated: Type.Boolean(),
    name_id_policy: Type.Ref(NameIdPolicyEnumSchema),
    binding_type: Type.Ref(BindingTypeEnumSchema),
    verification_kp: kp('Certificate to verify incoming assertions with.'),
    signing_kp: kp('Key pair to sign outgoing requests with.'),
    digest_algorithm: Type.Ref(DigestAlgorithmEnumSchema),
    signature_algorithm: Type.Ref(SignatureAlgorithmEnumSchema),
    temporary_user_delete_after: nonBlank("Lifetime of transient users, e.g. 'days=1;hours=2'."),
    encryption_kp: kp('Key pair to decrypt assertions with.'),
  },
  required: ['name', 'slug', 'pre_authentication_flow', 'sso_url'],
});

export const SAMLMetadataSchema = Type.Object({
  metadata: Type.String({ readOnly: true, description: 'Service-provider metadata XML.' }),
  download_url: Type.String({ readOnly: true, description: 'Where the metadata can be downloaded.' }),
}, { $id: 'SAMLMetadata', description: 'SAML Provider Metadata serializer' });

export const samlSourceSchemas = [
  NameIdPolicyEnumSchema, BindingTypeEnumSchema, DigestAlgorithmEnumSchema, SignatureAlgorithmEnumSchema, SAMLMetadataSchema, ...saml.all,
];

export function samlSourceRoutes(app: FastifyInstance, deps: Deps, opts: TypedSourceRouteOptions): void {
  typedSourceRoutes(app, deps, opts, {
    path: 'saml',
    service: samlSources,
    schemas: saml,
    serialize: (row) => typedWire(row, { verification_kp: null, signing_kp: null, encryption_kp: null }),
  });

  // Any authenticated caller; the source is looked up without the visibility filter (permissions.md §5.2).
  app.get('/sources/saml/:slug/metadata/', {
    schema: {
      operationId: 'sources_saml_metadata_retrieve', tags: ['sources'], description: 'Return metadata as XML string',
      params: SlugParamsSchema,
      response: { 200: Type.Ref(SAMLMetadataSchema), ...errorResponses, ...notFoundResponse },
    },
  }, async (req: SlugReq) => {
    actorOf(req);
    const row = await samlSources.findUnfiltered(deps, req.params.slug);
    const origin = requestOrigin(req);
    return { metadata: samlMetadataXml(row, origin), download_url: samlUrls(origin, row.slug).metadata };
  });
}
