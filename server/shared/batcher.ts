// Coalesces many small writes into few round trips: items pushed while a flush is running wait for
// the next one, and a flush starts at once when none is running (no timer: an idle system adds no
// delay). Each item's promise settles with its own result, or with the flush's error.

export type Flush<I, R> = (items: I[]) => Promise<R[]>;

export interface Batcher<I, R> {
  push(item: I): Promise<R>;
  /** Resolves once nothing is queued or being flushed. */
  idle(): Promise<void>;
}

interface Waiting<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/** `flush` returns one result per item, in the items' order. */
export function createBatcher<I, R>(flush: Flush<I, R>, options: { maxBatch?: number } = {}): Batcher<I, R> {
  const maxBatch = options.maxBatch ?? 500;
  let queue: Waiting<I, R>[] = [];
  let running: Promise<void> | undefined;

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const results = await flush(batch.map((w) => w.item));
        if (results.length !== batch.length)
          throw new Error(`a batch of ${batch.length} gave ${results.length} results`);
        batch.forEach((w, i) => w.resolve(results[i] as R));
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
  }

  function start() {
    if (running) return;
    running = drain().finally(() => {
      running = undefined;
      if (queue.length > 0) start();
    });
  }

  return {
    push(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        start();
      });
    },
    async idle() {
      while (running) await running;
    },
  };
}
