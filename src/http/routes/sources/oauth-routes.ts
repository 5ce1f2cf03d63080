/**
 * `/api/v3/sources/oauth/` — spec §4.1, §7; permissions.md §5: the typed-source CRUD routes, used_by,
 * and `source_types/`. Lookup by slug.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../domain/deps.js';
import { oauthSources, sourceTypes } from '../../../domain/sources/oauth-service.js';
import { actorOf } from '../../route-helpers.js';
import { errorResponses } from '../../schemas/common.js';
import { oauthSchemas, SourceTypeSchema } from './oauth-schemas.js';
import { serializeOAuthSource } from './oauth-serialize.js';
import { requestOrigin, typedSourceRoutes, type TypedSourceRouteOptions } from './typed-source-routes.js';

export function oauthSourceRoutes(app: FastifyInstance, deps: Deps, opts: TypedSourceRouteOptions): void {
  app.get('/sources/oauth/source_types/', {
    schema: {
      operationId: 'sources_oauth_source_types_list', tags: ['sources'],
      description: 'Get all creatable source types. If ?name is set, only returns the type for <name>.',
      querystring: Type.Object({ name: Type.Optional(Type.String()) }, { additionalProperties: true }),
      response: { 200: Type.Array(Type.Ref(SourceTypeSchema)), ...errorResponses },
    },
  }, async (req) => {
    actorOf(req);
    const name = (req.query as { name?: unknown }).name;
    return sourceTypes(typeof name === 'string' ? name : undefined);
  });

  typedSourceRoutes(app, deps, opts, {
    path: 'oauth',
    service: oauthSources,
    schemas: oauthSchemas,
    serialize: (row, req) => serializeOAuthSource(row, requestOrigin(req)),
  });
}
