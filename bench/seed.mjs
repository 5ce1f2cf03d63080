/**
 * The reference dataset (../shared/bench-reference/SEED.md) written into Fedlink's schema.
 *
 * Every value the API shows is the one SEED.md prescribes, ids and token keys included, so the
 * reference's wrk scenarios and contract check run unchanged against Fedlink. What differs is only
 * Fedlink's storage, not what the API shows:
 *   - superuser: user 1 is a member of the group `authentik Admins` (is_superuser), Fedlink's model
 *     (SEED.md stores a flag on the user);
 *   - tokens: key_hash = HMAC digest and key_encrypted = AES-GCM of md5('bench-token-<u>') under the
 *     bench's FEDLINK_SECRET_KEY (decisions F9), computed here in Node;
 *   - passwords: NULL (no usable password; SEED.md's `!`), connection `identifier` NULL (base rows);
 *   - source `kind` NULL (plain base sources, as in the reference).
 *
 * Extension (not in SEED.md, invisible to the reference's scenarios): one OAuth source
 * `bench-oauth` (pk uuid('bench-oauth-source'), no connections) that the typed create+delete
 * scenario posts to (POST /sources/user_connections/oauth/ needs a source of kind oauth).
 *
 * Growth (`npm run bench -- --growth`): the same rules with more users, every user-source pair
 * once, e.g. 250 000 users × 20 sources = 5 000 000 connections. Connection c always belongs to
 * user (c − 1) / sources + 1 and source (c − 1) % sources + 1, created T0 + c s.
 *
 * Usage: `await seedBench(client, { users, sources, connections, secrets })` on an empty, migrated
 * database; `client` is a connected pg.Client. Units: counts are rows. Throws on invalid sizes.
 * Source: bench-reference/seed.sql bench_seed().
 */
import { createHash } from 'node:crypto';

/** MD5 of `x` as a uuid (SEED.md `uuid(x)`). */
export const uuid = (x) => {
  const h = createHash('md5').update(x).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
/** `md5('bench-token-<u>')`: the bearer key of user u. */
export const tokenKey = (u) => createHash('md5').update(`bench-token-${u}`).digest('hex');
export const OAUTH_SOURCE_PK = uuid('bench-oauth-source');

const T0 = '2024-01-01 00:00:00+00';

/**
 * Fills an empty, migrated Fedlink database with the dataset.
 * @param {import('pg').Client} client connected client (autocommit; this runs its own transaction)
 * @param {{users: number, sources: number, connections: number, secrets: {digest(s: string): string, encrypt(s: string): string}, log?: (m: string) => void}} o
 * @throws Error when users < 2, sources < 1 or connections outside 0 … users × sources.
 */
export async function seedBench(client, o) {
  const { users, sources, connections, secrets } = o;
  const log = o.log ?? (() => undefined);
  if (!(users >= 2 && sources >= 1 && connections >= 0 && connections <= users * sources)) {
    throw new Error(`seedBench(${users}, ${sources}, ${connections}): need users >= 2, sources >= 1, 0 <= connections <= users * sources`);
  }
  const q = (text, values) => client.query(text, values);
  await q('BEGIN');
  try {
    await q(`INSERT INTO flow (flow_uuid, slug, name, title, designation) VALUES
      (md5('bench-flow-1')::uuid, 'bench-source-authentication', 'Bench source authentication', 'Welcome back', 'authentication'),
      (md5('bench-flow-2')::uuid, 'bench-source-enrollment', 'Bench source enrollment', 'Welcome', 'enrollment'),
      (md5('bench-flow-3')::uuid, 'bench-alternative-authentication', 'Bench alternative authentication', 'Sign in', 'authentication')`);
    await q(`INSERT INTO property_mapping (pm_uuid, name, expression, managed, kind)
      SELECT md5('bench-mapping-' || p)::uuid, 'bench-mapping-' || p, 'return {"bench": ' || p || '}', NULL, NULL
      FROM generate_series(1, 8) AS p ORDER BY p`);
    await q(`INSERT INTO source (pbm_uuid, kind, name, slug, enabled, policy_engine_mode, user_path_template, icon,
        authentication_flow_id, enrollment_flow_id, user_matching_mode, group_matching_mode, managed, created)
      SELECT md5('bench-source-' || s)::uuid, NULL, initcap(w) || ' ' || s, w || '-' || s, s % 5 <> 0,
        CASE WHEN s % 4 = 0 THEN 'all' ELSE 'any' END, 'goauthentik.io/sources/%(slug)s',
        CASE (s - 1) % 5 WHEN 0 THEN NULL WHEN 1 THEN 'https://icons.bench.example/' || w || '.svg'
          WHEN 2 THEN 'source-icons/' || w || '-' || s || '.png' WHEN 3 THEN '' ELSE '/static/authentik/sources/' || w || '.svg' END,
        CASE s % 3 WHEN 1 THEN md5('bench-flow-1')::uuid WHEN 2 THEN md5('bench-flow-3')::uuid END,
        CASE WHEN s % 2 = 1 THEN md5('bench-flow-2')::uuid END,
        (ARRAY['identifier', 'email_link', 'email_deny', 'username_link', 'username_deny'])[(s - 1) % 5 + 1],
        'identifier', CASE WHEN s % 10 = 7 THEN 'goauthentik.io/sources/bench-' || s END, $2::timestamptz
      FROM generate_series(1, $1::int) AS s,
        LATERAL (SELECT (ARRAY['github', 'google', 'okta', 'azure', 'gitlab', 'saml', 'plex', 'ldap', 'kerberos', 'discord'])[(s - 1) % 10 + 1] AS w) AS x
      ORDER BY s`, [sources, T0]);
    await q(`INSERT INTO source_user_property_mapping (id, source_id, property_mapping_id)
      SELECT row_number() OVER (ORDER BY s, p), md5('bench-source-' || s)::uuid, md5('bench-mapping-' || p)::uuid
      FROM generate_series(1, $1::int) AS s, generate_series(1, 8) AS p WHERE (s + p) % 5 = 0 ORDER BY s, p`, [sources]);
    await q(`INSERT INTO source_group_property_mapping (id, source_id, property_mapping_id)
      SELECT row_number() OVER (ORDER BY s, p), md5('bench-source-' || s)::uuid, md5('bench-mapping-' || p)::uuid
      FROM generate_series(1, $1::int) AS s, generate_series(1, 8) AS p WHERE p <= (s + 2) % 3 ORDER BY s, p`, [sources]);
    // Extension: the OAuth source of the typed create+delete scenario (no connections).
    await q(`INSERT INTO source (pbm_uuid, kind, name, slug, enabled, policy_engine_mode, user_path_template, icon,
        authentication_flow_id, enrollment_flow_id, user_matching_mode, group_matching_mode, managed, created)
      VALUES ($1, 'oauth', 'Bench OAuth', 'bench-oauth', true, 'any', 'goauthentik.io/sources/%(slug)s', NULL,
        NULL, NULL, 'identifier', 'identifier', NULL, $2)`, [OAUTH_SOURCE_PK, T0]);
    await q(`INSERT INTO oauth_source (source_id, provider_type, consumer_key, consumer_secret_encrypted, oidc_jwks)
      VALUES ($1, 'openidconnect', 'bench-client', $2, '{}'::jsonb)`, [OAUTH_SOURCE_PK, secrets.encrypt('bench-client-secret')]);

    log(`users: ${users}`);
    await q(`INSERT INTO "user" (id, uuid, username, name, email, is_active, path, type, attributes, password,
        password_change_date, last_login, date_joined)
      SELECT u, md5('bench-user-' || u)::uuid, CASE WHEN u = 1 THEN 'akadmin' ELSE 'user' || u END,
        CASE WHEN u = 1 THEN 'authentik Default Admin' ELSE 'Bench User ' || u END,
        CASE WHEN u = 1 THEN 'akadmin' ELSE 'user' || u END || '@bench.example',
        true, 'users', 'internal', '{}'::jsonb, NULL, $2::timestamptz, NULL, $2::timestamptz
      FROM generate_series(1, $1::int) AS u ORDER BY u`, [users, T0]);
    await q(`INSERT INTO "group" (group_uuid, name, is_superuser, parent_uuid, attributes)
      VALUES (md5('bench-group-admins')::uuid, 'authentik Admins', true, NULL, '{}'::jsonb)`);
    await q(`INSERT INTO user_group (user_id, group_uuid) VALUES (1, md5('bench-group-admins')::uuid)`);

    log(`tokens: ${users}`);
    const BATCH = 20000;
    for (let from = 1; from <= users; from += BATCH) {
      const to = Math.min(users, from + BATCH - 1);
      const ids = [];
      const hashes = [];
      const sealed = [];
      for (let u = from; u <= to; u++) {
        const key = tokenKey(u);
        ids.push(u);
        hashes.push(secrets.digest(key));
        sealed.push(secrets.encrypt(key));
      }
      await q(`INSERT INTO token (token_uuid, identifier, key_hash, key_encrypted, intent, user_id, description, expires, expiring, managed)
        SELECT md5('bench-token-uuid-' || u)::uuid, 'bench-token-' || u, h, e, 'api', u, '', NULL, false, NULL
        FROM unnest($1::int[], $2::text[], $3::text[]) AS t(u, h, e) ORDER BY u`, [ids, hashes, sealed]);
    }

    // Connections in chunks: each INSERT is one statement for the counter triggers (transition tables).
    const CHUNK = 1_000_000;
    for (let from = 1; from <= connections; from += CHUNK) {
      const to = Math.min(connections, from + CHUNK - 1);
      log(`connections ${from} … ${to}`);
      await q(`INSERT INTO user_source_connection (id, user_id, source_id, identifier, created, last_updated)
        SELECT c, (c - 1) / $3::int + 1, md5('bench-source-' || ((c - 1) % $3::int + 1))::uuid, NULL,
          $4::timestamptz + c * interval '1 second', $4::timestamptz + c * interval '1 second'
        FROM generate_series($1::int, $2::int) AS c ORDER BY c`, [from, to, sources, T0]);
    }

    // Identity columns continue after the generated ids.
    for (const [table, max] of [['"user"', users], ['user_source_connection', connections]]) {
      await q(`SELECT setval(pg_get_serial_sequence($1, 'id'), greatest($2::int, 1), $2::int > 0)`, [table, max]);
    }
    for (const table of ['source_user_property_mapping', 'source_group_property_mapping']) {
      await q(`SELECT setval(pg_get_serial_sequence($1, 'id'), greatest(max(id), 1), count(*) > 0) FROM ${table}`, [table]);
    }
    await q('COMMIT');
  } catch (e) {
    await q('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
