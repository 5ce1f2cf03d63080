/**
 * Derived, read-only user fields: `uid` (a stable per-installation hash of the pk) and `avatar`
 * (an initials SVG as a data URI: no network, no Gravatar). Pure apart from the secret box.
 * Source: authentik/core/models.py User.uid and authentik/lib/avatars.py (mode "initials").
 */
import { createHash } from 'node:crypto';
import type { SecretBox } from '../secrets.js';

const installIds = new WeakMap<SecretBox, string>();

/** authentik's `sha256("<pk>-<install id>")`; the install id is derived from the server secret. */
export function userUid(secrets: SecretBox, pk: number): string {
  let installId = installIds.get(secrets);
  if (!installId) {
    installId = secrets.digest('fedlink install id');
    installIds.set(secrets, installId);
  }
  return createHash('sha256').update(`${pk}-${installId}`, 'ascii').digest('hex');
}

function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * An SVG avatar with the user's initials (first letters of up to two words of `name`, else of the
 * username) on a colour derived from the username, as a `data:image/svg+xml;base64,…` URI.
 */
export function initialsAvatar(name: string, username: string): string {
  const words = (name.trim() || username).split(/\s+/).filter((w) => w !== '');
  const initials = words.slice(0, 2).map((w) => [...w][0]!.toUpperCase()).join('');
  const colour = createHash('sha256').update(username).digest('hex').slice(0, 6);
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 100 100">'
    + `<rect width="100" height="100" fill="#${colour}"/>`
    + '<text x="50" y="50" dominant-baseline="central" text-anchor="middle" font-family="sans-serif" font-size="40" fill="#ffffff">'
    + `${xmlEscape(initials)}</text></svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}
