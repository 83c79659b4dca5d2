// A transaction aborted for a deadlock or a serialization failure runs again; nothing else does.
import assert from 'node:assert/strict';
import { isConflict, retryOnConflict } from '../../../server/db/retry-conflict.ts';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

describe('retryOnConflict', () => {
  it('runs a transaction again after a deadlock or a serialization failure', async () => {
    for (const code of ['40P01', '40001']) {
      let calls = 0;
      const result = await retryOnConflict(async () => {
        calls += 1;
        if (calls === 1) throw pgError(code);
        return 'done';
      });
      assert.equal(result, 'done');
      assert.equal(calls, 2);
    }
  });

  it('recognises the code when a wrapper keeps the pg error as its cause', () => {
    assert.equal(isConflict(new Error('query failed', { cause: pgError('40P01') })), true);
    assert.equal(isConflict(new Error('query failed', { cause: pgError('23505') })), false);
  });

  it('passes any other error on at once', async () => {
    let calls = 0;
    await assert.rejects(
      retryOnConflict(async () => {
        calls += 1;
        throw pgError('23505');
      }),
      /23505/,
    );
    assert.equal(calls, 1);
  });

  it('gives up after the attempts it was given', async () => {
    let calls = 0;
    await assert.rejects(
      retryOnConflict(async () => {
        calls += 1;
        throw pgError('40P01');
      }, 3),
      /40P01/,
    );
    assert.equal(calls, 3);
  });
});
