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
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/** What a unit says about itself: fills template variables that declare `from: unit.<field>`. */
export interface UnitProfile {
  shortName?: string;
  hotline?: string;
  area?: string;
  address?: string;
  website?: string;
}

export const units = pgTable(
  'units',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    parentId: uuid('parent_id').references((): AnyPgColumn => units.id, { onDelete: 'restrict' }),
    profile: jsonb('profile').$type<UnitProfile>().notNull().default({}),
    /** A media-library image (migration 0007). */
    logoMediaId: uuid('logo_media_id').references((): AnyPgColumn => media.id, { onDelete: 'set null' }),
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

export const CONNECT_STAGES = ['authorize', 'choose'] as const;
export type ConnectStage = (typeof CONNECT_STAGES)[number];

/** One step of connecting a channel through the platform's login (see 0009_channel_connect.sql). */
export const channelConnectFlows = pgTable(
  'channel_connect_flows',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** SHA-256 of the single-use key: the OAuth state, then the key of the choice page. */
    keyHash: text('key_hash').notNull(),
    stage: text('stage').$type<ConnectStage>().notNull(),
    sessionHash: text('session_hash').notNull(),
    platform: text('platform').$type<Platform>().notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The channel being reconnected, when the flow started from its "reconnect" button. */
    channelId: uuid('channel_id').references(() => channels.id, { onDelete: 'cascade' }),
    /** Encrypted: the PKCE verifier (authorize) or the accounts and tokens to pick from (choose). */
    secretEnc: text('secret_enc'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('channel_connect_flows_key_uq').on(t.keyHash),
    index('channel_connect_flows_expires_idx').on(t.expiresAt),
    check('channel_connect_flows_stage_ck', sql`${t.stage} in ('authorize', 'choose')`),
    check('channel_connect_flows_platform_ck', sql`${t.platform} in ('facebook', 'zalo')`),
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
    /** Cascade: the higher unit's post this draft was handed down from (migration 0007). */
    parentPostId: uuid('parent_post_id').references((): AnyPgColumn => posts.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('posts_slug_uq').on(t.slug),
    index('posts_status_scheduled_idx').on(t.status, t.scheduledAt),
    index('posts_campaign_idx').on(t.campaignId),
    index('posts_series_idx').on(t.seriesId),
    index('posts_unit_scope_idx').on(t.unitId, t.scheduledAt),
    uniqueIndex('posts_parent_unit_uq')
      .on(t.parentPostId, t.unitId)
      .where(sql`${t.parentPostId} is not null`),
    index('posts_published_idx')
      .on(t.publishedAt.desc())
      .where(sql`${t.publishedAt} is not null`),
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
    /** People's clicks; bots and link-preview fetchers are counted in botClicks instead. */
    clicks: integer('clicks').notNull().default(0),
    uniqueVisitors: integer('unique_visitors').notNull().default(0),
    botClicks: integer('bot_clicks').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    index('links_post_idx').on(t.postId),
    index('links_share_idx')
      .on(t.shareId)
      .where(sql`${t.shareId} is not null`),
  ],
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

// ---- members and amplification (issue 12, migration 0008) ----

export const MEMBER_DIGESTS = ['instant', 'daily'] as const;
export type MemberDigest = (typeof MEMBER_DIGESTS)[number];
export const SHARE_PLATFORMS = ['facebook', 'zalo', 'other'] as const;
export type SharePlatform = (typeof SHARE_PLATFORMS)[number];
export const SHARE_STATUSES = ['opened', 'shared', 'cancelled'] as const;
/** What became of an invitation: computed from its times, never stored (migration 0014). */
export const INVITATION_STATUSES = ['open', 'used', 'expired', 'revoked'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];
export type ShareStatus = (typeof SHARE_STATUSES)[number];

/** A member's own settings and the consent version they accepted (null: not given or withdrawn). */
export const memberProfiles = pgTable(
  'member_profiles',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    listedInStats: boolean('listed_in_stats').notNull().default(false),
    digest: text('digest').$type<MemberDigest>().notNull().default('instant'),
    consentVersion: integer('consent_version'),
    consentedAt: timestamp('consented_at', { withTimezone: true }),
    lastDigestAt: timestamp('last_digest_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('member_profiles_digest_ck', sql`${t.digest} in ('instant', 'daily')`)],
);

/** Every consent given, with its version and time, and when it was withdrawn. */
export const memberConsents = pgTable(
  'member_consents',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }).notNull(),
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
  },
  (t) => [index('member_consents_user_idx').on(t.userId, t.id)],
);

/** A link that lets one person create their member account in a unit; only its hash is stored. */
export const memberInvitations = pgTable(
  'member_invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull(),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    role: text('role').$type<'member'>().notNull().default('member'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    usedBy: uuid('used_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    /** Revoked by an admin or reviewer before anyone used it (migration 0014): the link no longer works. */
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedBy: uuid('revoked_by').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [
    uniqueIndex('member_invitations_token_uq').on(t.tokenHash),
    index('member_invitations_unit_created_idx').on(t.unitId, t.createdAt.desc(), t.id.desc()),
    check('member_invitations_role_ck', sql`${t.role} = 'member'`),
  ],
);

/** One member sharing one post on one platform: opened through /s/:token, then shared or cancelled. */
export const memberShares = pgTable(
  'member_shares',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    platform: text('platform').$type<SharePlatform>().notNull(),
    /** The member's unit when they shared: figures stay with the unit they were earned in. */
    unitId: uuid('unit_id').references(() => units.id, { onDelete: 'set null' }),
    status: text('status').$type<ShareStatus>().notNull(),
    /** The member's own tracked link for this post (links.code). */
    linkCode: text('link_code'),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
    opens: integer('opens').notNull().default(1),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('member_shares_member_post_platform_uq').on(t.userId, t.postId, t.platform),
    index('member_shares_post_idx').on(t.postId),
    index('member_shares_unit_opened_idx').on(t.unitId, t.openedAt),
    index('member_shares_completed_idx')
      .on(t.completedAt)
      .where(sql`${t.status} = 'shared'`),
    check('member_shares_platform_ck', sql`${t.platform} in ('facebook', 'zalo', 'other')`),
    check('member_shares_status_ck', sql`${t.status} in ('opened', 'shared', 'cancelled')`),
  ],
);

export const memberPushSubscriptions = pgTable(
  'member_push_subscriptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    endpoint: text('endpoint').notNull(),
    p256dh: text('p256dh').notNull(),
    auth: text('auth').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('member_push_subscriptions_endpoint_uq').on(t.endpoint),
    index('member_push_subscriptions_user_idx').on(t.userId),
  ],
);

/** Published posts whose members were told (once per post). */
export const memberPostNotices = pgTable('member_post_notices', {
  postId: uuid('post_id')
    .primaryKey()
    .references(() => posts.id, { onDelete: 'cascade' }),
  notifiedAt: timestamp('notified_at', { withTimezone: true }).notNull().defaultNow(),
  members: integer('members').notNull().default(0),
});

/** Admins' guard rails for a unit's members (the nearest unit up the tree with rules applies). */
export const unitShareRules = pgTable(
  'unit_share_rules',
  {
    unitId: uuid('unit_id')
      .primaryKey()
      .references(() => units.id, { onDelete: 'cascade' }),
    dailyCap: integer('daily_cap'),
    /** Local hours [from, to) in LOA_TIMEZONE when sharing is allowed. */
    hoursFrom: smallint('hours_from'),
    hoursTo: smallint('hours_to'),
    updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('unit_share_rules_cap_ck', sql`${t.dailyCap} IS NULL OR ${t.dailyCap} >= 1`),
    check(
      'unit_share_rules_hours_ck',
      sql`(${t.hoursFrom} IS NULL) = (${t.hoursTo} IS NULL) AND (${t.hoursFrom} IS NULL OR (${t.hoursFrom} BETWEEN 0 AND 23 AND ${t.hoursTo} BETWEEN 1 AND 24))`,
    ),
  ],
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

/** Members' shares the engagement collector follows (same schedule as publications, from shared_at). */
export const shareEngagementTracking = pgTable(
  'share_engagement_tracking',
  {
    shareId: uuid('share_id')
      .primaryKey()
      .references(() => memberShares.id, { onDelete: 'cascade' }),
    postId: uuid('post_id').notNull(),
    unitId: uuid('unit_id'),
    campaignId: uuid('campaign_id'),
    platform: text('platform').$type<SharePlatform>().notNull(),
    sharedAt: timestamp('shared_at', { withTimezone: true }).notNull(),
    occurrence: integer('occurrence').notNull().default(0),
    nextDueAt: timestamp('next_due_at', { withTimezone: true }),
    earlyAt: timestamp('early_at', { withTimezone: true }),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    fetchedAt: timestamp('fetched_at', { withTimezone: true }),
    linkClicks: bigint('link_clicks', { mode: 'number' }).notNull().default(0),
    uniqueVisitors: bigint('unique_visitors', { mode: 'number' }).notNull().default(0),
    botClicks: bigint('bot_clicks', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    index('share_engagement_tracking_due_idx')
      .on(t.nextDueAt)
      .where(sql`${t.nextDueAt} is not null`),
    index('share_engagement_tracking_early_idx')
      .on(t.earlyAt)
      .where(sql`${t.earlyAt} is not null`),
    index('share_engagement_tracking_post_idx').on(t.postId),
    index('share_engagement_tracking_shared_at_idx').on(t.sharedAt),
  ],
);

/** Raw share snapshots, PARTITION BY RANGE (fetched_at) monthly in SQL (drizzle cannot declare it). */
export const shareSnapshots = pgTable(
  'share_snapshots',
  {
    shareId: uuid('share_id').notNull(),
    fetchedAt: timestamp('fetched_at', { withTimezone: true }).notNull(),
    occurrence: integer('occurrence'),
    linkClicks: bigint('link_clicks', { mode: 'number' }).notNull().default(0),
    uniqueVisitors: bigint('unique_visitors', { mode: 'number' }).notNull().default(0),
    botClicks: bigint('bot_clicks', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.shareId, t.fetchedAt] })],
);

/** What each day gained in members' shares and their links' clicks, per unit × campaign × platform. */
export const shareTotals = pgTable('share_totals', {
  day: date('day').notNull(),
  unitId: uuid('unit_id'),
  campaignId: uuid('campaign_id'),
  platform: text('platform').$type<SharePlatform>().notNull(),
  shares: bigint('shares', { mode: 'number' }).notNull().default(0),
  linkClicks: bigint('link_clicks', { mode: 'number' }).notNull().default(0),
  uniqueVisitors: bigint('unique_visitors', { mode: 'number' }).notNull().default(0),
  fetchedAt: timestamp('fetched_at', { withTimezone: true }).notNull(),
});
