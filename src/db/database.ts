/**
 * Kysely's view of Fedlink's PostgreSQL schema: one row interface per table.
 *
 * Timestamps (`timestamptz`) are read as ISO-8601 strings in UTC with a `Z` suffix and microseconds
 * when non-zero (see `pgTypes` in db/connect.ts), not as `Date`: authentik sends microseconds on
 * the wire and a JavaScript `Date` would drop them. Counts (`int8`) are read as numbers.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** An ISO-8601 UTC timestamp string as read from PostgreSQL; writes accept a string or `Date`. */
export type Timestamp = ColumnType<string, string | Date | undefined, string | Date>;
export type NullableTimestamp = ColumnType<string | null, string | Date | null | undefined, string | Date | null>;
type Json = ColumnType<unknown, string | undefined, string>;

export interface GroupTable {
  group_uuid: string;
  num_pk: Generated<number>;
  name: string;
  is_superuser: Generated<boolean>;
  parent_uuid: string | null;
  attributes: Json;
}

export interface UserTable {
  id: Generated<number>;
  uuid: string;
  username: string;
  name: Generated<string>;
  email: Generated<string>;
  is_active: Generated<boolean>;
  path: Generated<string>;
  type: Generated<'internal' | 'external' | 'service_account' | 'internal_service_account'>;
  attributes: Json;
  /** Password hash (see domain/passwords.ts); NULL means no usable password. */
  password: string | null;
  password_change_date: Timestamp;
  last_login: NullableTimestamp;
  date_joined: Timestamp;
}

export interface UserGroupTable {
  user_id: number;
  group_uuid: string;
}

export interface TokenTable {
  token_uuid: string;
  identifier: string;
  /** HMAC-SHA256 of the key under the server secret, hex: the lookup index (decisions F9). */
  key_hash: string;
  /** The key, AES-256-GCM encrypted under the server secret, so view_key can still answer. */
  key_encrypted: string;
  intent: 'verification' | 'api' | 'recovery' | 'app_password';
  user_id: number;
  description: Generated<string>;
  expires: NullableTimestamp;
  expiring: Generated<boolean>;
  managed: string | null;
}

export interface FlowTable {
  flow_uuid: string;
  slug: string;
  name: string;
  title: Generated<string>;
  designation: string;
  policy_engine_mode: Generated<'all' | 'any'>;
  compatibility_mode: Generated<boolean>;
  layout: Generated<string>;
  denied_action: Generated<string>;
  authentication: Generated<string>;
  /** Stored background file name or URL; NULL means the default image. */
  background: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface PropertyMappingTable {
  pm_uuid: string;
  name: string;
  expression: Generated<string>;
  managed: string | null;
  /** Typed subclass: 'oauth', 'saml', 'plex', 'ldap', 'kerberos', 'scim', or NULL for a plain mapping. */
  kind: string | null;
}

export type SourceKind = 'oauth' | 'saml' | 'plex' | 'ldap' | 'kerberos' | 'scim';

export interface SourceTable {
  pbm_uuid: string;
  kind: SourceKind | null;
  name: string;
  slug: string;
  enabled: Generated<boolean>;
  policy_engine_mode: Generated<'all' | 'any'>;
  user_path_template: Generated<string>;
  icon: string | null;
  authentication_flow_id: string | null;
  enrollment_flow_id: string | null;
  user_matching_mode: Generated<string>;
  group_matching_mode: Generated<string>;
  managed: string | null;
  created: Timestamp;
  /** Bumped by triggers on every change a source view can show (migration 1070_add_source_revision). */
  revision: Generated<number>;
}

export interface SourcePropertyMappingTable {
  id: Generated<number>;
  source_id: string;
  property_mapping_id: string;
}

export interface OAuthSourceTable {
  source_id: string;
  provider_type: string;
  request_token_url: string | null;
  authorization_url: string | null;
  access_token_url: string | null;
  profile_url: string | null;
  consumer_key: string;
  consumer_secret_encrypted: string;
  additional_scopes: Generated<string>;
  oidc_well_known_url: Generated<string>;
  oidc_jwks_url: Generated<string>;
  oidc_jwks: Json;
}

/** `saml_source` (spec §4.2); the `*_kp` key-pair fields have no column (decisions S3). */
export interface SamlSourceTable {
  source_id: string;
  pre_authentication_flow_id: string;
  issuer: Generated<string>;
  sso_url: string;
  slo_url: string | null;
  allow_idp_initiated: Generated<boolean>;
  name_id_policy: Generated<string>;
  binding_type: Generated<string>;
  digest_algorithm: Generated<string>;
  signature_algorithm: Generated<string>;
  temporary_user_delete_after: Generated<string>;
}

/** `plex_source` (spec §4.3); the token is sealed (decisions F9). */
export interface PlexSourceTable {
  source_id: string;
  client_id: string;
  allowed_servers: Generated<string[]>;
  allow_friends: Generated<boolean>;
  plex_token_encrypted: string;
}

/** `ldap_source` (spec §4.4); NULL `bind_password_encrypted` means no password was ever set. */
export interface LdapSourceTable {
  source_id: string;
  server_uri: string;
  bind_cn: Generated<string>;
  bind_password_encrypted: string | null;
  start_tls: Generated<boolean>;
  sni: Generated<boolean>;
  base_dn: string;
  additional_user_dn: Generated<string>;
  additional_group_dn: Generated<string>;
  user_object_filter: Generated<string>;
  group_object_filter: Generated<string>;
  group_membership_field: Generated<string>;
  object_uniqueness_field: Generated<string>;
  password_login_update_internal_password: Generated<boolean>;
  sync_users: Generated<boolean>;
  sync_users_password: Generated<boolean>;
  sync_groups: Generated<boolean>;
  sync_parent_group_id: string | null;
}

/** `kerberos_source` (spec §4.5); passwords and keytabs are sealed, NULL when never set. */
export interface KerberosSourceTable {
  source_id: string;
  realm: string;
  krb5_conf: Generated<string>;
  sync_users: Generated<boolean>;
  sync_users_password: Generated<boolean>;
  sync_principal: Generated<string>;
  sync_password_encrypted: string | null;
  sync_keytab_encrypted: string | null;
  sync_ccache: Generated<string>;
  spnego_server_name: Generated<string>;
  spnego_keytab_encrypted: string | null;
  spnego_ccache: Generated<string>;
  password_login_update_internal_password: Generated<boolean>;
}

/** `scim_source` (spec §4.6): the API token of its service account (NULL once that token is deleted). */
export interface ScimSourceTable {
  source_id: string;
  token_id: string | null;
}

/** `scim_source_user` / `scim_source_group` (spec §8.2): objects a SCIM source provisioned, by SCIM id. */
export interface ScimSourceUserTable {
  id: string;
  user_id: number;
  source_id: string;
  attributes: Json;
}
export interface ScimSourceGroupTable {
  id: string;
  group_uuid: string;
  source_id: string;
  attributes: Json;
}

export interface UserSourceConnectionTable {
  id: Generated<number>;
  user_id: number;
  source_id: string;
  /** The user's id at the source; NULL only for a base row with no typed child. */
  identifier: string | null;
  created: Timestamp;
  last_updated: Timestamp;
}

export interface UserOAuthSourceConnectionTable {
  id: number;
  access_token_encrypted: string | null;
}
export interface UserSamlSourceConnectionTable { id: number }
export interface UserPlexSourceConnectionTable { id: number; plex_token_encrypted: string }
export interface UserKerberosSourceConnectionTable { id: number }

export interface GroupSourceConnectionTable {
  id: Generated<number>;
  group_id: string;
  source_id: string;
  /** The group's id at the source; unique per source (like decisions F2). */
  identifier: string;
  created: Timestamp;
  last_updated: Timestamp;
}

/** Typed group connection tables: the base row's id, no extra columns (spec §1.3). */
export interface GroupTypedSourceConnectionTable { id: number }

export interface RoleTable { role_uuid: string; name: string }
export interface GroupRoleTable { group_uuid: string; role_uuid: string }
export interface PermissionGrantTable {
  id: Generated<number>;
  user_id: number | null;
  role_uuid: string | null;
  /** authentik codename, `<app_label>.<verb>_<model>`. */
  codename: string;
  /** NULL: global grant; otherwise the pk (as text) of the one object it applies to. */
  object_pk: string | null;
}

export interface EventTable {
  event_uuid: string;
  action: string;
  app: string;
  user: Json;
  context: Json;
  client_ip: string | null;
  created: Timestamp;
  expires: Timestamp;
  brand: Json;
}

/** A browser session (migration 2026-11-29T1030_create_session). The key itself is never stored. */
export interface SessionTable {
  uuid: string;
  /** HMAC-SHA256 (hex) of the cookie's session key under the server secret. */
  session_key_hash: string;
  user_id: number;
  created: Timestamp;
  expires: Timestamp;
  last_ip: string | null;
  last_user_agent: Generated<string>;
}

export interface Database {
  group: GroupTable;
  user: UserTable;
  user_group: UserGroupTable;
  token: TokenTable;
  flow: FlowTable;
  property_mapping: PropertyMappingTable;
  source: SourceTable;
  source_user_property_mapping: SourcePropertyMappingTable;
  source_group_property_mapping: SourcePropertyMappingTable;
  oauth_source: OAuthSourceTable;
  saml_source: SamlSourceTable;
  plex_source: PlexSourceTable;
  ldap_source: LdapSourceTable;
  kerberos_source: KerberosSourceTable;
  scim_source: ScimSourceTable;
  scim_source_user: ScimSourceUserTable;
  scim_source_group: ScimSourceGroupTable;
  user_source_connection: UserSourceConnectionTable;
  user_oauth_source_connection: UserOAuthSourceConnectionTable;
  user_saml_source_connection: UserSamlSourceConnectionTable;
  user_plex_source_connection: UserPlexSourceConnectionTable;
  user_kerberos_source_connection: UserKerberosSourceConnectionTable;
  group_source_connection: GroupSourceConnectionTable;
  group_oauth_source_connection: GroupTypedSourceConnectionTable;
  group_saml_source_connection: GroupTypedSourceConnectionTable;
  group_plex_source_connection: GroupTypedSourceConnectionTable;
  group_kerberos_source_connection: GroupTypedSourceConnectionTable;
  role: RoleTable;
  group_role: GroupRoleTable;
  permission_grant: PermissionGrantTable;
  event: EventTable;
  session: SessionTable;
}

export type UserRow = Selectable<UserTable>;
export type NewUser = Insertable<UserTable>;
export type UserUpdate = Updateable<UserTable>;
export type SourceRow = Selectable<SourceTable>;
export type TokenRow = Selectable<TokenTable>;
export type ConnectionRow = Selectable<UserSourceConnectionTable>;
