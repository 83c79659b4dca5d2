import assert from 'node:assert/strict';
import { classifyZaloFailure, nextBroadcastWindow } from '../../../server/connectors/zalo/zalo-errors.ts';
import type { ConnectorError } from '../../../server/connectors/types.ts';

function classify(code: number, headers: Record<string, string> = {}): ConnectorError {
  return classifyZaloFailure(
    { status: 200, headers: new Headers(headers), isWrite: true, error: { code, message: `zalo ${code}` } },
    60_000,
  );
}

describe('Zalo error classification', () => {
  const table: [number, ConnectorError['kind']][] = [
    [-216, 'auth_expired'],
    [-220, 'auth_expired'],
    [-124, 'auth_expired'],
    [-14014, 'auth_expired'],
    [-14002, 'auth_expired'],
    [-32, 'rate_limited'],
    [-214, 'transient'],
    [-201, 'rejected'],
    [-200, 'rejected'],
    [-210, 'rejected'],
    [-211, 'rejected'],
    [-223, 'rejected'],
    [-234, 'rejected'],
    [-248, 'rejected'],
    [-999, 'rejected'],
  ];
  for (const [code, kind] of table) {
    it(`${code} → ${kind}`, () => {
      assert.equal(classify(code).kind, kind);
    });
  }

  it("keeps the platform's message and code", () => {
    assert.deepEqual(classify(-201), { kind: 'rejected', message: 'zalo -201', platformCode: -201 });
  });

  it('takes the rate-limit wait from Retry-After, else the default', () => {
    assert.deepEqual(classify(-32, { 'retry-after': '5' }), {
      kind: 'rate_limited',
      message: 'zalo -32',
      retryAfterMs: 5000,
    });
    const fallback = classify(-32);
    assert.equal(fallback.kind === 'rate_limited' && fallback.retryAfterMs, 60_000);
  });

  it('treats HTTP 5xx as transient (maybe delivered on a write) and other statuses as rejected', () => {
    const failure = (status: number, isWrite: boolean) =>
      classifyZaloFailure({ status, headers: new Headers(), isWrite });
    assert.deepEqual(failure(503, true), {
      kind: 'transient',
      message: 'HTTP 503 from Zalo',
      maybeDelivered: true,
    });
    const read = failure(500, false);
    assert.equal(read.kind === 'transient' && read.maybeDelivered, false);
    assert.equal(failure(404, true).kind, 'rejected');
  });
});

describe('Zalo broadcast window', () => {
  it('is 06:00 the next morning (UTC+7) when refused at 23:00', () => {
    // 23:00 in Ho Chi Minh City = 16:00 UTC
    assert.equal(
      nextBroadcastWindow(new Date('2026-09-10T16:00:00Z')).toISOString(),
      '2026-09-10T23:00:00.000Z',
    );
  });

  it('is 06:00 the same morning when refused at 02:30', () => {
    // 02:30 local on the 11th = 19:30 UTC on the 10th
    assert.equal(
      nextBroadcastWindow(new Date('2026-09-10T19:30:00Z')).toISOString(),
      '2026-09-10T23:00:00.000Z',
    );
  });

  it('is strictly later than now at exactly 06:00', () => {
    assert.equal(
      nextBroadcastWindow(new Date('2026-09-10T23:00:00Z')).toISOString(),
      '2026-09-11T23:00:00.000Z',
    );
  });
});
