/** Registers every /api/v3/ route module and the shared schemas they reference. */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/schema.js';
import type { Deps } from '../../domain/deps.js';
import { PaginationSchema } from '../list/envelope.js';
import { commonSchemas } from '../schemas/common.js';
import { sourceSchemas } from './sources/schemas.js';
import { connectionSchemas } from './user-source-connections/schemas.js';
import { allConnectionRoutes } from './user-source-connections/all-routes.js';

export async function registerApiRoutes(api: FastifyInstance, deps: Deps, config: Config): Promise<void> {
  for (const s of [PaginationSchema, ...commonSchemas, ...sourceSchemas, ...connectionSchemas]) api.addSchema(s);
  allConnectionRoutes(api, deps, { maxPageSize: config.maxPageSize });
}
