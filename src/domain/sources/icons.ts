/**
 * Rules for uploaded source icons (`POST /sources/all/{slug}/set_icon/`): which files are accepted, what
 * they are stored as and which stored names may be served or deleted. Pure: no I/O.
 * authentik stores any uploaded file under its original name; Fedlink accepts only images it can
 * recognise and names them itself, so a request can never choose a path (docs/decisions.md C9).
 */

export const ICON_EXTENSIONS = ['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'ico'] as const;
export type IconExtension = (typeof ICON_EXTENSIONS)[number];

/** Content type served for each extension. */
export const ICON_CONTENT_TYPE: Record<IconExtension, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', svg: 'image/svg+xml',
  webp: 'image/webp', ico: 'image/x-icon',
};

/** Declared part types that say nothing: none, a generic binary, or multipart's default for a part without one. */
const UNINFORMATIVE = ['', 'application/octet-stream', 'text/plain'];

/** Declared part content types accepted per extension (besides the uninformative ones). */
const DECLARED: Record<IconExtension, readonly string[]> = {
  png: ['image/png'], jpg: ['image/jpeg', 'image/jpg', 'image/pjpeg'], jpeg: ['image/jpeg', 'image/jpg', 'image/pjpeg'],
  gif: ['image/gif'], svg: ['image/svg+xml'], webp: ['image/webp'],
  ico: ['image/x-icon', 'image/vnd.microsoft.icon', 'image/ico', 'image/icon'],
};

/** Directory (under the media root) and name pattern of stored icons: `source-icons/<stem>.<ext>`. */
export const ICON_DIR = 'source-icons';
export const ICON_FILE_RE = /^[A-Za-z0-9_-]{1,120}\.(png|jpg|jpeg|gif|svg|webp|ico)$/;

export const INVALID_ICON = 'Upload a valid image: png, jpg, jpeg, gif, svg, webp or ico.';

function startsWith(data: Buffer, bytes: number[], offset = 0): boolean {
  return data.length >= offset + bytes.length && bytes.every((b, i) => data[offset + i] === b);
}

function looksLikeSvg(data: Buffer): boolean {
  const head = data.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '');
  return /^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>/]/i.test(head);
}

/** The image format `data` actually is (by its leading bytes), or undefined. */
export function sniffIcon(data: Buffer): IconExtension | undefined {
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(data, [0xff, 0xd8, 0xff])) return 'jpg';
  if (startsWith(data, [0x47, 0x49, 0x46, 0x38]) && (data[4] === 0x37 || data[4] === 0x39) && data[5] === 0x61) return 'gif';
  if (startsWith(data, [0x52, 0x49, 0x46, 0x46]) && startsWith(data, [0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  if (startsWith(data, [0x00, 0x00, 0x01, 0x00]) && data.length > 6) return 'ico';
  if (looksLikeSvg(data)) return 'svg';
  return undefined;
}

/**
 * Decides the stored extension of an upload: the file name's extension when it is an allowed one, else —
 * only when the name has no extension at all (e.g. a `Blob` sent as "blob") — the sniffed format. The
 * content must be that format (jpg and jpeg are one), and an informative declared content type must agree.
 * @returns the extension, or undefined when the upload is not an acceptable icon.
 */
export function iconExtension(fileName: string, declaredType: string | undefined, data: Buffer): IconExtension | undefined {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  const sniffed = sniffIcon(data);
  if (!sniffed) return undefined;
  let ext: IconExtension;
  if (dot <= 0 || dot === base.length - 1) {
    if (dot === base.length - 1) return undefined;
    ext = sniffed;
  } else {
    const named = base.slice(dot + 1).toLowerCase();
    if (!(ICON_EXTENSIONS as readonly string[]).includes(named)) return undefined;
    ext = named as IconExtension;
  }
  const family = (e: IconExtension) => (e === 'jpeg' ? 'jpg' : e);
  if (family(ext) !== family(sniffed)) return undefined;
  const declared = (declaredType ?? '').split(';')[0].trim().toLowerCase();
  if (!UNINFORMATIVE.includes(declared) && !DECLARED[ext].includes(declared)) return undefined;
  return ext;
}

/** Stored name for a new icon of the source `slug`: `source-icons/<slug>_<random>.<ext>` (slug sanitised). */
export function iconStoredName(slug: string, random: string, ext: IconExtension): string {
  const stem = `${slug.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 50) || 'source'}_${random.replace(/[^A-Za-z0-9]/g, '')}`;
  return `${ICON_DIR}/${stem}.${ext}`;
}

/** Whether a stored icon value names a file Fedlink uploaded (so it may be served or deleted). */
export function isUploadedIcon(stored: string | null): stored is string {
  if (!stored || !stored.startsWith(`${ICON_DIR}/`)) return false;
  return ICON_FILE_RE.test(stored.slice(ICON_DIR.length + 1));
}
