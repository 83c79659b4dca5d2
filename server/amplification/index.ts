// Builds the amplification module: members and consent, the share feed and sharing, reach.
import type { AuditRecorder } from '../audit/audit.service.ts';
import type { Database, Executor } from '../db/database.ts';
import type { PostCard } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import type { UnitsRepo, UsersRepo } from '../users/users.repo.ts';
import type { UsersService } from '../users/users.service.ts';
import { CURRENT_CONSENT, type ConsentDocument, type Translate } from './consent.ts';
import { createFeedService } from './feed.service.ts';
import { createMemberStateCache, MEMBER_STATE_CACHE_MS } from './member-state-cache.ts';
import { createMembersRepo } from './members.repo.ts';
import { createMembersService } from './members.service.ts';
import { createMemberAdminRepo } from './member-admin.repo.ts';
import { createMemberAdminService } from './member-admin.service.ts';
import { createSharesRepo } from './shares.repo.ts';
import { createShareReachRepo } from './share-reach.repo.ts';
import { createShareReachService } from './share-reach.service.ts';
import { createPostsFeedRepo } from '../posts/feed.repo.ts';
import { createStatsRepo } from './stats.repo.ts';
import { createStatsService } from './stats.service.ts';
import { createNoticesRepo } from './notices.repo.ts';
import { createNoticesService } from './notices.service.ts';
import { createPushSender } from './push-sender.ts';
import { loadOrCreateVapidKeys, type VapidKeys } from './vapid-keys.ts';

export interface AmplificationInput {
  db: Database;
  logger: Logger;
  audit: AuditRecorder;
  users: Pick<UsersRepo, 'findById'>;
  units: Pick<UnitsRepo, 'findById' | 'ancestry' | 'listAll'>;
  registerMember: UsersService['registerMember'];
  notifications: {
    listForUser(userId: string, options: { limit?: number }): Promise<unknown[]>;
    notify(
      target: { userIds: string[] },
      input: { kind: string; message: string; link: string | null },
      tx?: Executor,
    ): Promise<number>;
  };
  links: {
    linkForShare(input: { shareId: string; postId: string; target: string }, tx: Executor): Promise<string>;
    linksForShares(
      inputs: { shareId: string; postId: string; target: string; fresh?: boolean }[],
      tx: Executor,
    ): Promise<Map<string, string>>;
  };
  /** The captions a post's template suggests (empty when it has none or no template). */
  templateCaptions: (templateId: string, variables: Record<string, string>) => Promise<string[]>;
  cardUrl: (card: PostCard) => string;
  translator: (language: 'vi' | 'en') => Translate;
  settings: {
    publicUrl: string;
    timeZone: string;
    secretKey: string;
    defaultLanguage: 'vi' | 'en';
    facebookAppId: string;
    facebookWwwUrl: () => string;
    /** Where the VAPID keys are generated once (LOA_DATA_DIR). */
    dataDir: string;
  };
  /** The consent text in force (default: the newest in consent.ts). */
  consent?: ConsentDocument;
  now?: () => Date;
}

/** How many captions the feed offers: two or three, as the brief for members asks. */
const MAX_CAPTIONS = 3;

export function createAmplification(input: AmplificationInput) {
  const { db } = input;
  const membersRepo = createMembersRepo(db);
  const sharesRepo = createSharesRepo(db);
  const consent = input.consent ?? CURRENT_CONSENT;
  const now = input.now;
  const memberStates = createMemberStateCache({ ttlMs: MEMBER_STATE_CACHE_MS, maxEntries: 20_000 });
  const members = createMembersService({
    db,
    repo: membersRepo,
    shares: sharesRepo,
    users: input.users,
    units: input.units,
    registerMember: input.registerMember,
    audit: input.audit,
    notifications: input.notifications,
    consent,
    translator: input.translator,
    settings: { publicUrl: input.settings.publicUrl },
    memberStates,
    ...(now && { now }),
  });

  // A published post's text never changes, so neither do its captions: computed once per process.
  const captionCache = new Map<string, string[]>();
  const fallbackT = input.translator(input.settings.defaultLanguage);
  async function captionsFor(post: {
    id: string;
    templateId: string | null;
    variables: Record<string, string>;
    title: string;
  }): Promise<string[]> {
    const cached = captionCache.get(post.id);
    if (cached) return cached;
    let captions: string[] = [];
    if (post.templateId) {
      try {
        captions = await input.templateCaptions(post.templateId, post.variables);
      } catch (error) {
        // A template archived or changed since: the generic captions below still work.
        input.logger.debug({ err: error, postId: post.id }, 'template captions unavailable');
      }
    }
    if (captions.length < 2) {
      captions = [
        ...captions,
        fallbackT('members.captionFallback1', { title: post.title }),
        fallbackT('members.captionFallback2', { title: post.title }),
      ];
    }
    const result = captions.slice(0, MAX_CAPTIONS);
    captionCache.set(post.id, result);
    return result;
  }

  const feed = createFeedService({
    db,
    repo: sharesRepo,
    posts: createPostsFeedRepo(db),
    audit: input.audit,
    requireConsent: members.requireConsent,
    units: input.units,
    links: input.links,
    captionsFor,
    cardUrl: input.cardUrl,
    memberStates,
    settings: { ...input.settings, consentVersion: consent.version },
    ...(now && { now }),
  });
  const memberStats = createStatsService({
    repo: createStatsRepo(db),
    units: input.units,
    ...(now && { now }),
  });
  // The members area of admins and reviewers, over the services above.
  const admin = createMemberAdminService({
    db,
    repo: createMemberAdminRepo(db),
    profiles: membersRepo,
    units: input.units,
    registerMember: input.registerMember,
    createInvitation: members.createInvitation,
    setRules: feed.setRules,
    memberStats,
    audit: input.audit,
    consentVersion: consent.version,
    ...(now && { now }),
  });
  let vapid: VapidKeys | undefined;
  const push = createPushSender({
    keys: () => (vapid ??= loadOrCreateVapidKeys(input.settings.dataDir)),
    publicUrl: input.settings.publicUrl,
    logger: input.logger,
    forget: (endpoint) => membersRepo.deletePushSubscriptionByEndpoint(endpoint),
  });
  const notices = createNoticesService({
    db,
    repo: createNoticesRepo(db),
    members: membersRepo,
    notify: input.notifications.notify,
    push,
    consentVersion: consent.version,
    t: fallbackT,
    settings: { timeZone: input.settings.timeZone },
    logger: input.logger,
    ...(now && { now }),
  });
  const shareReach = createShareReachService({ repo: createShareReachRepo(db) });
  return {
    members,
    feed,
    memberStats,
    notices,
    push,
    shareReach,
    admin,
    memberStates,
    repos: { members: membersRepo, shares: sharesRepo },
  };
}

export type Amplification = ReturnType<typeof createAmplification>;
