// Turns publish jobs into batches. Agenda still wakes the worker once per publication (the job
// carries its id), but the job only asks the dispatcher for it: the dispatcher claims it together
// with every other publication due now, up to its capacity, in one transaction, and runs their
// attempts side by side. A job whose publication is already taken (by this worker's batch, or by
// another worker) costs no query of its own. A burst of a thousand due at once therefore costs a
// few dozen claim transactions instead of a thousand, and both workers share it (SKIP LOCKED).
// A running worker also looks ahead: it wakes itself when the next publication falls due, so the
// first claim does not wait for Agenda to lock every job of a burst before it starts one.
import type { Logger } from '../logger.ts';
import type { Platform } from '../db/schema.ts';

/** What the dispatcher needs to know of a claimed publication. */
export interface HeldClaim {
  row: { id: string };
  owner: string;
  platform: Platform;
}

export interface Timing {
  id: string;
  status: string;
  scheduledAt: Date;
  nextAttemptAt: Date | null;
  notAfter: Date | null;
}

export interface ClaimRequest {
  /** Publications a job asked for: tried first, whatever the capacity. */
  ids: readonly string[];
  /** Also take other due publications, up to `limit` in all. */
  more: boolean;
  limit: number;
}

export interface DispatcherDeps<C extends HeldClaim> {
  /** One transaction: claims, their attempt rows and audit entries. */
  claim(request: ClaimRequest, workerId: string): Promise<C[]>;
  /** Starts the attempts of a batch; one promise per claim, in order. */
  attempt(claims: C[], run: { workerId: string; log: Logger }): Promise<void>[];
  /** Where the asked-for publications that were not claimed stand. */
  timing(ids: readonly string[]): Promise<Timing[]>;
  renewLeases(held: { id: string; owner: string; leaseMs: number }[]): Promise<unknown>;
  /** A scheduled publication nobody may claim any more (its do-not-publish-after passed). */
  failUnclaimed(id: string): Promise<unknown>;
  /** Milliseconds (by the database's clock) until the next publication waiting for its first attempt is due; null if none. */
  msUntilNextDue(): Promise<number | null>;
  /** How far ahead the look-ahead sees: new schedules are noticed within this (their jobs wake it too). */
  lookAheadMs: number;
  leaseMs: Record<Platform, number>;
  logger: Logger;
}

export interface PublishRun {
  workerId: string;
  log: Logger;
  /** Publications this worker keeps in flight before it stops taking ones nobody asked for. */
  capacity: number;
}

/** A job that fires a little early waits for the due time rather than missing it. */
const EARLY_WAIT_MAX_MS = 1_000;
/** After claiming what was due, the pause before asking for the next due time. */
const LOOK_AGAIN_MS = 20;
/** When what was due could not be claimed (held by another transaction for a moment). */
const LOOK_HELD_MS = 100;
/** Claimed in one statement at most. */
const CLAIM_BATCH_MAX = 200;

type Answer = { claimed: true } | { claimed: false; timing: Timing | undefined };

interface Waiter {
  resolve(answer: Answer): void;
  reject(error: unknown): void;
}

export function createPublishDispatcher<C extends HeldClaim>(deps: DispatcherDeps<C>) {
  const inFlight = new Map<string, { claim: C; done: Promise<void> }>();
  const waiting = new Map<string, Waiter[]>();
  /** The claim running now; it resolves with how many it claimed, or -1 when it failed. */
  let round: Promise<number> | undefined;
  /** The last claim filled its batch: more may be due. */
  let moreDue = false;
  /** Stopping: only what running jobs ask for is claimed. */
  let quiet = false;
  let context: PublishRun | undefined;
  let renewal: NodeJS.Timeout | undefined;
  let lookAhead: NodeJS.Timeout | undefined;

  const renewEveryMs = Math.max(250, Math.floor(Math.min(deps.leaseMs.facebook, deps.leaseMs.zalo) / 3));

  function keepLeases() {
    if (renewal || inFlight.size === 0) return;
    renewal = setInterval(() => {
      if (inFlight.size === 0) {
        clearInterval(renewal);
        renewal = undefined;
        return;
      }
      const held = [...inFlight.values()].map(({ claim }) => ({
        id: claim.row.id,
        owner: claim.owner,
        leaseMs: deps.leaseMs[claim.platform],
      }));
      deps
        .renewLeases(held)
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'lease renewal failed'));
    }, renewEveryMs);
    renewal.unref();
  }

  function start(claims: C[], run: PublishRun) {
    const attempts = deps.attempt(claims, run);
    claims.forEach((claim, i) => {
      const id = claim.row.id;
      const done = (attempts[i] ?? Promise.resolve()).finally(() => {
        inFlight.delete(id);
        kick();
      });
      // Nobody may be waiting on an attempt this worker took on its own: its failure is logged
      // here (the lease runs out and the sweeper hands it to a reconciling attempt).
      done.catch((error: unknown) =>
        run.log.error({ err: error, publicationId: id }, 'publication attempt failed unexpectedly'),
      );
      inFlight.set(id, { claim, done });
    });
    keepLeases();
  }

  /**
   * One claim: as many of the asked-for publications as there is room for (the rest wait for the
   * next round), and when room is left, other due publications up to the capacity.
   */
  async function claimRound(run: PublishRun): Promise<number> {
    const room = Math.min(CLAIM_BATCH_MAX, run.capacity - inFlight.size);
    const ids = [...waiting.keys()].slice(0, room);
    const asked = new Map(ids.map((id) => [id, waiting.get(id) ?? []]));
    for (const id of ids) waiting.delete(id);
    const more = !quiet && room > ids.length;
    const limit = more ? room : ids.length;
    try {
      const claims = await deps.claim({ ids, more, limit }, run.workerId);
      moreDue = more && claims.length === limit;
      start(claims, run);
      const timings = await deps.timing(ids.filter((id) => !inFlight.has(id)));
      for (const [id, waiters] of asked) {
        const answer: Answer = inFlight.has(id)
          ? { claimed: true }
          : { claimed: false, timing: timings.find((t) => t.id === id) };
        for (const w of waiters) w.resolve(answer);
      }
      return claims.length;
    } catch (error) {
      moreDue = false;
      for (const waiters of asked.values()) for (const w of waiters) w.reject(error);
      if (ids.length === 0) run.log.error({ err: error }, 'claiming due publications failed');
      return -1;
    }
  }

  function kick() {
    const run = context;
    if (round || !run || inFlight.size >= run.capacity) return;
    if (waiting.size === 0 && !(moreDue && !quiet)) return;
    round = claimRound(run).finally(() => {
      round = undefined;
      kick();
    });
  }

  function ask(id: string): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      const list = waiting.get(id) ?? [];
      list.push({ resolve, reject });
      waiting.set(id, list);
      kick();
    });
  }

  function lookAgainIn(ms: number) {
    clearTimeout(lookAhead);
    lookAhead = setTimeout(() => void look(), Math.max(0, ms));
    lookAhead.unref();
  }

  /** Wakes the worker when the next publication falls due, whether or not its job has. */
  async function look(): Promise<void> {
    lookAhead = undefined;
    if (quiet || !context) return;
    let next = deps.lookAheadMs;
    try {
      const ms = await deps.msUntilNextDue();
      if (ms !== null && ms <= 0) {
        moreDue = true;
        kick();
        const claimed = round ? await round : undefined;
        // Claimed: the next due time is known once this claim is done, so look again soon. Nothing
        // claimed (rows another transaction held for a moment): a little later. A failed claim, or
        // a full worker (its finishing attempts claim the rest): the usual interval.
        if (claimed !== undefined && claimed > 0) next = LOOK_AGAIN_MS;
        else if (claimed === 0) next = LOOK_HELD_MS;
      } else if (ms !== null) next = Math.min(ms, deps.lookAheadMs);
    } catch (error) {
      deps.logger.warn({ err: error }, 'looking for due publications failed');
    }
    if (!quiet) lookAgainIn(next);
  }

  /**
   * A job's publication: resolves once it is claimed (its attempt goes on in the background,
   * under its lease), or when it is not this worker's to publish (done, cancelled, rescheduled, or
   * held by another worker). While the worker is at capacity the job waits for room.
   */
  async function publish(id: string, run: PublishRun): Promise<void> {
    context = run;
    for (let tries = 0; tries < 2; tries += 1) {
      if (inFlight.has(id)) return;
      const answer = await ask(id);
      if (answer.claimed) return;
      const t = answer.timing;
      if (!t || t.status !== 'scheduled') return;
      if (t.notAfter && t.notAfter.getTime() <= Date.now()) {
        await deps.failUnclaimed(id);
        return;
      }
      const due = Math.max(t.scheduledAt.getTime(), t.nextAttemptAt?.getTime() ?? 0);
      const wait = due - Date.now();
      // Rescheduled to later: the job for the new time will come; this one never publishes early.
      if (wait <= 0 || wait > EARLY_WAIT_MAX_MS || tries > 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait + 5));
    }
  }

  return {
    publish,
    /** Stops taking publications nobody asked for (the worker is stopping). */
    quiesce() {
      quiet = true;
      clearTimeout(lookAhead);
      lookAhead = undefined;
    },
    /** Takes due publications again, and looks ahead for them (a worker started). */
    resume(run: PublishRun) {
      quiet = false;
      context = run;
      lookAgainIn(0);
    },
    /** Resolves once no claim is running and no attempt is in flight. */
    async idle(): Promise<void> {
      for (;;) {
        if (round) await round;
        const pending = [...inFlight.values()].map((f) => f.done.catch(() => undefined));
        if (pending.length === 0 && !round) return;
        await Promise.all(pending);
      }
    },
  };
}

export type PublishDispatcher = ReturnType<typeof createPublishDispatcher>;
