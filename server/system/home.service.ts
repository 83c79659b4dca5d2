// The start page: what needs this person's attention today, according to what their role lets
// them act on. One call, one view-model; a section the role cannot act on is null (not empty),
// so the page can tell "nothing to do" from "not yours".
import type { Actor } from '../auth/actor.ts';
import type { Platform, PostStatus } from '../db/schema.ts';
import type { UnitsRepo } from '../users/users.repo.ts';
import type { HealthService } from './health.service.ts';
import type { HomeRepo } from './home.repo.ts';

/** A failure stays on the start page this long; older ones are in the posts list. */
export const FAILURE_WINDOW_MS = 7 * 86_400_000;
export const UPCOMING_WINDOW_MS = 24 * 3_600_000;

export interface HomeList<T> {
  items: T[];
  total: number;
}

export interface HomeView {
  unitName: string | null;
  review: HomeList<{
    id: string;
    title: string;
    urgent: boolean;
    authorName: string;
    scheduledAt: Date;
    submittedAt: Date;
  }> | null;
  /** The writer's own posts sent back by a reviewer. */
  returned: HomeList<{ id: string; title: string; returnedAt: Date }> | null;
  failures: HomeList<{
    postId: string;
    title: string;
    postStatus: PostStatus;
    channels: string;
    errorKind: string | null;
    error: string | null;
    failedAt: Date;
  }> | null;
  reconnect: HomeList<{
    id: string;
    name: string;
    platform: Platform;
    reason: string | null;
    since: Date;
  }> | null;
  upcoming:
    | (HomeList<{ id: string; title: string; urgent: boolean; scheduledAt: Date; channels: string }> & {
        until: Date;
      })
    | null;
  health: Awaited<ReturnType<HealthService['check']>> | null;
}

export function createHomeService(deps: {
  repo: HomeRepo;
  units: Pick<UnitsRepo, 'findById'>;
  health: Pick<HealthService, 'check'>;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  return {
    async today(actor: Actor): Promise<HomeView> {
      const unit = actor.unitId ? await deps.units.findById(actor.unitId) : undefined;
      const unitName = unit?.name ?? null;
      // Members share what was published; nothing here waits on them (their feed is elsewhere).
      if (actor.role === 'member') {
        return {
          unitName,
          review: null,
          returned: null,
          failures: null,
          reconnect: null,
          upcoming: null,
          health: null,
        };
      }
      const at = now();
      const until = new Date(at.getTime() + UPCOMING_WINDOW_MS);
      const canReview = actor.role === 'reviewer' || actor.role === 'admin';
      const isAdmin = actor.role === 'admin';
      const canWrite = actor.role === 'editor' || actor.role === 'admin';
      const [review, returned, failures, reconnect, upcoming, health] = await Promise.all([
        canReview ? deps.repo.awaitingReview(actor.id, actor.scope) : null,
        canWrite ? deps.repo.returnedTo(actor.id) : null,
        deps.repo.recentFailures(
          new Date(at.getTime() - FAILURE_WINDOW_MS),
          actor.scope,
          isAdmin ? undefined : actor.id,
        ),
        isAdmin ? deps.repo.channelsNeedingReconnect() : null,
        deps.repo.dueBetween(at, until, actor.scope),
        isAdmin ? deps.health.check() : null,
      ]);
      return {
        unitName,
        review: review && { items: review.rows, total: review.total },
        returned: returned && { items: returned.rows, total: returned.total },
        failures: {
          items: failures.rows.map(({ channelNames, ...row }) => ({
            ...row,
            channels: channelNames.join(', '),
          })),
          total: failures.total,
        },
        reconnect: reconnect && { items: reconnect, total: reconnect.length },
        upcoming: {
          items: upcoming.rows.map(({ channelIds, ...row }) => ({
            ...row,
            channels: channelIds.map((id) => upcoming.channelNames.get(id) ?? '?').join(', '),
          })),
          total: upcoming.total,
          until,
        },
        health,
      };
    },
  };
}

export type HomeService = ReturnType<typeof createHomeService>;
