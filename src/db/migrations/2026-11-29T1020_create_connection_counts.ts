/**
 * Exact connection counts per source and per id range, kept by triggers, so that connection lists in
 * the default order (source slug, pk) neither count nor sort the table on any page
 * (bench/README.md has the plans and measurements).
 *
 * What changes:
 * - `source_connection_count (source_id, n)`: connections per source. A list's `count` is the sum
 *   over the matching sources: as many rows as sources, whatever the number of connections.
 * - `source_connection_block_count (source_id, shift, block, n)`: connections per source and id
 *   range, at three levels: `block = id >> shift` for shift 26, 20 and 14 (ranges of 2^26, 2^20 and
 *   2^14 ids; each range holds 64 ranges of the level below, and integer ids give at most 32
 *   top-level ranges). To find row k of a source in pk order a page walks this tree top-down: at most
 *   32 + 64 + 64 counter rows, then skips fewer than 2^14 entries of the index (source_id, id). The
 *   work is bounded whatever the table size (a B-tree of counts with fanout 64), where OFFSET k
 *   costs k.
 * - Triggers on `user_source_connection` keep both tables exact in the transaction that changes
 *   the rows: statement-level AFTER INSERT / AFTER DELETE with transition tables (one aggregated
 *   upsert per statement and table, also for bulk loads and for the ON DELETE CASCADE deletes that
 *   removing a user or a source performs), a row-level AFTER UPDATE OF source_id, id (fires only
 *   when a row moves to another source or id; never for updates of identifier, user or last_updated)
 *   and AFTER TRUNCATE. Rows whose n drops to 0 are deleted, so no row outlives its source.
 * - `user_source_connection_source_id_idx (source_id, id)` is re-created as a covering index
 *   (INCLUDE user_id, created, identifier): a list page is read from the index alone (index-only
 *   scan), not with one heap lookup per row. `last_updated`, which every PUT and sign-in refreshes,
 *   stays out of the index, so those updates remain HOT.
 * - Both tables are filled from the existing rows under a SHARE lock (no writes between the
 *   backfill and the triggers).
 *
 * Why triggers (STYLE §8 asks for a note): connections are inserted and deleted by several code paths
 * and deleted without any of our code running when a user or a source is deleted (ON DELETE
 * CASCADE). Only a trigger sees every such change in the transaction that makes it, so the counts
 * cannot drift. Statement-level triggers with transition tables make a bulk change cost one upsert
 * per (source, range) instead of one per row. Counter rows are upserted in key order, so concurrent
 * multi-source changes lock them in the same order. Cost: concurrent inserts/deletes on the *same*
 * source serialise on its counter rows until commit. No foreign key to `source`: the cascade from a
 * deleted source and the counter updates would run within one statement; the n = 0 clean-up removes
 * the rows instead.
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
      shift smallint NOT NULL CHECK (shift IN (14, 20, 26)),
      block integer NOT NULL,
      n integer NOT NULL,
      PRIMARY KEY (source_id, shift, block)
    );

    CREATE FUNCTION user_source_connection_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      INSERT INTO source_connection_count AS k (source_id, n)
        SELECT source_id, count(*) FROM new_rows GROUP BY source_id ORDER BY source_id
        ON CONFLICT (source_id) DO UPDATE SET n = k.n + excluded.n;
      INSERT INTO source_connection_block_count AS k (source_id, shift, block, n)
        SELECT r.source_id, s.shift, r.id >> s.shift, count(*)
        FROM new_rows r CROSS JOIN (VALUES (26::smallint), (20::smallint), (14::smallint)) AS s(shift)
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (source_id, shift, block) DO UPDATE SET n = k.n + excluded.n;
      RETURN NULL;
    END
    $fn$;

    CREATE FUNCTION user_source_connection_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      INSERT INTO source_connection_count AS k (source_id, n)
        SELECT source_id, -count(*) FROM old_rows GROUP BY source_id ORDER BY source_id
        ON CONFLICT (source_id) DO UPDATE SET n = k.n + excluded.n;
      INSERT INTO source_connection_block_count AS k (source_id, shift, block, n)
        SELECT r.source_id, s.shift, r.id >> s.shift, -count(*)
        FROM old_rows r CROSS JOIN (VALUES (26::smallint), (20::smallint), (14::smallint)) AS s(shift)
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (source_id, shift, block) DO UPDATE SET n = k.n + excluded.n;
      DELETE FROM source_connection_count k
        WHERE k.n = 0 AND k.source_id IN (SELECT source_id FROM old_rows);
      DELETE FROM source_connection_block_count k
        WHERE k.n = 0 AND (k.source_id, k.shift, k.block) IN (
          SELECT r.source_id, s.shift, r.id >> s.shift
          FROM old_rows r CROSS JOIN (VALUES (26::smallint), (20::smallint), (14::smallint)) AS s(shift));
      RETURN NULL;
    END
    $fn$;

    CREATE FUNCTION user_source_connection_counts_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      INSERT INTO source_connection_count AS k (source_id, n)
        SELECT v.source_id, sum(v.d) FROM (VALUES (OLD.source_id, -1), (NEW.source_id, 1)) AS v(source_id, d)
        GROUP BY 1 HAVING sum(v.d) <> 0 ORDER BY 1
        ON CONFLICT (source_id) DO UPDATE SET n = k.n + excluded.n;
      INSERT INTO source_connection_block_count AS k (source_id, shift, block, n)
        SELECT v.source_id, s.shift, v.id >> s.shift, sum(v.d)
        FROM (VALUES (OLD.source_id, OLD.id, -1), (NEW.source_id, NEW.id, 1)) AS v(source_id, id, d)
          CROSS JOIN (VALUES (26::smallint), (20::smallint), (14::smallint)) AS s(shift)
        GROUP BY 1, 2, 3 HAVING sum(v.d) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (source_id, shift, block) DO UPDATE SET n = k.n + excluded.n;
      DELETE FROM source_connection_count k WHERE k.n = 0 AND k.source_id = OLD.source_id;
      DELETE FROM source_connection_block_count k
        WHERE k.n = 0 AND k.source_id = OLD.source_id AND k.block = OLD.id >> k.shift;
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
    INSERT INTO source_connection_block_count (source_id, shift, block, n)
      SELECT r.source_id, s.shift, r.id >> s.shift, count(*)
      FROM user_source_connection r CROSS JOIN (VALUES (26::smallint), (20::smallint), (14::smallint)) AS s(shift)
      GROUP BY 1, 2, 3;
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
