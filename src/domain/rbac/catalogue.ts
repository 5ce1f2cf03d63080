/**
 * The permissions Fedlink knows: for every model of the sources subsystem (and the neighbours it
 * needs) Django's four default permissions add/change/delete/view, plus authentik's custom
 * assign/unassign permissions on users and roles. Pure data, no I/O.
 *
 * Ids are stable: `id = modelId * 10 + verbSlot` (add 1, change 2, delete 3, view 4, custom 5…).
 * Never renumber a model or a slot; append new models with a new modelId.
 * Source: django.contrib.auth Permission (default permissions, `Can <verb> <verbose_name>`),
 * authentik/core/models.py User.Meta.permissions, authentik/rbac/models.py Role.Meta.permissions.
 */

/** One model whose permissions Fedlink knows. */
export interface ModelDef {
  /** Stable number; permission ids derive from it. */
  id: number;
  /** Django app label, e.g. `authentik_sources_oauth`. */
  app: string;
  /** Lower-case model name, e.g. `useroauthsourceconnection`. */
  model: string;
  /** The model's verbose name, as Django's `_meta.verbose_name_raw`. */
  verbose: string;
  /** Custom permissions beyond the four defaults: [codename, name], slots 5, 6, … */
  custom?: ReadonlyArray<readonly [string, string]>;
}

/** One permission of the catalogue, in authentik's `Permission` terms. */
export interface PermissionDef {
  id: number;
  /** Human name, e.g. `Can view OAuth Source`. */
  name: string;
  /** Codename without the app label, e.g. `view_oauthsource` (Django's Permission.codename). */
  codename: string;
  model: string;
  app_label: string;
  app_label_verbose: string;
  model_verbose: string;
  /** `<app_label>.<codename>`, the form grants and checks use. */
  full: string;
}

/** Django app verbose names (AppConfig.verbose_name in authentik). */
export const APP_VERBOSE: Record<string, string> = {
  authentik_core: 'authentik Core',
  authentik_flows: 'authentik Flows',
  authentik_rbac: 'authentik RBAC',
  authentik_events: 'authentik Events',
  authentik_sources_oauth: 'authentik Sources.OAuth',
  authentik_sources_saml: 'authentik Sources.SAML',
  authentik_sources_plex: 'authentik Sources.Plex',
  authentik_sources_ldap: 'authentik Sources.LDAP',
  authentik_sources_kerberos: 'authentik Sources.Kerberos',
  authentik_sources_scim: 'authentik Sources.SCIM',
};

function kindModels(base: number, app: string, kind: string, label: string, connections: boolean): ModelDef[] {
  const out: ModelDef[] = [
    { id: base, app, model: `${kind}source`, verbose: `${label} Source` },
    { id: base + 1, app, model: `${kind}sourcepropertymapping`, verbose: `${label} Source Property Mapping` },
  ];
  if (connections) {
    out.push(
      { id: base + 2, app, model: `user${kind}sourceconnection`, verbose: `User ${label} Source Connection` },
      { id: base + 3, app, model: `group${kind}sourceconnection`, verbose: `Group ${label} Source Connection` },
    );
  }
  return out;
}

/** Every model with permissions, in id order. */
export const MODELS: readonly ModelDef[] = [
  { id: 1, app: 'authentik_core', model: 'source', verbose: 'source' },
  {
    id: 2, app: 'authentik_core', model: 'user', verbose: 'User',
    custom: [['assign_user_permissions', 'Can assign permissions to users'], ['unassign_user_permissions', 'Can unassign permissions from users']],
  },
  { id: 3, app: 'authentik_core', model: 'group', verbose: 'Group' },
  { id: 4, app: 'authentik_core', model: 'token', verbose: 'Token' },
  { id: 5, app: 'authentik_core', model: 'usersourceconnection', verbose: 'user source connection' },
  { id: 6, app: 'authentik_core', model: 'groupsourceconnection', verbose: 'group source connection' },
  { id: 7, app: 'authentik_core', model: 'propertymapping', verbose: 'Property Mapping' },
  { id: 8, app: 'authentik_flows', model: 'flow', verbose: 'Flow' },
  {
    id: 9, app: 'authentik_rbac', model: 'role', verbose: 'Role',
    custom: [['assign_role_permissions', 'Can assign permissions to roles'], ['unassign_role_permissions', 'Can unassign permissions from roles']],
  },
  { id: 10, app: 'authentik_events', model: 'event', verbose: 'Event' },
  ...kindModels(11, 'authentik_sources_oauth', 'oauth', 'OAuth', true),
  ...kindModels(15, 'authentik_sources_saml', 'saml', 'SAML', true),
  ...kindModels(19, 'authentik_sources_plex', 'plex', 'Plex', true),
  ...kindModels(23, 'authentik_sources_kerberos', 'kerberos', 'Kerberos', true),
  ...kindModels(27, 'authentik_sources_ldap', 'ldap', 'LDAP', false),
  ...kindModels(29, 'authentik_sources_scim', 'scim', 'SCIM', false),
  { id: 31, app: 'authentik_sources_scim', model: 'scimsourceuser', verbose: 'SCIM Source User' },
  { id: 32, app: 'authentik_sources_scim', model: 'scimsourcegroup', verbose: 'SCIM Source Group' },
];

const VERBS = ['add', 'change', 'delete', 'view'] as const;

function build(): PermissionDef[] {
  const out: PermissionDef[] = [];
  for (const m of MODELS) {
    const base = { model: m.model, app_label: m.app, app_label_verbose: APP_VERBOSE[m.app], model_verbose: m.verbose };
    VERBS.forEach((verb, i) => {
      const codename = `${verb}_${m.model}`;
      out.push({ id: m.id * 10 + i + 1, name: `Can ${verb} ${m.verbose}`, codename, ...base, full: `${m.app}.${codename}` });
    });
    (m.custom ?? []).forEach(([codename, name], i) => {
      out.push({ id: m.id * 10 + 5 + i, name, codename, ...base, full: `${m.app}.${codename}` });
    });
  }
  return out;
}

/** Every permission, ordered by id. */
export const PERMISSIONS: readonly PermissionDef[] = build();

const byFull = new Map(PERMISSIONS.map((p) => [p.full, p]));
const byId = new Map(PERMISSIONS.map((p) => [p.id, p]));
const modelsByKey = new Map(MODELS.map((m) => [`${m.app}.${m.model}`, m]));

/** The permission with this `app_label.codename`, or undefined. */
export function findPermission(full: string): PermissionDef | undefined {
  return byFull.get(full);
}

/** The permission with this id, or undefined. */
export function findPermissionById(id: number): PermissionDef | undefined {
  return byId.get(id);
}

/** The model for `app_label.model_name` (e.g. `authentik_core.source`), or undefined. */
export function findModel(key: string): ModelDef | undefined {
  return modelsByKey.get(key);
}

/** `app_label.model_name` keys of every model, for the `model` choice fields. */
export const MODEL_KEYS: readonly string[] = MODELS.map((m) => `${m.app}.${m.model}`);

/** Permissions of one model. */
export function permissionsOfModel(key: string): PermissionDef[] {
  return PERMISSIONS.filter((p) => `${p.app_label}.${p.model}` === key);
}
