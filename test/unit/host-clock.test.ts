import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostClock } from '../../src/clock/host-clock.js';

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
