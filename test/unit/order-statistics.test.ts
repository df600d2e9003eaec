// Exact summaries without a full sort: the selected ranks and the histogram are those a sort gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { selectRanks, valuesAtRanks } from '../../analysis/stats/order-statistics.js';
import { DistAcc, nearestRank } from '../../analysis/stats/distribution.js';
import type { Distribution } from '../../analysis/stats/types.js';

const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999] as const;
const value = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -5, max: 5 }),
  fc.integer({ min: -5e6, max: 5e6 }),
  fc.constantFrom(0, -0),
);

test('selectRanks puts at each rank the value a sort puts there (zeros up to sign)', () => {
  fc.assert(
    fc.property(fc.array(value, { maxLength: 400 }), fc.array(fc.nat(), { maxLength: 10 }), (values, picks) => {
      const a = Float64Array.from(values);
      const sorted = Float64Array.from(values).sort();
      const ranks = [...new Set(picks.map((p) => (a.length ? p % a.length : 0)))].sort((x, y) => x - y);
      selectRanks(a, a.length ? ranks : []);
      for (const r of a.length ? ranks : []) assert.ok(a[r] === sorted[r], `rank ${r}: ${a[r]} for ${sorted[r]}`);
      assert.deepEqual(Float64Array.from(a).sort(), sorted, 'a permutation');
    }),
    { numRuns: 300 },
  );
});

test('selectRanks on long sorted, reversed and constant runs (the depth limit sorts what is left)', () => {
  const n = 5000;
  const ranks = [0, 49, 1249, 2499, 3749, 4749, 4949, 4994, 4999];
  for (const make of [(i: number) => i, (i: number) => n - i, () => 7, (i: number) => i % 3]) {
    const a = Float64Array.from({ length: n }, (_, i) => make(i));
    const sorted = Float64Array.from(a).sort();
    selectRanks(a, ranks);
    for (const r of ranks) assert.equal(a[r], sorted[r]);
  }
});

test('valuesAtRanks gives what a sort puts at the ranks: spread, clustered, with outliers, ties and one value', () => {
  const shapes: [string, (i: number, r: () => number) => number][] = [
    ['uniform', (_i, r) => (r() - 0.5) * 4e6],
    ['integers with ties', (_i, r) => Math.floor(r() * 40) - 20],
    ['one far outlier', (i, r) => (i === 17 ? 1e15 : r() * 1000)],
    ['two clusters', (i, r) => (i % 2 ? 1e9 : 0) + r() * 10],
    ['sorted', (i) => i * 3],
    ['one value', () => 42],
    ['signed zeros and small', (i, r) => (i % 3 === 0 ? (i % 2 ? -0 : 0) : r() - 0.5)],
    ['extreme range', (i, r) => (i === 0 ? -Number.MAX_VALUE : i === 1 ? Number.MAX_VALUE : r())],
  ];
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const n of [1, 2, 100, 511, 512, 513, 5000, 70_000])
    for (const [name, make] of shapes) {
      const a = Float64Array.from({ length: n }, (_, i) => make(i, rand));
      const before = Float64Array.from(a);
      const sorted = Float64Array.from(a).sort();
      const ranks = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999].map((p) => nearestRank(p, n) - 1);
      let min = Infinity,
        max = -Infinity;
      for (const v of a) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const got = valuesAtRanks(a, n, min, max, ranks);
      ranks.forEach((r, k) => assert.ok(got[k] === sorted[r], `${name}, n = ${n}, rank ${r}: ${got[k]} for ${sorted[r]}`));
      assert.deepEqual(a, before, 'the values are left as they are');
    }
});

test('an exact DistAcc summary of 512 to 3,000 values equals the sorted reference', () => {
  fc.assert(
    fc.property(fc.array(value, { minLength: 512, maxLength: 3000 }), (values) => {
      const acc = new DistAcc();
      for (const v of values) acc.add(v);
      const { p01, p05, p25, p50, p75, p95, p99, p999, histogram } = acc.summarize();
      assert.deepStrictEqual({ p01, p05, p25, p50, p75, p95, p99, p999, histogram }, sortedSummary(values));
    }),
    { numRuns: 100 },
  );
});

/** The summary as it was computed by sorting every stored value. */
function sortedSummary(values: number[]): Pick<Distribution, 'p01' | 'p05' | 'p25' | 'p50' | 'p75' | 'p95' | 'p99' | 'p999' | 'histogram'> {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  const [p01, p05, p25, p50, p75, p95, p99, p999] = QUANTILES.map((p) => s[nearestRank(p, n) - 1]!) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // min and max as the accumulator keeps them (the first of equal values: −0 or 0 as they came)
  const min = values.reduce((m, v) => (v < m ? v : m), Infinity);
  const max = values.reduce((m, v) => (v > m ? v : m), -Infinity);
  const lo = p01 < p99 ? p01 : min;
  const hi = p01 < p99 ? p99 : max;
  const bins = lo === hi ? 1 : 40;
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const counts = new Array<number>(bins).fill(0);
  let below = 0;
  let above = 0;
  for (const v of s) {
    if (v < lo) below++;
    else if (v > hi) above++;
    else counts[width === 0 ? 0 : Math.min(bins - 1, Math.floor((v - lo) / width))]!++;
  }
  return { p01, p05, p25, p50, p75, p95, p99, p999, histogram: { edges, counts, below, above } };
}

test('an exact DistAcc summary equals the sorted reference, signed zeros included', () => {
  fc.assert(
    fc.property(fc.array(value, { minLength: 1, maxLength: 600 }), (values) => {
      const acc = new DistAcc();
      for (const v of values) acc.add(v);
      const got = acc.summarize();
      assert.equal(got.exact, true);
      const { p01, p05, p25, p50, p75, p95, p99, p999, histogram } = got;
      assert.deepStrictEqual({ p01, p05, p25, p50, p75, p95, p99, p999, histogram }, sortedSummary(values));
    }),
    { numRuns: 300 },
  );
});

test('a summary is kept until the next value, then made again', () => {
  const acc = new DistAcc();
  for (let i = 0; i < 100; i++) acc.add(i);
  const first = acc.summarize();
  assert.equal(acc.summarize(), first);
  acc.add(1000);
  const second = acc.summarize();
  assert.notEqual(second, first);
  assert.equal(second.n, 101);
  assert.equal(second.max, 1000);
  acc.addAll(Float64Array.of(-1), 1);
  assert.equal(acc.summarize().min, -1);
});
