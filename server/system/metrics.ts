// GET /metrics in Prometheus' text format (prom-client). Off unless LOA_METRICS_TOKEN is set;
// then only a request with `Authorization: Bearer <that token>` gets it.
//
// What the database knows (publications by status, publish lateness, overdue publications,
// retries, jobs due but not picked up, job failures, the collector's lag) is read at scrape
// time, because the worker that changes it may be another process than this web server. HTTP
// latency is this process's own, labelled by route pattern (never the raw URL: ids would make
// a series per post).
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response, Router } from 'express';
import express from 'express';
import client from 'prom-client';
import { LATENESS_BUCKETS, type PublicationMetricsRepo } from '../publishing/publication-metrics.repo.ts';
import type { JobMetrics } from '../jobs/job-metrics.ts';

/** A scheduled publication this late, with nobody publishing it, counts as overdue. */
export const OVERDUE_AFTER_SECONDS = 120;

export interface MetricsSources {
  publications: PublicationMetricsRepo;
  jobs: JobMetrics;
  collector: { lagSeconds(): Promise<number> };
}

export function createMetrics(sources: MetricsSources) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'loa_' });

  const httpDuration = new client.Histogram({
    name: 'loa_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  new client.Gauge({
    name: 'loa_publications',
    help: 'Publications by status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await sources.publications.byStatus()) this.set({ status: row.status }, row.n);
    },
  });
  new client.Gauge({
    name: 'loa_publications_overdue',
    help: `Scheduled publications more than ${OVERDUE_AFTER_SECONDS} s past their time that nobody is publishing`,
    registers: [registry],
    async collect() {
      this.set(await sources.publications.overdue(OVERDUE_AFTER_SECONDS));
    },
  });
  new client.Gauge({
    name: 'loa_jobs_due_unclaimed',
    help: `Jobs more than ${OVERDUE_AFTER_SECONDS} s past their run time that no worker has picked up`,
    registers: [registry],
    async collect() {
      this.set(await sources.jobs.dueUnclaimed(OVERDUE_AFTER_SECONDS));
    },
  });
  new client.Gauge({
    name: 'loa_publish_retries',
    help: 'Publish attempts beyond the first, over all publications',
    registers: [registry],
    async collect() {
      this.set(await sources.publications.retries());
    },
  });
  new client.Gauge({
    name: 'loa_job_failures',
    help: 'Failed runs by job, as the queue counts them',
    labelNames: ['job'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await sources.jobs.failuresByJob()) this.set({ job: row.name }, row.n);
    },
  });
  new client.Gauge({
    name: 'loa_engagement_collector_lag_seconds',
    help: 'Seconds since the oldest engagement snapshot fell due (0 when none is waiting)',
    registers: [registry],
    async collect() {
      this.set(await sources.collector.lagSeconds());
    },
  });
  // Lateness is a histogram over every published publication, counted from the table: it only
  // grows, as a Prometheus histogram must, whichever process published.
  registry.registerMetric({
    name: 'loa_publish_lateness_seconds',
    async get() {
      const { buckets, sum, count } = await sources.publications.lateness();
      return {
        name: 'loa_publish_lateness_seconds',
        help: 'How late publications went out: published time minus scheduled time',
        type: 'histogram',
        aggregator: 'sum',
        values: [
          ...LATENESS_BUCKETS.map((le, i) => ({
            metricName: 'loa_publish_lateness_seconds_bucket',
            labels: { le },
            value: buckets[i] ?? 0,
          })),
          { metricName: 'loa_publish_lateness_seconds_bucket', labels: { le: '+Inf' }, value: count },
          { metricName: 'loa_publish_lateness_seconds_sum', labels: {}, value: sum },
          { metricName: 'loa_publish_lateness_seconds_count', labels: {}, value: count },
        ],
      };
    },
  } as unknown as client.Metric);

  return {
    registry,
    /** Times every request; the label is the matched route's pattern, or `unmatched`. */
    observeHttp(req: Request, res: Response, next: NextFunction) {
      const end = httpDuration.startTimer();
      res.once('finish', () => {
        // Express keeps the matched route and its mount path on the request until the end.
        const pattern = (req.route as { path?: unknown } | undefined)?.path;
        const route = typeof pattern === 'string' ? `${req.baseUrl ?? ''}${pattern}` : 'unmatched';
        end({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

export function metricsRouter(metrics: Metrics | null, token: string | undefined): Router {
  const router = express.Router();
  router.get('/metrics', async (req, res, next) => {
    if (!metrics || !token) return next();
    const given = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      res.set('WWW-Authenticate', 'Bearer realm="metrics"');
      return res
        .status(401)
        .json({ error: { code: 'unauthorized', message: 'A valid metrics token is required' } });
    }
    res.set('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  return router;
}
