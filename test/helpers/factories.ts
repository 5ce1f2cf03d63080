/**
 * Factories that create exactly what a test reads, with random slugs/identifiers to avoid collisions.
 * They write through Kysely directly (test setup, not the code under test).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/database.js';
import type { SecretBox } from '../../src/domain/secrets.js';
import { TYPED_TABLE, type ConnectionKind } from '../../src/db/repositories/user-source-connections.js';

export const rand = (n = 4) => randomBytes(n).toString('hex');

export interface Factories {
  makeUser(o?: { superuser?: boolean; username?: string; email?: string; password?: string | null; isActive?: boolean }): Promise<{ pk: number; username: string; email: string }>;
  makeToken(userPk: number, o?: { intent?: 'api' | 'verification' | 'recovery' | 'app_password'; expires?: Date | null; expiring?: boolean }): Promise<string>;
  makeSource(o?: { kind?: 'oauth' | 'saml' | 'plex' | 'kerberos' | 'ldap' | 'scim' | null; slug?: string; name?: string; icon?: string | null }): Promise<{ pk: string; slug: string }>;
  makeConnection(userPk: number, sourcePk: string, o?: { kind?: ConnectionKind | null; identifier?: string }): Promise<number>;
  superuserGroup(): Promise<string>;
}

export function factories(db: Kysely<Database>, secrets: SecretBox): Factories {
  let adminGroup: string | undefined;
  const f: Factories = {
    async superuserGroup() {
      if (!adminGroup) {
        adminGroup = randomUUID();
        await db.insertInto('group').values({ group_uuid: adminGroup, name: `admins-${rand()}`, is_superuser: true, parent_uuid: null, attributes: '{}' }).execute();
      }
      return adminGroup;
    },
    async makeUser(o = {}) {
      const username = o.username ?? `user-${rand()}`;
      const email = o.email ?? `${username}@example.org`;
      const r = await db.insertInto('user').values({
        uuid: randomUUID(), username, name: username, email, attributes: '{}', password: o.password ?? null, is_active: o.isActive ?? true,
      }).returning('id').executeTakeFirstOrThrow();
      if (o.superuser) await db.insertInto('user_group').values({ user_id: r.id, group_uuid: await f.superuserGroup() }).execute();
      return { pk: r.id, username, email };
    },
    async makeToken(userPk, o = {}) {
      const key = `k-${rand(16)}`;
      await db.insertInto('token').values({
        token_uuid: randomUUID(), identifier: `t-${rand()}`, key_hash: secrets.digest(key), key_encrypted: secrets.encrypt(key),
        intent: o.intent ?? 'api', user_id: userPk, expires: o.expires ?? null, expiring: o.expiring ?? false, managed: null,
      }).execute();
      return key;
    },
    async makeSource(o = {}) {
      const slug = o.slug ?? `src-${rand()}`;
      const pk = randomUUID();
      const kind = o.kind === undefined ? 'oauth' : o.kind;
      await db.insertInto('source').values({ pbm_uuid: pk, kind, name: o.name ?? `Source ${slug}`, slug, icon: o.icon ?? null, authentication_flow_id: null, enrollment_flow_id: null, managed: null }).execute();
      if (kind === 'oauth') {
        await db.insertInto('oauth_source').values({
          source_id: pk, provider_type: 'openidconnect', consumer_key: 'ck', consumer_secret_encrypted: secrets.encrypt('cs'),
          request_token_url: null, authorization_url: null, access_token_url: null, profile_url: null, oidc_jwks: '{}',
        }).execute();
      }
      return { pk, slug };
    },
    async makeConnection(userPk, sourcePk, o = {}) {
      const r = await db.insertInto('user_source_connection').values({ user_id: userPk, source_id: sourcePk, identifier: o.identifier ?? `id-${rand()}` })
        .returning('id').executeTakeFirstOrThrow();
      const kind = o.kind === undefined ? 'oauth' : o.kind;
      if (kind) await db.insertInto(TYPED_TABLE[kind] as any).values(kind === 'plex' ? { id: r.id, plex_token_encrypted: secrets.encrypt('pt') } : { id: r.id }).execute();
      return r.id;
    },
  };
  return f;
}
