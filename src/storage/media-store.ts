/**
 * File-system MediaStore (domain/media.ts) under `<dataDir>/media`. Only names of the form
 * `source-icons/<[A-Za-z0-9_-]+>.<image extension>` are accepted, so no name can leave the directory;
 * files are created exclusively (`wx`) and world-readable only through the `/media/` route.
 */
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MediaStore } from '../domain/media.js';
import { isUploadedIcon } from '../domain/sources/icons.js';

/** A MediaStore rooted at `<dataDir>/media` (resolved to an absolute path once). */
export function createMediaStore(dataDir: string): MediaStore {
  const root = path.resolve(dataDir, 'media');
  const locate = (name: string): string | undefined => {
    if (!isUploadedIcon(name)) return undefined;
    const full = path.resolve(root, name);
    return full.startsWith(root + path.sep) ? full : undefined;
  };
  return {
    async write(name, data) {
      const full = locate(name);
      if (!full) throw new Error('invalid media name');
      await mkdir(path.dirname(full), { recursive: true, mode: 0o755 });
      await writeFile(full, data, { flag: 'wx', mode: 0o644 });
    },
    async read(name) {
      const full = locate(name);
      if (!full) return undefined;
      try {
        return await readFile(full);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
        throw e;
      }
    },
    async remove(name) {
      const full = locate(name);
      if (!full) return;
      await unlink(full).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
    },
  };
}
