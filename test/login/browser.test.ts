/**
 * One real browser run (Debian `chromium` driven by playwright-core): open the sign-in page, click
 * the source's button, come back signed in, see the connection, sign out. Skipped with a reason when
 * /usr/bin/chromium is absent (CI installs it: `apt-get install -y chromium`). Runs in the `embedded`
 * project only: the database plays no part the other sign-in tests do not already cover on both.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeOAuthSource, startLoginEnv, type LoginEnv } from '../helpers/login.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const skipReason = !hasChromium ? 'skipped: /usr/bin/chromium not installed (apt-get install -y chromium)'
  : inject('dbMode') === 'system' ? 'skipped in the system-database project: runs once, in embedded' : CHROMIUM;

describe.skipIf(skipReason !== CHROMIUM)(`sign-in in a real browser (${skipReason})`, () => {
  let env: LoginEnv;
  let browser: import('playwright-core').Browser;

  beforeAll(async () => {
    env = await startLoginEnv(['browser-idp']);
    await makeOAuthSource(env, { slug: 'browser-idp', name: 'Browser IdP', mode: 'email_link' });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  it('clicks through: sign-in page → provider → signed in with the linked account → sign out', async () => {
    const local = await env.t.makeUser({ username: `browser-${process.pid}`, email: `browser-${process.pid}@example.org` });
    env.op.accounts.set('browser-sub', { email: local.email.toUpperCase(), preferred_username: 'someone-else', email_verified: true });
    env.op.nextAccount = 'browser-sub';
    const page = await browser.newPage();
    await page.goto(`${env.base}/`);
    expect(new URL(page.url()).pathname).toBe('/if/flow/default-authentication-flow/');
    await page.getByRole('link', { name: 'Sign in with Browser IdP' }).click();
    await page.waitForURL(`${env.base}/if/user/`);
    expect(await page.getByTestId('username').textContent()).toBe(local.username);
    expect(await page.getByRole('status').textContent()).toBe('Successfully authenticated with Browser IdP!');
    expect(await page.locator('li').textContent()).toContain('Browser IdP');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${env.base}/if/flow/default-authentication-flow/`);
    expect(await page.getByRole('status').textContent()).toBe('You have been signed out.');
    await page.close();
  });
});
