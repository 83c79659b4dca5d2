// The media library: uploads checked and normalised (format from the bytes, pixel limit,
// metadata stripped, auto-oriented), stored content-addressed, alt text, and deletion that
// never pulls an image from under a post that may still be published.
import type { AuditRecorder } from '../audit/audit.service.ts';
import { actorAudit, type Actor } from '../auth/actor.ts';
import { requireInScope, scopeCovers } from '../auth/unit-scope.ts';
import type { Database } from '../db/database.ts';
import type { MediaVariant, PostStatus } from '../db/schema.ts';
import { ConflictError, NotFoundError, UnsupportedMediaTypeError, ValidationError } from '../errors.ts';
import type { Renderer } from '../rendering/index.ts';
import type { MediaCursor, MediaRepo, MediaRow } from './media.repo.ts';
import type { MediaStorage, VariantName } from './media.storage.ts';

/**
 * Posts that may still be published with their images: deleting an image they use is refused.
 * Drafts and rejected posts count too (decided): their editor would otherwise find the image
 * silently gone at submit time. Published or cancelled posts do not block (files stay on disk).
 */
export const BLOCKING_POST_STATUSES: readonly PostStatus[] = [
  'draft',
  'in_review',
  'rejected',
  'scheduled',
  'publishing',
];

export interface UploadInput {
  data: Buffer;
  originalName?: string | null;
  altText?: string;
}

interface Deps {
  db: Database;
  repo: MediaRepo;
  storage: MediaStorage;
  audit: AuditRecorder;
  inspectAndNormalizeImage: Renderer['inspectAndNormalizeImage'];
  settings: { maxPixels: number; publicUrl: string };
}

const ALT_TEXT_MAX = 500;
/** The variant sent to the platforms (publishing/post-images.ts sends the same). */
const OUTGOING_VARIANT = 'large';

/** NFC, one line, no control characters; refused when too long. */
export function cleanAltText(value: string | undefined): string {
  const text = (value ?? '')
    .normalize('NFC')
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if ([...text].length > ALT_TEXT_MAX) {
    throw new ValidationError([{ path: 'altText', message: `must be at most ${ALT_TEXT_MAX} characters` }]);
  }
  return text;
}

export function createMediaService(deps: Deps) {
  const { repo, storage, settings } = deps;
  const base = settings.publicUrl.replace(/\/$/, '');

  function fileOf(row: MediaRow, variant?: VariantName): string {
    if (!variant) return row.file;
    return row.variants.find((v) => v.name === variant)?.file ?? row.file;
  }

  /** Root-relative URL, for our own pages. */
  const localUrl = (row: MediaRow, variant?: VariantName): string => `/media/${fileOf(row, variant)}`;
  /** Absolute URL (LOA_PUBLIC_URL), for API clients and platforms. */
  const publicUrl = (row: MediaRow, variant?: VariantName): string => `${base}${localUrl(row, variant)}`;

  function present(row: MediaRow) {
    return {
      id: row.id,
      url: publicUrl(row),
      mime: row.mime,
      width: row.width,
      height: row.height,
      bytes: row.bytes,
      altText: row.altText,
      variants: row.variants.map((v) => ({
        name: v.name,
        url: `${base}/media/${v.file}`,
        width: v.width,
        height: v.height,
      })),
      createdAt: row.createdAt.toISOString(),
    };
  }

  async function upload(actor: Actor, input: UploadInput): Promise<MediaRow> {
    const altText = cleanAltText(input.altText);
    const image = await deps.inspectAndNormalizeImage(input.data, { maxPixels: settings.maxPixels });
    if (!image.ok) {
      if (image.reason === 'unsupported') {
        throw new UnsupportedMediaTypeError(
          `Only JPEG, PNG, WebP and GIF images are accepted. ${image.message}`,
        );
      }
      const what =
        image.reason === 'too_many_pixels'
          ? 'The image has too many pixels'
          : 'The image is corrupt or truncated';
      throw new ValidationError([{ path: 'file', message: image.message }], `${what}: ${image.message}`);
    }
    const file = storage.keyFor(image.sha256, image.mime);
    await storage.write(file, image.data);
    const variants: MediaVariant[] = [];
    for (const variant of image.variants) {
      const key = storage.keyFor(image.sha256, variant.mime, variant.name);
      await storage.write(key, variant.data);
      variants.push({
        name: variant.name,
        file: key,
        mime: variant.mime,
        width: variant.width,
        height: variant.height,
      });
    }
    const originalName = input.originalName ? input.originalName.normalize('NFC').slice(0, 200) : null;
    return deps.db.transaction(async (tx) => {
      const row = await repo.insert(
        {
          sha256: image.sha256,
          file,
          mime: image.mime,
          width: image.width,
          height: image.height,
          bytes: image.data.length,
          altText,
          originalName,
          variants,
          createdBy: actor.via === 'system' ? null : actor.id,
          // The image belongs to the uploader's unit: its people (and the units above) use it.
          unitId: actor.unitId,
        },
        tx,
      );
      await deps.audit(
        {
          ...actorAudit(actor),
          action: 'media.uploaded',
          targetType: 'media',
          targetId: row.id,
          details: { sha256: row.sha256, mime: row.mime, bytes: row.bytes },
        },
        tx,
      );
      return row;
    });
  }

  /** An image the actor may see: another unit's image is "not found". */
  async function get(actor: Actor, id: string): Promise<MediaRow> {
    const row = await repo.findInScope(id, actor.scope);
    if (!row) throw new NotFoundError('Media');
    return row;
  }

  async function updateAltText(actor: Actor, id: string, value: string): Promise<MediaRow> {
    const altText = cleanAltText(value);
    return deps.db.transaction(async (tx) => {
      const before = await repo.findById(id, tx);
      if (!before) throw new NotFoundError('Media');
      requireInScope(actor, before.unitId, 'image');
      const row = await repo.updateAltText(id, altText, tx);
      if (!row) throw new NotFoundError('Media');
      await deps.audit(
        {
          ...actorAudit(actor),
          action: 'media.alt_text_changed',
          targetType: 'media',
          targetId: id,
          details: { from: before.altText, to: altText },
        },
        tx,
      );
      return row;
    });
  }

  async function remove(actor: Actor, id: string): Promise<void> {
    await deps.db.transaction(async (tx) => {
      const row = await repo.findById(id, tx);
      if (!row) throw new NotFoundError('Media');
      requireInScope(actor, row.unitId, 'image');
      const using = await repo.postsUsing(id, BLOCKING_POST_STATUSES, tx);
      if (using.length > 0) {
        // Posts of units outside the actor's scope block the deletion too, but are only counted.
        const visible = using.filter((p) => scopeCovers(actor.scope, p.unitId));
        const others = using.length - visible.length;
        const list = [
          ...visible.map((p) => `“${p.title}” (${p.status})`),
          ...(others > 0 ? [`${others} post(s) of other units`] : []),
        ].join(', ');
        throw new ConflictError(
          `This image is used by posts that may still be published: ${list}. Remove it from them first.`,
          'media_in_use',
          {
            posts: visible.map(({ id, status, title }) => ({ id, status, title })),
            ...(others > 0 && { otherUnitsPosts: others }),
          },
        );
      }
      await repo.softDelete(id, tx);
      await deps.audit(
        {
          ...actorAudit(actor),
          action: 'media.deleted',
          targetType: 'media',
          targetId: id,
          details: { sha256: row.sha256 },
        },
        tx,
      );
    });
  }

  /** Rows for these ids that exist and are not deleted, in the order asked. */
  async function getMany(ids: readonly string[]): Promise<MediaRow[]> {
    const rows = await repo.findMany(ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  return {
    upload,
    get,
    /** The library as the actor sees it: the images of their units (all for an unscoped actor). */
    list: (actor: Actor, options: { limit: number; after?: MediaCursor }) =>
      repo.list({ ...options, scope: actor.scope }),
    updateAltText,
    remove,
    getMany,
    readFile: (row: MediaRow, variant?: 'large' | 'thumb'): Promise<Buffer> =>
      storage.read(fileOf(row, variant)),
    /**
     * What the platforms receive of each image, in the order asked: the variant publishing sends
     * (`large` when there is one, see publishing/post-images.ts), its type and size in bytes.
     */
    async outgoing(ids: readonly string[]): Promise<Array<{ id: string; mime: string; bytes: number }>> {
      const rows = await getMany(ids);
      return Promise.all(
        rows.map(async (row) => {
          const variant = row.variants.find((v) => v.name === OUTGOING_VARIANT);
          return {
            id: row.id,
            mime: variant?.mime ?? row.mime,
            bytes: await storage.size(variant ? variant.file : row.file),
          };
        }),
      );
    },
    publicUrl,
    localUrl,
    present,
  };
}

export type MediaService = ReturnType<typeof createMediaService>;
