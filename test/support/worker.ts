// A worker in the test process, running every job of the registry against the test app's
// database and publishing through its queue: what the browser tests need to see posts go out.
import { jobDepsFrom, jobRegistry } from '../../server/jobs/registry.ts';
import { recurringSchedules } from '../../server/jobs/schedules.ts';
import { createWorker, type Worker } from '../../server/worker.ts';
import type { TestApp } from './app.ts';
import { testLogger } from './database.ts';

export async function startTestWorker(t: TestApp, workerId: string): Promise<Worker> {
  const worker = createWorker({
    pool: t.c.database.pool,
    workerId,
    jobs: jobRegistry(jobDepsFrom(t.c, { workerId, publishConcurrency: 10 })),
    schedules: recurringSchedules({ heartbeatSeconds: 60 }),
    pollMs: 200,
    concurrency: 10,
    logger: testLogger,
  });
  t.c.queue.attach(worker.handle);
  await worker.start();
  return worker;
}
