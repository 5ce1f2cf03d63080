/**
 * Exact per-source connection counts, kept by triggers, so that connection lists neither count nor
 * sort the whole table on every request (bench/README.md has the measurements and EXPLAIN output).
 *
 * What changes:
 * - `source_connection_count (source_id, n)`: connections per source. The list's `count` is the
 *   sum over the matching sources (≤ the number of sources, not the number of connections).
 * - `source_connection_block_count (source_id, block, n)`: connections per source and id block
 *   (`block = id >> 14`, 16 384 ids per block). A deep page in the default order (source slug, pk)
 *   walks the sources in slug order, then the blocks of the one source where the offset lands, and
 *   skips at most one block's rows in the index `user_source_connection_source_id_idx (source_id, id)`
 *   instead of OFFSET rows of a sorted join.
 * - Triggers on `user_source_connection` keep both exact in the same transaction as the change:
 *   statement-level AFTER INSERT / AFTER DELETE with transition tables (one aggregated upsert per
 *   statement, also for bulk loads and for the ON DELETE CASCADE deletes that removing a user or a
 *   source performs), a row-level AFTER UPDATE OF source_id, id (fires only when a row moves to
 *   another source or id: never for the usual updates of identifier, user or last_updated) and
 *   AFTER TRUNCATE.
 * - Both tables are filled from the existing rows under a SHARE lock (no concurrent writes between
 *   the backfill and the triggers).
 * - `user_source_connection_source_id_idx (source_id, id)` is re-created as a covering index
 *   (INCLUDE user_id, created, identifier): a list page is then read from the index alone
 *   (index-only scan) instead of one heap lookup per row. `last_updated`, which every PUT and sign-in
 *   refreshes, stays out of the index, so those updates remain HOT.
 *
 * Why triggers (STYLE §8 asks for a note): connections are inserted and deleted by several code paths,
 * and deleted without any of our code running when a user or a source is deleted (ON DELETE CASCADE).
 * Only a trigger sees every one of those changes, in the transaction that makes it, so the counts can
 * never drift. Statement-level triggers with transition tables make a bulk change cost one upsert per
 * (source, block) instead of one per row. Rows with n = 0 are removed, so no row outlives its source.
 * Counter rows are updated in (source_id, block) order so concurrent multi-source changes take their
 * row locks in the same order. Cost: concurrent inserts/deletes on the *same* source serialise on its
 * counter rows until commit (measured in bench/results: the oauth create+delete scenario).
 * No foreign key to `source`: the cascade from a deleted source and the counter update would race
 * inside the same statement; the n = 0 clean-up removes the rows instead.
 *
 * Reversible: `down` drops the triggers, functions and both tables and restores the plain index.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    LOCK TABLE user_source_connection IN SHARE MODE;

    CREATE TABLE source_connection_count (
      source_id uuid PRIMARY KEY,
      n bigint NOT NULL
    );
    CREATE TABLE source_connection_block_count (
      source_id uuid NOT NULL,
      block integer NOT NULL,
      n integer NOT NULL,
      PRIMARY KEY (source_id, block)
    );

    CREATE FUNCTION user_source_connection_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      INSERT INTO source_connection_count AS k (source_id, n)
        SELECT source_id, count(*) FROM new_rows GROUP BY source_id ORDER BY source_id
        ON CONFLICT (source_id) DO UPDATE SET n = k.n + excluded.n;
      INSERT INTO source_connection_block_count AS k (source_id, block, n)
        SELECT source_id, id >> 14, count(*) FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (source_id, block) DO UPDATE SET n = k.n + excluded.n;
      RETURN NULL;
    END
    $fn$;

    CREATE FUNCTION user_source_connection_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      INSERT INTO source_connection_count AS k (source_id, n)
        SELECT source_id, -count(*) FROM old_rows GROUP BY source_id ORDER BY source_id
        ON CONFLICT (source_id) DO UPDATE SET n = k.n + excluded.n;
      INSERT INTO source_connection_block_count AS k (source_id, block, n)
        SELECT source_id, id >> 14, -count(*) FROM old_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (source_id, block) DO UPDATE SET n = k.n + excluded.n;
      DELETE FROM source_connection_count k
        WHERE k.n = 0 AND k.source_id IN (SELECT source_id FROM old_rows);
      DELETE FROM source_connection_block_count k
        WHERE k.n = 0 AND (k.source_id, k.block) IN (SELECT source_id, id >> 14 FROM old_rows);
      RETURN NULL;
    END
    $fn$;

    CREATE FUNCTION user_source_connection_counts_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      INSERT INTO source_connection_count AS k (source_id, n)
        SELECT s, sum(d) FROM (VALUES (OLD.source_id, -1), (NEW.source_id, 1)) AS v(s, d)
        GROUP BY s HAVING sum(d) <> 0 ORDER BY s
        ON CONFLICT (source_id) DO UPDATE SET n = k.n + excluded.n;
      INSERT INTO source_connection_block_count AS k (source_id, block, n)
        SELECT s, b, sum(d) FROM (VALUES (OLD.source_id, OLD.id >> 14, -1), (NEW.source_id, NEW.id >> 14, 1)) AS v(s, b, d)
        GROUP BY s, b HAVING sum(d) <> 0 ORDER BY s, b
        ON CONFLICT (source_id, block) DO UPDATE SET n = k.n + excluded.n;
      DELETE FROM source_connection_count k WHERE k.n = 0 AND k.source_id = OLD.source_id;
      DELETE FROM source_connection_block_count k WHERE k.n = 0 AND k.source_id = OLD.source_id AND k.block = OLD.id >> 14;
      RETURN NULL;
    END
    $fn$;

    CREATE FUNCTION user_source_connection_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      DELETE FROM source_connection_count;
      DELETE FROM source_connection_block_count;
      RETURN NULL;
    END
    $fn$;

    CREATE TRIGGER user_source_connection_counts_insert AFTER INSERT ON user_source_connection
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION user_source_connection_counts_insert();
    CREATE TRIGGER user_source_connection_counts_delete AFTER DELETE ON user_source_connection
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION user_source_connection_counts_delete();
    CREATE TRIGGER user_source_connection_counts_update AFTER UPDATE OF source_id, id ON user_source_connection
      FOR EACH ROW WHEN (OLD.source_id IS DISTINCT FROM NEW.source_id OR OLD.id IS DISTINCT FROM NEW.id)
      EXECUTE FUNCTION user_source_connection_counts_update();
    CREATE TRIGGER user_source_connection_counts_truncate AFTER TRUNCATE ON user_source_connection
      FOR EACH STATEMENT EXECUTE FUNCTION user_source_connection_counts_truncate();

    DROP INDEX user_source_connection_source_id_idx;
    CREATE INDEX user_source_connection_source_id_idx ON user_source_connection (source_id, id)
      INCLUDE (user_id, created, identifier);

    INSERT INTO source_connection_count (source_id, n)
      SELECT source_id, count(*) FROM user_source_connection GROUP BY source_id;
    INSERT INTO source_connection_block_count (source_id, block, n)
      SELECT source_id, id >> 14, count(*) FROM user_source_connection GROUP BY 1, 2;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP TRIGGER IF EXISTS user_source_connection_counts_insert ON user_source_connection;
    DROP TRIGGER IF EXISTS user_source_connection_counts_delete ON user_source_connection;
    DROP TRIGGER IF EXISTS user_source_connection_counts_update ON user_source_connection;
    DROP TRIGGER IF EXISTS user_source_connection_counts_truncate ON user_source_connection;
    DROP FUNCTION IF EXISTS user_source_connection_counts_insert(), user_source_connection_counts_delete(),
      user_source_connection_counts_update(), user_source_connection_counts_truncate();
    DROP TABLE IF EXISTS source_connection_block_count, source_connection_count;
    DROP INDEX IF EXISTS user_source_connection_source_id_idx;
    CREATE INDEX user_source_connection_source_id_idx ON user_source_connection (source_id, id);
  `.execute(db);
}
