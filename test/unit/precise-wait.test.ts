import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil } from '../../src/coordinator/precise-wait.js';

test('waitUntil never resolves before its target', async () => {
  for (const aheadNs of [0n, 300_000n, 1_200_000n, 3_000_000n]) {
    const target = process.hrtime.bigint() + aheadNs;
    await waitUntil(target);
    assert.ok(process.hrtime.bigint() >= target, `resolved early for a wait of ${aheadNs} ns`);
  }
});

test('a schedule of back-to-back waits keeps the event loop turning (sends via nextTick, timers)', async () => {
  // The coordinator sends through dgram, which defers each send with process.nextTick; a wait that
  // resolved inside the caller's microtask chain held every send (and CSV flush timer) to the end.
  const start = process.hrtime.bigint();
  const ticksRunAt: number[] = [];
  let timerFired = false;
  setTimeout(() => { timerFired = true; }, 5);
  for (let i = 0; i < 40; i++) {
    await waitUntil(start + BigInt(i) * 500_000n); // 0.5 ms apart: always inside the spin margin
    process.nextTick(() => ticksRunAt.push(i));
    assert.equal(ticksRunAt.length, i, `the nextTick of event ${i - 1} had not run before event ${i}`);
  }
  assert.ok(timerFired, 'a 5 ms timer never fired during a 20 ms schedule');
});
