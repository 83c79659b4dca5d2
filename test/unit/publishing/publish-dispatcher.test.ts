// The dispatcher against an in-memory stand-in for the database: asks are coalesced into few
// claims, due publications nobody asked for fill the batch up to the capacity, a full worker
// makes jobs wait, jobs for publications it does not get end at once, and a stopping worker stops
// taking more and waits for what it holds.
import assert from 'node:assert/strict';
import {
  createPublishDispatcher,
  type ClaimRequest,
  type Timing,
} from '../../../server/publishing/publish-dispatcher.ts';
import { testLogger } from '../../support/database.ts';

interface FakeClaim {
  row: { id: string };
  owner: string;
  platform: 'facebook' | 'zalo';
}

function deferred() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Publications by id: due ones may be claimed once; the rest answer with their timing. */
function fakeStore(options: {
  due: string[];
  timings?: Timing[];
  holdAttempts?: boolean;
  /** Publications that fall due later, by time. */
  upcoming?: { id: string; at: number }[];
}) {
  const due = new Set(options.due);
  const upcoming = [...(options.upcoming ?? [])];
  const ripen = () => {
    for (const u of upcoming.filter((x) => x.at <= Date.now())) {
      due.add(u.id);
      upcoming.splice(upcoming.indexOf(u), 1);
    }
  };
  const claims: ClaimRequest[] = [];
  const attempts = new Map<string, ReturnType<typeof deferred>>();
  const failedUnclaimed: string[] = [];
  let claimGate: Promise<void> = Promise.resolve();
  const faults = { failNextClaim: false };
  const dispatcher = createPublishDispatcher<FakeClaim>({
    async claim(request, workerId) {
      claims.push({ ...request, ids: [...request.ids] });
      await claimGate;
      ripen();
      if (faults.failNextClaim) {
        faults.failNextClaim = false;
        throw new Error('deadlock detected');
      }
      const asked = request.ids.filter((id) => due.has(id));
      const others = request.more ? [...due].filter((id) => !request.ids.includes(id)) : [];
      const taken = [...asked, ...others].slice(0, request.limit);
      for (const id of taken) due.delete(id);
      return taken.map((id) => ({ row: { id }, owner: `${workerId}#1`, platform: 'facebook' as const }));
    },
    attempt(batch) {
      return batch.map((c) => {
        const d = deferred();
        attempts.set(c.row.id, d);
        if (!options.holdAttempts) d.release();
        return d.promise;
      });
    },
    async timing(ids) {
      return (options.timings ?? []).filter((t) => ids.includes(t.id));
    },
    async renewLeases() {
      return [];
    },
    async failUnclaimed(id) {
      failedUnclaimed.push(id);
    },
    async msUntilNextDue() {
      ripen();
      if (due.size > 0) return 0;
      const next = Math.min(...upcoming.map((u) => u.at));
      return Number.isFinite(next) ? next - Date.now() : null;
    },
    lookAheadMs: 1_000,
    leaseMs: { facebook: 60_000, zalo: 60_000 },
    logger: testLogger,
  });
  return {
    dispatcher,
    due,
    claims,
    attempts,
    failedUnclaimed,
    faults,
    gateClaims() {
      const gate = deferred();
      claimGate = gate.promise;
      return gate;
    },
  };
}

const run = (capacity: number) => ({ workerId: 'w1', log: testLogger, capacity });

describe('publish dispatcher', () => {
  it('claims the asked-for publication together with the other due ones, up to the capacity', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `p${i}`);
    const store = fakeStore({ due: ids, holdAttempts: true });
    await store.dispatcher.publish('p3', run(4));
    assert.equal(store.claims.length, 1);
    assert.deepEqual(store.claims[0], { ids: ['p3'], more: true, limit: 4 });
    assert.equal(store.attempts.size, 4);
    assert.ok(store.attempts.has('p3'));
    assert.equal(store.due.size, 6);
  });

  it('coalesces asks that arrive while a claim runs into the next claim', async () => {
    const store = fakeStore({ due: ['a', 'b', 'c', 'd'] });
    const gate = store.gateClaims();
    const jobs = [store.dispatcher.publish('a', run(100))];
    await tick();
    jobs.push(store.dispatcher.publish('b', run(100)), store.dispatcher.publish('c', run(100)));
    gate.release();
    await Promise.all(jobs);
    // The first claim took everything due; the asks that waited found their publications held.
    assert.equal(store.claims.length, 2);
    assert.deepEqual(store.claims[1]?.ids, ['b', 'c']);
    assert.equal(store.due.size, 0);
  });

  it('keeps jobs waiting while the worker is at capacity, and claims for them as room frees', async () => {
    const store = fakeStore({ due: ['a', 'b', 'c'], holdAttempts: true });
    await store.dispatcher.publish('a', run(1));
    let bDone = false;
    const b = store.dispatcher.publish('b', run(1)).then(() => {
      bDone = true;
    });
    await tick();
    assert.equal(bDone, false, 'no room: the job for b waits');
    assert.equal(store.claims.length, 1);
    store.attempts.get('a')?.release();
    await b;
    assert.equal(store.claims.length, 2);
    assert.deepEqual(store.claims[1], { ids: ['b'], more: false, limit: 1 });
    assert.ok(store.attempts.has('b'));
  });

  it('goes on claiming due publications nobody asked for while its batches come back full', async () => {
    const ids = Array.from({ length: 7 }, (_, i) => `p${i}`);
    const store = fakeStore({ due: ids });
    await store.dispatcher.publish('p0', run(3));
    await store.dispatcher.idle();
    assert.equal(store.due.size, 0, 'all seven claimed though one job asked');
    assert.ok(store.claims.length >= 3);
    assert.equal(store.claims.at(-1)?.more, true);
  });

  it('ends a job at once when its publication is done, held elsewhere or rescheduled later', async () => {
    const now = Date.now();
    const store = fakeStore({
      due: [],
      timings: [
        {
          id: 'done',
          status: 'published',
          scheduledAt: new Date(now - 1000),
          nextAttemptAt: null,
          notAfter: null,
        },
        {
          id: 'later',
          status: 'scheduled',
          scheduledAt: new Date(now + 60_000),
          nextAttemptAt: null,
          notAfter: null,
        },
      ],
    });
    await store.dispatcher.publish('done', run(5));
    await store.dispatcher.publish('later', run(5));
    await store.dispatcher.publish('gone', run(5));
    assert.equal(store.attempts.size, 0);
    assert.deepEqual(store.failedUnclaimed, []);
  });

  it('fails a publication whose do-not-publish-after passed before anyone claimed it', async () => {
    const now = Date.now();
    const store = fakeStore({
      due: [],
      timings: [
        {
          id: 'expired',
          status: 'scheduled',
          scheduledAt: new Date(now - 60_000),
          nextAttemptAt: null,
          notAfter: new Date(now - 1000),
        },
      ],
    });
    await store.dispatcher.publish('expired', run(5));
    assert.deepEqual(store.failedUnclaimed, ['expired']);
  });

  it('waits for the due time when its job fired a little early, then claims', async () => {
    const store = fakeStore({
      due: [],
      timings: [
        {
          id: 'soon',
          status: 'scheduled',
          scheduledAt: new Date(Date.now() + 60),
          nextAttemptAt: null,
          notAfter: null,
        },
      ],
    });
    setTimeout(() => store.due.add('soon'), 40);
    await store.dispatcher.publish('soon', run(5));
    assert.ok(store.attempts.has('soon'));
    assert.equal(store.claims.length, 2);
  });

  it('hands a failed claim to the jobs that asked, and keeps working', async () => {
    const store = fakeStore({ due: ['a'] });
    store.faults.failNextClaim = true;
    await assert.rejects(store.dispatcher.publish('a', run(5)), /deadlock detected/);
    assert.equal(store.attempts.size, 0);
    // Agenda records the failed job; the sweeper (or the job's retry) asks again.
    await store.dispatcher.publish('a', run(5));
    assert.ok(store.attempts.has('a'));
  });

  it('stops taking unasked publications once quiesced, and is idle when its attempts end', async () => {
    const store = fakeStore({ due: ['a', 'b', 'c'], holdAttempts: true });
    store.dispatcher.quiesce();
    await store.dispatcher.publish('a', run(10));
    assert.deepEqual(store.claims[0], { ids: ['a'], more: false, limit: 1 });
    let idle = false;
    const waiting = store.dispatcher.idle().then(() => {
      idle = true;
    });
    await tick();
    assert.equal(idle, false, 'the attempt on a is still running');
    store.attempts.get('a')?.release();
    await waiting;
    assert.equal(idle, true);
    store.dispatcher.resume(run(10));
    await store.dispatcher.publish('b', run(10));
    assert.equal(store.claims.at(-1)?.more, true);
  });

  it('logs an attempt that throws instead of crashing the process', async () => {
    const errors: unknown[] = [];
    const log = { ...testLogger, error: (obj: unknown) => errors.push(obj) } as unknown as typeof testLogger;
    const dispatcher = createPublishDispatcher<FakeClaim>({
      claim: async (request) => request.ids.map((id) => ({ row: { id }, owner: 'w#1', platform: 'zalo' })),
      attempt: (batch) => batch.map(() => Promise.reject(new Error('bug in an attempt'))),
      timing: async () => [],
      renewLeases: async () => [],
      failUnclaimed: async () => undefined,
      msUntilNextDue: async () => null,
      lookAheadMs: 1_000,
      leaseMs: { facebook: 60_000, zalo: 60_000 },
      logger: testLogger,
    });
    await dispatcher.publish('x', { workerId: 'w', log, capacity: 5 });
    await dispatcher.idle();
    assert.equal(errors.length, 1);
  });

  it('a running worker wakes itself when the next publication falls due, with no job asking', async () => {
    const store = fakeStore({ due: [], upcoming: [{ id: 'soon', at: Date.now() + 80 }] });
    store.dispatcher.resume(run(10));
    try {
      await new Promise((resolve) => setTimeout(resolve, 40));
      assert.equal(store.attempts.size, 0, 'nothing before its time');
      await new Promise((resolve) => setTimeout(resolve, 120));
      assert.ok(store.attempts.has('soon'), 'claimed at its time without a job');
      assert.deepEqual(store.claims[0], { ids: [], more: true, limit: 10 });
    } finally {
      store.dispatcher.quiesce();
    }
  });

  it('does not look ahead before a worker resumes it, nor after it is quiesced', async () => {
    const store = fakeStore({ due: ['waiting'] });
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(store.claims.length, 0);
    store.dispatcher.resume(run(10));
    store.dispatcher.quiesce();
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(store.claims.length, 0);
  });

  it('does not spin when what is due cannot be claimed: held elsewhere, or the claim fails', async () => {
    for (const failing of [false, true]) {
      let claims = 0;
      const dispatcher = createPublishDispatcher<FakeClaim>({
        claim: async () => {
          claims += 1;
          if (failing) throw new Error('connection lost');
          return [];
        },
        attempt: () => [],
        timing: async () => [],
        renewLeases: async () => [],
        failUnclaimed: async () => undefined,
        msUntilNextDue: async () => 0,
        lookAheadMs: 1_000,
        leaseMs: { facebook: 60_000, zalo: 60_000 },
        logger: testLogger,
      });
      dispatcher.resume(run(10));
      await new Promise((resolve) => setTimeout(resolve, 350));
      dispatcher.quiesce();
      assert.ok(
        claims >= 1 && claims <= (failing ? 1 : 5),
        `${claims} claims in 350 ms (failing: ${failing})`,
      );
    }
  });
});
