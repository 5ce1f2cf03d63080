/**
 * OpenAPI 3 document generated from the route schemas (@fastify/swagger), served at
 * `GET /api/v3/schema/` with authentik's operation ids. Public, as in authentik.
 */
import type { FastifyInstance } from 'fastify';

export function openApiOptions() {
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'authentik',
        version: '2024.8.3',
        description: 'Fedlink: sources and user source connections, speaking authentik\'s API v3.',
      },
      components: {
        securitySchemes: { authentik: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ authentik: [] }],
    },
    refResolver: {
      buildLocalReference: (json: { $id?: string }, _base: unknown, _fragment: unknown, i: number) => json.$id ?? `def-${i}`,
    },
  } as any;
}

export function registerSchemaRoute(api: FastifyInstance): void {
  api.get('/schema/', { schema: { hide: true } as any, config: { anonymous: true } }, async (req, reply) => {
    return reply.type('application/json').serializer(JSON.stringify).send((api as any).swagger());
  });
}
