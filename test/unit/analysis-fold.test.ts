// The block-at-a-time folds must give exactly what one value / one event at a time gives.
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
