import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database.js';

/** What repositories take: the database or an open transaction, so services can group writes. */
export type Executor = Kysely<Database> | Transaction<Database>;
