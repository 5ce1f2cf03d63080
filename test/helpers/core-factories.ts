/**
 * Extra factories for the core API tests (groups, roles, permission grants), written through Kysely
 * directly: test setup, not the code under test.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/database.js';
import { rand } from './factories.js';

export function coreFactories(db: Kysely<Database>) {
  return {
    /** A group; returns its uuid. */
    async makeGroup(o: { name?: string; superuser?: boolean; parent?: string | null; attributes?: Record<string, unknown>; members?: number[] } = {}) {
      const uuid = randomUUID();
      await db.insertInto('group').values({
        group_uuid: uuid, name: o.name ?? `group-${rand()}`, is_superuser: o.superuser ?? false, parent_uuid: o.parent ?? null,
        attributes: JSON.stringify(o.attributes ?? {}),
      }).execute();
      for (const m of o.members ?? []) await db.insertInto('user_group').values({ user_id: m, group_uuid: uuid }).execute();
      return uuid;
    },
    /** A role; returns its uuid. */
    async makeRole(name = `role-${rand()}`) {
      const uuid = randomUUID();
      await db.insertInto('role').values({ role_uuid: uuid, name }).execute();
      return uuid;
    },
    /** Grants `codename` to a user, globally or on one object. */
    async grant(userPk: number, codename: string, objectPk?: string | number) {
      await db.insertInto('permission_grant').values({ user_id: userPk, role_uuid: null, codename, object_pk: objectPk === undefined ? null : String(objectPk) }).execute();
    },
    /** Events of an action, newest last. */
    async events(action?: string) {
      let q = db.selectFrom('event').selectAll().orderBy('created');
      if (action) q = q.where('action', '=', action);
      return q.execute();
    },
  };
}
