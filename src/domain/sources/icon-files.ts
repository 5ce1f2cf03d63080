/**
 * Uploaded icon files outlive nothing: a file under `<media>/source-icons/` is removed once no source stores its
 * name any more, whichever way the source lost it (set_icon, set_icon_url, clear, or deleting the source through
 * `/sources/all/` or its typed endpoint; docs/decisions.md C8, C9).
 */
import { countSourcesWithIcon } from '../../db/repositories/sources.js';
import type { Deps } from '../deps.js';
import type { MediaStore } from '../media.js';
import { isUploadedIcon } from './icons.js';

/** Deletes an uploaded icon file once no source refers to it any more (best effort; never fails the request). */
export async function releaseIcon(deps: Deps, media: MediaStore, stored: string | null): Promise<void> {
  if (!isUploadedIcon(stored)) return;
  try {
    if ((await countSourcesWithIcon(deps.db, stored)) === 0) await media.remove(stored);
  } catch {
    // A leftover file is harmless; the request already succeeded.
  }
}
