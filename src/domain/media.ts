/**
 * Where uploaded media (source icons) live. Services receive a `MediaStore`; the file-system
 * implementation is storage/media-store.ts, rooted at `<FEDLINK_DATA_DIR>/media`.
 * Names are relative to the media root, e.g. `source-icons/github_3f2a9c.png`, and are always built by
 * Fedlink (domain/sources/icons.ts), never taken from a request.
 */
export interface MediaStore {
  /** Writes a new file (never overwrites). @throws when `name` is not a valid icon name or exists. */
  write(name: string, data: Buffer): Promise<void>;
  /** Reads a file; undefined when it does not exist or `name` is not a valid icon name. */
  read(name: string): Promise<Buffer | undefined>;
  /** Deletes a file; a missing file or invalid name is ignored. */
  remove(name: string): Promise<void>;
}
