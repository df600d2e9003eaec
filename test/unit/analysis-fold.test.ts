// The block-at-a-time folds must give exactly what one value / one event at a time gives.
import { statsSampleStride } from '../../analysis/fold/sample-events.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DistAcc } from '../../analysis/stats/distribution.js';

test('DistAcc.addAll equals add() value by value, across the exact capacity, with NaN and ±Infinity skipped', () => {
  const value = fc.oneof(
    fc.double({ noNaN: false }),
    fc.integer({ min: -5e6, max: 5e6 }),
    fc.constantFrom(NaN, Infinity, -Infinity, 0, -0),
  );
  fc.assert(
    fc.property(
      fc.array(value, { maxLength: 300, size: 'max' }),
      fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 20, size: 'max' }),
      (values, cuts) => {
        const one = new DistAcc('ns', 64);
        for (const v of values) one.add(v);
        const blocks = new DistAcc('ns', 64);
        const arr = Float64Array.from(values);
        let at = 0;
        for (const c of [...cuts, arr.length]) {
          const n = Math.min(c, arr.length - at);
          blocks.addAll(arr.subarray(at, at + n), n);
          at += n;
        }
        assert.equal(blocks.exact, one.exact);
        assert.deepEqual(blocks.summarize(), one.summarize());
      },
    ),
    { numRuns: 300 },
  );
});

test('stats.json sample: ~2,000 events up to 4 workers, the same worker cells (not events) above', () => {
  // Up to 4 workers: every ceil(span / 2000)-th event, as before wide runs were sized by cells.
  for (const w of [1, 2, 3, 4]) {
    assert.equal(statsSampleStride(100_000, w), 50);
    assert.equal(statsSampleStride(1500, w), 1);
  }
  // 64 workers × 6,000 events: 125 events × 64 workers = 8,000 cells, as 2,000 × 4.
  const stride = statsSampleStride(6000, 64);
  assert.equal(stride, 48);
  assert.equal(Math.ceil(6000 / stride) * 64, 8000);
  assert.equal(statsSampleStride(0, 64), 1);
});
