// Pure metric functions: hand-computed cases and edge cases (equal stamps, empty values,
// touching intervals), plus a property test: when every interval contains the truth, interval
// ordering is never wrong and confident window assignments of one true instant never conflict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { intervalCausality, pointCausality } from '../../analysis/metrics/causality.js';
import { intervalOrder, judgeIntervalOrder, judgePointOrder, pointOrder } from '../../analysis/metrics/ordering.js';
import {
  classifyIntervalEvent,
  conflictIsTrueSplit,
  intervalWindow,
  makeWindowSize,
  pointWindowsAgree,
  windowIndex,
} from '../../analysis/metrics/windows.js';
import { covers, coversScaled, halfWidth, normalizedError, trueTimeWait } from '../../analysis/metrics/bounds.js';
import { InlineFolder } from '../../analysis/fold/gather.js';
import type { JoinedEvent } from '../../analysis/join/joined.js';

test('point causality: r < s is a violation, equal stamps are not, empty is not compared', () => {
  assert.equal(pointCausality(100, 99), 'violation');
  assert.equal(pointCausality(100, 100), 'ok');
  assert.equal(pointCausality(100, 101), 'ok');
  assert.equal(pointCausality(NaN, 101), null);
  assert.equal(pointCausality(100, NaN), null);
});

test('interval causality: proven after when r_lo ≥ s_hi, violation when r_hi < s_lo', () => {
  assert.equal(intervalCausality(9, 11, 11, 13), 'proven_after'); // touching counts as proven
  assert.equal(intervalCausality(9, 11, 10.5, 11.5), 'ambiguous');
  assert.equal(intervalCausality(9, 11, 5, 8.9), 'violation');
  assert.equal(intervalCausality(9, 11, 5, 9), 'ambiguous'); // r_hi = s_lo: not a violation
  assert.equal(intervalCausality(10, 10, 10, 10), 'proven_after'); // zero-width intervals, equal
  assert.equal(intervalCausality(9, 11, NaN, 13), null); // empty interval
});

test('ordering: point sign, interval disjointness, verdicts against truth', () => {
  assert.equal(pointOrder(1, 2), -1);
  assert.equal(pointOrder(2, 1), 1);
  assert.equal(pointOrder(2, 2), 0);
  assert.equal(pointOrder(NaN, 2), null);
  assert.equal(intervalOrder(0, 1, 2, 3), -1);
  assert.equal(intervalOrder(2, 3, 0, 1), 1);
  assert.equal(intervalOrder(0, 2, 2, 3), 0, 'touching intervals are not disjoint');
  assert.equal(intervalOrder(0, 2, NaN, 3), null);
  assert.equal(judgePointOrder(-1, -1), 'correct');
  assert.equal(judgePointOrder(1, -1), 'wrong');
  assert.equal(judgePointOrder(0, -1), 'tie');
  assert.equal(judgePointOrder(0, 0), 'correct');
  assert.equal(judgePointOrder(1, 0), 'wrong');
  assert.equal(judgeIntervalOrder(0, 1), 'ambiguous');
  assert.equal(judgeIntervalOrder(1, 1), 'correct');
  assert.equal(judgeIntervalOrder(1, -1), 'wrong');
  assert.equal(judgeIntervalOrder(-1, 0), 'wrong', 'a proven order between simultaneous arrivals is false confidence');
});

test('windows: epoch-aligned index, confident interval, event verdicts', () => {
  // Anchor (a whole second, 1e9 + 1 s) is not a multiple of 300 ms: (1e18 + 1e9) mod 3e8 = 2e8.
  const w = makeWindowSize(300, 1_000_000_001_000_000_000n);
  assert.equal(w.ns, 300_000_000);
  assert.equal(w.offset, 200_000_000);
  // epoch-aligned boundary at relative 100 ms
  assert.equal(windowIndex(99_999_999, w) + 1, windowIndex(100_000_000, w));
  assert.equal(intervalWindow(0, 99_999_999, w), windowIndex(0, w));
  assert.equal(intervalWindow(0, 100_000_000, w), null);
  assert.equal(windowIndex(-1, w), windowIndex(0, w), 'before the anchor: floor, not truncation');
  assert.equal(pointWindowsAgree([3, 3, 3]), true);
  assert.equal(pointWindowsAgree([3, 4]), false);
  assert.equal(pointWindowsAgree([3]), null, 'one worker: nothing to agree with');
  assert.equal(classifyIntervalEvent([5, 5]), 'confident_agree');
  assert.equal(classifyIntervalEvent([5, null, 5]), 'ambiguous');
  assert.equal(classifyIntervalEvent([5, null, 6]), 'confident_conflict');
  assert.equal(classifyIntervalEvent([null, null]), 'ambiguous');
  assert.equal(classifyIntervalEvent([5]), null);
  assert.equal(conflictIsTrueSplit([5, 6]), true);
  assert.equal(conflictIsTrueSplit([5, 5]), false);
  assert.throws(() => makeWindowSize(0, 0n), /positive/);
});

test('bounds: coverage, half-width, normalized error, scaled coverage, TrueTime wait', () => {
  assert.equal(covers(10, 20, 10), true);
  assert.equal(covers(10, 20, 20), true);
  assert.equal(covers(10, 20, 20.5), false);
  assert.equal(halfWidth(10, 20), 5);
  assert.equal(normalizedError(15, 10, 20, 17.5), 0.5);
  assert.equal(normalizedError(15, 10, 30, 5), -2); // below: divided by p − lo = 5
  assert.equal(normalizedError(15, 10, 30, 15), 0);
  assert.ok(Number.isNaN(normalizedError(15, 15, 30, 14)), 'no width on the side of truth');
  assert.equal(coversScaled(15, 10, 20, 22, 1), false);
  assert.equal(coversScaled(15, 10, 20, 22, 2), true);
  assert.equal(trueTimeWait(10, 14), 4);
});

// ---- property test -------------------------------------------------------------------------

/** An interval around `truth` that contains it: [truth − a, truth + b]. */
const honest = (truth: number, a: number, b: number) => ({ lo: truth - a, hi: truth + b });

test('property: honest intervals never give a wrong order nor a confident window conflict', () => {
  const W = 4;
  const win = makeWindowSize(50, 1_763_740_800_000_000_000n);
  const arb = fc.record({
    events: fc.array(
      fc.record({
        send: fc.integer({ min: 0, max: 5e9 }),
        // per worker: latency and the two half-widths (0 allowed: point intervals)
        workers: fc.array(
          fc.record({
            lat: fc.integer({ min: 0, max: 3e6 }),
            a: fc.integer({ min: 0, max: 60e6 }),
            b: fc.integer({ min: 0, max: 60e6 }),
            shared: fc.boolean(),
          }),
          { minLength: W, maxLength: W },
        ),
      }),
      { minLength: 1, maxLength: 25 },
    ),
  });
  fc.assert(
    fc.property(arb, ({ events }) => {
      const acc = new InlineFolder({
        sources: [{ name: 'bounded', bounded: true }],
        workers: ['w1', 'w2', 'w3', 'w4'],
        windows: [win],
        timeline: null,
        sampleStride: 1,
        firstSeq: 0,
      });
      const acc1 = new InlineFolder({
        sources: [{ name: 'bounded', bounded: true }],
        workers: ['w1', 'w2', 'w3', 'w4'],
        windows: [win],
        timeline: null,
        sampleStride: 1,
        firstSeq: 0,
      });
      events.forEach((e, seq) => {
        const truth = (i: number) => e.send + e.workers[i]!.lat;
        const make = (sameInstant: boolean): JoinedEvent => ({
          seq,
          eventId: String(seq),
          sendLocal: e.send,
          trueSend: e.send,
          sendKernel: NaN,
          trueSendKernel: NaN,
          coord: Float64Array.from([e.send, e.send - 1000, e.send + 1000]),
          workers: e.workers.map((w, i) => {
            const t = sameInstant ? e.send + e.workers[0]!.lat : truth(i);
            const iv = honest(t, w.a, w.b);
            return { recvLocal: t, trueRecv: t, vals: Float64Array.from([t, iv.lo, iv.hi]), reest: null };
          }),
        });
        acc.add(make(false));
        acc1.add(make(true)); // every worker's arrival is one true instant
      });
      for (const o of acc.orderingEntries()) assert.equal(o.interval_vs_truth!.wrong.count, 0);
      for (const w of acc.windowEntries()) {
        assert.equal(w.interval!.conflict_false, 0, 'a conflict with honest bounds is always a real split');
        assert.equal(w.accuracy!.interval!.confident_wrong.count, 0);
      }
      for (const w of acc1.windowEntries()) assert.equal(w.interval!.confident_conflict.count, 0);
      for (const c of acc.causalityEntries()) assert.equal(c.interval?.violation.count ?? 0, 0);
    }),
    { numRuns: 300 },
  );
});

test('property: the same check can fail — a dishonest interval is caught', () => {
  const win = makeWindowSize(50, 0n);
  const acc = new InlineFolder({
    sources: [{ name: 'bounded', bounded: true }],
    workers: ['a', 'b'],
    windows: [win],
    timeline: null,
    sampleStride: 1,
    firstSeq: 0,
  });
  // truths 10 ms (a) and 20 ms (b); a claims [30, 31] ms: disjoint and after b → wrong order
  acc.add({
    seq: 0,
    eventId: '0',
    sendLocal: 0,
    trueSend: 0,
    sendKernel: NaN,
    trueSendKernel: NaN,
    coord: Float64Array.from([0, 0, 0]),
    workers: [
      { recvLocal: 10e6, trueRecv: 10e6, vals: Float64Array.from([30.5e6, 30e6, 31e6]), reest: null },
      { recvLocal: 20e6, trueRecv: 20e6, vals: Float64Array.from([20e6, 19e6, 21e6]), reest: null },
    ],
  });
  const o = acc.orderingEntries().find((e) => e.pair === null)!;
  assert.equal(o.interval_vs_truth!.wrong.count, 1);
});
