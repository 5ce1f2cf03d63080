/**
 * How the SAML, Plex, LDAP, Kerberos and SCIM sources are stored: one `TypedTable` declaration per kind
 * (typed table, selected columns under their wire names, list filter/ordering columns) for
 * db/repositories/typed-sources.ts. Sealed secrets are never selected, except the Plex token, which the
 * API returns on the source (spec §4.3, docs/decisions.md S5).
 */
import type { ConstraintMessages } from '../errors.js';
import type { TypedTable } from './typed-sources.js';

const same = (cols: readonly string[]) => Object.fromEntries(cols.map((c) => [c, c]));
const typedCols = (cols: readonly string[]) => Object.fromEntries(cols.map((c) => [c, `t.${c}`]));

/** Filters and ordering on the shared Source columns (`s` = source). */
const sourceFilters = {
  name: 's.name', slug: 's.slug', enabled: 's.enabled', managed: 's.managed',
  authentication_flow: 's.authentication_flow_id', enrollment_flow: 's.enrollment_flow_id',
  policy_engine_mode: 's.policy_engine_mode', user_matching_mode: 's.user_matching_mode', group_matching_mode: 's.group_matching_mode',
};
const sourceOrdering = {
  pk: 's.pbm_uuid', name: 's.name', slug: 's.slug', enabled: 's.enabled',
  authentication_flow: 's.authentication_flow_id', enrollment_flow: 's.enrollment_flow_id',
  policy_engine_mode: 's.policy_engine_mode', user_matching_mode: 's.user_matching_mode',
  managed: 's.managed', user_path_template: 's.user_path_template', group_matching_mode: 's.group_matching_mode',
};

const SAML = ['issuer', 'sso_url', 'slo_url', 'allow_idp_initiated', 'name_id_policy', 'binding_type', 'digest_algorithm',
  'signature_algorithm', 'temporary_user_delete_after'] as const;
export const samlSourceTable: TypedTable = {
  kind: 'saml',
  table: 'saml_source',
  select: { pre_authentication_flow: 'pre_authentication_flow_id', ...same(SAML) },
  list: {
    filters: { ...sourceFilters, pre_authentication_flow: 't.pre_authentication_flow_id', ...typedCols(SAML) },
    ordering: { ...sourceOrdering, pre_authentication_flow: 't.pre_authentication_flow_id', ...typedCols(SAML) },
  },
  constraintMessages: {
    saml_source_pre_authentication_flow_id_fkey: { pre_authentication_flow: ['Invalid pk - object does not exist.'] },
  },
};

const PLEX = ['client_id', 'allowed_servers', 'allow_friends'] as const;
export const plexSourceTable: TypedTable = {
  kind: 'plex',
  table: 'plex_source',
  select: { ...same(PLEX), plex_token_encrypted: 'plex_token_encrypted' },
  list: {
    filters: { ...sourceFilters, client_id: 't.client_id', allow_friends: 't.allow_friends' },
    ordering: { ...sourceOrdering, client_id: 't.client_id', allow_friends: 't.allow_friends' },
  },
};

const LDAP = ['server_uri', 'bind_cn', 'start_tls', 'sni', 'base_dn', 'additional_user_dn', 'additional_group_dn',
  'user_object_filter', 'group_object_filter', 'group_membership_field', 'object_uniqueness_field',
  'password_login_update_internal_password', 'sync_users', 'sync_users_password', 'sync_groups'] as const;
/** The partial unique index that allows one LDAP source with password sync (closes the race of the pre-check). */
export const LDAP_PASSWORD_SYNC_MESSAGE = 'Only a single LDAP Source with password synchronization is allowed';
export const ldapSourceTable: TypedTable = {
  kind: 'ldap',
  table: 'ldap_source',
  select: { ...same(LDAP), sync_parent_group: 'sync_parent_group_id' },
  list: {
    filters: { ...sourceFilters, ...typedCols(LDAP), sync_parent_group: 't.sync_parent_group_id' },
    ordering: { ...sourceOrdering, ...typedCols(LDAP), sync_parent_group: 't.sync_parent_group_id' },
  },
  constraintMessages: {
    ldap_source_password_sync_key: { sync_users_password: [LDAP_PASSWORD_SYNC_MESSAGE] },
    ldap_source_sync_parent_group_id_fkey: { sync_parent_group: ['Invalid pk - object does not exist.'] },
  } satisfies ConstraintMessages,
};

const KERBEROS = ['realm', 'krb5_conf', 'sync_users', 'sync_users_password', 'sync_principal', 'sync_ccache',
  'spnego_server_name', 'spnego_ccache', 'password_login_update_internal_password'] as const;
export const KERBEROS_REALM_TAKEN = 'Kerberos Source with this realm already exists.';
export const kerberosSourceTable: TypedTable = {
  kind: 'kerberos',
  table: 'kerberos_source',
  select: same(KERBEROS),
  list: {
    filters: { ...sourceFilters, ...typedCols(KERBEROS) },
    ordering: { ...sourceOrdering, ...typedCols(KERBEROS) },
  },
  constraintMessages: { kerberos_source_realm_key: { realm: [KERBEROS_REALM_TAKEN] } },
};

export const scimSourceTable: TypedTable = {
  kind: 'scim',
  table: 'scim_source',
  select: { token_id: 'token_id' },
  list: {
    filters: { name: 's.name', slug: 's.slug' },
    ordering: { pk: 's.pbm_uuid', name: 's.name', slug: 's.slug', enabled: 's.enabled', managed: 's.managed', user_path_template: 's.user_path_template' },
  },
};
