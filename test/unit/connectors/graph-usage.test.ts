// Usage headers read from a successful Graph answer: the collector slows and stops on them.
import assert from 'node:assert/strict';
import { readUsage } from '../../../server/connectors/facebook/graph-errors.ts';

describe('Graph usage headers', () => {
  it('reads the app header and each Page of the business-use-case header, highest counter first', () => {
    const headers = new Headers({
      'x-app-usage': JSON.stringify({ call_count: 12, total_cputime: 40, total_time: 3 }),
      'x-business-use-case-usage': JSON.stringify({
        '1234': [
          {
            type: 'pages',
            call_count: 96,
            total_cputime: 10,
            total_time: 20,
            estimated_time_to_regain_access: 7,
          },
        ],
      }),
    });
    assert.deepEqual(readUsage(headers), [
      { scope: 'app', key: 'app', percent: 40, regainMs: 0 },
      { scope: 'page', key: '1234', percent: 96, regainMs: 7 * 60_000 },
    ]);
  });

  it('treats a missing or unreadable header as no reading, never as 0 % used', () => {
    assert.deepEqual(readUsage(new Headers()), []);
    assert.deepEqual(readUsage(new Headers({ 'x-app-usage': 'not json' })), []);
  });
});
