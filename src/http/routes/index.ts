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
import { TYPED_CONNECTION_KINDS } from '../../domain/user-source-connections/typed-kinds.js';
import { typedConnectionSchemas } from './user-source-connections/typed-schemas.js';
import { typedConnectionRoutes } from './user-source-connections/typed-routes.js';
import { groupConnectionSchemas } from './group-source-connections/schemas.js';
import { groupConnectionRoutes } from './group-source-connections/routes.js';
import type { MediaStore } from '../../domain/media.js';
import { allSourcesSchemas } from './sources/all-schemas.js';
import { allSourceRoutes } from './sources/all-routes.js';

export async function registerApiRoutes(api: FastifyInstance, deps: Deps, config: Config, media: MediaStore): Promise<void> {
  for (const s of [PaginationSchema, ...commonSchemas, ...sourceSchemas, ...connectionSchemas]) api.addSchema(s);
  allConnectionRoutes(api, deps, { maxPageSize: config.maxPageSize });
  for (const s of [...oauthSourceSchemas, ...typedConnectionSchemas]) api.addSchema(s);
  oauthSourceRoutes(api, deps, { maxPageSize: config.maxPageSize });
  for (const k of Object.values(TYPED_CONNECTION_KINDS)) typedConnectionRoutes(api, deps, k, { maxPageSize: config.maxPageSize });
  for (const s of groupConnectionSchemas) api.addSchema(s);
  for (const kind of ['oauth', 'saml', 'plex', 'kerberos'] as const) groupConnectionRoutes(api, deps, kind, { maxPageSize: config.maxPageSize });
  for (const s of allSourcesSchemas) api.addSchema(s);
  await allSourceRoutes(api, deps, media, { maxPageSize: config.maxPageSize, bodyLimitBytes: config.bodyLimitBytes });
}
