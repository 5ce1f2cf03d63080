#!/usr/bin/env node
// Runs the compiled CLI (dist/). `npm run build` (or `npm start`) compiles it first.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

// Memory: V8 lets the old generation grow to several times the live set before a full collection
// (the live heap of a serving Fedlink is ~40 MB, yet under load its RSS went past 250 MB). A 30 %
// growing factor collects earlier (full collections of this small heap take a few ms) and keeps peak
// RSS near 150 MB; bench/README.md "Memory". Set before anything is loaded; FEDLINK_V8_FLAGS=' '
// (a blank) turns it off, other values replace it.
v8.setFlagsFromString(process.env.FEDLINK_V8_FLAGS || '--heap-growing-percent=30');

const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('fedlink: dist/ is missing; run `npm run build` first.\n');
  process.exit(1);
}
await import(main);
