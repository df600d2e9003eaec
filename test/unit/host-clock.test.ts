import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostClock, hostAnchor, realtimeAnchor } from '../../src/clock/host-clock.js';

test('two host clocks in one process agree to well under a millisecond', () => {
  const a = new HostClock();
  const b = new HostClock();
  const d = Number(a.nowNs() - b.nowNs());
  assert.ok(Math.abs(d) < 200_000, `clocks differ by ${d} ns`);
});

test('the host clock tracks the kernel realtime clock (Date.now) within its millisecond resolution', () => {
  const c = new HostClock();
  const ours = Number(c.nowNs() / 1_000_000n);
  const kernel = Date.now();
  assert.ok(Math.abs(ours - kernel) <= 1, `ours ${ours} ms vs kernel ${kernel} ms`);
  assert.equal(c.checkStep(), null, 'no step detected on a steady clock');
});

test(
  'on Linux the anchor pairs the two kernel clocks in C, and agrees with the Date.now() edge method',
  { skip: process.platform !== 'linux' },
  () => {
    const a = hostAnchor();
    assert.equal(a.method, 'clock_gettime', 'the udp_stamp addon should be built on Linux (npm run build)');
    assert.equal(new HostClock().anchorMethod, 'clock_gettime');
    // realtime − monotonic is one value for the whole host: the precise pair must sit inside the
    // edge method's error (a microsecond or so when the edge is seen at once; allow for a busy CPU).
    const edge = realtimeAnchor();
    const d = Number(a.realNs - a.monoNs - (edge.realNs - edge.monoNs));
    assert.ok(Math.abs(d) < 50_000, `precise and edge anchors differ by ${d} ns`);
    // Two precise anchors in a row give the same offset to within a few hundred ns (no slewing NTP in between).
    const b = hostAnchor();
    const again = Number(b.realNs - b.monoNs - (a.realNs - a.monoNs));
    assert.ok(Math.abs(again) < 1_000, `two precise anchors differ by ${again} ns`);
  },
);

test('without the addon the anchor falls back to the Date.now() edge', () => {
  process.env.CHRONOEVAL_NO_NATIVE = '1';
  try {
    assert.equal(hostAnchor().method, 'date-edge');
    assert.equal(new HostClock().anchorMethod, 'date-edge');
  } finally {
    delete process.env.CHRONOEVAL_NO_NATIVE;
  }
});

/** What a step of the system clock by +`ns` after the anchor looks like to a HostClock. */
function staleBy(c: HostClock, ns: bigint): void {
  (c as unknown as { anchorRealNs: bigint }).anchorRealNs -= ns;
}

test('followRealtime: nothing on a steady clock; a 30 ms step of realtime is followed at once and reported', () => {
  const c = new HostClock();
  assert.equal(c.followRealtime(), null, 'no step on a steady clock');
  staleBy(c, 30_000_000n);
  const step = c.followRealtime();
  assert.ok(step !== null && step > 29_900_000n && step < 30_100_000n, `step followed: ${step} ns`);
  const kernel = hostAnchor();
  const d = Number(c.atMonoNs(kernel.monoNs) - kernel.realNs);
  assert.ok(Math.abs(d) < 20_000, `after following, the clock reads the kernel's realtime (off by ${d} ns)`);
  assert.equal(c.followRealtime(), null, 'and nothing more to follow');
});
