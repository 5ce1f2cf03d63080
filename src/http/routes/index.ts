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

/** Every shared schema, registered once (component ids must be unique: one contract, one schema). */
const schemas = [
  PaginationSchema, ...commonSchemas, ...sourceSchemas, ...connectionSchemas,
  ...oauthSourceSchemas, ...oauthConnectionSchemas,
  ...userSchemas, ...groupSchemas, ...tokenSchemas,
  ...rbacSchemas, ...flowSchemas, ...propertyMappingSchemas, ...eventSchemas,
];

export async function registerApiRoutes(api: FastifyInstance, deps: Deps, config: Config): Promise<void> {
  for (const s of schemas) api.addSchema(s);
  const opts = { maxPageSize: config.maxPageSize };
  // sources/: the generic connection view and the OAuth family
  allConnectionRoutes(api, deps, opts);
  oauthSourceRoutes(api, deps, opts);
  oauthConnectionRoutes(api, deps, opts);
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
