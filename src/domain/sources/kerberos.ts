/**
 * The Kerberos source kind behind `/sources/kerberos/` (spec §4.5). Codenames
 * `authentik_sources_kerberos.<verb>_kerberossource`. `sync_password`, `sync_keytab` and `spnego_keytab`
 * are write-only and sealed (decisions F9); realms are unique (authentik's `unique=True`).
 * Source: authentik/sources/kerberos/api/source.py (KerberosSourceSerializer, KerberosSourceViewSet),
 * authentik/sources/kerberos/models.py.
 */
import type { SourceView } from '../../db/repositories/sources.js';
import { KERBEROS_REALM_TAKEN, kerberosSourceTable } from '../../db/repositories/source-tables.js';
import { typedValueTaken } from '../../db/repositories/typed-sources.js';
import { ValidationFailed } from '../errors.js';
import type { ListParamsSpec } from '../list.js';
import { typedSourceService, type TypedSourceKind } from './typed-source.js';

/** A Kerberos source as serializers read it (no passwords or keytabs). */
export interface KerberosSourceRow extends SourceView {
  realm: string;
  krb5_conf: string;
  sync_users: boolean;
  sync_users_password: boolean;
  sync_principal: string;
  sync_ccache: string;
  spnego_server_name: string;
  spnego_ccache: string;
  password_login_update_internal_password: boolean;
}

/** List parameters of `/sources/kerberos/` (client SourcesKerberosListRequest). */
export const kerberosSourceListSpec: ListParamsSpec = {
  filters: {
    enabled: 'bool', name: 'text', password_login_update_internal_password: 'bool', realm: 'text', slug: 'text',
    spnego_server_name: 'text', sync_principal: 'text', sync_users: 'bool', sync_users_password: 'bool',
  },
  orderingFields: [
    'pk', 'name', 'slug', 'enabled', 'authentication_flow', 'enrollment_flow', 'policy_engine_mode', 'user_matching_mode',
    'managed', 'user_path_template', 'group_matching_mode', 'realm', 'krb5_conf', 'sync_users', 'sync_users_password',
    'sync_principal', 'sync_ccache', 'spnego_server_name', 'spnego_ccache', 'password_login_update_internal_password',
  ],
  defaultOrdering: ['name'],
  searchable: true,
};

/** The Kerberos kind: typed fields, sealed passwords and keytabs, unique realm. */
export const kerberosSourceKind: TypedSourceKind<KerberosSourceRow> = {
  app: 'authentik_sources_kerberos',
  model: 'kerberossource',
  table: kerberosSourceTable,
  listSpec: kerberosSourceListSpec,
  fields: {
    realm: {}, krb5_conf: {}, sync_users: {}, sync_users_password: {}, sync_principal: {},
    sync_password: { column: 'sync_password_encrypted', secret: true }, sync_keytab: { column: 'sync_keytab_encrypted', secret: true },
    sync_ccache: {}, spnego_server_name: {}, spnego_keytab: { column: 'spnego_keytab_encrypted', secret: true }, spnego_ccache: {},
    password_login_update_internal_password: {},
  },
  required: ['name', 'slug', 'realm'],
  async validate({ deps, input, stored }) {
    if (typeof input.realm === 'string' && (await typedValueTaken(deps.db, kerberosSourceTable, 'realm', input.realm, stored?.pbm_uuid))) {
      throw ValidationFailed.field('realm', KERBEROS_REALM_TAKEN);
    }
    return input;
  },
};

/** The use cases of `/sources/kerberos/`. */
export const kerberosSources = typedSourceService(kerberosSourceKind);
