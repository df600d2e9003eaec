import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { marzullo } from '../../src/clock/marzullo.js';
import { intersect, intersectAll, hull } from '../../src/clock/interval-math.js';
import { feasibleSlope, fitSharedSlope } from '../../src/clock/drift-fit.js';

test('marzullo: all agree → their intersection, count = total', () => {
  const a = marzullo([
    { lo: 0, hi: 10 },
    { lo: 5, hi: 15 },
    { lo: 8, hi: 20 },
  ])!;
  assert.deepEqual([a.lo, a.hi, a.count, a.total], [8, 10, 3, 3]);
  assert.deepEqual(a.members, [0, 1, 2]);
});

test('marzullo: a falseticker is outvoted', () => {
  const a = marzullo([
    { lo: 0, hi: 10 },
    { lo: 100, hi: 110 },
    { lo: 4, hi: 12 },
  ])!;
  assert.deepEqual([a.lo, a.hi, a.count], [4, 10, 2]);
  assert.deepEqual(a.members, [0, 2]);
});

test('marzullo: touching closed intervals agree on a point; empty list → null', () => {
  const a = marzullo([
    { lo: 0, hi: 5 },
    { lo: 5, hi: 9 },
  ])!;
  assert.deepEqual([a.lo, a.hi, a.count], [5, 5, 2]);
  assert.equal(marzullo([]), null);
});

test('marzullo: the region lies inside every member and no point is covered by more intervals', () => {
  const iv = fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 500 })).map(([lo, w]) => ({ lo, hi: lo + w }));
  fc.assert(
    fc.property(fc.array(iv, { minLength: 1, maxLength: 8 }), (list) => {
      const a = marzullo(list)!;
      for (const i of a.members) assert.ok(list[i]!.lo <= a.lo && a.hi <= list[i]!.hi);
      assert.equal(a.members.length, a.count);
      for (const p of list.flatMap((x) => [x.lo, x.hi])) {
        assert.ok(list.filter((x) => x.lo <= p && p <= x.hi).length <= a.count);
      }
    }),
  );
});

test('interval helpers', () => {
  assert.equal(intersect({ lo: 0, hi: 1 }, { lo: 2, hi: 3 }), null);
  assert.deepEqual(hull({ lo: 0, hi: 1 }, { lo: 2, hi: 3 }), { lo: 0, hi: 3 });
  assert.deepEqual(
    intersectAll([
      { lo: 0, hi: 4 },
      { lo: 1, hi: 5 },
    ]),
    { lo: 1, hi: 4 },
  );
  assert.equal(intersectAll([]), null);
});

test('shared-slope fit: a step between segments does not bias the slope', () => {
  const pts = [];
  for (let i = 0; i < 10; i++) pts.push({ x: i * 1e9, y: 1000 + 50e-6 * i * 1e9 + (i % 2 ? 30 : -30), w: 1, seg: 0 });
  for (let i = 10; i < 20; i++) pts.push({ x: i * 1e9, y: 5e7 + 50e-6 * i * 1e9 + (i % 2 ? 30 : -30), w: 1, seg: 1 });
  const f = fitSharedSlope(pts)!;
  assert.ok(Math.abs(f.slope * 1e6 - 50) < 0.1, `slope ${f.slope * 1e6} ppm`);
  assert.ok(f.slopeErr > 0 && f.slopeErr * 1e6 < 1);
  assert.equal(fitSharedSlope(pts.slice(0, 2)), null, 'two points, one segment: slope has no degree of freedom');
});

test('feasible slope: every pair of bounded points in a segment limits the slope; contradictions give null', () => {
  // Two points 10 s apart, each within ±1 µs: the slope lies within (Δy ± 2 µs) / 10 s.
  const two = [
    { x: 0, y: 0, e: 1000, seg: 0 },
    { x: 10e9, y: 500_000, e: 1000, seg: 0 },
  ];
  const f = feasibleSlope(two, () => 0)!;
  assert.ok(Math.abs(f.lo - 49.8e-6) < 1e-12 && Math.abs(f.hi - 50.2e-6) < 1e-12, JSON.stringify(f));
  // The bend allowance widens each pair by its span^1.5 term.
  const bent = feasibleSlope(two, (dx) => 1000 * (dx / 1e9) ** 1.5)!;
  assert.ok(bent.lo < f.lo && bent.hi > f.hi);
  // A third point off the line by more than the bounds allow: no common slope.
  assert.equal(
    feasibleSlope([...two, { x: 20e9, y: 2_000_000, e: 1000, seg: 0 }], () => 0),
    null,
  );
  // The same point in another segment (after a step) constrains nothing across the step.
  assert.deepEqual(
    feasibleSlope([...two, { x: 20e9, y: 2_000_000, e: 1000, seg: 1 }], () => 0),
    f,
  );
  // Points at one instant, or a single point, span no time: no bound.
  assert.equal(
    feasibleSlope([two[0]!], () => 0),
    null,
  );
});
