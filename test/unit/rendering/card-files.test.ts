import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeCardAtomically } from '../../../server/rendering/card-cache.ts';

describe('rendering: card files', function () {
  it('writes a card again after its cache directory was removed behind its back', async function () {
    const root = mkdtempSync(path.join(tmpdir(), 'loa-card-files-'));
    try {
      const first = path.join(root, 'ab', 'first.jpg');
      await writeCardAtomically(first, Buffer.from('one'));
      rmSync(root, { recursive: true, force: true });
      const second = path.join(root, 'ab', 'second.jpg');
      await writeCardAtomically(second, Buffer.from('two'));
      assert.equal(readFileSync(second, 'utf8'), 'two');
      assert.deepEqual(readdirSync(path.join(root, 'ab')), ['second.jpg']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
