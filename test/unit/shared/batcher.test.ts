// The batcher coalesces what arrives while a flush runs, starts at once when idle, keeps each
// item's own result, and hands a failed flush's error to that flush's items only.
import assert from 'node:assert/strict';
import { createBatcher } from '../../../server/shared/batcher.ts';

function deferred() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

describe('batcher', () => {
  it('flushes the first item at once and everything that arrived meanwhile together', async () => {
    const batches: number[][] = [];
    const gate = deferred();
    const batcher = createBatcher<number, number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate.promise;
      return items.map((i) => i * 10);
    });
    const first = batcher.push(1);
    const rest = [batcher.push(2), batcher.push(3), batcher.push(4)];
    await Promise.resolve();
    assert.deepEqual(batches, [[1]]);
    gate.release();
    assert.equal(await first, 10);
    assert.deepEqual(await Promise.all(rest), [20, 30, 40]);
    assert.deepEqual(batches, [[1], [2, 3, 4]]);
  });

  it('splits a long queue into batches of at most maxBatch', async () => {
    const sizes: number[] = [];
    const gate = deferred();
    const batcher = createBatcher<number, number>(
      async (items) => {
        sizes.push(items.length);
        if (sizes.length === 1) await gate.promise;
        return items;
      },
      { maxBatch: 3 },
    );
    const all = Array.from({ length: 8 }, (_, i) => batcher.push(i));
    gate.release();
    assert.deepEqual(await Promise.all(all), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(sizes, [1, 3, 3, 1]);
  });

  it("rejects only the failed flush's items and goes on with the next", async () => {
    const gate = deferred();
    let calls = 0;
    const batcher = createBatcher<string, string>(async (items) => {
      calls += 1;
      if (calls === 1) {
        await gate.promise;
        throw new Error('database went away');
      }
      return items.map((i) => i.toUpperCase());
    });
    const failed = batcher.push('a');
    const later = batcher.push('b');
    gate.release();
    await assert.rejects(failed, /database went away/);
    assert.equal(await later, 'B');
  });

  it('refuses a flush that returns the wrong number of results', async () => {
    const batcher = createBatcher<number, number>(async () => []);
    await assert.rejects(batcher.push(1), /a batch of 1 gave 0 results/);
  });

  it('is idle only when nothing is queued or flushing', async () => {
    const gate = deferred();
    const batcher = createBatcher<number, number>(async (items) => {
      await gate.promise;
      return items;
    });
    const pushed = batcher.push(1);
    let idle = false;
    const waiting = batcher.idle().then(() => {
      idle = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(idle, false);
    gate.release();
    await waiting;
    assert.equal(await pushed, 1);
    assert.equal(idle, true);
  });
});
