/**
 * Use cases behind `/sources/all/` (spec §3, §7; permissions.md §5): the polymorphic read/delete view over
 * sources of every kind, `used_by`, the creatable-types catalogue, the user-settings entries and the icon
 * actions. Object-permission model with codenames `authentik_core.<verb>_source`.
 * Source: authentik/core/api/sources.py SourceViewSet (2024.8), authentik/core/api/used_by.py,
 * authentik/lib/utils/file.py set_file / set_file_url.
 */
import { randomBytes } from 'node:crypto';
import { insertEvent } from '../../db/repositories/events.js';
import {
  deleteSourceByPk, findSourceViewBySlug, listEnabledSourcesOfKinds, listSources, updateSourceIcon,
  type SourceView,
} from '../../db/repositories/sources.js';
import { findUserType } from '../../db/repositories/users.js';
import type { SourceKind } from '../../db/database.js';
import type { Actor } from '../actor.js';
import { modelEvent } from '../audit.js';
import type { Deps } from '../deps.js';
import { BadRequestNoBody, NotFound, PermissionDenied, ValidationFailed } from '../errors.js';
import type { ListParamsSpec, ListQuery, Page } from '../list.js';
import type { MediaStore } from '../media.js';
import { perm, require, visibility, type Visibility } from '../permissions.js';
import { releaseIcon } from './icon-files.js';
import { iconExtension, iconStoredName, INVALID_ICON } from './icons.js';
import { scimSourceKind } from './scim.js';
import { providerTypeIcon, SOURCE_TYPE_CATALOGUE, type TypeCreate } from './source-type-catalogue.js';
import { sourceUsedBy } from './used-by.js';

export const SOURCE_PERMS = {
  view: perm('authentik_core', 'view', 'source'),
  change: perm('authentik_core', 'change', 'source'),
  delete: perm('authentik_core', 'delete', 'source'),
} as const;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** `source.icon` is varchar(500), as authentik's FileField(max_length=500). */
const ICON_MAX = 500;

/** List parameters of `/sources/all/` (spec §3.2; client SourcesAllListRequest). No default ordering: creation order. */
export const allSourcesListSpec: ListParamsSpec = {
  filters: { slug: 'text', name: 'text', managed: 'text' },
  orderingFields: [
    'pk', 'name', 'slug', 'enabled', 'authentication_flow', 'enrollment_flow', 'policy_engine_mode',
    'user_matching_mode', 'managed', 'user_path_template',
  ],
  defaultOrdering: ['created'],
  searchable: true,
};

/** authentik model behind each kind, for audit events. */
const MODEL: Record<SourceKind | 'base', { app: string; model_name: string }> = {
  base: { app: 'authentik_core', model_name: 'source' },
  oauth: { app: 'authentik_sources_oauth', model_name: 'oauthsource' },
  saml: { app: 'authentik_sources_saml', model_name: 'samlsource' },
  plex: { app: 'authentik_sources_plex', model_name: 'plexsource' },
  ldap: { app: 'authentik_sources_ldap', model_name: 'ldapsource' },
  kerberos: { app: 'authentik_sources_kerberos', model_name: 'kerberossource' },
  scim: { app: 'authentik_sources_scim', model_name: 'scimsource' },
};

function sourceRef(s: Pick<SourceView, 'pbm_uuid' | 'name' | 'kind'>) {
  return { ...MODEL[s.kind ?? 'base'], pk: s.pbm_uuid, name: s.name };
}

/**
 * The visibility filter of permissions.md §5.1 for `authentik_core.view_source`. An internal service
 * account without any view grant sees an empty set instead of 403, as for OAuth sources.
 * @throws PermissionDenied when anyone else holds no view permission at all.
 */
async function sourceVisibility(deps: Deps, actor: Actor): Promise<Visibility> {
  try {
    return await visibility(deps, actor, SOURCE_PERMS.view);
  } catch (e) {
    if (e instanceof PermissionDenied && (await findUserType(deps.db, actor.userPk)) === 'internal_service_account') {
      return { all: false, pks: [] };
    }
    throw e;
  }
}

/** Grants store object pks as text; only well-formed uuids can name a source. */
function visiblePks(pks: readonly string[]): string[] {
  return [...new Set(pks.map((p) => p.toLowerCase()).filter((p) => UUID_RE.test(p)))];
}

/** The source behind `slug`, whoever asks; undefined when absent (NUL cannot be in a slug). */
async function findBySlug(deps: Deps, slug: string): Promise<SourceView | undefined> {
  if (slug.includes('\0')) return undefined;
  return findSourceViewBySlug(deps.db, slug);
}

/**
 * The source behind `slug` if the actor may view it.
 * @throws PermissionDenied when the actor holds no view permission at all; NotFound when absent or not visible.
 */
async function getVisible(deps: Deps, actor: Actor, slug: string): Promise<SourceView> {
  const vis = await sourceVisibility(deps, actor);
  const row = await findBySlug(deps, slug);
  if (!row) throw new NotFound();
  if (!vis.all && !visiblePks(vis.pks).includes(row.pbm_uuid)) throw new NotFound();
  return row;
}

/**
 * Lists sources of every kind that `actor` may view (permissions.md §5.1), in creation order unless
 * `ordering` says otherwise.
 * @throws PermissionDenied when the actor holds no view permission at all; InvalidPage.
 */
export async function list(deps: Deps, actor: Actor, query: ListQuery): Promise<Page<SourceView>> {
  const vis = await sourceVisibility(deps, actor);
  return listSources(deps.db, { visiblePks: vis.all ? undefined : visiblePks(vis.pks), query });
}

/** Retrieves one source by slug. @throws PermissionDenied, NotFound (see getVisible). */
export async function retrieve(deps: Deps, actor: Actor, slug: string): Promise<SourceView> {
  return getVisible(deps, actor, slug);
}

/**
 * Deletes a source of any kind: its typed row, user and group connections (and their typed rows) and
 * mapping links go by cascade (spec §1.5); users and groups stay. Writes `model_deleted` for the
 * concrete model and removes an uploaded icon no other source uses.
 * @throws PermissionDenied (no view grant at all, or visible without `delete_source`); NotFound.
 */
export async function destroy(deps: Deps, media: MediaStore, actor: Actor, slug: string): Promise<void> {
  const stored = await getVisible(deps, actor, slug);
  await require(deps, actor, SOURCE_PERMS.delete, stored.pbm_uuid);
  await deps.db.transaction().execute(async (tx) => {
    if (!(await deleteSourceByPk(tx, stored.pbm_uuid))) throw new NotFound();
    await insertEvent(tx, modelEvent('model_deleted', actor, sourceRef(stored)));
  });
  await releaseIcon(deps, media, stored.icon);
}

/** One `used_by` entry (spec §7). */
export interface UsedByEntry {
  app: string;
  model_name: string;
  pk: string;
  name: string;
  action: 'cascade' | 'cascade_many' | 'set_null' | 'set_default';
}

/**
 * `used_by` for a source of any kind: any authenticated caller; looked up without the visibility filter
 * (404 only when the slug does not exist); entries limited to objects the caller may view. The concrete
 * source's relations, as on its typed endpoint (used-by.ts): a SCIM source lists its SCIM users and groups too.
 * @throws NotFound.
 */
export async function usedBy(deps: Deps, actor: Actor, slug: string): Promise<UsedByEntry[]> {
  const src = await findBySlug(deps, slug);
  if (!src) throw new NotFound();
  const own = src.kind === 'scim' ? () => scimSourceKind.usedBy!(deps, actor, src as Parameters<NonNullable<typeof scimSourceKind.usedBy>>[2]) : undefined;
  return sourceUsedBy(deps, actor, src.pbm_uuid, own);
}

/** `GET /sources/all/types/`: every creatable source kind, sorted by name. */
export function types(): readonly TypeCreate[] {
  return SOURCE_TYPE_CATALOGUE;
}

/** One `UserSetting` entry: what the user interface shows to connect a source. */
export interface UserSetting {
  object_uid: string;
  component: string;
  title: string;
  configure_url?: string;
  icon_url?: string;
}

/** Built-in icons of the kinds that offer user settings (used when the source has none). */
const SETTINGS_ICON: Record<'saml' | 'plex', string> = {
  saml: '/static/authentik/sources/saml.png',
  plex: '/static/authentik/sources/plex.svg',
};

/** The icon URL a source reports (spec §3.1 `icon`), or null. Source: authentik/core/models.py Source.icon_url. */
export function sourceIconUrl(stored: string | null): string | null {
  if (!stored) return null;
  if (stored.includes('://') || stored.startsWith('/static')) return stored;
  return `/media/${stored}`;
}

/**
 * `GET /sources/all/user_settings/`: the enabled OAuth, SAML and Plex sources (ordered by name) with the
 * entry the user interface needs to connect them. Fedlink has no policy engine: every source passes
 * (decisions F11). OAuth sign-in starts at `/source/oauth/login/<slug>/`, SAML at `/source/saml/<slug>/`;
 * Plex needs its client id as `configure_url`, which Fedlink does not store yet, so the key is absent.
 * Source: authentik/core/api/sources.py SourceViewSet.user_settings and the sources' ui_user_settings.
 */
export async function userSettings(deps: Deps): Promise<UserSetting[]> {
  const rows = await listEnabledSourcesOfKinds(deps.db, ['oauth', 'saml', 'plex']);
  return rows.map((s) => {
    const slug = encodeURIComponent(s.slug);
    const own = sourceIconUrl(s.icon);
    if (s.kind === 'oauth') {
      return {
        object_uid: s.slug, component: 'ak-user-settings-source-oauth', title: s.name,
        configure_url: `/source/oauth/login/${slug}/`, icon_url: own ?? providerTypeIcon(s.provider_type ?? 'openidconnect'),
      };
    }
    if (s.kind === 'saml') {
      return {
        object_uid: s.slug, component: 'ak-user-settings-source-saml', title: s.name,
        configure_url: `/source/saml/${slug}/`, icon_url: own ?? SETTINGS_ICON.saml,
      };
    }
    return { object_uid: s.slug, component: 'ak-user-settings-source-plex', title: s.name, icon_url: own ?? SETTINGS_ICON.plex };
  });
}

/**
 * The access check of both icon actions, run before the body is read: the source is looked up without
 * the visibility filter, then `authentik_core.change_source` is needed globally or on that source.
 * @returns the source. @throws NotFound (unknown slug), PermissionDenied.
 */
export async function checkIconAccess(deps: Deps, actor: Actor, slug: string): Promise<SourceView> {
  const src = await findBySlug(deps, slug);
  if (!src) throw new NotFound();
  await require(deps, actor, SOURCE_PERMS.change, src.pbm_uuid);
  return src;
}

/** Stores the icon value and writes `model_updated`. @throws NotFound when the source vanished. */
async function storeIcon(deps: Deps, actor: Actor, src: SourceView, icon: string | null): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    if (!(await updateSourceIcon(tx, src.pbm_uuid, icon))) throw new NotFound();
    await insertEvent(tx, modelEvent('model_updated', actor, sourceRef(src)));
  });
}

/** An uploaded file part as the http layer hands it over. */
export interface IconUpload {
  fileName: string;
  contentType: string | undefined;
  data: Buffer;
}

/**
 * `POST /sources/all/{slug}/set_icon/`: `clear` (true) removes the icon; otherwise `file` is stored as
 * `source-icons/<slug>_<random>.<ext>` in the media store and becomes the icon. Only recognisable images
 * (png, jpg/jpeg, gif, svg, webp, ico) are accepted. A replaced or cleared upload is deleted when no other
 * source uses it.
 * Source: authentik/lib/utils/file.py set_file.
 * @throws NotFound, PermissionDenied (checkIconAccess); ValidationFailed `{file: […]}` for a non-image;
 * BadRequestNoBody when neither a file nor `clear` is sent.
 */
export async function setIcon(
  deps: Deps, media: MediaStore, actor: Actor, slug: string, input: { file?: IconUpload; clear: boolean },
): Promise<void> {
  const src = await checkIconAccess(deps, actor, slug);
  if (input.clear) {
    await storeIcon(deps, actor, src, null);
    await releaseIcon(deps, media, src.icon);
    return;
  }
  if (!input.file) throw new BadRequestNoBody();
  const ext = iconExtension(input.file.fileName, input.file.contentType, input.file.data);
  if (!ext) throw ValidationFailed.field('file', INVALID_ICON);
  const name = iconStoredName(src.slug, randomBytes(8).toString('hex'), ext);
  await media.write(name, input.file.data);
  try {
    await storeIcon(deps, actor, src, name);
  } catch (e) {
    await media.remove(name).catch(() => undefined);
    throw e;
  }
  if (src.icon !== name) await releaseIcon(deps, media, src.icon);
}

/**
 * `POST /sources/all/{slug}/set_icon_url/`: stores `url` as-is as the icon (shown verbatim when it
 * contains `://` or starts with `/static`, else as a media path).
 * Source: authentik/lib/utils/file.py set_file_url.
 * @throws NotFound, PermissionDenied; BadRequestNoBody when `url` is missing, null or not a string;
 * ValidationFailed `{url: […]}` when it cannot be stored (over 500 characters, NUL characters).
 */
export async function setIconUrl(deps: Deps, media: MediaStore, actor: Actor, slug: string, url: unknown): Promise<void> {
  const src = await checkIconAccess(deps, actor, slug);
  if (typeof url !== 'string') throw new BadRequestNoBody();
  if (url.length > ICON_MAX) throw ValidationFailed.field('url', `Ensure this field has no more than ${ICON_MAX} characters.`);
  if (url.includes('\0')) throw ValidationFailed.field('url', 'Null characters are not allowed.');
  await storeIcon(deps, actor, src, url);
  if (src.icon !== url) await releaseIcon(deps, media, src.icon);
}
