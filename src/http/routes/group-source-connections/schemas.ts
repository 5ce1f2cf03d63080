/**
 * `/sources/group_connections/<kind>/` wire objects (spec §8.1; decisions F4): `Group<Kind>SourceConnection`
 * (response; every field read-only) and `Group<Kind>SourceConnectionRequest` (POST, Fedlink's F4 addition:
 * `group`, `source`, `identifier`).
 */
import { Type, type TObject } from '@sinclair/typebox';
import type { ConnectionKind } from '../../../db/repositories/user-source-connections.js';
import { SourceSchema } from '../sources/schemas.js';

/** Longest group `identifier` accepted (docs/decisions.md C2). */
export const GROUP_IDENTIFIER_MAX = 512;

export interface GroupConnectionSchemas {
  response: TObject;
  create: TObject;
}

const NAMES: Record<ConnectionKind, string> = { oauth: 'OAuth', saml: 'SAML', plex: 'Plex', kerberos: 'Kerberos' };

function build(k: ConnectionKind): GroupConnectionSchemas {
  const name = NAMES[k];
  const response = Type.Object({
    pk: Type.Integer({ readOnly: true, description: 'Connection primary key.' }),
    group: Type.String({ format: 'uuid', readOnly: true, description: 'Pk of the local group.' }),
    source: Type.Ref(SourceSchema, { readOnly: true }),
    identifier: Type.String({ readOnly: true, description: "The group's id at the source." }),
    created: Type.String({ format: 'date-time', readOnly: true, description: 'Creation time, UTC.' }),
  }, { $id: `Group${name}SourceConnection`, description: `Group ${name} source connection` });
  const create = Type.Object({
    group: Type.String({ format: 'uuid', description: 'Pk of the local group (decisions F4).' }),
    source: Type.String({ format: 'uuid', description: `Pk of the ${name} source (decisions F4).` }),
    identifier: Type.String({ minLength: 1, maxLength: GROUP_IDENTIFIER_MAX, description: "The group's id at the source." }),
  }, { $id: `Group${name}SourceConnectionRequest`, description: `Group ${name} source connection`, additionalProperties: true });
  return { response, create };
}

export const GROUP_CONNECTION_SCHEMAS: Record<ConnectionKind, GroupConnectionSchemas> = {
  oauth: build('oauth'), saml: build('saml'), plex: build('plex'), kerberos: build('kerberos'),
};

/** Every schema with an $id, for app.addSchema. */
export const groupConnectionSchemas: TObject[] = Object.values(GROUP_CONNECTION_SCHEMAS).flatMap((s) => [s.response, s.create]);
