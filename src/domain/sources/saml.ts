/**
 * The SAML source kind behind `/sources/saml/` (spec §4.2): declaration, field rules (URLs, the
 * `temporary_user_delete_after` duration) and the service-provider metadata document.
 * Codenames `authentik_sources_saml.<verb>_samlsource`. Key pairs do not exist in Fedlink: the `*_kp`
 * fields accept only null (docs/decisions.md S3).
 * Source: authentik/sources/saml/api/source.py (SAMLSourceSerializer, SAMLSourceViewSet),
 * authentik/sources/saml/models.py, authentik/lib/utils/time.py (timedelta_string_validator).
 */
import type { SourceView } from '../../db/repositories/sources.js';
import { samlSourceTable } from '../../db/repositories/source-tables.js';
import { ValidationFailed, type FieldErrors } from '../errors.js';
import type { ListParamsSpec } from '../list.js';
import { typedSourceService, type TypedSourceKind } from './typed-source.js';

export const NAME_ID_POLICIES = [
  'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:WindowsDomainQualifiedName',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
] as const;
export const BINDING_TYPES = ['REDIRECT', 'POST', 'POST_AUTO'] as const;
export const DIGEST_ALGORITHMS = [
  'http://www.w3.org/2000/09/xmldsig#sha1',
  'http://www.w3.org/2001/04/xmlenc#sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512',
] as const;
export const SIGNATURE_ALGORITHMS = [
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
  'http://www.w3.org/2000/09/xmldsig#dsa-sha1',
] as const;
export const USER_MATCHING_MODES = ['identifier', 'email_link', 'email_deny', 'username_link', 'username_deny'] as const;
export const GROUP_MATCHING_MODES = ['identifier', 'name_link', 'name_deny'] as const;

/** A SAML source as serializers read it. */
export interface SamlSourceRow extends SourceView {
  pre_authentication_flow: string;
  issuer: string;
  sso_url: string;
  slo_url: string | null;
  allow_idp_initiated: boolean;
  name_id_policy: string;
  binding_type: string;
  digest_algorithm: string;
  signature_algorithm: string;
  temporary_user_delete_after: string;
}

/** List parameters of `/sources/saml/` (client SourcesSamlListRequest). */
export const samlSourceListSpec: ListParamsSpec = {
  filters: {
    allow_idp_initiated: 'bool', authentication_flow: 'uuid', binding_type: { enum: BINDING_TYPES },
    digest_algorithm: { enum: DIGEST_ALGORITHMS }, enabled: 'bool', enrollment_flow: 'uuid', issuer: 'text', managed: 'text',
    name: 'text', name_id_policy: { enum: NAME_ID_POLICIES }, policy_engine_mode: { enum: ['all', 'any'] },
    pre_authentication_flow: 'uuid', signature_algorithm: { enum: SIGNATURE_ALGORITHMS }, signing_kp: 'uuid',
    slo_url: 'text', slug: 'text', sso_url: 'text', temporary_user_delete_after: 'text',
    user_matching_mode: { enum: USER_MATCHING_MODES }, verification_kp: 'uuid',
  },
  orderingFields: [
    'pk', 'name', 'slug', 'enabled', 'authentication_flow', 'enrollment_flow', 'policy_engine_mode', 'user_matching_mode',
    'managed', 'user_path_template', 'group_matching_mode', 'pre_authentication_flow', 'issuer', 'sso_url', 'slo_url',
    'allow_idp_initiated', 'name_id_policy', 'binding_type', 'digest_algorithm', 'signature_algorithm', 'temporary_user_delete_after',
  ],
  defaultOrdering: ['name'],
  searchable: true,
};

const DURATION_KEYS = ['milliseconds', 'seconds', 'minutes', 'hours', 'days', 'weeks'];
/** Largest timedelta Python accepts, in days. */
const MAX_DAYS = 999999999;
const SECONDS_PER_KEY: Record<string, number> = { milliseconds: 0.001, seconds: 1, minutes: 60, hours: 3600, days: 86400, weeks: 604800 };

/**
 * Whether `expr` parses as authentik's `key=value;…` duration (keys milliseconds … weeks, any case,
 * unknown keys skipped, at least one known key, values decimal numbers) within Python's timedelta range.
 */
export function isDuration(expr: string): boolean {
  let seconds = 0;
  let known = 0;
  for (const pair of expr.split(';')) {
    const parts = pair.split('=');
    if (parts.length !== 2) return false;
    const key = parts[0].toLowerCase();
    if (!DURATION_KEYS.includes(key)) continue;
    const v = parts[1].trim();
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) return false;
    const n = Number(v);
    if (!Number.isFinite(n)) return false;
    seconds += n * SECONDS_PER_KEY[key];
    known += 1;
  }
  return known > 0 && Math.abs(seconds) < MAX_DAYS * 86400;
}

/** Django's URLValidator for http(s) URLs, loosely: scheme, a host, no whitespace. */
export function isHttpUrl(v: string): boolean {
  if (/\s/.test(v)) return false;
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** The SAML kind: typed fields, required fields, references (flow, key pairs), URL and duration rules. */
export const samlSourceKind: TypedSourceKind<SamlSourceRow> = {
  app: 'authentik_sources_saml',
  model: 'samlsource',
  table: samlSourceTable,
  listSpec: samlSourceListSpec,
  fields: {
    pre_authentication_flow: { column: 'pre_authentication_flow_id', uuid: true }, issuer: {}, sso_url: {}, slo_url: {},
    allow_idp_initiated: {}, name_id_policy: {}, binding_type: {}, digest_algorithm: {}, signature_algorithm: {},
    temporary_user_delete_after: {},
  },
  required: ['name', 'slug', 'pre_authentication_flow', 'sso_url'],
  references: { pre_authentication_flow: 'flow', verification_kp: 'keypair', signing_kp: 'keypair', encryption_kp: 'keypair' },
  listReferences: { pre_authentication_flow: 'flow', signing_kp: 'keypair', verification_kp: 'keypair' },
  validate({ input }) {
    const errors: FieldErrors = {};
    for (const f of ['sso_url', 'slo_url'] as const) {
      const v = input[f];
      if (typeof v === 'string' && !isHttpUrl(v)) errors[f] = ['Enter a valid URL.'];
    }
    const d = input.temporary_user_delete_after;
    if (typeof d === 'string' && !isDuration(d)) {
      errors.temporary_user_delete_after = [`${d} is not in the correct format of 'hours=3;minutes=1'.`];
    }
    if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
    return input;
  },
};

/** The use cases of `/sources/saml/`. */
export const samlSources = typedSourceService(samlSourceKind);

function xmlAttr(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Absolute URLs of a SAML source's endpoints on this server (authentik's `authentik_sources_saml:*` routes). */
export function samlUrls(origin: string, slug: string) {
  const base = `${origin}/source/saml/${encodeURIComponent(slug)}`;
  return { metadata: `${base}/metadata/`, acs: `${base}/acs/`, slo: `${base}/slo/` };
}

/**
 * The service-provider metadata of a SAML source: entityID = `issuer`, or the metadata URL when empty;
 * AssertionConsumerService = `/source/saml/<slug>/acs/` with the source's binding (HTTP-Redirect for
 * REDIRECT, HTTP-POST otherwise); NameIDFormat = `name_id_policy`. No KeyDescriptor: no key pairs
 * (docs/decisions.md S3), so requests are unsigned.
 * Source: authentik/sources/saml/processors/metadata.py (MetadataProcessor).
 */
export function samlMetadataXml(row: SamlSourceRow, origin: string): string {
  const urls = samlUrls(origin, row.slug);
  const binding = row.binding_type === 'REDIRECT'
    ? 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect'
    : 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
  const entityId = row.issuer !== '' ? row.issuer : urls.metadata;
  return [
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${xmlAttr(entityId)}">`,
    '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" AuthnRequestsSigned="false" WantAssertionsSigned="false">',
    `<md:NameIDFormat>${xmlAttr(row.name_id_policy)}</md:NameIDFormat>`,
    `<md:AssertionConsumerService Binding="${binding}" Location="${xmlAttr(urls.acs)}" index="0" isDefault="true"/>`,
    '</md:SPSSODescriptor>',
    '</md:EntityDescriptor>',
  ].join('');
}
