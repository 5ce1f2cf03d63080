import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { SecretBox } from './secrets.js';

/** What services need: the database and the secret box. Passed explicitly (no module singletons). */
export interface Deps {
  db: Kysely<Database>;
  secrets: SecretBox;
}
