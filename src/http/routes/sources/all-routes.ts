/**
 * `/api/v3/sources/all/` — spec §3, §7; permissions.md §5: list, retrieve, destroy, used_by, types,
 * user_settings, set_icon (multipart/form-data, parsed only in this route's scope) and set_icon_url.
 */
import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../../domain/deps.js';
import type { MediaStore } from '../../../domain/media.js';
import * as sources from '../../../domain/sources/all-service.js';
import type { IconUpload } from '../../../domain/sources/all-service.js';
import { envelope, paginated } from '../../list/envelope.js';
import { listQuerySchema, parseListQuery } from '../../list/list-query.js';
import { actorOf } from '../../route-helpers.js';
import { errorResponses, notFoundResponse, UsedBySchema } from '../../schemas/common.js';
import { FilePathRequestSchema, FileUploadRequestSchema, SourceTypeCreateSchema, UserSettingSchema } from './all-schemas.js';
import { SourceSchema } from './schemas.js';
import { serializeSource } from './serialize.js';

const BASE = '/sources/all/';
const tags = ['sources'];
const description = 'Source Viewset';

type SlugReq = FastifyRequest<{ Params: { slug: string } }>;
const SlugParamsSchema = Type.Object({ slug: Type.String({ description: 'Internal source name, used in URLs.' }) });

/** These actions read their bodies themselves (authentik answers 400 with an empty body, not field errors). */
const noBodyValidation = { validatorCompiler: () => () => true };

/** An error with an HTTP status that the error handler answers as `{detail}`. */
function httpError(statusCode: number, message: string): Error {
  return Object.assign(new Error(message), { statusCode });
}

/** Maps @fastify/multipart and busboy failures to 413 (a file over the limit) or 400 (anything else malformed). */
function multipartError(e: unknown): Error {
  const err = e as { code?: string; message?: string };
  if (err.code === 'FST_REQ_FILE_TOO_LARGE') return httpError(413, 'Request body is too large.');
  if (err.code === 'FST_PARTS_LIMIT' || err.code === 'FST_FILES_LIMIT' || err.code === 'FST_FIELDS_LIMIT') {
    return httpError(400, 'Multipart form parse error - too many parts.');
  }
  return httpError(400, `Multipart form parse error - ${String(err.message ?? 'malformed body').slice(0, 200)}`);
}

export async function allSourceRoutes(
  app: FastifyInstance, deps: Deps, media: MediaStore, opts: { maxPageSize: number; bodyLimitBytes: number },
): Promise<void> {
  const spec = sources.allSourcesListSpec;
  const PaginatedSchema = paginated(SourceSchema);
  app.addSchema(PaginatedSchema);
  const typed = (s: Parameters<typeof serializeSource>[0]) => serializeSource(s, 'typed');

  app.get(BASE, {
    schema: {
      operationId: 'sources_all_list', tags, description,
      querystring: listQuerySchema(spec),
      response: { 200: Type.Ref(PaginatedSchema), ...errorResponses, ...notFoundResponse },
    },
  }, async (req) => envelope(await sources.list(deps, actorOf(req), parseListQuery(req.query, spec, opts.maxPageSize)), typed));

  app.get(`${BASE}types/`, {
    schema: {
      operationId: 'sources_all_types_list', tags, description: 'Get all creatable types',
      response: { 200: Type.Array(SourceTypeCreateSchema), ...errorResponses },
    },
  }, async (req) => {
    actorOf(req);
    return sources.types();
  });

  app.get(`${BASE}user_settings/`, {
    schema: {
      operationId: 'sources_all_user_settings_list', tags, description: 'Get all sources the user can configure',
      response: { 200: Type.Array(Type.Ref(UserSettingSchema)), ...errorResponses },
    },
  }, async (req) => {
    actorOf(req);
    return sources.userSettings(deps);
  });

  const detail = `${BASE}:slug/`;
  app.get(detail, {
    schema: {
      operationId: 'sources_all_retrieve', tags, description, params: SlugParamsSchema,
      response: { 200: Type.Ref(SourceSchema), ...errorResponses, ...notFoundResponse },
    },
  }, async (req: SlugReq) => typed(await sources.retrieve(deps, actorOf(req), req.params.slug)));

  app.delete(detail, {
    schema: {
      operationId: 'sources_all_destroy', tags, description, params: SlugParamsSchema,
      response: { 204: Type.Null({ description: 'No response body' }), ...errorResponses, ...notFoundResponse },
    },
  }, async (req: SlugReq, reply) => {
    await sources.destroy(deps, media, actorOf(req), req.params.slug);
    return reply.code(204).send();
  });

  app.get(`${detail}used_by/`, {
    schema: {
      operationId: 'sources_all_used_by_list', tags, description: 'Get a list of all objects that use this object',
      params: SlugParamsSchema,
      response: { 200: Type.Array(Type.Ref(UsedBySchema)), ...errorResponses, ...notFoundResponse },
    },
  }, async (req: SlugReq) => sources.usedBy(deps, actorOf(req), req.params.slug));

  const iconResponses = {
    200: Type.Object({}, { description: 'Success' }),
    400: Type.Null({ description: 'Bad request' }),
    403: errorResponses[403],
    ...notFoundResponse,
  };
  // Access (404 unknown slug, 403 without change_source) is decided before the body is parsed.
  const iconAccess = async (req: SlugReq) => {
    await sources.checkIconAccess(deps, actorOf(req), req.params.slug);
  };

  app.post(`${detail}set_icon_url/`, {
    ...noBodyValidation,
    schema: {
      operationId: 'sources_all_set_icon_url_create', tags, description: 'Set source icon (as URL)',
      params: SlugParamsSchema, body: Type.Ref(FilePathRequestSchema), response: iconResponses,
    },
    preParsing: async (req: SlugReq, _reply, payload) => {
      await iconAccess(req);
      return payload;
    },
  }, async (req: SlugReq) => {
    const body = req.body as Record<string, unknown> | undefined;
    const url = body !== null && typeof body === 'object' && !Array.isArray(body) ? body.url : undefined;
    await sources.setIconUrl(deps, media, actorOf(req), req.params.slug, url);
    return {};
  });

  await app.register(async (scope) => {
    // Only multipart/form-data here (DRF's MultiPartParser): JSON and everything else answer 415.
    scope.removeAllContentTypeParsers();
    await scope.register(multipart, {
      limits: { fileSize: opts.bodyLimitBytes, files: 1, fields: 20, parts: 25, fieldSize: 65536, headerPairs: 100 },
    });
    scope.post(`${detail}set_icon/`, {
      ...noBodyValidation,
      schema: {
        operationId: 'sources_all_set_icon_create', tags, description: 'Set source icon',
        consumes: ['multipart/form-data'], params: SlugParamsSchema, body: Type.Ref(FileUploadRequestSchema), response: iconResponses,
      },
      preParsing: async (req: SlugReq, _reply, payload) => {
        await iconAccess(req);
        return payload;
      },
    }, async (req: SlugReq) => {
      let file: IconUpload | undefined;
      let clear = false;
      if (req.isMultipart()) {
        try {
          for await (const part of req.parts()) {
            if (part.type === 'file') {
              const data = await part.toBuffer();
              if (part.fieldname === 'file' && !file) file = { fileName: part.filename, contentType: part.mimetype, data };
            } else if (part.fieldname === 'clear') {
              clear = String(part.value).trim().toLowerCase() === 'true';
            }
          }
        } catch (e) {
          throw multipartError(e);
        }
      }
      await sources.setIcon(deps, media, actorOf(req), req.params.slug, { file, clear });
      return {};
    });
  });
}
