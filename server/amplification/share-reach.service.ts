// What other modules may read of members' shares: the engagement collector follows the shares
// recorded as `shared` and counts their tracked links; post stats and the CSV list them. Only
// Loa's own counts exist here: the platforms give an app nothing to read about a member's share.
import type { UnitScope } from '../auth/actor.ts';
import type {
  CompletedShare,
  PostShareRow,
  ShareExportRow,
  ShareReach,
  ShareReachRepo,
} from './share-reach.repo.ts';

export function createShareReachService(deps: { repo: ShareReachRepo }) {
  const { repo } = deps;
  return {
    /** Shares recorded since `since`, page by page in (sharedAt, id) order. */
    completedSince: (
      since: Date,
      after: { at: Date; id: string } | null,
      limit: number,
    ): Promise<CompletedShare[]> => repo.completedSince(since, after, limit),
    reach: (shareIds: readonly string[]): Promise<Map<string, ShareReach>> => repo.reach(shareIds),
    forPost: (postId: string): Promise<PostShareRow[]> => repo.forPost(postId),
    exportPage: (input: {
      from: Date;
      to: Date;
      scope: UnitScope;
      after: string | null;
      limit: number;
    }): Promise<ShareExportRow[]> => repo.exportPage(input),
  };
}

export type ShareReachService = ReturnType<typeof createShareReachService>;
