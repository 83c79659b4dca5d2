import type { RequestHandler } from 'express';
import multer from 'multer';
import { z } from 'zod';
import type { Container } from '../container.ts';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors.ts';
import { defineRoute, paginate, zodProblems } from '../http/api-route.ts';
import {
  altTextSchema,
  encodeCursor,
  mediaIdSchema,
  mediaListQuerySchema,
  mediaResponseSchema,
  uploadFieldsSchema,
} from './media.schemas.ts';

const UPLOADERS = ['editor', 'admin'] as const;
const READERS = ['editor', 'reviewer', 'admin'] as const;
/** The paths whose multipart bodies uploadParser reads: the API and the library page's form. */
const UPLOAD_PATHS = new Set(['/api/v1/media', '/media']);

/**
 * Reads a multipart upload into memory, at most config.upload.maxBytes, BEFORE the CSRF check
 * (a plain form's `_csrf` field is inside the multipart body). Only for a signed-in uploader:
 * anyone else's body is never read, and the route refuses them with 401/403.
 */
export function uploadParser(c: Container): RequestHandler {
  const maxBytes = c.config.upload.maxBytes;
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: 1, fields: 5, fieldSize: 4096, parts: 8 },
  }).single('file');
  return (req, res, next) => {
    if (req.method !== 'POST' || !UPLOAD_PATHS.has(req.path) || !req.is('multipart/form-data')) return next();
    if (!req.actor || !(UPLOADERS as readonly string[]).includes(req.actor.role)) return next();
    upload(req, res, (error: unknown) => {
      if ((error as { code?: string } | undefined)?.code === 'LIMIT_FILE_SIZE') {
        const mb = (maxBytes / 1024 / 1024).toFixed(maxBytes % (1024 * 1024) === 0 ? 0 : 1);
        next(
          new PayloadTooLargeError(
            `The file is larger than the upload limit of ${mb} MB (tệp vượt quá ${mb} MB)`,
          ),
        );
        return;
      }
      next(error);
    });
  };
}

const listSchema = z.object({ items: z.array(mediaResponseSchema), nextCursor: z.string().nullable() });

export function mediaRoutes(c: Container) {
  return [
    defineRoute({
      method: 'post',
      path: '/media',
      summary:
        'Upload an image: multipart/form-data with `file` (JPEG, PNG, WebP or GIF, sniffed from the bytes) and `altText`; 413 over the size limit, 415 not an accepted image, 422 corrupt or too many pixels',
      tag: 'Media',
      access: UPLOADERS,
      status: 201,
      response: mediaResponseSchema,
      handler: async ({ actor, req }) => {
        if (!req.is('multipart/form-data')) {
          throw new UnsupportedMediaTypeError('Send the image as multipart/form-data in the field "file"');
        }
        if (!req.file)
          throw new ValidationError([{ path: 'file', message: 'attach an image in the field "file"' }]);
        const fields = uploadFieldsSchema.safeParse(req.body ?? {});
        if (!fields.success) throw new ValidationError(zodProblems(fields.error));
        const row = await c.media.upload(actor, {
          data: req.file.buffer,
          originalName: req.file.originalname,
          ...(fields.data.altText !== undefined && { altText: fields.data.altText }),
        });
        return c.media.present(row);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/media',
      summary: 'The media library, newest first',
      tag: 'Media',
      access: READERS,
      query: mediaListQuerySchema,
      response: listSchema,
      handler: async ({ actor, query }) => {
        const rows = await c.media.list(actor, {
          limit: query.limit + 1,
          ...(query.cursor && { after: query.cursor }),
        });
        return paginate(rows, query.limit, (r) => encodeCursor(r), c.media.present);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/media/:id',
      summary: 'One image',
      tag: 'Media',
      access: READERS,
      params: z.object({ id: mediaIdSchema }),
      response: mediaResponseSchema,
      handler: async ({ actor, params }) => c.media.present(await c.media.get(actor, params.id)),
    }),
    defineRoute({
      method: 'patch',
      path: '/media/:id',
      summary: 'Change the alt text',
      tag: 'Media',
      access: UPLOADERS,
      params: z.object({ id: mediaIdSchema }),
      body: altTextSchema,
      response: mediaResponseSchema,
      handler: async ({ actor, params, body }) =>
        c.media.present(await c.media.updateAltText(actor, params.id, body.altText)),
    }),
    defineRoute({
      method: 'delete',
      path: '/media/:id',
      summary: 'Delete an image; 409 while a post that may still be published uses it',
      tag: 'Media',
      access: UPLOADERS,
      params: z.object({ id: mediaIdSchema }),
      handler: async ({ actor, params }) => {
        await c.media.remove(actor, params.id);
        return undefined;
      },
    }),
  ];
}
