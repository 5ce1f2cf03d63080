/**
 * What every typed source endpoint (`/sources/<kind>/`, spec §4, §7; permissions.md §5) shares: the
 * object-permission model with per-kind codenames, the shared Source fields (required fields,
 * flow/mapping references, slug uniqueness), list/retrieve/create/update/destroy/used_by and the audit
 * events (decisions F10). A kind is a `TypedSourceKind` declaration; `typedSourceService(kind)` gives
 * its use cases.
 * Field types, lengths, patterns and enums were validated by the request schema (http layer, after
 * trimming); this module checks references, uniqueness and runs the kind's object-level hook.
 * Source: authentik/core/api/sources.py (SourceSerializer, SourceViewSet), authentik/core/api/used_by.py,
 * authentik/rbac/filters.py (ObjectFilter).
 */
import { randomUUID } from 'node:crypto';
import type { sql } from 'kysely';
import type { Executor } from '../../db/executor.js';
import { insertEvent } from '../../db/repositories/events.js';
import {
  deleteSource, existingPks, findTypedSourceByPk, findTypedSourceBySlug, insertTypedSource, listTypedSources, lockSource,
  slugTaken, updateTypedSource, type SourceWrite, type TypedSourceRow, type TypedTable,
} from '../../db/repositories/typed-sources.js';
import type { SourceView } from '../../db/repositories/sources.js';
import { findUserType } from '../../db/repositories/users.js';
import type { Actor } from '../actor.js';
import { modelEvent } from '../audit.js';
import type { Deps } from '../deps.js';
import { NotFound, PermissionDenied, UniqueViolation, ValidationFailed, type FieldErrors } from '../errors.js';
import { INVALID_CHOICE, type ListParamsSpec, type ListQuery, type Page } from '../list.js';
import { perm, require, visibility, type Visibility } from '../permissions.js';
import type { MediaStore } from '../media.js';
import { releaseIcon } from './icon-files.js';
import { sourceUsedBy } from './used-by.js';

/** A request body after schema validation and trimming; absent keys are "not sent". */
export type SourceInput = Record<string, unknown>;

/** What a uuid reference points at. `keypair`: certificate key pairs, which Fedlink does not have (decisions S3). */
export type ReferenceTarget = 'flow' | 'group' | 'keypair';

/** How one typed wire field is stored. */
export interface TypedField {
  /** Typed-table column; defaults to the wire name. */
  column?: string;
  /** Sealed with the secret box before storage (decisions F9). */
  secret?: boolean;
  /** A uuid reference: stored in canonical lower-case form. */
  uuid?: boolean;
}

/** Object-level validation input: the request fields and, on updates, the stored row. */
export interface ValidateContext<Row> {
  deps: Deps;
  input: SourceInput;
  stored?: Row;
  partial: boolean;
}

/** A source kind as a declaration. */
export interface TypedSourceKind<Row extends SourceView = TypedSourceRow> {
  /** authentik app label and model name, e.g. `authentik_sources_saml` / `samlsource`. */
  app: string;
  model: string;
  table: TypedTable;
  listSpec: ListParamsSpec;
  /** Typed wire fields (besides the shared Source fields) and how they are stored. */
  fields: Record<string, TypedField>;
  /** Fields required on create and PUT, in the order DRF reports them. */
  required: readonly string[];
  /** Uuid fields (typed) whose target must exist. */
  references?: Record<string, ReferenceTarget>;
  /** Uuid list filters whose value must exist (besides `authentication_flow` / `enrollment_flow`). */
  listReferences?: Record<string, ReferenceTarget>;
  /** Extra list conditions from parsed filters (e.g. OAuth `has_jwks`). */
  listWhere?(filters: ListQuery['filters']): ReturnType<typeof sql<boolean>>[];
  /** Values filled in on create when absent (e.g. a generated Plex client id). */
  createDefaults?(): SourceInput;
  /** Object-level validation (authentik's `Serializer.validate`); returns the input to store. */
  validate?(ctx: ValidateContext<Row>): SourceInput | Promise<SourceInput>;
  /** Runs in the create transaction after the rows are inserted (e.g. SCIM's service account). */
  afterCreate?(tx: Executor, deps: Deps, actor: Actor, source: { pk: string; name: string; slug: string }): Promise<void>;
  /** Runs in the delete transaction before the source row goes (e.g. SCIM's token and user). */
  beforeDelete?(tx: Executor, actor: Actor, row: Row): Promise<void>;
  /** Turns stored rows into what serializers read (e.g. decrypts a secret the API returns, loads related objects). */
  present?(deps: Deps, rows: TypedSourceRow[]): Row[] | Promise<Row[]>;
  /** The kind's own `used_by` entries, listed after `groupsourceconnection_set` (their attribute names sort there). */
  usedBy?(deps: Deps, actor: Actor, row: Row): Promise<UsedByEntry[]>;
}

/** One `used_by` entry (spec §7). */
export interface UsedByEntry {
  app: string;
  model_name: string;
  pk: string;
  name: string;
  action: 'cascade' | 'cascade_many' | 'set_null' | 'set_default';
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FLOW_FILTERS = { authentication_flow: 'flow', enrollment_flow: 'flow' } as const;
const BASE_COLUMNS: Record<string, keyof SourceWrite> = {
  name: 'name', slug: 'slug', enabled: 'enabled', authentication_flow: 'authentication_flow_id',
  enrollment_flow: 'enrollment_flow_id', policy_engine_mode: 'policy_engine_mode', user_matching_mode: 'user_matching_mode',
  group_matching_mode: 'group_matching_mode', user_path_template: 'user_path_template',
};

/** Canonical form of a uuid the request schema accepted (case-insensitive, optional `urn:uuid:` prefix, as Python's UUID). */
export function canonicalUuid(v: string): string {
  const u = v.replace(/^urn:uuid:/i, '').replace(/-/g, '').toLowerCase();
  return /^[0-9a-f]{32}$/.test(u) ? `${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20)}` : v.toLowerCase();
}

/** Only well-formed uuids from grants can match a source pk (anything else would be a cast error). */
function visiblePks(pks: readonly string[]): string[] {
  return [...new Set(pks.map(canonicalUuid).filter((p) => UUID_RE.test(p)))];
}

/** Which of `values` (any case) do not exist as `target`; key pairs never exist. */
async function missingRefs(deps: Deps, target: ReferenceTarget, values: readonly string[]): Promise<string[]> {
  if (target === 'keypair') return [...values];
  const found = await existingPks(deps.db, target, values.map(canonicalUuid));
  return values.filter((v) => !found.has(canonicalUuid(v)));
}

/** A slug taken by a concurrent write reaches us as a constraint violation: same body as the pre-check. */
async function plainUnique<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof UniqueViolation) throw new ValidationFailed(e.fieldErrors);
    throw e;
  }
}

/** The use cases of one typed source endpoint. */
export type TypedSourceService<Row extends SourceView> = ReturnType<typeof typedSourceService<Row>>;

/** Builds the use cases of `kind`'s endpoint. */
export function typedSourceService<Row extends SourceView>(kind: TypedSourceKind<Row>) {
  const perms = {
    view: perm(kind.app, 'view', kind.model),
    add: perm(kind.app, 'add', kind.model),
    change: perm(kind.app, 'change', kind.model),
    delete: perm(kind.app, 'delete', kind.model),
  } as const;
  const presentAll = async (deps: Deps, rows: TypedSourceRow[]): Promise<Row[]> =>
    (kind.present ? kind.present(deps, rows) : (rows as unknown as Row[]));
  const present = async (deps: Deps, row: TypedSourceRow): Promise<Row> => (await presentAll(deps, [row]))[0];
  const ref = (pk: string, name: string) => ({ app: kind.app, model_name: kind.model, pk, name });

  /**
   * The visibility filter of permissions.md §5.1. An internal service account (outpost) without any
   * view grant sees an empty set instead of getting 403, as authentik's filter answers it.
   * @throws PermissionDenied when anyone else holds no view permission at all.
   */
  async function sourceVisibility(deps: Deps, actor: Actor): Promise<Visibility> {
    try {
      return await visibility(deps, actor, perms.view);
    } catch (e) {
      if (e instanceof PermissionDenied && (await findUserType(deps.db, actor.userPk)) === 'internal_service_account') {
        return { all: false, pks: [] };
      }
      throw e;
    }
  }

  /** The source behind `slug` if the actor may view it. @throws PermissionDenied (no view grant at all), NotFound. */
  async function getVisible(deps: Deps, actor: Actor, slug: string): Promise<Row> {
    const vis = await sourceVisibility(deps, actor);
    const row = await findUnfiltered(deps, slug);
    if (!vis.all && !visiblePks(vis.pks).includes(row.pbm_uuid)) throw new NotFound();
    return row;
  }

  /** The source behind `slug` without the visibility filter (used_by and the kinds' GET actions). @throws NotFound. */
  async function findUnfiltered(deps: Deps, slug: string): Promise<Row> {
    if (slug.includes('\0')) throw new NotFound();
    const row = await findTypedSourceBySlug(deps.db, kind.table, slug);
    if (!row) throw new NotFound();
    return present(deps, row);
  }

  function missingRequired(input: SourceInput): void {
    const errors: FieldErrors = {};
    for (const f of kind.required) if (input[f] === undefined) errors[f] = ['This field is required.'];
    if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  }

  /** Field-level checks shared by create and update: flows, mappings, typed references, slug uniqueness. */
  async function checkReferences(deps: Deps, input: SourceInput, selfPk?: string): Promise<void> {
    const errors: FieldErrors = {};
    const refs: Record<string, ReferenceTarget> = { ...FLOW_FILTERS, ...(kind.references ?? {}) };
    for (const [f, target] of Object.entries(refs)) {
      const v = input[f];
      if (typeof v === 'string' && (await missingRefs(deps, target, [v])).length > 0) errors[f] = [`Invalid pk "${v}" - object does not exist.`];
    }
    for (const f of ['user_property_mappings', 'group_property_mappings'] as const) {
      const v = input[f] as string[] | undefined;
      if (!v || v.length === 0) continue;
      const found = await existingPks(deps.db, 'property_mapping', v.map(canonicalUuid));
      const missing = v.find((p) => !found.has(canonicalUuid(p)));
      if (missing !== undefined) errors[f] = [`Invalid pk "${missing}" - object does not exist.`];
    }
    if (typeof input.slug === 'string' && (await slugTaken(deps.db, input.slug, selfPk))) {
      errors.slug = ['source with this slug already exists.'];
    }
    if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  }

  /** Splits validated input into base-row and typed-row columns; seals secrets. */
  function columns(deps: Deps, input: SourceInput): { source: SourceWrite; typed: Record<string, unknown> } {
    const source: Record<string, unknown> = {};
    const typed: Record<string, unknown> = {};
    for (const [wire, col] of Object.entries(BASE_COLUMNS)) {
      const v = input[wire];
      if (v === undefined) continue;
      source[col] = col.endsWith('_flow_id') && typeof v === 'string' ? canonicalUuid(v) : v;
    }
    for (const [wire, f] of Object.entries(kind.fields)) {
      const v = input[wire];
      if (v === undefined) continue;
      const col = f.column ?? wire;
      if (f.secret) typed[col] = deps.secrets.encrypt(String(v));
      else if (f.uuid && typeof v === 'string') typed[col] = canonicalUuid(v);
      else typed[col] = v;
    }
    return { source: source as SourceWrite, typed };
  }

  const mappingList = (v: unknown) => (v as string[] | undefined)?.map(canonicalUuid);

  async function reload(deps: Deps, pk: string): Promise<Row> {
    const row = await findTypedSourceByPk(deps.db, kind.table, pk);
    if (!row) throw new NotFound(); // deleted by a concurrent request in between
    return present(deps, row);
  }

  return {
    kind,
    perms,
    findUnfiltered,

    /**
     * Lists the sources `actor` may view (permissions.md §5.1). `mappings` are the multi-valued
     * mapping filters (LDAP), already parsed.
     * @throws PermissionDenied when the actor holds no view permission at all; ValidationFailed for an
     * unknown referenced object in a filter, or an unknown mapping; InvalidPage for a page out of range.
     */
    async list(deps: Deps, actor: Actor, query: ListQuery, mappings: { user?: string[]; group?: string[] } = {}): Promise<Page<Row>> {
      const vis = await sourceVisibility(deps, actor);
      const errors: FieldErrors = {};
      for (const [f, target] of Object.entries({ ...FLOW_FILTERS, ...(kind.listReferences ?? {}) })) {
        const v = query.filters[f];
        if (typeof v === 'string' && (await missingRefs(deps, target, [v])).length > 0) errors[f] = [INVALID_CHOICE];
      }
      for (const [which, values] of Object.entries(mappings)) {
        const bad = values.find((v) => !UUID_RE.test(canonicalUuid(v)));
        if (bad !== undefined) {
          errors[`${which}_property_mappings`] = [`“${bad}” is not a valid value.`];
          continue;
        }
        const found = await existingPks(deps.db, 'property_mapping', values.map(canonicalUuid));
        const missing = values.find((v) => !found.has(canonicalUuid(v)));
        if (missing !== undefined) errors[`${which}_property_mappings`] = [`Select a valid choice. ${missing} is not one of the available choices.`];
      }
      if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
      const page = await listTypedSources(deps.db, kind.table, {
        visiblePks: vis.all ? undefined : visiblePks(vis.pks),
        query,
        extras: {
          mappings: { user: mappings.user?.map(canonicalUuid), group: mappings.group?.map(canonicalUuid) },
          where: kind.listWhere?.(query.filters),
        },
      });
      return { ...page, rows: await presentAll(deps, page.rows) };
    },

    /**
     * The access checks DRF runs before it looks at a request body: `add` for create; visibility, then
     * `change` / `delete` on the object for the detail writes.
     * @throws PermissionDenied, NotFound.
     */
    async checkAccess(deps: Deps, actor: Actor, verb: 'add' | 'change' | 'delete', slug?: string): Promise<void> {
      if (verb === 'add') return require(deps, actor, perms.add);
      const row = await getVisible(deps, actor, slug ?? '');
      await require(deps, actor, perms[verb], row.pbm_uuid);
    },

    /** Retrieves one source. @throws PermissionDenied (no view grant at all), NotFound (absent / not visible). */
    async retrieve(deps: Deps, actor: Actor, slug: string): Promise<Row> {
      return getVisible(deps, actor, slug);
    },

    /**
     * Creates a source: base row, typed row, mapping links, the kind's extra rows and a `model_created`
     * event in one transaction.
     * @throws PermissionDenied without `add_<model>` (superusers hold it); ValidationFailed per spec §4.
     */
    async create(deps: Deps, actor: Actor, body: SourceInput): Promise<Row> {
      await require(deps, actor, perms.add);
      const input = { ...(kind.createDefaults?.() ?? {}), ...body };
      missingRequired(input);
      await checkReferences(deps, input);
      const valid = kind.validate ? await kind.validate({ deps, input, partial: false }) : input;
      const pk = randomUUID();
      const { source, typed } = columns(deps, valid);
      await plainUnique(() => deps.db.transaction().execute(async (tx) => {
        await insertTypedSource(tx, kind.table, {
          pk, source: source as SourceWrite & { name: string; slug: string }, typed,
          userPropertyMappings: mappingList(valid.user_property_mappings) ?? [],
          groupPropertyMappings: mappingList(valid.group_property_mappings) ?? [],
        });
        await kind.afterCreate?.(tx, deps, actor, { pk, name: source.name!, slug: source.slug! });
        await insertEvent(tx, modelEvent('model_created', actor, ref(pk, source.name!)));
      }));
      return reload(deps, pk);
    },

    /**
     * PUT (`partial` false: the required fields must be present) or PATCH. Fields not sent keep their values.
     * @throws PermissionDenied (no view grant at all, or visible without `change_<model>`);
     * NotFound (absent / not visible); ValidationFailed per spec §4.
     */
    async update(deps: Deps, actor: Actor, slug: string, input: SourceInput, partial: boolean): Promise<Row> {
      const stored = await getVisible(deps, actor, slug);
      await require(deps, actor, perms.change, stored.pbm_uuid);
      if (!partial) missingRequired(input);
      await checkReferences(deps, input, stored.pbm_uuid);
      const valid = kind.validate ? await kind.validate({ deps, input, stored, partial }) : input;
      const { source, typed } = columns(deps, valid);
      await plainUnique(() => deps.db.transaction().execute(async (tx) => {
        if (!(await lockSource(tx, stored.pbm_uuid))) throw new NotFound(); // deleted meanwhile
        await updateTypedSource(tx, kind.table, stored.pbm_uuid, {
          source, typed,
          userPropertyMappings: mappingList(valid.user_property_mappings),
          groupPropertyMappings: mappingList(valid.group_property_mappings),
        });
        await insertEvent(tx, modelEvent('model_updated', actor, ref(stored.pbm_uuid, source.name ?? stored.name)));
      }));
      return reload(deps, stored.pbm_uuid);
    },

    /**
     * Deletes a source (typed row, connections and links go by cascade), writes a `model_deleted` event and
     * removes an uploaded icon no other source uses, as `/sources/all/` does.
     * @throws PermissionDenied (no view grant at all, or visible without `delete_<model>`); NotFound.
     */
    async destroy(deps: Deps, media: MediaStore, actor: Actor, slug: string): Promise<void> {
      const stored = await getVisible(deps, actor, slug);
      await require(deps, actor, perms.delete, stored.pbm_uuid);
      await deps.db.transaction().execute(async (tx) => {
        if (!(await lockSource(tx, stored.pbm_uuid))) throw new NotFound();
        await kind.beforeDelete?.(tx, actor, stored);
        if (!(await deleteSource(tx, stored.pbm_uuid))) throw new NotFound();
        await insertEvent(tx, modelEvent('model_deleted', actor, ref(stored.pbm_uuid, stored.name)));
      });
      await releaseIcon(deps, media, stored.icon);
    },

    /**
     * `used_by` for a source: any authenticated caller; the source is looked up without the visibility
     * filter (404 only when the slug does not exist); entries are limited to objects the caller may view.
     * The same list as `/sources/all/{slug}/used_by/` (used-by.ts), with the kind's own relations.
     * @throws NotFound.
     */
    async usedBy(deps: Deps, actor: Actor, slug: string): Promise<UsedByEntry[]> {
      const src = await findUnfiltered(deps, slug);
      return sourceUsedBy(deps, actor, src.pbm_uuid, kind.usedBy && (() => kind.usedBy!(deps, actor, src)));
    },
  };
}
