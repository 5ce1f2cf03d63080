/**
 * Every test runs on two PostgreSQL servers from the same migrations (STYLE §10):
 * project `embedded` starts the embedded PostgreSQL; project `system` uses TEST_DATABASE_URL and is
 * included only when that variable is set (CI sets it).
 */
import { defineConfig } from 'vitest/config';

const projects: any[] = [
  { extends: true, test: { name: 'embedded', globalSetup: ['test/helpers/global-setup.ts'], provide: { dbMode: 'embedded' } } },
];
if (process.env.TEST_DATABASE_URL) {
  projects.push({ extends: true, test: { name: 'system', globalSetup: ['test/helpers/global-setup.ts'], provide: { dbMode: 'system' } } });
}

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    isolate: false,
    projects,
  },
});
