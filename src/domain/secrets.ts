/**
 * Secrets at rest (decisions F9): values are encrypted with AES-256-GCM under a key derived from the
 * server secret, and API token keys are looked up by an HMAC-SHA256 digest, so a database dump holds
 * neither working tokens nor provider access tokens. Uses node:crypto only.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

export interface SecretBox {
  /** Encrypts UTF-8 text → `v1.<iv>.<tag>.<ciphertext>` (base64url parts). */
  encrypt(plain: string): string;
  /** Reverses `encrypt`. @throws Error when the value was not made with this secret (tampered or other key). */
  decrypt(sealed: string): string;
  /** Keyed digest used as a lookup index for token keys: hex HMAC-SHA256. */
  digest(value: string): string;
}

/** Builds the box for a server secret (any length ≥ 16; the same secret must be used on every start). */
export function createSecretBox(secret: string): SecretBox {
  const encKey = Buffer.from(hkdfSync('sha256', secret, 'fedlink', 'fedlink encryption v1', 32));
  const macKey = Buffer.from(hkdfSync('sha256', secret, 'fedlink', 'fedlink lookup digest v1', 32));
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
    },
    decrypt(sealed) {
      const [v, iv, tag, ct] = sealed.split('.');
      if (v !== 'v1' || iv === undefined || tag === undefined || ct === undefined) throw new Error('not a sealed value');
      const decipher = createDecipheriv('aes-256-gcm', encKey, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    },
    digest(value) {
      return createHmac('sha256', macKey).update(value, 'utf8').digest('hex');
    },
  };
}

/** A new random token key: 60 URL-safe characters, like authentik's generate_key(). */
export function generateKey(): string {
  return randomBytes(45).toString('base64url');
}
