/**
 * `/api/v3/sources/plex/` — spec §4.3, §7; permissions.md §2, §5: `PlexSource` schemas, the typed-source
 * CRUD routes, and `redeem_token/` (anonymous allowed) / `redeem_token_authenticated/`, both taking
 * `?slug=` and `{"plex_token": …}`.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../../domain/deps.js';
import { plexSources, redeemPlexToken } from '../../../domain/sources/plex.js';
import { normalizeBody } from '../../body-normalize.js';
import { actorOf } from '../../route-helpers.js';
import { GenericErrorSchema, ValidationErrorSchema } from '../../schemas/common.js';
import { GroupMatchingModeSchema } from './schemas.js';
import { typedSourceRoutes, typedWire, type TypedSourceRouteOptions } from './typed-source-routes.js';
import { groupMatchingModeField, nonBlank, sourceRequestFields, typedSourceSchemas } from './typed-source-schemas.js';

const plexFields = {
  client_id: Type.String({ description: 'Client identifier used to talk to Plex; generated when absent.' }),
  allowed_servers: Type.Array(Type.String(), { description: 'Servers a user must be a member of; empty allows every server.' }),
  allow_friends: Type.Boolean({ description: 'Allow friends to sign in even without a shared server.' }),
  plex_token: Type.String({ description: 'Plex token used to check friends; stored encrypted.' }),
};

const plex = typedSourceSchemas({
  id: 'PlexSource',
  description: 'Plex Source Serializer',
  response: { group_matching_mode: Type.Ref(GroupMatchingModeSchema), ...plexFields },
  request: {
    ...sourceRequestFields,
    ...groupMatchingModeField,
    ...plexFields,
    client_id: nonBlank('Client identifier used to talk to Plex; generated when absent.'),
    plex_token: nonBlank('Plex token used to check friends; stored encrypted.'),
  },
  required: ['name', 'slug', 'plex_token'],
});

export const PlexTokenRedeemRequestSchema = Type.Object({
  plex_token: Type.String({ minLength: 1, description: 'Token from the Plex sign-in popup.' }),
}, { $id: 'PlexTokenRedeemRequest', description: 'Serializer to redeem a Plex token', additionalProperties: true });

export const plexSourceSchemas = [PlexTokenRedeemRequestSchema, ...plex.all];

type RedeemReq = FastifyRequest<{ Querystring: { slug?: string }; Body: { plex_token: string } }>;

export function plexSourceRoutes(app: FastifyInstance, deps: Deps, opts: TypedSourceRouteOptions): void {
  typedSourceRoutes(app, deps, opts, { path: 'plex', service: plexSources, schemas: plex, serialize: (row) => typedWire(row) });

  const normalize = normalizeBody(PlexTokenRedeemRequestSchema);
  const slugOf = (req: RedeemReq) => (typeof req.query.slug === 'string' ? req.query.slug : '');
  for (const [name, anonymous] of [['redeem_token', true], ['redeem_token_authenticated', false]] as const) {
    app.post(`/sources/plex/${name}/`, {
      config: { anonymous },
      schema: {
        operationId: `sources_plex_${name}_create`, tags: ['sources'],
        description: anonymous
          ? 'Redeem a plex token, check it\'s access to resources against what\'s allowed for the source, and redirect to an authentication/enrollment flow.'
          : 'Redeem a plex token for an authenticated user, creating a connection',
        querystring: Type.Object({ slug: Type.Optional(Type.String()) }, { additionalProperties: true }),
        body: Type.Ref(PlexTokenRedeemRequestSchema),
        response: { 400: Type.Ref(ValidationErrorSchema), 403: Type.Ref(GenericErrorSchema), 404: Type.Ref(GenericErrorSchema) },
      },
      // authentik looks the source up (404) before it reads the body (400).
      preValidation: async (req: RedeemReq) => {
        if (!anonymous) actorOf(req);
        await plexSources.findUnfiltered(deps, slugOf(req));
        await normalize(req);
      },
    }, async (req: RedeemReq) => {
      const source = await plexSources.findUnfiltered(deps, slugOf(req));
      return redeemPlexToken(deps, source, req.body.plex_token);
    });
    // authentik's router matches these list actions before `{slug}/`: other methods are 405, not a source lookup.
    app.route({
      method: ['GET', 'PUT', 'PATCH', 'DELETE'], url: `/sources/plex/${name}/`, config: { anonymous }, schema: { hide: true },
      handler: async (req, reply) => {
        if (!anonymous) actorOf(req);
        return reply.code(405).send({ detail: `Method "${req.method}" not allowed.` });
      },
    });
  }
}
