// LocalClock.atMonoNs: the reading a clock gave at a past CLOCK_MONOTONIC instant (a datagram's
// kernel arrival), and for simulated clocks the true time at that instant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostClock } from '../../src/clock/host-clock.js';
import { AnchoredTrueClock, FaultyClock } from '../../src/sim/faulty-clock.js';

test('HostClock.atMonoNs uses the anchor exactly as nowNs does', () => {
  const c = new HostClock();
  const m = process.hrtime.bigint();
  const a = c.atMonoNs(m);
  assert.equal(c.atMonoNs(m - 1_234_567n), a - 1_234_567n, 'a past instant is the same clock, stepped back exactly');
  const before = c.nowNs();
  const at = c.atMonoNs(process.hrtime.bigint());
  const after = c.nowNs();
  assert.ok(before <= at && at <= after, 'atMonoNs(now) lies between two nowNs() around it');
});

test('FaultyClock.atMonoNs: local reading and true time at the instant, faults included', () => {
  const anchor = { real_ns: '1700000000000000000', mono_ns: String(process.hrtime.bigint()) };
  const c = new FaultyClock({ offset_ms: 5, drift_ppm: 100, truth_anchor: anchor });
  const truth = new AnchoredTrueClock(anchor);
  const m = BigInt(anchor.mono_ns) + 3_000_000_000n; // 3 s after the start: 5 ms + 300 µs of drift
  const local = c.atMonoNs(m);
  assert.equal(c.lastTrueNs, truth.atMonoNs(m), 'lastTrueNs is the true time at that instant');
  assert.equal(c.lastTrueNs, 1_700_000_003_000_000_000n);
  assert.equal(local, c.localAt(c.lastTrueNs));
  assert.equal(local - c.lastTrueNs, 5_300_000n);
});

test('FaultyClock over a host without atMonoNs steps back from now by the age', () => {
  const host = { simulated: false, nowNs: () => 1_000_000_000_000_000_000n + process.hrtime.bigint() };
  const c = new FaultyClock({ offset_ms: -2 }, { host, startTrueNs: 1_000_000_000_000_000_000n });
  const m = process.hrtime.bigint() - 50_000_000n; // 50 ms ago
  const local = c.atMonoNs(m);
  const expectedTrue = 1_000_000_000_000_000_000n + m;
  // Off by the time between the host read and the age's hrtime read: well under a millisecond.
  const off = c.lastTrueNs - expectedTrue;
  assert.ok(off > -1_000_000n && off < 1_000_000n, `true off by ${off} ns`);
  assert.equal(local - c.lastTrueNs, -2_000_000n);
});
