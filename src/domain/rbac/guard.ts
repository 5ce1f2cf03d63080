/**
 * The object-permission model (permissions.md §5) applied to one model's CRUD endpoints: list and
 * detail lookups go through the visibility filter, writes need the model's change/delete permission
 * globally or on the object, create needs the global add permission (superusers hold everything).
 * Source: authentik/rbac/permissions.py ObjectPermissions, authentik/rbac/filters.py ObjectFilter.
 */
import type { Actor } from '../actor.js';
import type { Deps } from '../deps.js';
import { NotFound } from '../errors.js';
import { perm, require as requirePerm, visibility, type Visibility } from '../permissions.js';

/** A model in authentik's terms: app label and lower-case model name. */
export interface ModelRefName { app: string; model: string }

/**
 * pks to restrict a list to, or undefined for "everything".
 * @throws PermissionDenied when the actor holds no view permission on the model at all.
 */
export async function listScope(deps: Deps, actor: Actor, m: ModelRefName): Promise<string[] | undefined> {
  const v = await visibility(deps, actor, perm(m.app, 'view', m.model));
  return v.all ? undefined : v.pks;
}

/**
 * The detail-route filter: resolves the visible set first, then checks the found object's pk.
 * @throws PermissionDenied (no view permission at all), NotFound (absent or outside the visible set).
 */
export async function requireVisible<T>(deps: Deps, actor: Actor, m: ModelRefName, find: () => Promise<T | undefined>, pkOf: (row: T) => string): Promise<T> {
  const v: Visibility = await visibility(deps, actor, perm(m.app, 'view', m.model));
  const row = await find();
  if (!row || (!v.all && !v.pks.includes(pkOf(row)))) throw new NotFound();
  return row;
}

/** @throws PermissionDenied unless the actor holds `<verb>_<model>` globally or on `pk`. */
export async function requireOn(deps: Deps, actor: Actor, m: ModelRefName, verb: 'change' | 'delete', pk: string): Promise<void> {
  await requirePerm(deps, actor, perm(m.app, verb, m.model), pk);
}

/** @throws PermissionDenied unless the actor holds `add_<model>` globally (permissions.md §5.2, recommended reading). */
export async function requireAdd(deps: Deps, actor: Actor, m: ModelRefName): Promise<void> {
  await requirePerm(deps, actor, perm(m.app, 'add', m.model));
}

/** authentik stores uuid pks in event contexts as 32 hex digits (events/utils.py sanitize_item). */
export function eventPk(pk: string | number): string | number {
  return typeof pk === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(pk) ? pk.replace(/-/g, '').toLowerCase() : pk;
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Canonical lower-case hyphenated uuid, or undefined when `raw` is not a uuid (Django accepts hex without dashes too). */
export function canonicalUuid(raw: string): string | undefined {
  const t = raw.trim();
  if (!UUID_RE.test(t)) return undefined;
  const h = t.replace(/-/g, '').toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Canonical integer pk (PostgreSQL `integer` range), or undefined. */
export function canonicalInt(raw: string): string | undefined {
  const t = raw.trim();
  if (!/^\d{1,10}$/.test(t)) return undefined;
  const n = Number(t);
  return n <= 2147483647 ? String(n) : undefined;
}
