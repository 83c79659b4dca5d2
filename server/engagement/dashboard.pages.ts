// The dashboard pages: the overview of a date range (/stats), a post's figures
// (/posts/:id/stats, with "refresh now"), a campaign (/stats/campaigns/:id) and the monthly
// report for leadership (/stats/report), which prints to A4.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Container } from '../container.ts';
import { zodProblems } from '../http/api-route.ts';
import { fieldErrors, pageActor, postFormAction, renderPage } from '../http/page.ts';
import { reportPageQuerySchema, overviewPageQuerySchema } from './dashboard.schemas.ts';
import type { DashboardService } from './dashboard.service.ts';
import {
  changeCell,
  cell,
  chartJson,
  formatter,
  trendChart,
  trendRows,
  type Formatter,
} from './dashboard.view.ts';
import { rangeQuerySchema } from './engagement.schemas.ts';
import { zonedDay } from './engagement.service.ts';
import type { Figure } from './engagement.present.ts';

const STAFF = ['admin', 'editor', 'reviewer'] as const;
const LEADERSHIP = ['admin', 'reviewer'] as const;
const FIGURE_KEYS = ['impressions', 'reactions', 'comments', 'shares', 'clicks'] as const;
const TOTAL_KEYS = [...FIGURE_KEYS, 'memberShares'] as const;

const shiftDay = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

function figureCells(f: Formatter, row: Record<(typeof FIGURE_KEYS)[number], Figure>) {
  return FIGURE_KEYS.map((key) => ({ key, ...cell(f, row[key]) }));
}

type Period = Awaited<ReturnType<DashboardService['overview']>>;

/** What the overview and the report share: totals, the daily chart and its table. */
function periodView(f: Formatter, period: Omit<Period, 'byUnit'>, month = false) {
  return {
    totals: TOTAL_KEYS.map((key) => ({
      key,
      label: f.t(`dashboard.figure.${key}`),
      ...changeCell(f, period.totals[key], month),
    })),
    zaloInScope: period.zaloInScope,
    trendJson: chartJson(trendChart(f, period.trend)),
    trendHeads: FIGURE_KEYS.map((key) => f.t(`dashboard.figure.${key}`)),
    trendRows: trendRows(f, period.trend),
    byChannel: period.byChannel.map((row) => ({ ...row, cells: figureCells(f, row) })),
    byChannelJson: chartJson({
      type: 'bar',
      labels: period.byChannel.map((row) => row.name),
      // Zalo's reactions are null (not drawn), not a bar of 0.
      datasets: (['reactions', 'clicks'] as const).map((key) => ({
        key,
        label: f.t(`dashboard.figure.${key}`),
        data: period.byChannel.map((row) => row[key].value),
      })),
    }),
    byCampaign: period.byCampaign.map((row) => ({
      ...row,
      name: row.name ?? f.t('dashboard.noCampaign'),
      cells: figureCells(f, row),
    })),
    figureHeads: FIGURE_KEYS.map((key) => f.t(`dashboard.figure.${key}`)),
  };
}

export function dashboardPages(c: Container): Router {
  const router = Router();
  const zone = c.config.timeZone;
  const fmt = (req: Request) => formatter(req.t, req.language, zone);

  router.get('/stats', async (req: Request, res: Response) => {
    const actor = pageActor(req, res, STAFF);
    if (!actor) return;
    const f = fmt(req);
    const today = zonedDay(new Date(), zone);
    const presets = [
      { label: f.t('dashboard.preset7'), from: shiftDay(today, -6), to: today },
      { label: f.t('dashboard.preset30'), from: shiftDay(today, -29), to: today },
      { label: f.t('dashboard.preset90'), from: shiftDay(today, -89), to: today },
      { label: f.t('dashboard.presetMonth'), from: `${today.slice(0, 8)}01`, to: today },
    ];
    const query = overviewPageQuerySchema.safeParse(req.query);
    const asked = query.success ? query.data : {};
    const range = rangeQuerySchema.safeParse({
      from: asked.from ?? (asked.to ? undefined : presets[1]?.from),
      to: asked.to ?? (asked.from ? today : presets[1]?.to),
    });
    const base = {
      title: f.t('dashboard.title'),
      presets,
      zone,
      canReport: actor.role === 'admin' || actor.role === 'reviewer',
    };
    if (!query.success || !range.success) {
      const problems = zodProblems((query.success ? range.error : query.error) ?? new z.ZodError([]));
      return renderPage(
        req,
        res,
        'pages/stats-overview',
        {
          ...base,
          values: { from: String(req.query.from ?? ''), to: String(req.query.to ?? '') },
          errors: { ...fieldErrors(problems), form: f.t('dashboard.badRange') },
        },
        422,
      );
    }
    const overview = await c.dashboard.overview(actor, range.data);
    renderPage(req, res, 'pages/stats-overview', {
      ...base,
      values: range.data,
      period: f.t('dashboard.period', {
        from: f.day(overview.range.from),
        to: f.day(overview.range.to),
        prevFrom: f.day(overview.previousRange.from),
        prevTo: f.day(overview.previousRange.to),
      }),
      presets: presets.map((p) => ({ ...p, current: p.from === range.data.from && p.to === range.data.to })),
      view: periodView(f, overview),
      byUnit: overview.byUnit && {
        items: overview.byUnit.items.map((u) => unitRow(f, u)),
        source: f.t('dashboard.unitsSource', { at: f.dateTime(overview.byUnit.fetchedAt) }),
      },
    });
  });

  router.get('/stats/campaigns/:id', async (req: Request, res: Response) => {
    const actor = pageActor(req, res, STAFF);
    if (!actor) return;
    const f = fmt(req);
    const view = await c.dashboard.campaign(actor, z.uuid().parse(req.params.id));
    renderPage(req, res, 'pages/stats-campaign', {
      title: f.t('dashboard.campaignTitle', { name: view.campaign.name }),
      campaign: view.campaign,
      totals: TOTAL_KEYS.map((key) => ({
        key,
        label: f.t(`dashboard.figure.${key}`),
        ...cell(f, view.totals[key]),
      })),
      figureHeads: [...FIGURE_KEYS, 'memberShares'].map((key) => f.t(`dashboard.figure.${key}`)),
      posts: view.posts.map((p) => ({
        ...p,
        publishedText: f.dateTime(p.publishedAt),
        cells: [...figureCells(f, p), { key: 'memberShares', ...cell(f, p.memberShares) }],
      })),
      trendJson: chartJson(trendChart(f, view.trend)),
      trendHeads: FIGURE_KEYS.map((key) => f.t(`dashboard.figure.${key}`)),
      trendRows: trendRows(f, view.trend),
      zone,
    });
  });

  router.get('/stats/report', async (req: Request, res: Response) => {
    const actor = pageActor(req, res, LEADERSHIP);
    if (!actor) return;
    const f = fmt(req);
    const units = await c.dashboard.reportUnits(actor);
    const query = reportPageQuerySchema.safeParse(req.query);
    const thisMonth = zonedDay(new Date(), zone).slice(0, 7);
    const base = { title: f.t('dashboard.report'), units, zone };
    if (!query.success) {
      return renderPage(
        req,
        res,
        'pages/stats-report',
        {
          ...base,
          values: { unitId: String(req.query.unitId ?? ''), month: String(req.query.month ?? '') },
          errors: { ...fieldErrors(zodProblems(query.error)), form: f.t('dashboard.badMonth') },
        },
        422,
      );
    }
    const unitId = query.data.unitId ?? actor.unitId ?? undefined;
    const month = query.data.month ?? thisMonth;
    const values = { unitId: unitId ?? '', month };
    if (!unitId) return renderPage(req, res, 'pages/stats-report', { ...base, values, choose: true });
    const report = await c.dashboard.monthlyReport(actor, { unitId, month });
    const monthText = `${month.slice(5, 7)}/${month.slice(0, 4)}`;
    renderPage(req, res, 'pages/stats-report', {
      ...base,
      title: f.t('dashboard.reportTitle', { month: monthText, unit: report.unit.name }),
      values,
      units: units.map((u) => ({ ...u, selected: u.id === unitId })),
      report: {
        unit: report.unit,
        period: f.t('dashboard.reportPeriod', {
          month: monthText,
          prevFrom: f.day(report.previousRange.from),
          prevTo: f.day(report.previousRange.to),
        }),
        view: periodView(f, report, true),
        topPosts: report.topPosts.map((p) => ({
          ...p,
          publishedText: f.dateTime(p.publishedAt),
          cells: [...figureCells(f, p), { key: 'memberShares', ...cell(f, p.memberShares) }],
        })),
        unitsThatShared: report.unitsThatShared.map((u) => unitRow(f, u)),
        unitsWithoutShares: report.unitsWithoutShares.map((u) => unitRow(f, u)),
        unitsJson: chartJson({
          type: 'bar',
          labels: report.unitsThatShared.map((u) => u.name),
          datasets: [
            {
              key: 'memberShares',
              label: f.t('dashboard.figure.memberShares'),
              data: report.unitsThatShared.map((u) => u.shares),
            },
          ],
        }),
        unitsSource: f.t('dashboard.unitsSource', { at: f.dateTime(report.unitFiguresAt) }),
        generatedAt: f.t('dashboard.generatedAt', { at: f.dateTime(new Date()) }),
        figureHeads: [...FIGURE_KEYS, 'memberShares'].map((key) => f.t(`dashboard.figure.${key}`)),
      },
    });
  });

  router.get('/posts/:id/stats', async (req: Request, res: Response) => {
    const actor = pageActor(req, res, STAFF);
    if (!actor) return;
    const f = fmt(req);
    const id = z.uuid().parse(req.params.id);
    const post = await c.posts.getPost(actor, id);
    const stats = await c.dashboard.postStats(actor, id);
    renderPage(req, res, 'pages/stats-post', {
      title: f.t('dashboard.postStatsTitle', { title: post.title }),
      post: { id: post.id, title: post.title, publishedText: f.dateTime(stats.publishedAt) },
      totals: TOTAL_KEYS.map((key) => ({
        key,
        label: f.t(`dashboard.figure.${key}`),
        ...cell(f, stats.totals[key]),
      })),
      figureHeads: FIGURE_KEYS.map((key) => f.t(`dashboard.figure.${key}`)),
      byChannel: stats.byChannel.map((row) => ({
        ...row,
        cells: figureCells(f, row),
        followers: row.followers ? cell(f, row.followers) : null,
      })),
      curves: stats.curves.map((curve) => ({
        ...curve,
        label: f.t('dashboard.curvesLabel', { channel: curve.name }),
        tableLabel: f.t('dashboard.curvesTable', { channel: curve.name }),
        json: chartJson({
          type: 'line',
          labels: curve.points.map((p) => f.dateTime(p.at)),
          datasets: FIGURE_KEYS.filter((key) => curve.platform === 'facebook' || key === 'clicks').map(
            (key) => ({ key, label: f.t(`dashboard.figure.${key}`), data: curve.points.map((p) => p[key]) }),
          ),
        }),
        rows: curve.points.map((p) => ({
          at: f.dateTime(p.at),
          values: FIGURE_KEYS.map((key) =>
            p[key] === null ? f.t('dashboard.unavailable.not_provided') : f.number(p[key] ?? 0),
          ),
        })),
      })),
      memberShares: {
        ...stats.memberShares,
        firstText:
          stats.memberShares.minutesToFirst === null
            ? null
            : f.t('dashboard.firstShareAfter', { minutes: f.number(stats.memberShares.minutesToFirst) }),
      },
      zone,
    });
  });

  postFormAction(
    router,
    'stats/refresh',
    STAFF,
    async (req, postId) => {
      const actor = req.actor;
      if (!actor) return '';
      const { publications } = await c.engagement.refresh(actor, postId);
      return publications
        ? req.t('dashboard.refreshed', { count: publications })
        : req.t('dashboard.refreshNone');
    },
    (_req, postId) => `/posts/${postId}/stats`,
  );

  return router;
}

function unitRow(
  f: Formatter,
  u: {
    unitId: string;
    name: string;
    members: number;
    activeMembers: number;
    shares: number;
    clicks: number;
    sharesPerMember: number;
    clicksPerShare: number;
    firstShareMinutesP50: number | null;
  },
) {
  return {
    unitId: u.unitId,
    name: u.name,
    values: [
      f.number(u.members),
      f.number(u.activeMembers),
      f.number(u.shares),
      f.number(u.clicks),
      f.number(u.sharesPerMember),
      f.number(u.clicksPerShare),
      u.firstShareMinutesP50 === null ? '—' : f.t('dashboard.minutes', { count: u.firstShareMinutesP50 }),
    ],
    shares: u.shares,
  };
}
