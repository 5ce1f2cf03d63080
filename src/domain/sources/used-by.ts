/**
 * `used_by` of a source (spec §7; docs/decisions.md D7, C12, S10): one list for `/sources/all/{slug}/used_by/` and
 * `/sources/<kind>/{slug}/used_by/`. authentik answers both from the concrete source object, walking its relation
 * managers in attribute order, so the two endpoints agree: group_property_mappings, groupsourceconnection_set, the
 * kind's own relations (SCIM: scimsourcegroup_set, scimsourceuser_set), user_property_mappings, user_set,
 * usersourceconnection_set. Fedlink has no identification stages, policies or source stages. Each entry is listed
 * only when the caller may view that object (superusers see all).
 * Source: authentik/core/api/used_by.py UsedByMixin.
 */
import { grantsFor } from '../../db/repositories/permissions.js';
import {
  sourceConnections, sourceGroupConnections, sourceMappings, sourceUsers, type PkRestriction,
} from '../../db/repositories/source-used-by.js';
import type { Actor } from '../actor.js';
import { connectionName } from '../audit.js';
import type { Deps } from '../deps.js';
import { groupConnectionName } from '../group-source-connections/service.js';
import type { UsedByEntry } from '../rbac/roles.js';

/** The pks the caller may view under `codename` (undefined: all). */
async function viewable(deps: Deps, actor: Actor, codename: string): Promise<PkRestriction> {
  if (actor.isSuperuser) return undefined;
  const g = await grantsFor(deps.db, actor.userPk, codename);
  return g.global ? undefined : g.objectPks;
}

/**
 * The entries for the source `sourcePk`; `own` adds the kind's own relations (their attribute names sort
 * between `groupsourceconnection_set` and `user_property_mappings`).
 */
export async function sourceUsedBy(deps: Deps, actor: Actor, sourcePk: string, own?: () => Promise<UsedByEntry[]>): Promise<UsedByEntry[]> {
  const mappingsVisible = await viewable(deps, actor, 'authentik_core.view_propertymapping');
  const mapping = (m: { pm_uuid: string; name: string }): UsedByEntry => (
    { app: 'authentik_core', model_name: 'propertymapping', pk: m.pm_uuid, name: `Property Mapping ${m.name}`, action: 'cascade_many' });
  const out: UsedByEntry[] = [];
  for (const m of await sourceMappings(deps.db, sourcePk, 'group', mappingsVisible)) out.push(mapping(m));
  for (const c of await sourceGroupConnections(deps.db, sourcePk, await viewable(deps, actor, 'authentik_core.view_groupsourceconnection'))) {
    out.push({ app: 'authentik_core', model_name: 'groupsourceconnection', pk: String(c.id), name: groupConnectionName(c.group_id, c.source_id), action: 'cascade' });
  }
  if (own) out.push(...(await own()));
  for (const m of await sourceMappings(deps.db, sourcePk, 'user', mappingsVisible)) out.push(mapping(m));
  for (const u of await sourceUsers(deps.db, sourcePk, await viewable(deps, actor, 'authentik_core.view_user'))) {
    out.push({ app: 'authentik_core', model_name: 'user', pk: String(u.id), name: u.username, action: 'cascade_many' });
  }
  for (const c of await sourceConnections(deps.db, sourcePk, await viewable(deps, actor, 'authentik_core.view_usersourceconnection'))) {
    out.push({ app: 'authentik_core', model_name: 'usersourceconnection', pk: String(c.id), name: connectionName(c.user_id, c.source_id), action: 'cascade' });
  }
  return out;
}
