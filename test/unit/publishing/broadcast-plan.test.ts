// Zalo broadcasts: never in the 22:00–06:00 (Asia/Ho_Chi_Minh) window, at most once.
import assert from 'node:assert/strict';
import { broadcastPlan } from '../../../server/publishing/broadcast-job.ts';
import { isZaloNight } from '../../../server/publishing/publishing.settings.ts';
import { nextBroadcastWindowAfter } from '../../../server/publishing/zalo-window.ts';

const at = (iso: string) => new Date(iso);
const on = { zaloBroadcast: true };

describe('publishing: Zalo broadcast plan', () => {
  it('knows the night window in Ho Chi Minh time, whatever the server zone', () => {
    assert.equal(isZaloNight(at('2026-12-01T14:59:00Z')), false, '21:59 ICT');
    assert.equal(isZaloNight(at('2026-12-01T15:00:00Z')), true, '22:00 ICT');
    assert.equal(isZaloNight(at('2026-12-01T22:59:00Z')), true, '05:59 ICT');
    assert.equal(isZaloNight(at('2026-12-01T23:00:00Z')), false, '06:00 ICT');
  });

  it('waits for the coming 06:00 at night, and not at all by day', () => {
    assert.equal(
      nextBroadcastWindowAfter(at('2026-12-01T16:30:00Z')).toISOString(),
      '2026-12-01T23:00:00.000Z',
      '23:30 ICT → 06:00 next day',
    );
    assert.equal(
      nextBroadcastWindowAfter(at('2026-12-01T20:00:00Z')).toISOString(),
      '2026-12-01T23:00:00.000Z',
      '03:00 ICT → 06:00 same day',
    );
    const day = at('2026-12-01T03:00:00Z');
    assert.equal(nextBroadcastWindowAfter(day), day);
  });

  it('defers a night-time broadcast to 06:00 with a reason', () => {
    const plan = broadcastPlan(on, at('2026-12-01T16:30:00Z'), 'deferred');
    assert.equal(plan?.record.status, 'waiting');
    assert.equal(plan?.enqueueAt?.toISOString(), '2026-12-01T23:00:00.000Z');
    assert.match(String(plan?.record.reason), /22:00/);
  });

  it('records a sent broadcast, and waits when the platform says not now', () => {
    const now = at('2026-12-01T03:00:00Z');
    const sent = broadcastPlan(on, now, 'requested', { status: 'sent', messageId: 'm-1' });
    assert.deepEqual(
      [sent?.record.status, sent?.record.messageId, sent?.enqueueAt],
      ['sent', 'm-1', undefined],
    );
    const retryAt = at('2026-12-01T23:00:00Z');
    const later = broadcastPlan(on, now, 'requested', {
      status: 'not_now',
      retryAt,
      message: 'night window',
    });
    assert.equal(later?.record.status, 'waiting');
    assert.equal(later?.enqueueAt, retryAt);
  });

  it('never broadcasts again after an interrupted attempt, and does nothing when broadcasts are off', () => {
    const plan = broadcastPlan(on, at('2026-12-01T03:00:00Z'), 'reconciled');
    assert.equal(plan?.record.status, 'unknown');
    assert.equal(plan?.enqueueAt, undefined);
    assert.equal(broadcastPlan({ zaloBroadcast: false }, at('2026-12-01T03:00:00Z'), 'requested'), null);
  });
});
