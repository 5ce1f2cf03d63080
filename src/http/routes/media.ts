/**
 * `GET /media/source-icons/<name>`: uploaded source icons, public (authentik serves /media/ without
 * authentication). Only names Fedlink generates are served; the content type comes from the extension,
 * `nosniff` stops browsers from guessing another one, and a restrictive Content-Security-Policy keeps
 * scripts in an SVG from running when the file is opened directly (docs/decisions.md C9).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFound } from '../../domain/errors.js';
import type { MediaStore } from '../../domain/media.js';
import { ICON_CONTENT_TYPE, ICON_DIR, ICON_FILE_RE, type IconExtension } from '../../domain/sources/icons.js';

export function mediaRoutes(app: FastifyInstance, media: MediaStore): void {
  app.get(`/media/${ICON_DIR}/:name`, async (req: FastifyRequest<{ Params: { name: string } }>, reply) => {
    const name = req.params.name;
    if (!ICON_FILE_RE.test(name)) throw new NotFound();
    const data = await media.read(`${ICON_DIR}/${name}`);
    if (!data) throw new NotFound();
    const ext = name.slice(name.lastIndexOf('.') + 1) as IconExtension;
    return reply
      .header('content-type', ICON_CONTENT_TYPE[ext])
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
      .header('content-disposition', 'inline')
      .header('cache-control', 'public, max-age=86400')
      .send(data);
  });
}
