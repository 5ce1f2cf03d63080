/** Registers every /api/v3/ route module and the shared schemas they reference. */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/schema.js';
import type { Deps } from '../../domain/deps.js';
import { PaginationSchema } from '../list/envelope.js';
import { commonSchemas } from '../schemas/common.js';
import { sourceSchemas } from './sources/schemas.js';
import { connectionSchemas } from './user-source-connections/schemas.js';
import { allConnectionRoutes } from './user-source-connections/all-routes.js';
import { oauthSourceSchemas } from './sources/oauth-schemas.js';
import { oauthSourceRoutes } from './sources/oauth-routes.js';
import { groupSchemas } from './groups/schemas.js';
import { groupRoutes } from './groups/routes.js';
import { tokenSchemas } from './tokens/schemas.js';
import { tokenRoutes } from './tokens/routes.js';
import { userSchemas } from './users/schemas.js';
import { userRoutes } from './users/routes.js';
import { eventSchemas } from './events/schemas.js';
import { eventRoutes } from './events/routes.js';
import { flowSchemas } from './flows/schemas.js';
import { flowRoutes } from './flows/routes.js';
import { propertyMappingSchemas } from './property-mappings/schemas.js';
import { propertyMappingRoutes } from './property-mappings/routes.js';
import { rbacSchemas } from './rbac/schemas.js';
import { rbacRoutes } from './rbac/routes.js';
import { TYPED_CONNECTION_KINDS } from '../../domain/user-source-connections/typed-kinds.js';
import { typedConnectionSchemas } from './user-source-connections/typed-schemas.js';
import { typedConnectionRoutes } from './user-source-connections/typed-routes.js';
import { groupConnectionSchemas } from './group-source-connections/schemas.js';
import { groupConnectionRoutes } from './group-source-connections/routes.js';
import type { MediaStore } from '../../domain/media.js';
import { allSourcesSchemas } from './sources/all-schemas.js';
import { allSourceRoutes } from './sources/all-routes.js';
import { kerberosSourceRoutes, kerberosSourceSchemas } from './sources/kerberos-routes.js';
import { ldapSourceRoutes, ldapSourceSchemas } from './sources/ldap-routes.js';
import { plexSourceRoutes, plexSourceSchemas } from './sources/plex-routes.js';
import { samlSourceRoutes, samlSourceSchemas } from './sources/saml-routes.js';
import { scimSourceRoutes } from './sources/scim-routes.js';
import { scimSchemas } from './sources/scim-schemas.js';

/** Every shared schema, registered once (component ids must be unique: one contract, one schema). */
const schemas = [
  PaginationSchema, ...commonSchemas, ...sourceSchemas, ...connectionSchemas,
  ...oauthSourceSchemas, ...samlSourceSchemas, ...plexSourceSchemas, ...ldapSourceSchemas, ...kerberosSourceSchemas, ...scimSchemas,
  ...typedConnectionSchemas, ...groupConnectionSchemas, ...allSourcesSchemas,
  ...userSchemas, ...groupSchemas, ...tokenSchemas,
  ...rbacSchemas, ...flowSchemas, ...propertyMappingSchemas, ...eventSchemas,
];

export async function registerApiRoutes(api: FastifyInstance, deps: Deps, config: Config, media: MediaStore): Promise<void> {
  for (const s of schemas) api.addSchema(s);
  const opts = { maxPageSize: config.maxPageSize };
  // sources/: the generic connection view, sources of every kind, typed user and group connections
  allConnectionRoutes(api, deps, opts);
  await allSourceRoutes(api, deps, media, { ...opts, bodyLimitBytes: config.bodyLimitBytes });
  const typedOpts = { ...opts, media };
  oauthSourceRoutes(api, deps, typedOpts);
  samlSourceRoutes(api, deps, typedOpts);
  plexSourceRoutes(api, deps, typedOpts);
  ldapSourceRoutes(api, deps, typedOpts);
  kerberosSourceRoutes(api, deps, typedOpts);
  scimSourceRoutes(api, deps, typedOpts);
  for (const k of Object.values(TYPED_CONNECTION_KINDS)) typedConnectionRoutes(api, deps, k, opts);
  for (const kind of ['oauth', 'saml', 'plex', 'kerberos'] as const) groupConnectionRoutes(api, deps, kind, opts);
  // core/: users, groups, tokens (the neighbours sources need to be managed through the API)
  userRoutes(api, deps, opts);
  groupRoutes(api, deps, opts);
  tokenRoutes(api, deps, opts);
  // rbac/, flows/, propertymappings/, events/
  rbacRoutes(api, deps, opts);
  flowRoutes(api, deps, opts);
  propertyMappingRoutes(api, deps, opts);
  eventRoutes(api, deps, opts);
}
