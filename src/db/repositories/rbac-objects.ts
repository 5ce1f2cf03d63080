/**
 * Objects that per-object permissions can point at, by authentik model (`app_label.model_name`):
 * which table holds them, the type of their primary key, and their string form (authentik's
 * `__str__`, used as `object_description`). Models without a table in Fedlink have no objects.
 */
import { sql } from 'kysely';
import type { Executor } from '../executor.js';

/** How a model's primary key is written: uuid, integer, or no table (no object can exist). */
export type ObjectPkKind = 'uuid' | 'int' | 'none';

const SOURCE_KINDS = ['oauth', 'saml', 'plex', 'ldap', 'kerberos', 'scim'] as const;
const CONNECTION_KINDS = { oauth: 'user_oauth_source_connection', saml: 'user_saml_source_connection', plex: 'user_plex_source_connection', kerberos: 'user_kerberos_source_connection' } as const;

/** The primary-key kind of a model's objects. */
export function objectPkKind(modelKey: string): ObjectPkKind {
  const [app, model] = modelKey.split('.');
  if (model === 'user' || model === 'usersourceconnection' || /^user(oauth|saml|plex|kerberos)sourceconnection$/.test(model ?? '')) return 'int';
  if (['source', 'group', 'token', 'propertymapping', 'flow', 'role', 'event'].includes(model ?? '')) return 'uuid';
  if (app?.startsWith('authentik_sources_') && /^(oauth|saml|plex|ldap|kerberos|scim)source(propertymapping)?$/.test(model ?? '')) return 'uuid';
  return 'none';
}

/**
 * String forms of the model's objects with these pks (already in canonical form for the pk kind);
 * pks with no object are absent from the map.
 * Example for `authentik_flows.flow`: SELECT flow_uuid::text AS pk, 'Flow ' || name || ' (' || slug || ')' AS name FROM flow WHERE flow_uuid IN (…)
 */
export async function objectNames(db: Executor, modelKey: string, pks: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const kind = objectPkKind(modelKey);
  if (pks.length === 0 || kind === 'none') return out;
  const [app, model] = modelKey.split('.') as [string, string];
  const ids = [...new Set(pks)];
  const intIds = kind === 'int' ? ids.map(Number) : [];
  let rows: Array<{ pk: string; name: string }> = [];
  const sourceKind = SOURCE_KINDS.find((k) => app === `authentik_sources_${k}`);
  if (model === 'user') {
    rows = await db.selectFrom('user').select([sql<string>`id::text`.as('pk'), 'username as name']).where('id', 'in', intIds).execute();
  } else if (model === 'group') {
    rows = await db.selectFrom('group').select([sql<string>`group_uuid::text`.as('pk'), sql<string>`'Group ' || name`.as('name')]).where('group_uuid', 'in', ids).execute();
  } else if (model === 'token') {
    rows = await db.selectFrom('token').select([sql<string>`token_uuid::text`.as('pk'), sql<string>`'Token ' || identifier`.as('name')]).where('token_uuid', 'in', ids).execute();
  } else if (model === 'flow') {
    rows = await db.selectFrom('flow').select([sql<string>`flow_uuid::text`.as('pk'), sql<string>`'Flow ' || name || ' (' || slug || ')'`.as('name')]).where('flow_uuid', 'in', ids).execute();
  } else if (model === 'role') {
    rows = await db.selectFrom('role').select([sql<string>`role_uuid::text`.as('pk'), sql<string>`'Role ' || name`.as('name')]).where('role_uuid', 'in', ids).execute();
  } else if (model === 'event') {
    rows = await db.selectFrom('event').select([sql<string>`event_uuid::text`.as('pk'), sql<string>`'Event action=' || action`.as('name')]).where('event_uuid', 'in', ids).execute();
  } else if (model === 'source' || (sourceKind && model === `${sourceKind}source`)) {
    let q = db.selectFrom('source').select([sql<string>`pbm_uuid::text`.as('pk'), 'name']).where('pbm_uuid', 'in', ids);
    if (sourceKind) q = q.where('kind', '=', sourceKind);
    rows = await q.execute();
  } else if (model === 'propertymapping' || (sourceKind && model === `${sourceKind}sourcepropertymapping`)) {
    let q = db.selectFrom('property_mapping').select([sql<string>`pm_uuid::text`.as('pk'), sql<string>`'Property Mapping ' || name`.as('name')]).where('pm_uuid', 'in', ids);
    if (sourceKind) q = q.where('kind', '=', sourceKind);
    rows = await q.execute();
  } else if (model === 'usersourceconnection' || (sourceKind && sourceKind in CONNECTION_KINDS && model === `user${sourceKind}sourceconnection`)) {
    let q = db.selectFrom('user_source_connection as c')
      .select([sql<string>`c.id::text`.as('pk'), sql<string>`'User-source connection (user=' || c.user_id || ', source=' || c.source_id || ')'`.as('name')])
      .where('c.id', 'in', intIds);
    if (sourceKind) {
      const typed = CONNECTION_KINDS[sourceKind as keyof typeof CONNECTION_KINDS];
      q = q.where((eb) => eb.exists(eb.selectFrom(`${typed} as t` as any).select(sql`1`.as('one')).whereRef('t.id' as any, '=', 'c.id')));
    }
    rows = await q.execute();
  }
  for (const r of rows) out.set(r.pk, r.name);
  return out;
}

/** A user's pk, username and type (for RBAC holders); undefined when absent. */
export async function findUserRef(db: Executor, pk: number): Promise<{ id: number; username: string; type: string } | undefined> {
  return db.selectFrom('user').select(['id', 'username', 'type']).where('id', '=', pk).executeTakeFirst();
}
