/**
 * The SCIM source kind behind `/sources/scim/` (spec §4.6): the reduced Source shape (no flows, matching
 * modes or policy engine mode), a service account of type `service_account` and a non-expiring API token
 * provisioned on create (exposed as `token_obj`, never with its key) and removed on delete.
 * Codenames `authentik_sources_scim.<verb>_scimsource`.
 * Source: authentik/sources/scim/api/sources.py (SCIMSourceSerializer, SCIMSourceViewSet),
 * authentik/sources/scim/signals.py (scim_source_post_save, scim_source_pre_delete).
 */
import { insertEvent } from '../../db/repositories/events.js';
import { grantsFor } from '../../db/repositories/permissions.js';
import { deleteScimServiceAccount, findTokenBriefs, insertScimServiceAccount, type TokenBrief } from '../../db/repositories/scim-sources.js';
import { scimObjectsOfSource, type ScimObjectKind } from '../../db/repositories/scim-objects.js';
import { scimSourceTable } from '../../db/repositories/source-tables.js';
import type { SourceView } from '../../db/repositories/sources.js';
import type { Actor } from '../actor.js';
import { modelEvent } from '../audit.js';
import type { ListParamsSpec } from '../list.js';
import { generateKey } from '../secrets.js';
import { typedSourceService, type TypedSourceKind, type UsedByEntry } from './typed-source.js';

/** A SCIM source with its token (null once the token was deleted elsewhere). */
export interface ScimSourceRow extends SourceView {
  token_id: string | null;
  token: TokenBrief | null;
}

/** List parameters of `/sources/scim/` (client SourcesScimListRequest). */
export const scimSourceListSpec: ListParamsSpec = {
  filters: { name: 'text', slug: 'text' },
  orderingFields: ['pk', 'name', 'slug', 'enabled', 'managed', 'user_path_template'],
  defaultOrdering: ['name'],
  searchable: true,
};

/** Username and token identifier of a SCIM source's service account. */
export const scimServiceAccountName = (sourcePk: string) => `ak-source-scim-${sourcePk}`;
/** Where authentik files SCIM service accounts. */
export const SCIM_USER_PATH = 'goauthentik.io/sources/scim';

/** Token events name the token by identifier and carry the uuid as 32 hex digits, like the core API's. */
const tokenRef = (uuid: string, identifier: string) => ({ app: 'authentik_core', model_name: 'token', pk: uuid.replace(/-/g, ''), name: identifier });
const userRef = (pk: number, username: string) => ({ app: 'authentik_core', model_name: 'user', pk, name: username });

/** Printable form of a provisioned object (used_by names and audit events). */
export function scimObjectName(kind: ScimObjectKind, refName: string, sourceName: string): string {
  return `SCIM ${kind === 'user' ? 'User' : 'Group'} ${refName} to ${sourceName}`;
}

async function viewableIds(deps: Parameters<NonNullable<TypedSourceKind['usedBy']>>[0], actor: Actor, codename: string) {
  if (actor.isSuperuser) return undefined;
  const g = await grantsFor(deps.db, actor.userPk, codename);
  return g.global ? undefined : g.objectPks;
}

/** The SCIM kind: reduced Source shape, service account and token provisioning, SCIM objects in used_by. */
export const scimSourceKind: TypedSourceKind<ScimSourceRow> = {
  app: 'authentik_sources_scim',
  model: 'scimsource',
  table: scimSourceTable,
  listSpec: scimSourceListSpec,
  fields: {},
  required: ['name', 'slug'],
  async afterCreate(tx, deps, actor, source) {
    const key = generateKey();
    const username = scimServiceAccountName(source.pk);
    const name = `SCIM Source ${source.name} Service-Account`;
    const { userPk, tokenUuid } = await insertScimServiceAccount(tx, {
      sourcePk: source.pk, username, name, path: SCIM_USER_PATH, type: 'service_account',
      managed: `goauthentik.io/sources/scim/${source.pk}`, keyHash: deps.secrets.digest(key), keyEncrypted: deps.secrets.encrypt(key),
    });
    await insertEvent(tx, modelEvent('model_created', actor, userRef(userPk, username)));
    await insertEvent(tx, modelEvent('model_created', actor, tokenRef(tokenUuid, username)));
  },
  async beforeDelete(tx, actor, row) {
    const identifier = scimServiceAccountName(row.pbm_uuid);
    const gone = await deleteScimServiceAccount(tx, identifier);
    for (const t of gone.tokens) await insertEvent(tx, modelEvent('model_deleted', actor, tokenRef(t.token_uuid, identifier)));
    for (const u of gone.users) await insertEvent(tx, modelEvent('model_deleted', actor, userRef(u.id, identifier)));
  },
  async present(deps, rows) {
    const tokens = await findTokenBriefs(deps.db, rows.map((r) => r.token_id).filter((t): t is string => typeof t === 'string'));
    return rows.map((r) => ({ ...r, token: typeof r.token_id === 'string' ? tokens.get(r.token_id) ?? null : null }) as unknown as ScimSourceRow);
  },
  /** `scimsourcegroup_set`, then `scimsourceuser_set` (cascade), limited to what the caller may view. */
  async usedBy(deps, actor, row) {
    const out: UsedByEntry[] = [];
    for (const kind of ['group', 'user'] as const) {
      const visible = await viewableIds(deps, actor, `authentik_sources_scim.view_scimsource${kind}`);
      for (const o of await scimObjectsOfSource(deps.db, kind, row.pbm_uuid, visible)) {
        out.push({ app: 'authentik_sources_scim', model_name: `scimsource${kind}`, pk: o.id, name: scimObjectName(kind, o.ref_name, o.source_name), action: 'cascade' });
      }
    }
    return out;
  },
};

/** The use cases of `/sources/scim/`. */
export const scimSources = typedSourceService(scimSourceKind);
