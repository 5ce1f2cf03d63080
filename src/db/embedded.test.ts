/** dirsClosedToOthers: the directories the `postgres` user cannot enter when Fedlink runs as root. */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dirsClosedToOthers } from './embedded.js';

describe('dirsClosedToOthers', () => {
  it('names a 0700 parent (a clone inside mktemp -d), once, and nothing once it is opened', () => {
    const top = mkdtempSync(path.join(os.tmpdir(), 'fedlink-perm-'));
    try {
      chmodSync(top, 0o700);
      mkdirSync(path.join(top, 'x', 'node_modules'), { recursive: true, mode: 0o755 });
      const targets = [path.join(top, 'x', 'node_modules'), path.join(top, 'x', 'data', 'postgres')];
      expect(dirsClosedToOthers(targets)).toEqual([top]);
      chmodSync(top, 0o711);
      expect(dirsClosedToOthers(targets)).toEqual([]);
    } finally {
      rmSync(top, { recursive: true, force: true });
    }
  });
});
