/**
 * `/api/v3/sources/ldap/` — spec §4.4, §7; permissions.md §5: `LDAPSource` schemas, the typed-source
 * CRUD routes (with the multi-valued mapping filters), `{slug}/sync/status/` and `{slug}/debug/`.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../domain/deps.js';
import { ldapDebug, ldapSources, syncStatus } from '../../../domain/sources/ldap.js';
import { actorOf } from '../../route-helpers.js';
import { errorResponses, notFoundResponse } from '../../schemas/common.js';
import { typedSourceRoutes, typedWire, type SlugReq, type TypedSourceRouteOptions } from './typed-source-routes.js';
import { nonBlank, nullableUuid, SlugParamsSchema, sourceRequestFields, typedSourceSchemas } from './typed-source-schemas.js';

const cert = (description: string) => nullableUuid(`${description} Key pairs do not exist in Fedlink: always null.`);

/** LDAP fields shared by response and request, in the client's order (request adds `bind_password`). */
function ldapFields(request: boolean) {
  const text = (description?: string) => (request ? nonBlank(description) : Type.String(description ? { description } : {}));
  return {
    server_uri: text('ldap:// or ldaps:// URLs, comma-separated.'),
    peer_certificate: cert('CA chain to verify the server certificate with.'),
    client_certificate: cert('Client certificate for the LDAP connection.'),
    bind_cn: Type.String(),
    ...(request ? { bind_password: Type.String({ writeOnly: true, description: 'Bind password; write-only, stored encrypted.' }) } : {}),
    start_tls: Type.Boolean(),
    sni: Type.Boolean(),
    base_dn: text('Base DN.'),
    additional_user_dn: Type.String({ description: 'Prepended to the base DN for user queries.' }),
    additional_group_dn: Type.String({ description: 'Prepended to the base DN for group queries.' }),
    user_object_filter: text('Objects matching this filter are users.'),
    group_object_filter: text('Objects matching this filter are groups.'),
    group_membership_field: text('Field that holds the members of a group.'),
    object_uniqueness_field: text('Field that holds a unique identifier.'),
    password_login_update_internal_password: Type.Boolean(),
    sync_users: Type.Boolean(),
    sync_users_password: Type.Boolean({ description: 'Write password changes back to LDAP; one LDAP source at most.' }),
    sync_groups: Type.Boolean(),
    sync_parent_group: nullableUuid('Parent group of synchronised groups.'),
  };
}

const ldap = typedSourceSchemas({
  id: 'LDAPSource',
  description: 'LDAP Source Serializer',
  response: {
    ...ldapFields(false),
    connectivity: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()], { readOnly: true, description: 'Cached connectivity report; always null.' }),
  },
  request: { ...sourceRequestFields, ...ldapFields(true) },
  required: ['name', 'slug', 'server_uri', 'base_dn'],
});

export const SyncStatusSchema = Type.Object({
  is_running: Type.Boolean({ readOnly: true }),
  tasks: Type.Array(Type.Object({}, { additionalProperties: true }), { readOnly: true }),
}, { $id: 'SyncStatus', description: 'Provider/source sync status' });

/** What the server sends (authentik's schema names the keys `user` / `group`; spec §4.4 quirk). */
export const LDAPDebugSchema = Type.Object({
  users: Type.Array(Type.Object({}, { additionalProperties: true }), { readOnly: true }),
  groups: Type.Array(Type.Object({}, { additionalProperties: true }), { readOnly: true }),
  membership: Type.Array(Type.Object({}, { additionalProperties: true }), { readOnly: true }),
}, { $id: 'LDAPDebug' });

export const ldapSourceSchemas = [SyncStatusSchema, LDAPDebugSchema, ...ldap.all];

export function ldapSourceRoutes(app: FastifyInstance, deps: Deps, opts: TypedSourceRouteOptions): void {
  typedSourceRoutes(app, deps, opts, {
    path: 'ldap', service: ldapSources, schemas: ldap, mappingFilters: true,
    serialize: (row) => typedWire(row, { peer_certificate: null, client_certificate: null, connectivity: null }),
  });

  // Any authenticated caller; looked up without the visibility filter (permissions.md §5.2).
  for (const [path, operationId, schema, answer, description] of [
    ['sync/status', 'sources_ldap_sync_status_retrieve', SyncStatusSchema, syncStatus, 'Get source\'s sync status'],
    ['debug', 'sources_ldap_debug_retrieve', LDAPDebugSchema, ldapDebug, 'Get raw LDAP data to debug'],
  ] as const) {
    app.get(`/sources/ldap/:slug/${path}/`, {
      schema: {
        operationId, tags: ['sources'], description, params: SlugParamsSchema,
        response: { 200: Type.Ref(schema), ...errorResponses, ...notFoundResponse },
      },
    }, async (req: SlugReq) => {
      actorOf(req);
      await ldapSources.findUnfiltered(deps, req.params.slug);
      return answer();
    });
  }
}
