/**
 * Creates `session`: browser sessions made by signing in (through a source or with a password).
 * The cookie carries a random key; only its keyed digest (HMAC-SHA256 under the server secret,
 * like API token keys: decisions F9) is stored, so a database dump holds no usable session.
 * Rows expire at `expires` (UTC) and are deleted with their user. Shaped after authentik's
 * AuthenticatedSession (uuid, user, last_ip, last_user_agent, expires).
 *
 * Reversible: `down` drops the table.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE session (
      uuid uuid PRIMARY KEY,
      session_key_hash text NOT NULL,
      user_id integer NOT NULL REFERENCES "user"(id) ON DELETE CASCADE,
      created timestamptz NOT NULL DEFAULT now(),
      expires timestamptz NOT NULL,
      last_ip text,
      last_user_agent text NOT NULL DEFAULT '',
      CONSTRAINT session_key_hash_key UNIQUE (session_key_hash)
    );
    CREATE INDEX session_user_idx ON session (user_id);
    CREATE INDEX session_expires_idx ON session (expires);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS session;`.execute(db);
}
