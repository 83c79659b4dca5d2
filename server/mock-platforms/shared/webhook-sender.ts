// Delivers webhook POSTs with bounded retries: a non-2xx answer or a network error is
// retried after each delay in `retryDelaysMs` (the real platforms retry over hours; the mock
// compresses that), then the delivery is given up. Every attempt is recorded for tests.
import type { Logger } from 'pino';

export interface DeliveryRecord {
  id: number;
  url: string;
  body: string;
  attempts: Array<{ status: number | null; error?: string }>;
  state: 'pending' | 'delivered' | 'failed';
}

export interface WebhookSender {
  send(url: string, body: string, headers: (attempt: number) => Record<string, string>): DeliveryRecord;
  deliveries(): ReadonlyArray<DeliveryRecord>;
  /** Cancels pending retries and forgets the log. */
  reset(): void;
  close(): void;
}

export interface WebhookSenderOptions {
  /** Read at each failure, so /_mock/config changes apply to deliveries already under way. */
  retryDelaysMs: () => number[];
  timeoutMs: () => number;
  logger?: Logger | undefined;
}

const MAX_LOG = 500;

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  let log: DeliveryRecord[] = [];
  let nextId = 1;
  const timers = new Set<NodeJS.Timeout>();
  let generation = 0;

  async function attempt(record: DeliveryRecord, headers: (attempt: number) => Record<string, string>) {
    const myGeneration = generation;
    const number = record.attempts.length;
    let status: number | null = null;
    let error: string | undefined;
    try {
      const response = await fetch(record.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers(number) },
        body: record.body,
        signal: AbortSignal.timeout(options.timeoutMs()),
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    if (myGeneration !== generation) return;
    record.attempts.push(error === undefined ? { status } : { status, error });
    if (status !== null && status >= 200 && status < 300) {
      record.state = 'delivered';
      return;
    }
    const delay = options.retryDelaysMs()[number];
    if (delay === undefined) {
      record.state = 'failed';
      options.logger?.warn(
        { url: record.url, attempts: record.attempts.length },
        'webhook delivery given up',
      );
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      void attempt(record, headers);
    }, delay);
    timers.add(timer);
  }

  return {
    send(url, body, headers) {
      const record: DeliveryRecord = { id: nextId++, url, body, attempts: [], state: 'pending' };
      log.push(record);
      if (log.length > MAX_LOG) log = log.slice(-MAX_LOG);
      void attempt(record, headers);
      return record;
    },
    deliveries: () => log,
    reset() {
      generation += 1;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      log = [];
    },
    close() {
      generation += 1;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
