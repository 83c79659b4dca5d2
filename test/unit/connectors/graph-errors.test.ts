import assert from 'node:assert/strict';
import {
  classifyGraphFailure,
  rateLimitWaitMs,
  type GraphError,
} from '../../../server/connectors/facebook/graph-errors.ts';
import type { ConnectorError } from '../../../server/connectors/types.ts';

const defaults = { rateLimitWaitMs: 60_000, appUsageWaitMs: 900_000 };

function classify(
  error: Partial<GraphError> & { code: number },
  options: { status?: number; headers?: Record<string, string>; isWrite?: boolean } = {},
): ConnectorError {
  return classifyGraphFailure(
    {
      status: options.status ?? 400,
      headers: new Headers(options.headers ?? {}),
      isWrite: options.isWrite ?? true,
      error: { message: `(#${error.code}) test message`, type: 'OAuthException', ...error },
    },
    defaults,
  );
}

describe('Graph error classification', () => {
  const table: [string, Partial<GraphError> & { code: number }, number, ConnectorError['kind']][] = [
    ['1 unknown error', { code: 1 }, 500, 'transient'],
    ['2 service unavailable', { code: 2 }, 500, 'transient'],
    ['4 app rate limit', { code: 4 }, 400, 'rate_limited'],
    ['17 user rate limit', { code: 17 }, 400, 'rate_limited'],
    ['32 page rate limit', { code: 32 }, 400, 'rate_limited'],
    ['341 feed action limit', { code: 341 }, 400, 'rate_limited'],
    ['613 custom rate limit', { code: 613 }, 400, 'rate_limited'],
    ['80001 pages BUC limit', { code: 80001 }, 400, 'rate_limited'],
    ['80014 BUC limit', { code: 80014 }, 400, 'rate_limited'],
    ['190 without subcode', { code: 190 }, 400, 'auth_expired'],
    ['190/463 expired', { code: 190, error_subcode: 463 }, 400, 'auth_expired'],
    ['190/467 invalid', { code: 190, error_subcode: 467 }, 400, 'auth_expired'],
    ['190/460 password changed', { code: 190, error_subcode: 460 }, 400, 'auth_expired'],
    ['190/492 lost page role', { code: 190, error_subcode: 492 }, 400, 'auth_expired'],
    ['100 invalid parameter', { code: 100 }, 400, 'rejected'],
    ['10 permission', { code: 10 }, 403, 'rejected'],
    ['200 permission', { code: 200 }, 403, 'rejected'],
    ['299 permission', { code: 299 }, 403, 'rejected'],
    ['368 blocked', { code: 368 }, 400, 'rejected'],
    ['506 duplicate', { code: 506 }, 400, 'rejected'],
    ['1609005 link error', { code: 1609005 }, 400, 'rejected'],
    ['unknown code at 4xx', { code: 12345 }, 400, 'rejected'],
    ['unknown code at 5xx', { code: 12345 }, 500, 'transient'],
    ['is_transient flag', { code: 12345, is_transient: true }, 400, 'transient'],
    ['subcode 1390008 posting too fast', { code: 368, error_subcode: 1390008 }, 400, 'rate_limited'],
    ['subcode 1404078 re-authorise', { code: 200, error_subcode: 1404078 }, 400, 'auth_expired'],
    ['subcode 1363047 service unavailable', { code: 100, error_subcode: 1363047 }, 400, 'transient'],
  ];
  for (const [name, error, status, kind] of table) {
    it(`${name} → ${kind}`, () => {
      assert.equal(classify(error, { status }).kind, kind);
    });
  }

  it('ignores the type field: an OAuthException with code 4 is a rate limit, not a token problem', () => {
    assert.equal(classify({ code: 4, type: 'OAuthException' }).kind, 'rate_limited');
  });

  it("keeps the platform's message and code on rejections", () => {
    const result = classify({ code: 506, message: '(#506) Duplicate status message' });
    assert.deepEqual(result, {
      kind: 'rejected',
      message: '(#506) Duplicate status message',
      platformCode: 506,
    });
  });

  it('keeps the subcode on rejections so callers can spot a deleted object', () => {
    const result = classify({ code: 100, error_subcode: 33 });
    assert.equal(result.kind === 'rejected' && result.platformSubcode, 33);
  });

  it('marks a 5xx on a write as maybe delivered, on a read as not', () => {
    assert.deepEqual(classify({ code: 1 }, { status: 500, isWrite: true }), {
      kind: 'transient',
      message: '(#1) test message',
      maybeDelivered: true,
    });
    const read = classify({ code: 2 }, { status: 500, isWrite: false });
    assert.equal(read.kind === 'transient' && read.maybeDelivered, false);
  });

  it('treats a 5xx without envelope as transient and a 4xx without envelope as rejected', () => {
    const noEnvelope = (status: number) =>
      classifyGraphFailure({ status, headers: new Headers(), isWrite: true }, defaults);
    assert.deepEqual(noEnvelope(502), {
      kind: 'transient',
      message: 'HTTP 502 without a Graph error body',
      maybeDelivered: true,
    });
    assert.equal(noEnvelope(404).kind, 'rejected');
    assert.equal(noEnvelope(429).kind, 'rate_limited');
  });
});

describe('Graph rate-limit wait', () => {
  const wait = (headers: Record<string, string>) => rateLimitWaitMs(new Headers(headers), defaults);

  it('uses the largest estimated_time_to_regain_access (minutes) of X-Business-Use-Case-Usage', () => {
    const buc = JSON.stringify({
      '123': [
        {
          type: 'pages',
          call_count: 100,
          total_cputime: 5,
          total_time: 5,
          estimated_time_to_regain_access: 3,
        },
        {
          type: 'pages',
          call_count: 100,
          total_cputime: 5,
          total_time: 5,
          estimated_time_to_regain_access: 7,
        },
      ],
    });
    assert.equal(wait({ 'x-business-use-case-usage': buc }), 7 * 60_000);
  });

  it('uses the app-level wait when X-App-Usage shows a spent budget', () => {
    assert.equal(wait({ 'x-app-usage': '{"call_count":100,"total_time":20,"total_cputime":10}' }), 900_000);
  });

  it('prefers a standard Retry-After header', () => {
    assert.equal(wait({ 'retry-after': '12' }), 12_000);
  });

  it('falls back to the default for absent, zero or malformed headers', () => {
    assert.equal(wait({}), 60_000);
    assert.equal(
      wait({ 'x-business-use-case-usage': '{"1":[{"estimated_time_to_regain_access":0}]}' }),
      60_000,
    );
    assert.equal(wait({ 'x-business-use-case-usage': 'not json' }), 60_000);
    assert.equal(wait({ 'x-app-usage': '{"call_count":40}' }), 60_000);
  });
});
