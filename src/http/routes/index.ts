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
import { oauthConnectionSchemas } from './user-source-connections/oauth-schemas.js';
import { oauthConnectionRoutes } from './user-source-connections/oauth-routes.js';
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

export async function registerApiRoutes(api: FastifyInstance, deps: Deps, config: Config): Promise<void> {
  for (const s of [PaginationSchema, ...commonSchemas, ...sourceSchemas, ...connectionSchemas]) api.addSchema(s);
  allConnectionRoutes(api, deps, { maxPageSize: config.maxPageSize });
  for (const s of [...oauthSourceSchemas, ...oauthConnectionSchemas]) api.addSchema(s);
  oauthSourceRoutes(api, deps, { maxPageSize: config.maxPageSize });
  oauthConnectionRoutes(api, deps, { maxPageSize: config.maxPageSize });
  // core/: users, groups, tokens (the neighbours sources need to be managed through the API)
  for (const s of [...userSchemas, ...groupSchemas, ...tokenSchemas]) api.addSchema(s);
  userRoutes(api, deps, { maxPageSize: config.maxPageSize });
  groupRoutes(api, deps, { maxPageSize: config.maxPageSize });
  tokenRoutes(api, deps, { maxPageSize: config.maxPageSize });
  for (const s of [...rbacSchemas, ...flowSchemas, ...propertyMappingSchemas, ...eventSchemas]) api.addSchema(s);
  rbacRoutes(api, deps, { maxPageSize: config.maxPageSize });
  flowRoutes(api, deps, { maxPageSize: config.maxPageSize });
  propertyMappingRoutes(api, deps, { maxPageSize: config.maxPageSize });
  eventRoutes(api, deps, { maxPageSize: config.maxPageSize });
}
