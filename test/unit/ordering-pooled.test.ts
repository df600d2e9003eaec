// The pooled ordering fold (O(W log W) per event) gives exactly the sums of the per-pair fold over
// every pair, on random events built to hit every case: ties in stamps and in truth, missing
// rows and cells, touching and disjoint intervals, intervals that miss their truth, degraded
// readings, and malformed intervals (lo > hi).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBlock } from '../../analysis/fold/event-block.js';
import { OrderingCounts } from '../../analysis/fold/counters.js';
import { foldOrdering } from '../../analysis/fold/ordering.js';
import { foldOrderingPooled, PooledOrderingScratch } from '../../analysis/fold/ordering-pooled.js';
import { Prng } from '../../src/sim/prng.js';
import path from 'node:path';
import { analyzeRun } from '../../analysis/analyze.js';
import type { Stats } from '../../analysis/stats/types.js';
import { generateSyntheticRun } from '../../bench/cases/analysis.js';
import { tmpDir } from '../support/helpers.js';

/**
 * A block of n events at W workers, one source, values on a coarse grid so that ties are common;
 * `complete`: every worker has every event, with its truth and every cell.
 */
function randomBlock(rng: Prng, W: number, n: number, malformed: boolean, complete = false): EventBlock {
  const blk = new EventBlock(n, 1, W);
  blk.n = n;
  const grid = (k: number) => Math.floor(rng.next() * k);
  for (let j = 0; j < n; j++)
    for (let w = 0; w < W; w++) {
      const gap = (p: number) => !complete && rng.next() < p;
      blk.has[w]![j] = gap(0.1) ? 0 : 1;
      const t = gap(0.1) ? NaN : grid(12);
      blk.trueRecv[w]![j] = t;
      const st = blk.stamps[w]![0]!;
      st.p[j] = gap(0.1) ? NaN : (Number.isNaN(t) ? grid(12) : t) + grid(7) - 3;
      const lo = st.p[j]! - grid(4);
      const hi = st.p[j]! + grid(4);
      st.lo[j] = gap(0.1) ? NaN : malformed && rng.next() < 0.05 ? hi + 1 : lo;
      st.hi[j] = gap(0.05) ? NaN : hi;
      blk.degraded[w]![0]![j] = rng.next() < 0.2 ? 1 : 0;
    }
  return blk;
}

function pairwise(blk: EventBlock, W: number, bounded: boolean): { sum: OrderingCounts; missed: number[] } {
  const sum = new OrderingCounts();
  const missed = new Array<number>(W).fill(0);
  for (let a = 0; a < W; a++)
    for (let b = a + 1; b < W; b++) {
      const c = new OrderingCounts();
      foldOrdering(blk, 0, a, b, bounded, c);
      for (const k of Object.keys(c) as (keyof OrderingCounts)[]) sum[k] += c[k];
      missed[a]! += c.ivtWrongMissA;
      missed[b]! += c.ivtWrongMissB;
    }
  return { sum, missed };
}

for (const W of [2, 3, 5, 16, 32, 33, 40, 64, 65, 100]) {
  for (const bounded of [true, false]) {
    test(`pooled ordering = Σ pairs: ${W} workers, ${bounded ? 'interval' : 'point'} source`, () => {
      const rng = new Prng(1000 + W * 2 + (bounded ? 1 : 0));
      for (let trial = 0; trial < 20; trial++) {
        // every other trial complete (the pooled fold's shortcuts for that case)
        const blk = randomBlock(rng, W, 50, trial % 4 === 3, trial % 2 === 0);
        const want = pairwise(blk, W, bounded);
        const got = new OrderingCounts();
        const missed = new Float64Array(W);
        foldOrderingPooled(blk, 0, bounded, got, missed, new PooledOrderingScratch(W));
        const { ivtWrongMissA, ivtWrongMissB, ...wantCounts } = want.sum;
        const { ivtWrongMissA: _a, ivtWrongMissB: _b, ...gotCounts } = got;
        assert.deepEqual(gotCounts, wantCounts, `trial ${trial}`);
        assert.deepEqual([...missed], want.missed, `trial ${trial}: wrong orders charged per worker`);
        assert.equal(
          missed.reduce((s, v) => s + v, 0),
          ivtWrongMissA + ivtWrongMissB,
        );
      }
    });
  }
}

test('the random events reach every case the counts distinguish', () => {
  const rng = new Prng(7);
  const blk = randomBlock(rng, 16, 200, false);
  const { sum } = pairwise(blk, 16, true);
  for (const k of ['ties', 'pvtTie', 'pvtWrong', 'ivtWrong', 'ivtAmb', 'ivtWrongDeg', 'ivtWrongMissA'] as const)
    assert.ok(sum[k] > 0, `${k} = 0: the fixture does not test it`);
});

test('analysis with pooled-only ordering: the pooled entries of stats.json are those of the per-pair analysis, threads or not', async () => {
  const dir = path.join(tmpDir('chronoeval-ordering-'), 'run');
  await generateSyntheticRun(dir, { events: 1500, workers: 5, lossRate: 0.05, seed: 9 });
  const pooledOf = (s: Stats) => s.ordering.filter((e) => e.pair === null);
  const perPair = (await analyzeRun(dir, { orderingPairs: true, threads: false })).stats;
  assert.equal(perPair.ordering.filter((e) => e.pair !== null).length, 10 * perPair.sources.length);
  for (const threads of [false, true]) {
    const pooled = (await analyzeRun(dir, { orderingPairs: false, threads })).stats;
    assert.deepEqual(
      pooled.ordering.filter((e) => e.pair !== null),
      [],
      'no per-pair entries',
    );
    assert.deepEqual(pooledOf(pooled), pooledOf(perPair), `threads: ${threads}`);
    assert.deepEqual(pooled.headline, perPair.headline);
  }
  assert.ok(
    pooledOf(perPair).some((e) => (e.point_vs_truth?.wrong.count ?? 0) > 0),
    'the run has wrong orders to count',
  );
});
