// The post as `GET /api/v1/posts/:id` shows it: the post, its publications per channel, its
// history with the actors' names, the removals of a retracted post and the cascade children.
// One folded read (posts.repo.ts `findDetail`) rather than one per part: this is the API's
// busiest read, and each round trip was most of its time.
import type { Actor } from '../auth/actor.ts';
import { NotFoundError } from '../errors.ts';
import type { PostDetailRow, PostRow, PostsRepo } from './posts.repo.ts';

/** PostgreSQL's JSON time text as the API gives every time: ISO 8601 in UTC, milliseconds. */
const iso = (value: string) => new Date(value).toISOString();
const isoOrNull = (value: string | null) => (value === null ? null : iso(value));

export function createPostDetailService<P extends object>(deps: {
  repo: Pick<PostsRepo, 'findDetail'>;
  present: (row: PostRow) => P;
}) {
  function shape(detail: PostDetailRow) {
    return {
      ...deps.present(detail.post),
      publications: detail.publications.map((p) => ({
        ...p,
        publishedAt: isoOrNull(p.publishedAt),
        scheduledAt: iso(p.scheduledAt),
      })),
      retractions: detail.retractions.map((r) => ({
        ...r,
        nextAttemptAt: isoOrNull(r.nextAttemptAt),
        requestedAt: iso(r.requestedAt),
        retractedAt: isoOrNull(r.retractedAt),
      })),
      cascade: detail.cascade,
      history: detail.history.map((e) => ({
        at: iso(e.at),
        // A removed user's entries still say who it was, by id.
        actor: e.actorId ? (e.actorName ?? e.actorId) : null,
        action: e.action,
        comment: e.comment,
        version: e.version,
      })),
    };
  }

  return {
    /** The post the actor may read; another unit's post is "not found". */
    async get(actor: Actor, id: string) {
      const detail = await deps.repo.findDetail(id, actor.scope);
      if (!detail) throw new NotFoundError('Post');
      return shape(detail);
    },
    /** The detail of a post the caller just changed (and was allowed to). */
    async of(row: PostRow) {
      const detail = await deps.repo.findDetail(row.id, null);
      if (!detail) throw new NotFoundError('Post');
      return shape(detail);
    },
  };
}

export type PostDetailService = ReturnType<typeof createPostDetailService>;
