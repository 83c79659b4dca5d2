// API: post stats and refresh, the overview, the streamed CSV export, and the platforms' webhooks.
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { z } from 'zod';
import type { Container } from '../container.ts';
import { defineRoute } from '../http/api-route.ts';
import { presentOverview, presentPostStats } from './engagement.present.ts';
import {
  facebookVerifyQuerySchema,
  overviewSchema,
  postStatsSchema,
  rangeQuerySchema,
  refreshResultSchema,
  webhookResultSchema,
} from './engagement.schemas.ts';
import { dayStart } from './engagement.service.ts';

const idParams = z.object({ id: z.uuid() });
const STATS_READERS = ['editor', 'reviewer', 'admin'] as const;
const BOM = '\uFEFF';

/** Webhook bodies arrive as the raw bytes (see app.ts): signatures are computed on them. */
function rawBody(body: unknown): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
}

export function engagementRoutes(c: Container) {
  return [
    defineRoute({
      method: 'get',
      path: '/posts/:id/stats',
      summary:
        "A post's engagement: totals, per channel, and the snapshot series; null where the platform gives no figure",
      tag: 'Engagement',
      access: STATS_READERS,
      params: idParams,
      response: postStatsSchema,
      handler: async ({ actor, params }) =>
        presentPostStats(await c.engagement.postStats(actor, params.id), new Date()),
    }),
    defineRoute({
      method: 'post',
      path: '/posts/:id/stats/refresh',
      summary: "Fetch this post's metrics now rather than at the next scheduled collection",
      tag: 'Engagement',
      access: STATS_READERS,
      params: idParams,
      status: 202,
      response: refreshResultSchema,
      handler: async ({ actor, params }) => c.engagement.refresh(actor, params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/stats/overview',
      summary:
        'Totals, by channel, by campaign and by day for a date range, with the change against the period before',
      tag: 'Engagement',
      access: STATS_READERS,
      query: rangeQuerySchema,
      response: overviewSchema,
      handler: async ({ actor, query }) => presentOverview(await c.engagement.overview(actor, query)),
    }),
    defineRoute({
      method: 'get',
      path: '/stats/export.csv',
      summary:
        'One row per publication and per member share with its latest figures, streamed as CSV (UTF-8 with BOM)',
      tag: 'Engagement',
      access: STATS_READERS,
      query: rangeQuerySchema,
      status: 200,
      handler: async ({ actor, query, req, res }) => {
        const zone = c.config.timeZone;
        const to = new Date(dayStart(query.to, zone).getTime() + 86_400_000);
        const rows = c.engagement.exportRows(actor, { from: dayStart(query.from, zone), to });
        const columns = [
          'publicationId',
          'postId',
          'title',
          'platform',
          'channel',
          'publishedAt',
          'fetchedAt',
          'impressions',
          'reactions',
          'comments',
          'shares',
          'clicks',
          'platformClicks',
        ] as const;
        // Added after the publications' columns so existing readers of the file keep their places.
        const shareColumns = ['kind', 'shareId', 'unit', 'uniqueVisitors'] as const;
        res.status(200);
        res.setHeader('Content-Type', 'text/csv; charset=utf-8');
        res.setHeader(
          'Content-Disposition',
          `attachment; filename="loa-stats-${query.from}-${query.to}.csv"`,
        );
        res.write(BOM);
        const toRecord = new Transform({
          objectMode: true,
          transform(row: Awaited<ReturnType<typeof rows.next>>['value'], _enc, done) {
            if (!row) return done();
            if (row.kind === 'share') {
              // A member's share: Loa's counts of their tracked link. The platforms give an app
              // no figures for it, so those cells stay empty rather than 0.
              return done(null, [
                '',
                row.postId,
                row.title,
                row.platform,
                '',
                row.sharedAt.toISOString(),
                row.fetchedAt?.toISOString() ?? '',
                '',
                '',
                '',
                '',
                row.clicks,
                '',
                'member_share',
                row.id,
                row.unitName ?? '',
                row.uniqueVisitors,
              ]);
            }
            done(null, [
              row.publicationId,
              row.postId,
              row.title,
              row.platform,
              row.channel,
              row.publishedAt?.toISOString() ?? '',
              row.fetchedAt?.toISOString() ?? '',
              // An empty cell: the platform gives no such figure (never a made-up 0).
              row.impressions ?? '',
              row.reactions ?? '',
              row.comments ?? '',
              row.shares ?? '',
              row.linkClicks,
              row.clicks ?? '',
              'publication',
              '',
              '',
              '',
            ]);
          },
        });
        await pipeline(
          Readable.from(rows),
          toRecord,
          stringify({
            header: true,
            columns: [
              ...columns.map((key) => req.t(`engagement.csv.${key}`)),
              ...shareColumns.map((key) => req.t(`share-stats.csv.${key}`)),
            ],
          }),
          res,
        );
        return undefined;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/webhooks/facebook',
      summary: "Facebook's subscription handshake: echoes hub.challenge when hub.verify_token matches",
      tag: 'Webhooks',
      access: 'public',
      query: facebookVerifyQuerySchema,
      status: 200,
      handler: async ({ query, res }) => {
        const challenge = c.engagement.verifyFacebook({
          ...(query['hub.mode'] !== undefined && { mode: query['hub.mode'] }),
          ...(query['hub.verify_token'] !== undefined && { token: query['hub.verify_token'] }),
          ...(query['hub.challenge'] !== undefined && { challenge: query['hub.challenge'] }),
        });
        res.status(200).type('text/plain').send(challenge);
        return undefined;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/webhooks/facebook',
      summary: 'Page feed changes, signed with X-Hub-Signature-256 on the raw body; a bad signature gets 401',
      tag: 'Webhooks',
      access: 'public',
      errors: [401],
      response: webhookResultSchema,
      handler: async ({ req }) =>
        c.engagement.receiveFacebook(rawBody(req.body), req.get('x-hub-signature-256')),
    }),
    defineRoute({
      method: 'post',
      path: '/webhooks/zalo',
      summary: 'Zalo OA events, signed with X-ZEvent-Signature; a bad signature gets 401',
      tag: 'Webhooks',
      access: 'public',
      errors: [401],
      response: webhookResultSchema,
      handler: async ({ req }) => c.engagement.receiveZalo(rawBody(req.body), req.get('x-zevent-signature')),
    }),
  ];
}
