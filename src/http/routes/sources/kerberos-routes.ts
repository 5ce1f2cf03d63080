/**
 * `/api/v3/sources/kerberos/` — spec §4.5, §7; permissions.md §5: `KerberosSource` schemas, the
 * typed-source CRUD routes and `{slug}/sync/status/` (`KerberosSyncStatus`).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../domain/deps.js';
import { kerberosSources } from '../../../domain/sources/kerberos.js';
import { syncStatus } from '../../../domain/sources/ldap.js';
import { actorOf } from '../../route-helpers.js';
import { errorResponses, notFoundResponse } from '../../schemas/common.js';
import { GroupMatchingModeSchema } from './schemas.js';
import { typedSourceRoutes, typedWire, type SlugReq, type TypedSourceRouteOptions } from './typed-source-routes.js';
import { groupMatchingModeField, nonBlank, SlugParamsSchema, sourceRequestFields, typedSourceSchemas } from './typed-source-schemas.js';

const secret = (description: string) => Type.String({ writeOnly: true, description: `${description}; write-only, stored encrypted.` });

const kerberos = typedSourceSchemas({
  id: 'KerberosSource',
  description: 'Kerberos Source Serializer',
  response: {
    group_matching_mode: Type.Ref(GroupMatchingModeSchema),
    realm: Type.String({ description: 'Kerberos realm.' }),
    krb5_conf: Type.String({ description: 'Custom krb5.conf; the system one when empty.' }),
    sync_users: Type.Boolean(),
    sync_users_password: Type.Boolean(),
    sync_principal: Type.String(),
    sync_ccache: Type.String(),
    connectivity: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()], { readOnly: true, description: 'Cached connectivity report; always null.' }),
    spnego_server_name: Type.String(),
    spnego_ccache: Type.String(),
    password_login_update_internal_password: Type.Boolean(),
  },
  request: {
    ...sourceRequestFields,
    ...groupMatchingModeField,
    realm: nonBlank('Kerberos realm.'),
    krb5_conf: Type.String({ description: 'Custom krb5.conf; the system one when empty.' }),
    sync_users: Type.Boolean(),
    sync_users_password: Type.Boolean(),
    sync_principal: Type.String(),
    sync_password: secret('Password to authenticate to kadmin'),
    sync_keytab: secret('Keytab to authenticate to kadmin'),
    sync_ccache: Type.String(),
    spnego_server_name: Type.String(),
    spnego_keytab: secret('SPNEGO keytab'),
    spnego_ccache: Type.String(),
    password_login_update_internal_password: Type.Boolean(),
  },
  required: ['name', 'slug', 'realm'],
});

export const KerberosSyncStatusSchema = Type.Object({
  is_running: Type.Boolean({ readOnly: true }),
  tasks: Type.Array(Type.Object({}, { additionalProperties: true }), { readOnly: true }),
}, { $id: 'KerberosSyncStatus', description: 'Kerberos Source sync status' });

export const kerberosSourceSchemas = [KerberosSyncStatusSchema, ...kerberos.all];

export function kerberosSourceRoutes(app: FastifyInstance, deps: Deps, opts: TypedSourceRouteOptions): void {
  typedSourceRoutes(app, deps, opts, {
    path: 'kerberos', service: kerberosSources, schemas: kerberos, serialize: (row) => typedWire(row, { connectivity: null }),
  });

  // Any authenticated caller; looked up without the visibility filter (permissions.md §5.2).
  app.get('/sources/kerberos/:slug/sync/status/', {
    schema: {
      operationId: 'sources_kerberos_sync_status_retrieve', tags: ['sources'], description: 'Get provider\'s sync status',
      params: SlugParamsSchema, response: { 200: Type.Ref(KerberosSyncStatusSchema), ...errorResponses, ...notFoundResponse },
    },
  }, async (req: SlugReq) => {
    actorOf(req);
    await kerberosSources.findUnfiltered(deps, req.params.slug);
    return syncStatus();
  });
}
