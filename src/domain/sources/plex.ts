/**
 * The Plex source kind behind `/sources/plex/` (spec §4.3) and its token-redeem actions.
 * Codenames `authentik_sources_plex.<verb>_plexsource`. The source's `plex_token` is stored sealed
 * (decisions F9) and, as authentik does, returned on the source (docs/decisions.md S5).
 * Source: authentik/sources/plex/api/source.py (PlexSourceSerializer, PlexSourceViewSet.redeem_token*),
 * authentik/sources/plex/models.py.
 */
import { randomInt } from 'node:crypto';
import type { SourceView } from '../../db/repositories/sources.js';
import { plexSourceTable } from '../../db/repositories/source-tables.js';
import type { Deps } from '../deps.js';
import { PermissionDenied, ValidationFailed } from '../errors.js';
import type { ListParamsSpec } from '../list.js';
import { GROUP_MATCHING_MODES, USER_MATCHING_MODES } from './saml.js';
import { typedSourceService, type TypedSourceKind } from './typed-source.js';

/** A Plex source as serializers read it (`plex_token` decrypted). */
export interface PlexSourceRow extends SourceView {
  client_id: string;
  allowed_servers: string[];
  allow_friends: boolean;
  plex_token: string;
}

/** List parameters of `/sources/plex/` (client SourcesPlexListRequest). */
export const plexSourceListSpec: ListParamsSpec = {
  filters: {
    allow_friends: 'bool', authentication_flow: 'uuid', client_id: 'text', enabled: 'bool', enrollment_flow: 'uuid',
    group_matching_mode: { enum: GROUP_MATCHING_MODES }, name: 'text', policy_engine_mode: { enum: ['all', 'any'] },
    slug: 'text', user_matching_mode: { enum: USER_MATCHING_MODES },
  },
  orderingFields: [
    'pk', 'name', 'slug', 'enabled', 'authentication_flow', 'enrollment_flow', 'policy_engine_mode', 'user_matching_mode',
    'managed', 'user_path_template', 'group_matching_mode', 'client_id', 'allow_friends',
  ],
  defaultOrdering: ['name'],
  searchable: true,
};

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A random 40-character client id, like authentik's `generate_id()`. */
export function generateClientId(): string {
  let out = '';
  for (let i = 0; i < 40; i += 1) out += ID_CHARS[randomInt(ID_CHARS.length)];
  return out;
}

/** The Plex kind: typed fields, sealed token (decrypted for responses), generated client id, server list rule. */
export const plexSourceKind: TypedSourceKind<PlexSourceRow> = {
  app: 'authentik_sources_plex',
  model: 'plexsource',
  table: plexSourceTable,
  listSpec: plexSourceListSpec,
  fields: {
    client_id: {}, allowed_servers: {}, allow_friends: {}, plex_token: { column: 'plex_token_encrypted', secret: true },
  },
  required: ['name', 'slug', 'plex_token'],
  createDefaults: () => ({ client_id: generateClientId() }),
  validate({ input }) {
    const servers = input.allowed_servers as string[] | undefined;
    if (servers === undefined) return input;
    // DRF's ListField(CharField) trims items and rejects blank ones; PostgreSQL cannot store NUL.
    const trimmed = servers.map((s) => s.trim());
    if (trimmed.some((s) => s.includes('\0'))) throw ValidationFailed.field('allowed_servers', 'Null characters are not allowed.');
    if (trimmed.some((s) => s === '')) throw ValidationFailed.field('allowed_servers', 'This field may not be blank.');
    return { ...input, allowed_servers: trimmed };
  },
  present(deps, rows) {
    return rows.map(({ plex_token_encrypted: sealed, ...rest }) => ({ ...rest, plex_token: deps.secrets.decrypt(String(sealed)) }) as unknown as PlexSourceRow);
  },
};

/** The use cases of `/sources/plex/`. */
export const plexSources = typedSourceService(plexSourceKind);

/**
 * `POST /sources/plex/redeem_token/` and `…/redeem_token_authenticated/` after the source lookup and the
 * body check: Fedlink does not contact plex.tv in this version, so no Plex token can be verified and
 * every redeem is refused (docs/decisions.md S6).
 * @throws PermissionDenied `Access denied.` always.
 * Source: authentik/sources/plex/api/source.py (redeem_token, redeem_token_authenticated).
 */
export async function redeemPlexToken(_deps: Deps, _source: PlexSourceRow, _plexToken: string): Promise<never> {
  throw new PermissionDenied('Access denied.');
}
