#!/usr/bin/env node
// Runs the compiled CLI (dist/). `npm run build` (or `npm start`) compiles it first.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('fedlink: dist/ is missing; run `npm run build` first.\n');
  process.exit(1);
}
await import(main);
