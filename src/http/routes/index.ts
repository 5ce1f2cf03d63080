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
import { kerberosSourceRoutes, kerberosSourceSchemas } from './sources/kerberos-routes.js';
import { ldapSourceRoutes, ldapSourceSchemas } from './sources/ldap-routes.js';
import { plexSourceRoutes, plexSourceSchemas } from './sources/plex-routes.js';
import { samlSourceRoutes, samlSourceSchemas } from './sources/saml-routes.js';
import { scimSourceRoutes } from './sources/scim-routes.js';
import { scimSchemas } from './sources/scim-schemas.js';
import { oauthConnectionSchemas } from './user-source-connections/oauth-schemas.js';
import { oauthConnectionRoutes } from './user-source-connections/oauth-routes.js';

export async function registerApiRoutes(api: FastifyInstance, deps: Deps, config: Config): Promise<void> {
  for (const s of [PaginationSchema, ...commonSchemas, ...sourceSchemas, ...connectionSchemas]) api.addSchema(s);
  allConnectionRoutes(api, deps, { maxPageSize: config.maxPageSize });
  for (const s of [...oauthSourceSchemas, ...oauthConnectionSchemas]) api.addSchema(s);
  oauthSourceRoutes(api, deps, { maxPageSize: config.maxPageSize });
  oauthConnectionRoutes(api, deps, { maxPageSize: config.maxPageSize });
  for (const s of samlSourceSchemas) api.addSchema(s);
  samlSourceRoutes(api, deps, { maxPageSize: config.maxPageSize });
  for (const s of plexSourceSchemas) api.addSchema(s);
  plexSourceRoutes(api, deps, { maxPageSize: config.maxPageSize });
  for (const s of ldapSourceSchemas) api.addSchema(s);
  ldapSourceRoutes(api, deps, { maxPageSize: config.maxPageSize });
  for (const s of kerberosSourceSchemas) api.addSchema(s);
  kerberosSourceRoutes(api, deps, { maxPageSize: config.maxPageSize });
  for (const s of scimSchemas) api.addSchema(s);
  scimSourceRoutes(api, deps, { maxPageSize: config.maxPageSize });
}
