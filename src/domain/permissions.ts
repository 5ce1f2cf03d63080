/**
 * Permission checks of the object-permission model (permissions.md §5). Superusers hold every
 * permission; everyone else holds what permission_grant gives them (directly or through roles).
 * Codenames are authentik's: `<app_label>.<verb>_<model_name>`, e.g. `authentik_sources_oauth.change_oauthsource`.
 */
import { grantsFor, holdsPermission } from '../db/repositories/permissions.js';
import type { Actor } from './actor.js';
import type { Deps } from './deps.js';
import { PermissionDenied } from './errors.js';

/** Which objects of a model the actor may view: all of them, or only these pks. */
export type Visibility = { all: true } | { all: false; pks: string[] };

/** True when the actor holds `codename` globally or (when given) on `objectPk`. */
export async function can(deps: Deps, actor: Actor, codename: string, objectPk?: string | number): Promise<boolean> {
  if (actor.isSuperuser) return true;
  return holdsPermission(deps.db, actor.userPk, codename, objectPk === undefined ? undefined : String(objectPk));
}

/** @throws PermissionDenied unless `can(...)`. */
export async function require(deps: Deps, actor: Actor, codename: string, objectPk?: string | number): Promise<void> {
  if (!(await can(deps, actor, codename, objectPk))) throw new PermissionDenied();
}

/**
 * The visibility filter of permissions.md §5.1 for `viewCodename` (e.g. `authentik_core.view_source`):
 * superuser or global grant → all; per-object grants → those objects;
 * @throws PermissionDenied (403) when the actor holds no view permission at all.
 */
export async function visibility(deps: Deps, actor: Actor, viewCodename: string): Promise<Visibility> {
  if (actor.isSuperuser) return { all: true };
  const g = await grantsFor(deps.db, actor.userPk, viewCodename);
  if (g.global) return { all: true };
  if (g.objectPks.length === 0) throw new PermissionDenied();
  return { all: false, pks: g.objectPks };
}

/** Permission codename helper: `perm('authentik_core', 'view', 'source')` → `authentik_core.view_source`. */
export function perm(app: string, verb: 'view' | 'add' | 'change' | 'delete', model: string): string {
  return `${app}.${verb}_${model}`;
}

/**
 * Like `visibility`, but never throws: a caller without any view grant gets an empty set. For
 * `used_by` lists, which show only related objects the caller may view (spec §7) and never fail on that.
 */
export async function viewable(deps: Deps, actor: Actor, viewCodename: string): Promise<Visibility> {
  if (actor.isSuperuser) return { all: true };
  const g = await grantsFor(deps.db, actor.userPk, viewCodename);
  return g.global ? { all: true } : { all: false, pks: g.objectPks };
}

/** Does the visibility include `pk`? */
export function sees(v: Visibility, pk: string | number): boolean {
  return v.all || v.pks.includes(String(pk));
}
