/**
 * Wire objects of the typed user-connection endpoints (spec §6; decisions F1, F3, F9), one set per kind:
 * `User<Kind>SourceConnection` (response: the base connection fields plus `identifier`, never a secret),
 * `User<Kind>SourceConnectionRequest` (POST; `source` and `user` are Fedlink's F1 additions),
 * `User<Kind>SourceConnectionUpdateRequest` (PUT; no create-only fields) and
 * `PatchedUser<Kind>SourceConnectionRequest` (PATCH).
 */
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import type { ConnectionKind } from '../../../db/repositories/user-source-connections.js';
import { UserSourceConnectionSchema } from './schemas.js';

/**
 * Longest `identifier` accepted. OAuth: authentik's varchar(255). The other kinds are text columns in
 * authentik; Fedlink caps them so the unique (source, identifier) index entry always fits (docs/decisions.md C2).
 */
export const IDENTIFIER_MAX = { oauth: 255, saml: 512, plex: 512, kerberos: 512 } as const;

export interface TypedConnectionSchemas {
  response: TObject;
  create: TObject;
  update: TObject;
  patch: TObject;
}

function build(k: ConnectionKind, name: string, description: string): TypedConnectionSchemas {
  const identifierDoc = "The user's id at the source.";
  const identifier = Type.String({ minLength: 1, maxLength: IDENTIFIER_MAX[k], description: identifierDoc });
  const secret: Record<string, TSchema> = {};
  const secretOptional: Record<string, TSchema> = {};
  if (k === 'oauth') {
    const s = Type.Union([Type.String(), Type.Null()], { writeOnly: true, description: 'Provider access token; write-only, stored encrypted. null or "" clears it.' });
    secret.access_token = Type.Optional(s);
    secretOptional.access_token = Type.Optional(s);
  } else if (k === 'plex') {
    const s = Type.String({ minLength: 1, writeOnly: true, description: 'Plex token; write-only, stored encrypted.' });
    secret.plex_token = s;
    secretOptional.plex_token = Type.Optional(s);
  }
  const userDoc = k === 'kerberos'
    ? 'Owning user pk. Changing it needs superuser or change_userkerberossourceconnection (decisions F3).'
    : 'Owning user pk.';
  const response = Type.Object({
    ...UserSourceConnectionSchema.properties,
    ...(k === 'kerberos' ? { user: Type.Integer({ description: userDoc }) } : {}),
    identifier: Type.String({ maxLength: IDENTIFIER_MAX[k], description: identifierDoc }),
  }, { $id: `User${name}SourceConnection`, description });
  const create = Type.Object({
    source: Type.String({ format: 'uuid', description: `Pk of the ${name} source (decisions F1).` }),
    user: Type.Optional(Type.Integer({ description: `Owning user pk; defaults to the caller. Naming another user needs superuser or add_user${k}sourceconnection.` })),
    identifier,
    ...secret,
  }, { $id: `User${name}SourceConnectionRequest`, description, additionalProperties: true });
  const update = Type.Object({
    ...(k === 'kerberos' ? { user: Type.Integer({ description: userDoc }) } : {}),
    identifier,
    ...secret,
  }, { $id: `User${name}SourceConnectionUpdateRequest`, description, additionalProperties: true });
  const patch = Type.Object({
    ...(k === 'kerberos' ? { user: Type.Optional(Type.Integer({ description: userDoc })) } : {}),
    identifier: Type.Optional(identifier),
    ...secretOptional,
  }, { $id: `PatchedUser${name}SourceConnectionRequest`, description, additionalProperties: true });
  return { response, create, update, patch };
}

export const TYPED_CONNECTION_SCHEMAS: Record<ConnectionKind, TypedConnectionSchemas> = {
  oauth: build('oauth', 'OAuth', 'OAuth Source Serializer'),
  saml: build('saml', 'SAML', 'SAML Source Serializer'),
  plex: build('plex', 'Plex', 'Plex Source connection Serializer'),
  kerberos: build('kerberos', 'Kerberos', 'Kerberos Source Serializer'),
};

/** Every schema with an $id, for app.addSchema. */
export const typedConnectionSchemas: TObject[] = Object.values(TYPED_CONNECTION_SCHEMAS)
  .flatMap((s) => [s.response, s.create, s.update, s.patch]);
