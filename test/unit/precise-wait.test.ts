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
  // The coordinator sends through dgram, which defers each send with process.nextTick; waits that
  // resolved inside the caller's microtask chain held every send (and CSV flush timer) to the end.
  // Late waits may resolve in bursts, but never for longer than a millisecond without a turn.
  const start = process.hrtime.bigint();
  const n = 200;
  const sentAt: bigint[] = [];
  const lagNs: number[] = [];
  let timerFired = false;
  setTimeout(() => {
    timerFired = true;
  }, 5);
  for (let i = 0; i < n; i++) {
    await waitUntil(start + BigInt(i) * 500_000n); // 0.5 ms apart: inside the spin/poll margin
    const t = process.hrtime.bigint();
    sentAt.push(t);
    process.nextTick(() => lagNs.push(Number(process.hrtime.bigint() - t)));
  }
  await new Promise((r) => setImmediate(r));
  assert.equal(lagNs.length, n);
  const worst = Math.max(...lagNs);
  assert.ok(worst < 50e6, `a queued send waited ${(worst / 1e6).toFixed(1)} ms for the event loop (the schedule lasts 100 ms)`);
  assert.ok(timerFired, 'a 5 ms timer never fired during a 100 ms schedule');
});

test('behind schedule, waits resolve without a turn each but still yield every millisecond', async () => {
  const start = process.hrtime.bigint();
  let turns = 0;
  const count = (): void => {
    turns++;
    if (process.hrtime.bigint() - start < 30_000_000n) setImmediate(count);
  };
  setImmediate(count);
  let waits = 0;
  while (process.hrtime.bigint() - start < 20_000_000n) {
    await waitUntil(0n);
    waits++;
  }
  assert.ok(turns >= 2, `only ${turns} event-loop turns in 20 ms of late waits: the loop was starved`);
  assert.ok(waits > 2 * turns, `${waits} late waits took ${turns} turns: no bursts`);
});

test('the near phase turns the event loop once per slice, not once per clock check', async () => {
  // Each turn allocates (an Immediate, BigInts): one turn per check (~1 µs) made ~350 scavenges in a
  // 3 s run at 1,000 events/s, and a GC pause at an event's instant makes that event late. Only an
  // upper bound: losing the CPU (a loaded machine) means fewer turns, never more.
  let turns = 0;
  let counting = true;
  const count = (): void => {
    turns++;
    if (counting) setImmediate(count);
  };
  setImmediate(count);
  const waits = 5;
  for (let i = 0; i < waits; i++) await waitUntil(process.hrtime.bigint() + 1_900_000n); // near phase: no timer
  counting = false;
  assert.ok(turns <= waits * 60, `${turns} event-loop turns during ${waits} waits of 1.9 ms: one per check, not per slice of 50 µs`);
});
