/**
 * Regression: deleting a source through its typed endpoint (`DELETE /sources/<kind>/{slug}/`) removes its uploaded
 * icon file, as `DELETE /sources/all/{slug}/` does (docs/decisions.md C8, C9). It used to stay on disk and keep being
 * served publicly at /media/source-icons/<name>. Found by test/e2e/conformance-sources.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rand } from '../helpers/factories.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let dataDir: string;
let adminKey: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'fedlink-media-'));
  t = await createTestApp({ dataDir });
  adminKey = await t.makeToken((await t.makeUser({ superuser: true })).pk);
});
afterAll(async () => {
  await t?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A stored icon file, as set_icon leaves it. */
function iconFile(): { name: string; file: string } {
  const name = `source-icons/s_${rand(8)}.png`;
  const file = path.join(dataDir, 'media', name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, Buffer.from('89504e470d0a1a0a', 'hex'));
  return { name, file };
}

let flowPk: string;
/** Creates a source of `kind` through the API and gives it the stored icon `icon`. */
async function source(kind: string, icon: string): Promise<{ pk: string; slug: string }> {
  const slug = `${kind}-${rand()}`;
  const body: Record<string, unknown> = {
    oauth: { provider_type: 'github', consumer_key: 'k', consumer_secret: 's' },
    saml: { pre_authentication_flow: flowPk, sso_url: 'https://idp.example/sso' },
    plex: { plex_token: 't' },
    ldap: { server_uri: 'ldap://ldap.example', base_dn: 'dc=example', sync_users_password: false },
    kerberos: { realm: `${slug.toUpperCase()}.EXAMPLE` },
    scim: {},
  }[kind]!;
  const r = await t.api('POST', `/sources/${kind}/`, { token: adminKey, body: { name: slug, slug, ...body } });
  expect(r.statusCode, r.body).toBe(201);
  await t.t.db.updateTable('source').set({ icon }).where('slug', '=', slug).execute();
  return { pk: r.json().pk, slug };
}

for (const kind of ['oauth', 'saml', 'plex', 'ldap', 'kerberos', 'scim'] as const) {
  it(`DELETE /sources/${kind}/{slug}/ removes the uploaded icon file (unless another source stores it)`, async () => {
    flowPk ??= (await t.api('POST', '/flows/instances/', { token: adminKey, body: { name: 'pre', slug: 'pre', title: 'pre', designation: 'authentication' } })).json().pk;
    const own = iconFile();
    const s = await source(kind, own.name);
    expect((await t.app.inject({ method: 'GET', url: `/media/${own.name}` })).statusCode).toBe(200);
    const r = await t.api('DELETE', `/sources/${kind}/${s.slug}/`, { token: adminKey });
    expect(r.statusCode, r.body).toBe(204);
    expect(existsSync(own.file)).toBe(false);
    expect((await t.app.inject({ method: 'GET', url: `/media/${own.name}` })).statusCode).toBe(404);

    const shared = iconFile();
    const a = await source(kind, shared.name);
    await t.makeSource({ kind: 'oauth', icon: shared.name });
    expect((await t.api('DELETE', `/sources/${kind}/${a.slug}/`, { token: adminKey })).statusCode).toBe(204);
    expect(existsSync(shared.file)).toBe(true);
  });
}
