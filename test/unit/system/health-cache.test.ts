import assert from 'node:assert/strict';
import { withCachedCheck } from '../../../server/system/health-cache.ts';
import type { HealthService } from '../../../server/system/health.service.ts';

type Health = Awaited<ReturnType<HealthService['check']>>;

function probe(results: (() => Promise<Health>)[]) {
  let calls = 0;
  const service = {
    check: () => {
      const next = results[Math.min(calls, results.length - 1)];
      calls++;
      if (!next) throw new Error('no result');
      return next();
    },
    beat: async () => {},
  } as unknown as HealthService;
  return { service, calls: () => calls };
}

const ok = { status: 'ok', db: 'ok', worker: 'absent', mockPlatforms: null, version: '1' } as Health;
const down = { ...ok, status: 'degraded', db: 'error' } as Health;

describe('health check cache', () => {
  it('shares one probe within the second, concurrent callers included, and probes again after it', async () => {
    let now = 1_000;
    const p = probe([async () => ok, async () => down]);
    const health = withCachedCheck(p.service, 1_000, () => now);
    const [a, b] = await Promise.all([health.check(), health.check()]);
    now += 999;
    const c = await health.check();
    assert.deepEqual([a, b, c, p.calls()], [ok, ok, ok, 1]);
    now += 1;
    assert.deepEqual(await health.check(), down);
    assert.equal(p.calls(), 2);
  });

  it('does not keep a probe that threw', async () => {
    const p = probe([() => Promise.reject(new Error('boom')), async () => ok]);
    const health = withCachedCheck(p.service, 1_000, () => 0);
    await assert.rejects(health.check(), /boom/);
    assert.deepEqual(await health.check(), ok);
    assert.equal(p.calls(), 2);
  });
});
