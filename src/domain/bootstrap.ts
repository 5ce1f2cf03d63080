/**
 * First-start bootstrap, like authentik's AUTHENTIK_BOOTSTRAP_* settings: the superuser group
 * "authentik Admins", the user `akadmin` in it, its password/email, and an API token.
 * Source: authentik/blueprints/system/bootstrap.yaml.
 */
import {
  addMembership, ensureRootGroup, findTokenKeyHash, findUserIdByUsername, insertBootstrapUser, tokenWithKeyHashExists, upsertManagedToken,
} from '../db/repositories/bootstrap.js';
import type { Deps } from './deps.js';
import { hashPassword } from './passwords.js';
import { generateKey } from './secrets.js';

export const ADMIN_GROUP = 'authentik Admins';
export const ADMIN_USERNAME = 'akadmin';
export const BOOTSTRAP_TOKEN_IDENTIFIER = 'authentik-bootstrap-token';

export interface BootstrapResult {
  /** True when akadmin was created by this call. */
  created: boolean;
  /** A generated token key, present only when one was created now (print it once). */
  generatedToken?: string;
}

/**
 * Ensures the admin group, akadmin and its token exist. Idempotent; safe to run on every start.
 * - FEDLINK_BOOTSTRAP_TOKEN given: the token `authentik-bootstrap-token` has exactly that key.
 * - not given: on akadmin's creation a random key is generated and returned.
 * - password/email are set when akadmin is created.
 */
export async function bootstrap(deps: Deps, opts: { token?: string; password?: string; email?: string }): Promise<BootstrapResult> {
  const passwordHash = opts.password ? await hashPassword(opts.password) : null;
  return deps.db.transaction().execute(async (tx) => {
    const groupUuid = await ensureRootGroup(tx, ADMIN_GROUP, true);
    let userId = await findUserIdByUsername(tx, ADMIN_USERNAME);
    const created = userId === undefined;
    if (userId === undefined) {
      userId = await insertBootstrapUser(tx, {
        username: ADMIN_USERNAME, name: 'authentik Default Admin', email: opts.email ?? '', password: passwordHash,
      });
    }
    await addMembership(tx, userId, groupUuid);
    let key = opts.token;
    let generatedToken: string | undefined;
    if (!key && created) key = generatedToken = generateKey();
    if (key) {
      const hash = deps.secrets.digest(key);
      // A token with this key already exists (possibly renamed through the API): nothing to do.
      if ((await findTokenKeyHash(tx, BOOTSTRAP_TOKEN_IDENTIFIER)) !== hash && !(await tokenWithKeyHashExists(tx, hash))) {
        await upsertManagedToken(tx, {
          identifier: BOOTSTRAP_TOKEN_IDENTIFIER, managed: 'goauthentik.io/authentik-bootstrap-token', userId,
          keyHash: hash, keyEncrypted: deps.secrets.encrypt(key), description: 'Bootstrap token',
        });
      }
    }
    return { created, generatedToken };
  });
}
