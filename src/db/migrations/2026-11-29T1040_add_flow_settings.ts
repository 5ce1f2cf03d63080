/**
 * Adds the flow settings authentik's Flow API carries (policy_engine_mode, compatibility_mode, layout,
 * denied_action, authentication, background) so every field the client sends is stored. Fedlink does
 * not execute flows (decisions F11); the columns exist for the wire contract only. Also indexes the
 * event columns the events list filters on (context model, user name).
 *
 * Why columns rather than one JSON column: each field is an enum with a default that the API reports
 * back and filters on (denied_action), and CHECK constraints keep bad values out.
 *
 * Reversible: `down` drops the added columns and indexes.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE flow
      ADD COLUMN policy_engine_mode text NOT NULL DEFAULT 'any' CHECK (policy_engine_mode IN ('all', 'any')),
      ADD COLUMN compatibility_mode boolean NOT NULL DEFAULT false,
      ADD COLUMN layout text NOT NULL DEFAULT 'stacked'
        CHECK (layout IN ('stacked', 'content_left', 'content_right', 'sidebar_left', 'sidebar_right')),
      ADD COLUMN denied_action text NOT NULL DEFAULT 'message_continue'
        CHECK (denied_action IN ('message_continue', 'message', 'continue')),
      ADD COLUMN authentication text NOT NULL DEFAULT 'none'
        CHECK (authentication IN ('none', 'require_authenticated', 'require_unauthenticated', 'require_superuser', 'require_outpost')),
      ADD COLUMN background varchar(500);

    CREATE INDEX event_context_model_idx ON event ((context->'model'->>'model_name'), (context->'model'->>'pk'));
    CREATE INDEX event_username_idx ON event (("user"->>'username'));
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP INDEX IF EXISTS event_context_model_idx;
    DROP INDEX IF EXISTS event_username_idx;
    ALTER TABLE flow
      DROP COLUMN IF EXISTS policy_engine_mode, DROP COLUMN IF EXISTS compatibility_mode, DROP COLUMN IF EXISTS layout,
      DROP COLUMN IF EXISTS denied_action, DROP COLUMN IF EXISTS authentication, DROP COLUMN IF EXISTS background;
  `.execute(db);
}
