/**
 * The ordered list of migrations. Kysely's Migrator reads them from here (not from the file system)
 * so the same list works from TypeScript sources (tests) and compiled JavaScript (dist/).
 * Add a new file as `<UTC yyyy-mm-ddTHHMM>_<verb>_<object>.ts` and register it below; never edit a merged one.
 */
import type { Migration } from 'kysely';
import * as createCore from './2026-11-29T0900_create_core.js';
import * as createConnectionCounts from './2026-11-29T1020_create_connection_counts.js';
import * as createSession from './2026-11-29T1030_create_session.js';
import * as addFlowSettings from './2026-11-29T1040_add_flow_settings.js';
import * as createTypedSources from './2026-11-29T1050_create_typed_sources.js';
import * as createGroupSourceConnection from './2026-11-29T1060_create_group_source_connection.js';
import * as addSourceRevision from './2026-11-29T1070_add_source_revision.js';

export const migrations: Record<string, Migration> = {
  '2026-11-29T0900_create_core': createCore,
  '2026-11-29T1020_create_connection_counts': createConnectionCounts,
  '2026-11-29T1030_create_session': createSession,
  '2026-11-29T1040_add_flow_settings': addFlowSettings,
  '2026-11-29T1050_create_typed_sources': createTypedSources,
  '2026-11-29T1060_create_group_source_connection': createGroupSourceConnection,
  '2026-11-29T1070_add_source_revision': addSourceRevision,
};
