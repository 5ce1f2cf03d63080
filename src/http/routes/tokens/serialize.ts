/** Token views → wire objects, in authentik's key order. No key, hash or ciphertext ever appears. */
import type { TokenView } from '../../../domain/tokens/service.js';
import { serializeUser } from '../users/serialize.js';
import type { TokenWire } from './schemas.js';

export function serializeToken(v: TokenView): TokenWire {
  const t = v.token;
  return {
    pk: t.token_uuid,
    managed: t.managed,
    identifier: t.identifier,
    intent: t.intent,
    user: t.user_id,
    user_obj: serializeUser(v.user),
    description: t.description,
    expires: t.expires,
    expiring: t.expiring,
  };
}
