/**
 * Use cases behind `/propertymappings/all/` and `/propertymappings/source/<kind>/`: property mapping
 * CRUD under the object-permission model and `used_by`. Expressions are stored, never executed (and so
 * not syntax-checked). Every write records a model event in its transaction (F10); the expression is
 * never copied into events.
 * Source: authentik/core/api/property_mappings.py PropertyMappingViewSet and the sources'
 * *SourcePropertyMappingViewSet (2024.8).
 */
import type { SourceKind } from '../../db/database.js';
import { insertEvent } from '../../db/repositories/events.js';
import {
  deletePropertyMapping, existingManagedValues, findPropertyMapping, insertPropertyMapping, listPropertyMappings,
  sourcesUsingMapping, updatePropertyMapping, type PropertyMappingRow,
} from '../../db/repositories/property-mappings.js';
import type { Actor } from '../actor.js';
import { modelEvent } from '../audit.js';
import type { Deps } from '../deps.js';
import { NotFound, ValidationFailed } from '../errors.js';
import type { ListParamsSpec, ListQuery, Page } from '../list.js';
import { sees, viewable } from '../permissions.js';
import { canonicalUuid, eventPk, listScope, requireAdd, requireOn, requireVisible, type ModelRefName } from '../rbac/guard.js';
import type { UsedByEntry } from '../rbac/roles.js';

export const MAPPING_KINDS = ['oauth', 'saml', 'plex', 'ldap', 'kerberos', 'scim'] as const;
const LABEL: Record<SourceKind, string> = { oauth: 'OAuth', saml: 'SAML', plex: 'Plex', ldap: 'LDAP', kerberos: 'Kerberos', scim: 'SCIM' };

/** Model metadata a mapping is serialized with (component, verbose names, meta_model_name). */
export interface MappingMeta { app: string; model: string; component: string; verbose_name: string; verbose_name_plural: string }

/** Metadata of a mapping kind; `null` is the plain base mapping. */
export function mappingMeta(kind: string | null): MappingMeta {
  if (kind && kind in LABEL) {
    const label = LABEL[kind as SourceKind];
    return {
      app: `authentik_sources_${kind}`, model: `${kind}sourcepropertymapping`, component: `ak-property-mapping-source-${kind}-form`,
      verbose_name: `${label} Source Property Mapping`, verbose_name_plural: `${label} Source Property Mappings`,
    };
  }
  return { app: 'authentik_core', model: 'propertymapping', component: '', verbose_name: 'Property Mapping', verbose_name_plural: 'Property Mappings' };
}

/** The model whose permissions guard an endpoint: the typed model, or the base one for `/all/`. */
function guardModel(kind: SourceKind | undefined): ModelRefName {
  const m = mappingMeta(kind ?? null);
  return { app: m.app, model: m.model };
}

/** List parameters shared by `/propertymappings/all/` and the typed lists (managed filters handled by the service). */
export const mappingListSpec: ListParamsSpec = {
  filters: { name: 'text', managed__isnull: 'bool' },
  orderingFields: ['pk', 'managed', 'name', 'expression'],
  defaultOrdering: ['name'],
  searchable: true,
};

function mappingRef(m: PropertyMappingRow) {
  const meta = mappingMeta(m.kind);
  return { app: meta.app, model_name: meta.model, pk: eventPk(m.pm_uuid), name: `Property Mapping ${m.name}` };
}

/**
 * Lists visible mappings of one kind (or all). `managed` values must each be the managed value of
 * some mapping (django-filter's AllValuesMultipleFilter), else 400.
 * @throws PermissionDenied, ValidationFailed, InvalidPage.
 */
export async function list(deps: Deps, actor: Actor, kind: SourceKind | undefined, query: ListQuery, managed: string[]): Promise<Page<PropertyMappingRow>> {
  const visiblePks = await listScope(deps, actor, guardModel(kind));
  const wanted = managed.filter((v) => v !== '');
  if (wanted.length > 0) {
    const known = await existingManagedValues(deps.db, wanted);
    const bad = wanted.find((v) => !known.has(v));
    if (bad !== undefined) throw ValidationFailed.field('managed', `Select a valid choice. ${bad} is not one of the available choices.`);
  }
  const isNull = query.filters.managed__isnull;
  return listPropertyMappings(deps.db, {
    kind, visiblePks, managed: wanted, managedIsNull: typeof isNull === 'boolean' ? isNull : undefined, query,
  });
}

/** A visible mapping of the kind by raw path uuid. @throws PermissionDenied, NotFound. */
export async function retrieve(deps: Deps, actor: Actor, kind: SourceKind | undefined, rawUuid: string): Promise<PropertyMappingRow> {
  const uuid = canonicalUuid(rawUuid);
  return requireVisible(deps, actor, guardModel(kind), async () => (uuid ? findPropertyMapping(deps.db, uuid, { kind }) : undefined), (m) => m.pm_uuid);
}

/** Writable fields, trimmed and checked for blanks by the request schema. */
export interface MappingInput { name?: string; expression?: string; managed?: string | null }

/**
 * Creates a typed mapping.
 * @throws PermissionDenied without the kind's add permission; UniqueViolation on a taken name/managed.
 */
export async function create(deps: Deps, actor: Actor, kind: SourceKind, input: Required<Pick<MappingInput, 'name' | 'expression'>> & MappingInput): Promise<PropertyMappingRow> {
  await requireAdd(deps, actor, guardModel(kind));
  return deps.db.transaction().execute(async (tx) => {
    const m = await insertPropertyMapping(tx, { name: input.name, expression: input.expression, managed: input.managed ?? null, kind });
    await insertEvent(tx, modelEvent('model_created', actor, mappingRef(m)));
    return m;
  });
}

/** PUT/PATCH on a typed mapping. @throws PermissionDenied, NotFound, UniqueViolation. */
export async function update(deps: Deps, actor: Actor, kind: SourceKind, rawUuid: string, input: MappingInput): Promise<PropertyMappingRow> {
  const current = await retrieve(deps, actor, kind, rawUuid);
  await requireOn(deps, actor, guardModel(kind), 'change', current.pm_uuid);
  return deps.db.transaction().execute(async (tx) => {
    const m = await updatePropertyMapping(tx, current.pm_uuid, input);
    await insertEvent(tx, modelEvent('model_updated', actor, mappingRef(m)));
    return m;
  });
}

/** Deletes a mapping (typed endpoint, or any kind through `/all/`). @throws PermissionDenied, NotFound. */
export async function destroy(deps: Deps, actor: Actor, kind: SourceKind | undefined, rawUuid: string): Promise<void> {
  const current = await retrieve(deps, actor, kind, rawUuid);
  await requireOn(deps, actor, guardModel(kind), 'delete', current.pm_uuid);
  await deps.db.transaction().execute(async (tx) => {
    if (!(await deletePropertyMapping(tx, current.pm_uuid))) throw new NotFound();
    await insertEvent(tx, modelEvent('model_deleted', actor, mappingRef(current)));
  });
}

/**
 * `used_by`: any authenticated caller; 404 only when absent (or of another kind on a typed endpoint).
 * Sources listing the mapping that the caller may view, group mappings first then user mappings
 * (relation attribute order), each `cascade_many`.
 * @throws NotFound.
 */
export async function usedBy(deps: Deps, actor: Actor, kind: SourceKind | undefined, rawUuid: string): Promise<UsedByEntry[]> {
  const uuid = canonicalUuid(rawUuid);
  const m = uuid ? await findPropertyMapping(deps.db, uuid, { kind }) : undefined;
  if (!m) throw new NotFound();
  const v = await viewable(deps, actor, 'authentik_core.view_source');
  const { group, user } = await sourcesUsingMapping(deps.db, m.pm_uuid);
  const entry = (s: { pbm_uuid: string; name: string }): UsedByEntry => ({ app: 'authentik_core', model_name: 'source', pk: s.pbm_uuid, name: s.name, action: 'cascade_many' });
  return [...group, ...user].filter((s) => sees(v, s.pbm_uuid)).map(entry);
}
