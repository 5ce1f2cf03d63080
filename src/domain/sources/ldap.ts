/**
 * The LDAP source kind behind `/sources/ldap/` (spec §4.4) and its GET actions `sync/status/` and
 * `debug/`. Codenames `authentik_sources_ldap.<verb>_ldapsource`. `bind_password` is write-only and
 * sealed (decisions F9); certificates accept only null (docs/decisions.md S2).
 * Source: authentik/sources/ldap/api.py (LDAPSourceSerializer, LDAPSourceViewSet), authentik/sources/ldap/models.py.
 */
import type { SourceView } from '../../db/repositories/sources.js';
import { LDAP_PASSWORD_SYNC_MESSAGE, ldapSourceTable } from '../../db/repositories/source-tables.js';
import { typedValueTaken } from '../../db/repositories/typed-sources.js';
import { ValidationFailed } from '../errors.js';
import type { ListParamsSpec } from '../list.js';
import { typedSourceService, type TypedSourceKind } from './typed-source.js';

/** An LDAP source as serializers read it (no bind password). */
export interface LdapSourceRow extends SourceView {
  server_uri: string;
  bind_cn: string;
  start_tls: boolean;
  sni: boolean;
  base_dn: string;
  additional_user_dn: string;
  additional_group_dn: string;
  user_object_filter: string;
  group_object_filter: string;
  group_membership_field: string;
  object_uniqueness_field: string;
  password_login_update_internal_password: boolean;
  sync_users: boolean;
  sync_users_password: boolean;
  sync_groups: boolean;
  sync_parent_group: string | null;
}

const TEXT = ['additional_group_dn', 'additional_user_dn', 'base_dn', 'bind_cn', 'group_membership_field', 'group_object_filter',
  'name', 'object_uniqueness_field', 'server_uri', 'slug', 'user_object_filter'] as const;
const BOOL = ['enabled', 'password_login_update_internal_password', 'sni', 'start_tls', 'sync_groups', 'sync_users', 'sync_users_password'] as const;

/**
 * List parameters of `/sources/ldap/` (client SourcesLdapListRequest). The multi-valued
 * `user_property_mappings` / `group_property_mappings` filters are parsed by the route.
 */
export const ldapSourceListSpec: ListParamsSpec = {
  filters: {
    ...Object.fromEntries(TEXT.map((f) => [f, 'text' as const])),
    ...Object.fromEntries(BOOL.map((f) => [f, 'bool' as const])),
    client_certificate: 'uuid', peer_certificate: 'uuid', sync_parent_group: 'uuid',
  },
  orderingFields: [
    'pk', 'name', 'slug', 'enabled', 'authentication_flow', 'enrollment_flow', 'policy_engine_mode', 'user_matching_mode',
    'managed', 'user_path_template', 'server_uri', 'bind_cn', 'start_tls', 'sni', 'base_dn', 'additional_user_dn',
    'additional_group_dn', 'user_object_filter', 'group_object_filter', 'group_membership_field', 'object_uniqueness_field',
    'password_login_update_internal_password', 'sync_users', 'sync_users_password', 'sync_groups', 'sync_parent_group',
  ],
  defaultOrdering: ['name'],
  searchable: true,
};

/**
 * authentik's MultiURLValidator(schemes=["ldap", "ldaps"]): a comma-separated list of ldap(s) URLs,
 * each with a host (no TLD needed) and no whitespace.
 */
export function isLdapUriList(v: string): boolean {
  return v.split(',').every((part) => {
    if (part === '' || /\s/.test(part)) return false;
    try {
      const u = new URL(part);
      return (u.protocol === 'ldap:' || u.protocol === 'ldaps:') && u.hostname !== '';
    } catch {
      return false;
    }
  });
}

/** The LDAP kind: typed fields, sealed bind password, references (group, certificates), 2024.8 object rules. */
export const ldapSourceKind: TypedSourceKind<LdapSourceRow> = {
  app: 'authentik_sources_ldap',
  model: 'ldapsource',
  table: ldapSourceTable,
  listSpec: ldapSourceListSpec,
  fields: {
    server_uri: {}, bind_cn: {}, bind_password: { column: 'bind_password_encrypted', secret: true }, start_tls: {}, sni: {},
    base_dn: {}, additional_user_dn: {}, additional_group_dn: {}, user_object_filter: {}, group_object_filter: {},
    group_membership_field: {}, object_uniqueness_field: {}, password_login_update_internal_password: {}, sync_users: {},
    sync_users_password: {}, sync_groups: {}, sync_parent_group: { column: 'sync_parent_group_id', uuid: true },
  },
  required: ['name', 'slug', 'server_uri', 'base_dn'],
  references: { sync_parent_group: 'group', peer_certificate: 'keypair', client_certificate: 'keypair' },
  listReferences: { sync_parent_group: 'group', peer_certificate: 'keypair', client_certificate: 'keypair' },
  /**
   * Field rule (server URIs), then authentik 2024.8's object-level rules: at most one LDAP source with
   * password sync, where an omitted `sync_users_password` counts as true (spec §4.4 version note; the
   * edited source is excluded); then `sync_users` / `sync_groups` sent as true need a non-empty mapping
   * list in the same request.
   */
  async validate({ deps, input, stored }) {
    if (typeof input.server_uri === 'string' && !isLdapUriList(input.server_uri)) {
      throw ValidationFailed.field('server_uri', 'Enter a valid URL.');
    }
    if ((input.sync_users_password ?? true) === true
      && (await typedValueTaken(deps.db, ldapSourceTable, 'sync_users_password', true, stored?.pbm_uuid))) {
      throw ValidationFailed.field('sync_users_password', LDAP_PASSWORD_SYNC_MESSAGE);
    }
    for (const type of ['user', 'group'] as const) {
      const mappings = (input[`${type}_property_mappings`] as string[] | undefined) ?? [];
      if (input[`sync_${type}s`] === true && mappings.length === 0) {
        throw ValidationFailed.field(`${type}_property_mappings`, `When 'Sync ${type}s' is enabled, '${type}s property mappings' cannot be empty.`);
      }
    }
    return input;
  },
};

/** The use cases of `/sources/ldap/`. */
export const ldapSources = typedSourceService(ldapSourceKind);

/** `SyncStatus` of a directory sync. */
export interface SyncStatus {
  is_running: boolean;
  tasks: unknown[];
}

/**
 * `GET /sources/<ldap|kerberos>/{slug}/sync/status/`: Fedlink runs no sync tasks and stores no task
 * results, so nothing is running and there are no tasks (docs/decisions.md S7).
 */
export function syncStatus(): SyncStatus {
  return { is_running: false, tasks: [] };
}

/**
 * `GET /sources/ldap/{slug}/debug/`: authentik samples the directory here; Fedlink never contacts the
 * directory from the API, so the samples are empty (docs/decisions.md S7). Keys as authentik's server
 * sends them (`users`, `groups`, `membership`), not as its schema declares them.
 */
export function ldapDebug(): { users: unknown[]; groups: unknown[]; membership: unknown[] } {
  return { users: [], groups: [], membership: [] };
}
