/**
 * `source.revision`: a number that changes whenever what a nested source view shows may change, so
 * servers can keep source views in memory and tell from the revision a list or retrieve statement
 * read (same snapshot as its rows) whether their copy is current (domain/sources/view-cache.ts).
 *
 * Values come from one sequence (`source_revision_seq`), so no two versions of any source ever share
 * a revision, also across a source deleted and re-created with the same pk. Set, in the transaction
 * that makes the change:
 * - on INSERT (the column default);
 * - by every UPDATE of a source row (row-level BEFORE UPDATE: NEW.revision = nextval(…), whatever the
 *   statement sets), including ON DELETE SET NULL from a deleted flow;
 * - by every change of its user/group property-mapping links (statement-level AFTER INSERT / UPDATE /
 *   DELETE with transition tables, one UPDATE of the affected sources per statement, rows locked in key
 *   order with FOR NO KEY UPDATE, which does not block connection inserts' foreign-key checks; a
 *   cascade from a deleted property mapping included — deletePropertyMapping locks those sources
 *   first, so it cannot deadlock with a source update replacing its links). TRUNCATE of a link table
 *   bumps every source.
 * A deleted source needs no bump: its connections go with it.
 *
 * Reversible: `down` drops the triggers, functions, column and sequence.
 */
import { sql, type Kysely } from 'kysely';

const LINK_TABLES = ['source_user_property_mapping', 'source_group_property_mapping'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE SEQUENCE source_revision_seq AS int8;
    ALTER TABLE source ADD COLUMN revision int8 NOT NULL DEFAULT nextval('source_revision_seq');
    ALTER SEQUENCE source_revision_seq OWNED BY source.revision;

    CREATE FUNCTION source_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.revision := nextval('source_revision_seq');
      RETURN NEW;
    END $$;
    CREATE TRIGGER source_revision BEFORE UPDATE ON source FOR EACH ROW EXECUTE FUNCTION source_revision_bump();

    -- Link rows changed: bump their sources (locked in key order, so concurrent statements cannot deadlock here).
    CREATE FUNCTION source_links_changed_new() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM 1 FROM source WHERE pbm_uuid IN (SELECT source_id FROM new_rows) ORDER BY pbm_uuid FOR NO KEY UPDATE;
      UPDATE source SET revision = nextval('source_revision_seq') WHERE pbm_uuid IN (SELECT source_id FROM new_rows);
      RETURN NULL;
    END $$;
    CREATE FUNCTION source_links_changed_old() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM 1 FROM source WHERE pbm_uuid IN (SELECT source_id FROM old_rows) ORDER BY pbm_uuid FOR NO KEY UPDATE;
      UPDATE source SET revision = nextval('source_revision_seq') WHERE pbm_uuid IN (SELECT source_id FROM old_rows);
      RETURN NULL;
    END $$;
    CREATE FUNCTION source_links_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE source SET revision = nextval('source_revision_seq');
      RETURN NULL;
    END $$;
  `.execute(db);
  for (const t of LINK_TABLES) {
    await sql.raw(`
      CREATE TRIGGER ${t}_revision_insert AFTER INSERT ON ${t} REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION source_links_changed_new();
      CREATE TRIGGER ${t}_revision_update_new AFTER UPDATE ON ${t} REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION source_links_changed_new();
      CREATE TRIGGER ${t}_revision_update_old AFTER UPDATE ON ${t} REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION source_links_changed_old();
      CREATE TRIGGER ${t}_revision_delete AFTER DELETE ON ${t} REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION source_links_changed_old();
      CREATE TRIGGER ${t}_revision_truncate AFTER TRUNCATE ON ${t}
        FOR EACH STATEMENT EXECUTE FUNCTION source_links_truncated();
    `).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of LINK_TABLES) {
    await sql.raw(`
      DROP TRIGGER IF EXISTS ${t}_revision_insert ON ${t};
      DROP TRIGGER IF EXISTS ${t}_revision_update_new ON ${t};
      DROP TRIGGER IF EXISTS ${t}_revision_update_old ON ${t};
      DROP TRIGGER IF EXISTS ${t}_revision_delete ON ${t};
      DROP TRIGGER IF EXISTS ${t}_revision_truncate ON ${t};
    `).execute(db);
  }
  await sql`
    DROP TRIGGER IF EXISTS source_revision ON source;
    DROP FUNCTION IF EXISTS source_links_truncated();
    DROP FUNCTION IF EXISTS source_links_changed_old();
    DROP FUNCTION IF EXISTS source_links_changed_new();
    DROP FUNCTION IF EXISTS source_revision_bump();
    ALTER TABLE source DROP COLUMN IF EXISTS revision;
    DROP SEQUENCE IF EXISTS source_revision_seq;
  `.execute(db);
}
