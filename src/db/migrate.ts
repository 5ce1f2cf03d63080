/** Runs Fedlink's versioned migrations (db/migrations/index.ts) with Kysely's Migrator. */
import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import { migrations } from './migrations/index.js';

/**
 * Migrates the database to the latest version. Concurrent callers are serialised by Kysely's lock table.
 * @returns the names of the migrations applied by this call (empty when already up to date).
 * @throws Error carrying the failing migration's error.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) throw result.error instanceof Error ? result.error : new Error(String(result.error));
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
