// The drizzle schema: the source of the SQL migrations under server/db/migrations
// (`npm run db:generate`). Each domain module owns the queries on its tables.
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const units = pgTable(
  'units',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    parentId: uuid('parent_id').references((): AnyPgColumn => units.id, { onDelete: 'restrict' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('units_parent_idx').on(t.parentId),
    uniqueIndex('units_parent_name_uq').on(t.parentId, t.name),
  ],
);

export const USER_ROLES = ['admin', 'editor', 'reviewer', 'member'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role').$type<UserRole>().notNull(),
    unitId: uuid('unit_id').references(() => units.id, { onDelete: 'set null' }),
    passwordHash: text('password_hash').notNull(),
    active: boolean('active').notNull().default(true),
    language: text('language').$type<'vi' | 'en'>(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_email_uq').on(sql`lower(${t.email})`),
    check('users_role_ck', sql`${t.role} in ('admin', 'editor', 'reviewer', 'member')`),
  ],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_tokens_hash_uq').on(t.tokenHash), index('api_tokens_user_idx').on(t.userId)],
);

/** Append-only; each entry carries the hash of the one before it (see audit.service.ts). */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull(),
    actorId: uuid('actor_id'),
    actorLabel: text('actor_label'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    ip: text('ip'),
    /** Position in the hash chain, set when the row is sealed (see audit.service.ts). */
    seq: bigint('seq', { mode: 'number' }),
    prevHash: text('prev_hash'),
    hash: text('hash'),
  },
  (t) => [
    index('audit_log_target_idx').on(t.targetType, t.targetId),
    index('audit_log_at_idx').on(t.at),
    uniqueIndex('audit_log_seq_uq').on(t.seq),
  ],
);

export const rateLimits = pgTable(
  'rate_limits',
  {
    key: text('key').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.key] })],
);

export const workerHeartbeats = pgTable('worker_heartbeats', {
  workerId: text('worker_id').primaryKey(),
  hostname: text('hostname').notNull(),
  pid: integer('pid').notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
});

/** connect-pg-simple's table, created here so no process races to create it at start. */
export const httpSessions = pgTable(
  'http_sessions',
  {
    sid: text('sid').primaryKey(),
    sess: jsonb('sess').notNull(),
    expire: timestamp('expire', { precision: 6 }).notNull(),
  },
  (t) => [index('http_sessions_expire_idx').on(t.expire)],
);

// ---- templates, media (issue: templates, media and cards) ----

/** Custom templates; the built-in library lives in templates/posts/*.hbs. */
export const postTemplates = pgTable(
  'post_templates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** The whole template file: YAML front matter + Handlebars body, as for built-ins. */
    source: text('source').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    /** The current version; each edit adds one (post_template_versions keeps them all). */
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('post_templates_name_uq')
      .on(t.name)
      .where(sql`${t.archivedAt} is null`),
  ],
);

/** Every version of a custom template, so a post renders from the version it was written from. */
export const postTemplateVersions = pgTable(
  'post_template_versions',
  {
    templateId: uuid('template_id')
      .notNull()
      .references(() => postTemplates.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    source: text('source').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ name: 'post_template_versions_pk', columns: [t.templateId, t.version] })],
);

export interface MediaVariant {
  name: string;
  file: string;
  mime: string;
  width: number;
  height: number;
}

export const media = pgTable(
  'media',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sha256: text('sha256').notNull(),
    /** Storage key under LOA_MEDIA_DIR (content-addressed, server-generated). */
    file: text('file').notNull(),
    mime: text('mime').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    bytes: integer('bytes').notNull(),
    altText: text('alt_text').notNull().default(''),
    originalName: text('original_name'),
    variants: jsonb('variants').$type<MediaVariant[]>().notNull().default([]),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    /** The uploader's unit: whose editors see and use the image (unit scope, migration 0006). */
    unitId: uuid('unit_id').references(() => units.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    index('media_created_idx').on(t.createdAt),
    index('media_sha_idx').on(t.sha256),
    index('media_unit_scope_idx').on(t.unitId),
  ],
);

// ---- channels, campaigns, posts, publishing, links (issue: posts and publishing) ----

export const PLATFORMS = ['facebook', 'zalo'] as const;
export type Platform = (typeof PLATFORMS)[number];
export const CHANNEL_STATUSES = ['active', 'needs_reconnect', 'disabled'] as const;
export type ChannelStatus = (typeof CHANNEL_STATUSES)[number];

export const channels = pgTable(
  'channels',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    platform: text('platform').$type<Platform>().notNull(),
    externalId: text('external_id').notNull(),
    name: text('name').notNull(),
    unitId: uuid('unit_id').references(() => units.id, { onDelete: 'set null' }),
    status: text('status').$type<ChannelStatus>().notNull().default('active'),
    statusReason: text('status_reason'),
    /** AES-256-GCM with a key derived from LOA_SECRET_KEY (see channels/token-crypto.ts). */
    accessTokenEnc: text('access_token_enc').notNull(),
    refreshTokenEnc: text('refresh_token_enc'),
    tokenExpiresAt: timestamp('token_expires_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('channels_platform_external_uq')
      .on(t.platform, t.externalId)
      .where(sql`${t.deletedAt} is null`),
    index('channels_unit_scope_idx').on(t.unitId),
    check('channels_platform_ck', sql`${t.platform} in ('facebook', 'zalo')`),
    check('channels_status_ck', sql`${t.status} in ('active', 'needs_reconnect', 'disabled')`),
  ],
);

export const campaigns = pgTable('campaigns', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  startsAt: timestamp('starts_at', { withTimezone: true }),
  endsAt: timestamp('ends_at', { withTimezone: true }),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
});

export const POST_STATUSES = [
  'draft',
  'in_review',
  'rejected',
  'scheduled',
  'publishing',
  'published',
  'partially_failed',
  'failed',
  'cancelled',
  'retracted',
] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

export interface PostCard {
  layout: string;
  size: string;
  headline: string;
  body: string | null;
  file: string;
  mime: string;
  width: number;
  height: number;
  altText: string;
  /** Size of the file; absent on cards rendered before compose-time checks recorded it. */
  bytes?: number;
}

export interface PostRecurrence {
  rule: string;
  until: string;
}

export const posts = pgTable(
  'posts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    status: text('status').$type<PostStatus>().notNull().default('draft'),
    /** Increases on every edit; reviews and rejections are pinned to a version. */
    version: integer('version').notNull().default(1),
    templateId: text('template_id'),
    /** The custom template's version the post was written from; null for built-ins and free text. */
    templateVersion: integer('template_version'),
    variables: jsonb('variables').$type<Record<string, string>>().notNull().default({}),
    title: text('title').notNull(),
    /** The title the editor gave (API `title`); null when it is derived from the template or text. */
    customTitle: text('custom_title'),
    text: text('text').notNull(),
    link: text('link'),
    mediaIds: jsonb('media_ids').$type<string[]>().notNull().default([]),
    withCard: boolean('with_card').notNull().default(false),
    card: jsonb('card').$type<PostCard | null>(),
    /** Generated Zalo cover of a post without a picture of its own (see 0010_compose_checks.sql). */
    zaloCover: jsonb('zalo_cover').$type<PostCard | null>(),
    channelIds: jsonb('channel_ids').$type<string[]>().notNull().default([]),
    unitIds: jsonb('unit_ids').$type<string[]>().notNull().default([]),
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }).notNull(),
    notAfter: timestamp('not_after', { withTimezone: true }),
    urgent: boolean('urgent').notNull().default(false),
    recurrence: jsonb('recurrence').$type<PostRecurrence | null>(),
    /** For one occurrence of a recurring series: the series' first post. */
    seriesId: uuid('series_id'),
    campaignId: uuid('campaign_id').references(() => campaigns.id, { onDelete: 'set null' }),
    authorId: uuid('author_id')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    unitId: uuid('unit_id').references(() => units.id, { onDelete: 'set null' }),
    slug: text('slug').notNull(),
    approvedBy: uuid('approved_by').references(() => users.id, { onDelete: 'set null' }),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    approvedVersion: integer('approved_version'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    retractedAt: timestamp('retracted_at', { withTimezone: true }),
    retractReason: text('retract_reason'),
    supersededBy: uuid('superseded_by'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('posts_slug_uq').on(t.slug),
    index('posts_status_scheduled_idx').on(t.status, t.scheduledAt),
    index('posts_campaign_idx').on(t.campaignId),
    index('posts_series_idx').on(t.seriesId),
    index('posts_unit_scope_idx').on(t.unitId, t.scheduledAt),
  ],
);

/** The post's history: every transition, with who, when, the version it concerned and a comment. */
export const postEvents = pgTable(
  'post_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    version: integer('version').notNull(),
    comment: text('comment'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('post_events_post_idx').on(t.postId, t.id)],
);

export const PUBLICATION_STATUSES = ['scheduled', 'publishing', 'published', 'failed', 'cancelled'] as const;
export type PublicationStatus = (typeof PUBLICATION_STATUSES)[number];

/** One post on one channel: the unit of exactly-once publishing. */
export const publications = pgTable(
  'publications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'restrict' }),
    status: text('status').$type<PublicationStatus>().notNull().default('scheduled'),
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }).notNull(),
    notAfter: timestamp('not_after', { withTimezone: true }),
    /** The tracked-link code carried in the published text: also the idempotency key. */
    linkCode: text('link_code').notNull(),
    externalId: text('external_id'),
    permalink: text('permalink'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    lastErrorKind: text('last_error_kind'),
    late: boolean('late').notNull().default(false),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    leaseOwner: text('lease_owner'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    /** Zalo: the broadcast to followers, sent separately (never at night). */
    broadcast: jsonb('broadcast').$type<Record<string, unknown> | null>(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('publications_post_channel_uq').on(t.postId, t.channelId),
    uniqueIndex('publications_link_code_uq').on(t.linkCode),
    index('publications_due_idx').on(t.status, t.scheduledAt),
    index('publications_lease_idx').on(t.status, t.leaseExpiresAt),
  ],
);

export const publicationAttempts = pgTable(
  'publication_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    publicationId: uuid('publication_id')
      .notNull()
      .references(() => publications.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    workerId: text('worker_id').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    outcome: text('outcome'),
    errorKind: text('error_kind'),
    errorMessage: text('error_message'),
  },
  (t) => [index('publication_attempts_pub_idx').on(t.publicationId, t.number)],
);

// ---- retraction (issue: public pages, retract and supersede) ----

export const RETRACTION_STATUSES = ['pending', 'retracting', 'retracted', 'failed'] as const;
export type RetractionStatus = (typeof RETRACTION_STATUSES)[number];

/**
 * A publication being removed from its platform after its post was retracted: claimed with a
 * lease and retried with backoff like publishing. Beside `publications`, not in it, so the
 * publisher's rows stay as they are (migration 0003, hand-written).
 */
export const publicationRetractions = pgTable(
  'publication_retractions',
  {
    publicationId: uuid('publication_id')
      .primaryKey()
      .references(() => publications.id, { onDelete: 'cascade' }),
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    status: text('status').$type<RetractionStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    lastErrorKind: text('last_error_kind'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
    retractedAt: timestamp('retracted_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('publication_retractions_post_idx').on(t.postId),
    index('publication_retractions_due_idx').on(t.status, t.nextAttemptAt),
    check(
      'publication_retractions_status_ck',
      sql`${t.status} in ('pending', 'retracting', 'retracted', 'failed')`,
    ),
  ],
);

/** Tracked links: `/l/:code` redirects to `target` and counts the click. */
export const links = pgTable(
  'links',
  {
    code: text('code').primaryKey(),
    target: text('target').notNull(),
    postId: uuid('post_id').references(() => posts.id, { onDelete: 'cascade' }),
    publicationId: uuid('publication_id'),
    shareId: uuid('share_id'),
    clicks: integer('clicks').notNull().default(0),
    uniqueVisitors: integer('unique_visitors').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [index('links_post_idx').on(t.postId)],
);

/** One row per (link, visitor-day hash): the unique-visitor count without storing IPs. */
export const linkVisitors = pgTable(
  'link_visitors',
  {
    code: text('code')
      .notNull()
      .references(() => links.code, { onDelete: 'cascade' }),
    visitorHash: text('visitor_hash').notNull(),
    firstAt: timestamp('first_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.code, t.visitorHash] })],
);

export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    message: text('message').notNull(),
    link: text('link'),
    createdAt: createdAt(),
    readAt: timestamp('read_at', { withTimezone: true }),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.createdAt)],
);

/** Publications the engagement collector follows, with the next due occurrence and the latest figures. */
export const engagementTracking = pgTable('engagement_tracking', {
  publicationId: uuid('publication_id')
    .primaryKey()
    .references(() => publications.id, { onDelete: 'cascade' }),
  channelId: uuid('channel_id')
    .notNull()
    .references(() => channels.id, { onDelete: 'cascade' }),
  publishedAt: timestamp('published_at', { withTimezone: true }).notNull(),
  occurrence: integer('occurrence').notNull().default(0),
  nextDueAt: timestamp('next_due_at', { withTimezone: true }),
  earlyAt: timestamp('early_at', { withTimezone: true }),
  leaseUntil: timestamp('lease_until', { withTimezone: true }),
  fetchedAt: timestamp('fetched_at', { withTimezone: true }),
  impressions: bigint('impressions', { mode: 'number' }),
  reactions: bigint('reactions', { mode: 'number' }),
  comments: bigint('comments', { mode: 'number' }),
  shares: bigint('shares', { mode: 'number' }),
  clicks: bigint('clicks', { mode: 'number' }),
  linkClicks: bigint('link_clicks', { mode: 'number' }).notNull().default(0),
});

/** Raw snapshots, PARTITION BY RANGE (fetched_at) monthly in SQL (drizzle cannot declare it). */
export const engagementSnapshots = pgTable(
  'engagement_snapshots',
  {
    publicationId: uuid('publication_id').notNull(),
    fetchedAt: timestamp('fetched_at', { withTimezone: true }).notNull(),
    occurrence: integer('occurrence'),
    impressions: bigint('impressions', { mode: 'number' }),
    reactions: bigint('reactions', { mode: 'number' }),
    comments: bigint('comments', { mode: 'number' }),
    shares: bigint('shares', { mode: 'number' }),
    clicks: bigint('clicks', { mode: 'number' }),
    linkClicks: bigint('link_clicks', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.publicationId, t.fetchedAt] })],
);

const figureColumns = () => ({
  impressions: bigint('impressions', { mode: 'number' }),
  reactions: bigint('reactions', { mode: 'number' }),
  comments: bigint('comments', { mode: 'number' }),
  shares: bigint('shares', { mode: 'number' }),
  clicks: bigint('clicks', { mode: 'number' }),
  linkClicks: bigint('link_clicks', { mode: 'number' }).notNull().default(0),
});

export const engagementDaily = pgTable(
  'engagement_daily',
  {
    day: date('day').notNull(),
    publicationId: uuid('publication_id')
      .notNull()
      .references(() => publications.id, { onDelete: 'cascade' }),
    postId: uuid('post_id').notNull(),
    channelId: uuid('channel_id').notNull(),
    unitId: uuid('unit_id'),
    campaignId: uuid('campaign_id'),
    platform: text('platform').$type<Platform>().notNull(),
    ...figureColumns(),
    dImpressions: bigint('d_impressions', { mode: 'number' }),
    dReactions: bigint('d_reactions', { mode: 'number' }),
    dComments: bigint('d_comments', { mode: 'number' }),
    dShares: bigint('d_shares', { mode: 'number' }),
    dClicks: bigint('d_clicks', { mode: 'number' }),
    dLinkClicks: bigint('d_link_clicks', { mode: 'number' }).notNull().default(0),
    fetchedAt: timestamp('fetched_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.day, t.publicationId] }),
    index('engagement_daily_publication_idx').on(t.publicationId, t.day),
  ],
);

/** What each day gained, per channel × campaign × unit (NULLS NOT DISTINCT key, in SQL). */
export const engagementTotals = pgTable('engagement_totals', {
  day: date('day').notNull(),
  channelId: uuid('channel_id').notNull(),
  campaignId: uuid('campaign_id'),
  unitId: uuid('unit_id'),
  platform: text('platform').$type<Platform>().notNull(),
  impressions: bigint('impressions', { mode: 'number' }).notNull().default(0),
  reactions: bigint('reactions', { mode: 'number' }).notNull().default(0),
  comments: bigint('comments', { mode: 'number' }).notNull().default(0),
  shares: bigint('shares', { mode: 'number' }).notNull().default(0),
  clicks: bigint('clicks', { mode: 'number' }).notNull().default(0),
  linkClicks: bigint('link_clicks', { mode: 'number' }).notNull().default(0),
  fetchedAt: timestamp('fetched_at', { withTimezone: true }).notNull(),
});

export const channelFollowersDaily = pgTable(
  'channel_followers_daily',
  {
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    day: date('day').notNull(),
    followers: bigint('followers', { mode: 'number' }).notNull(),
    fetchedAt: timestamp('fetched_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.day] })],
);

export const engagementUnavailableMetrics = pgTable(
  'engagement_unavailable_metrics',
  {
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    metric: text('metric').notNull(),
    reason: text('reason').notNull(),
    since: timestamp('since', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.metric] })],
);

export const engagementThrottles = pgTable('engagement_throttles', {
  key: text('key').primaryKey(),
  percent: integer('percent').notNull(),
  pausedUntil: timestamp('paused_until', { withTimezone: true }),
  slowUntil: timestamp('slow_until', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    platform: text('platform').notNull(),
    digest: text('digest').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.digest] })],
);
