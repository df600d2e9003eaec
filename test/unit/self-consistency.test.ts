// Self-consistency of interval sources (docs/metrics.md §Self-consistency): the pure bounds against
// an exact minimum vertex cover and maximum matching on small random instances, a legacy run whose
// learned clock wanders (must show a bound), native runs with honest intervals (must show 0,
// also across a clock step) and the ε flag's errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeRun } from '../../analysis/analyze.js';
import { ConsistencyMatcher, compatible, incompatibility } from '../../analysis/metrics/self-consistency.js';
import { PathBound } from '../../analysis/metrics/self-consistency-path.js';
import { summaryText } from '../../analysis/stats/summary-text.js';
import { selfConsistencyTable } from '../../analysis/report/tables.js';
import { maxFreqErrorPpm } from '../../src/commands/analyze.js';
import { Prng } from '../../src/sim/prng.js';
import { SYNC_COLUMNS } from '../../src/files/columns.js';
import { T0_NS, abs, writeCoordinator, writeCsv, writeWorker } from '../fixtures/analysis-run.js';
import { tmpDir } from '../support/helpers.js';

type Reading = [t: number, lo: number, hi: number];
const EPS = 500e-6;

function incompatibleGraph(r: Reading[], eps: number): boolean[][] {
  return r.map((x) => r.map((y) => !compatible(x[0], x[1], x[2], y[0], y[1], y[2], eps)));
}

/** Exact minimum vertex cover by trying every subset (n ≤ 12). */
function minVertexCover(adj: boolean[][]): number {
  const n = adj.length;
  let best = n;
  for (let mask = 0; mask < 1 << n; mask++) {
    let c = 0;
    for (let i = 0; i < n; i++) c += (mask >> i) & 1;
    if (c >= best) continue;
    let ok = true;
    for (let i = 0; i < n && ok; i++)
      for (let j = i + 1; j < n; j++)
        if (adj[i]![j] && !((mask >> i) & 1) && !((mask >> j) & 1)) {
          ok = false;
          break;
        }
    if (ok) best = c;
  }
  return best;
}

/** Exact maximum matching of a general graph by recursion over vertex subsets (n ≤ 16). */
function maxMatching(adj: boolean[][]): number {
  const n = adj.length;
  const memo = new Map<number, number>();
  const f = (mask: number): number => {
    if (mask === 0) return 0;
    const hit = memo.get(mask);
    if (hit !== undefined) return hit;
    const v = 31 - Math.clz32(mask & -mask);
    const rest = mask & ~(1 << v);
    let best = f(rest);
    for (let u = 0; u < n; u++) if ((rest >> u) & 1 && adj[v]![u]) best = Math.max(best, 1 + f(rest & ~(1 << u)));
    memo.set(mask, best);
    return best;
  };
  return f((1 << n) - 1);
}

/** Readings of a learned clock: an offset that jumps now and then, narrow intervals, arrival order a little shuffled. */
function instance(rnd: () => number, n: number, jump: number, noise: number): Reading[] {
  const out: Reading[] = [];
  let o = 0;
  for (let i = 0; i < n; i++) {
    const t = i * 100e6 + rnd() * 150e6; // out of time order now and then
    if (rnd() < 0.3) o += (rnd() - 0.5) * jump;
    const hw = 10e3 + rnd() * 10e3;
    const off = o + (rnd() - 0.5) * noise;
    out.push([t, t + off - hw, t + off + hw]);
  }
  return out;
}

test('self-consistency: the definition is the issue’s interval test for t2 ≥ t1', () => {
  const rnd = new Prng(5);
  for (let k = 0; k < 2000; k++) {
    const t1 = rnd.next() * 1e9,
      t2 = t1 + rnd.next() * 2e9;
    const lo1 = t1 + (rnd.next() - 0.5) * 4e6,
      hi1 = lo1 + rnd.next() * 1e5;
    const lo2 = t2 + (rnd.next() - 0.5) * 4e6,
      hi2 = lo2 + rnd.next() * 1e5;
    const d = t2 - t1;
    const meets = lo2 <= hi1 + d * (1 + EPS) && hi2 >= lo1 + d * (1 - EPS);
    assert.equal(incompatibility(t1, lo1, hi1, t2, lo2, hi2, EPS) <= 0, meets);
    assert.equal(incompatibility(t2, lo2, hi2, t1, lo1, hi1, EPS), incompatibility(t1, lo1, hi1, t2, lo2, hi2, EPS), 'symmetric');
  }
});

test('self-consistency: both bounds ≤ the exact minimum vertex cover; the path bound equals it; the matching is near the maximum', () => {
  const rnd = new Prng(20261202);
  const r = () => rnd.next();
  let sumMatch = 0,
    sumMax = 0,
    sumCover = 0,
    sumPath = 0;
  for (const [jump, noise] of [
    [400e3, 100e3],
    [0, 300e3],
    [1e6, 30e3],
  ] as const) {
    for (let k = 0; k < 400; k++) {
      const readings = instance(r, 4 + Math.floor(r() * 9), jump, noise);
      const adj = incompatibleGraph(readings, EPS);
      const cover = minVertexCover(adj);
      const max = maxMatching(adj);
      const m = new ConsistencyMatcher(EPS);
      const p = new PathBound(EPS);
      const coarse = new PathBound(EPS, 3); // merges levels all the time: looser, still valid
      for (const [t, lo, hi] of readings) {
        m.add(t, lo, hi);
        p.add(t, lo, hi);
        coarse.add(t, lo, hi);
      }
      const label = JSON.stringify(readings);
      assert.ok(m.matched <= max, `matching ${m.matched} > maximum ${max}: ${label}`);
      assert.ok(coarse.bound <= cover, `coarse path ${coarse.bound} > cover ${cover}: ${label}`);
      // n ≤ 12 readings never fill 64 breakpoints: the path bound is exact, in time order or not
      assert.equal(p.bound, cover, label);
      sumMatch += m.matched;
      sumMax += max;
      sumCover += cover;
      sumPath += p.bound;
    }
  }
  assert.ok(sumMax > 1000, `instances have conflicts (${sumMax})`);
  assert.equal(sumPath, sumCover);
  assert.ok(sumMatch >= 0.97 * sumMax, `greedy matching ${sumMatch} of the maximum ${sumMax}`);
});

test('self-consistency: honest intervals around a truth drifting just below ε give 0, for a long run too', () => {
  const rnd = new Prng(9);
  const m = new ConsistencyMatcher(EPS);
  const p = new PathBound(EPS);
  for (let i = 0; i < 20_000; i++) {
    const t = i * 10e6 + rnd.next() * 8e6;
    // true offset moves at up to 0.99 ε (a slow sine), the point is noisy but inside the interval
    const truth = t + 2e6 * Math.sin(t / (2e6 / (0.99 * EPS)));
    const hw = 1e3 + rnd.next() * 50e3;
    const pt = truth + (rnd.next() - 0.5) * 2 * hw * 0.999;
    m.add(t, pt - hw, pt + hw);
    p.add(t, pt - hw, pt + hw);
  }
  assert.equal(m.matched, 0);
  assert.equal(p.bound, 0);
});

const LEGACY_WORKER_HEADER =
  'event_id,node_id,sequence_number,receive_time_ns,coordinator_send_time_ns,ct_offset_ms,ct_uncertainty_ms,ct_timestamp_ns,ct_lower_bound_ns,ct_upper_bound_ns';

/** A first-version run: one worker whose chronotick readings are given as [recv ms, offset ms, half-width ns]. */
function legacyRun(node: string, readings: [number, number, number][]): string {
  const dir = tmpDir('chronoeval-selfcons-legacy-');
  const coord = ['event_id,sequence_number,send_time_ns'];
  const worker = [LEGACY_WORKER_HEADER];
  readings.forEach(([recv, off, hw], i) => {
    coord.push(`${i},${i},${abs(recv - 0.2)}`);
    const ct = T0_NS + BigInt(Math.round((recv + off) * 1e6));
    worker.push(`${i},${node},${i},${abs(recv)},${abs(recv - 0.2)},,,${ct},${ct - BigInt(hw)},${ct + BigInt(hw)}`);
  });
  writeFileSync(path.join(dir, 'coordinator.csv'), coord.join('\n') + '\n');
  writeFileSync(path.join(dir, `worker_${node}.csv`), worker.join('\n') + '\n');
  return dir;
}

test('self-consistency: a legacy learned clock wandering 15 ms in 5 min with 10–20 µs half-widths must miss', async () => {
  const rnd = new Prng(16);
  const readings: [number, number, number][] = [];
  let off = 0;
  for (let i = 0; i < 3000; i++) {
    // every ~2 s the model re-anchors: the offset jumps; overall it drifts 15 ms in 300 s
    if (i % 20 === 0) off += 0.05 + (rnd.next() - 0.5) * 0.4;
    readings.push([i * 100 + rnd.next() * 5, off, 10_000 + Math.round(rnd.next() * 10_000)]);
  }
  const dir = legacyRun('comp11', readings);
  const { stats } = await analyzeRun(dir, { format: 'legacy', windowsMs: [100] });
  const sc = stats.self_consistency!;
  const e = sc.by_worker['comp11']!['chronotick']!;
  assert.equal(sc.max_freq_error_ppm, 500);
  assert.equal(e.readings, 3000);
  assert.equal(e.skipped, 0);
  assert.ok(e.must_miss > 0, JSON.stringify(e));
  assert.equal(e.must_miss, Math.max(e.matching, e.path));
  assert.ok(e.half_width_p50_ns! >= 10_000 && e.half_width_p50_ns! <= 20_000);
  assert.deepEqual([sc.worst?.node, sc.worst?.source], ['comp11', 'chronotick']);
  const text = summaryText(stats);
  assert.match(text, /Self-consistency of interval sources/);
  assert.match(text, new RegExp(`comp11 \\(worst\\)\\s+chronotick\\s+3000\\s+${e.must_miss} \\(`));
  const html = selfConsistencyTable(stats);
  assert.match(html, /id="table-self-consistency"/);
  assert.match(html, new RegExp(`<td>3000</td><td>${e.must_miss} \\(`));
  // a stricter ε can only find more
  const strict = await analyzeRun(dir, { format: 'legacy', windowsMs: [100], maxFreqErrorPpm: 100 });
  assert.ok(strict.stats.self_consistency!.by_worker['comp11']!['chronotick']!.must_miss >= e.must_miss);
});

test('self-consistency: a small legacy run gives the hand-derived count, equal to the brute-force cover', async () => {
  // 100 ms apart, half-width 10 µs; readings 3 and 4 sit 1 ms off the others. Within 2 s,
  // ε·Δ ≤ 1 ms − 20 µs, so each of them is incompatible with each of the six others: 2 must miss.
  const offs = [0, 0.005, 0, 1, 1.002, 0, 0.003, 0];
  const readings = offs.map((o, i): [number, number, number] => [1000 + i * 100, o, 10_000]);
  const { stats } = await analyzeRun(legacyRun('w1', readings), { format: 'legacy', windowsMs: [100] });
  const e = stats.self_consistency!.by_worker['w1']!['chronotick']!;
  const asReadings = readings.map(([t, o, hw]): Reading => [t * 1e6, (t + o) * 1e6 - hw, (t + o) * 1e6 + hw]);
  assert.equal(minVertexCover(incompatibleGraph(asReadings, EPS)), 2);
  assert.equal(e.must_miss, 2);
  assert.equal(e.matching, 2);
  assert.equal(e.fraction, 2 / 8);
});

/** A native run: worker w1's `bounded` intervals contain a truth its local clock drifts from at `ppm`; a local clock step if asked. */
function honestNativeRun(ppm: number, step: { atMs: number; ms: number } | null): string {
  const dir = tmpDir('chronoeval-selfcons-native-');
  const rnd = new Prng(3);
  const coord = [];
  const rows = [];
  for (let i = 0; i < 2000; i++) {
    const send = 1000 + i * 10;
    const truth = send + 0.3;
    let local = truth + truth * ppm * 1e-6 + 0.02 * Math.sin(truth / 4000); // ms; the sine adds at most 5 ppm
    if (step && truth >= step.atMs) local += step.ms;
    const hw = 0.002 + rnd.next() * 0.02;
    const p = truth + (rnd.next() - 0.5) * 1.9 * hw;
    coord.push({ seq: i, send, stamps: { bounded: { p: send, lo: send - 0.05, hi: send + 0.05 } }, trueSend: send });
    rows.push({
      seq: i,
      recv: local,
      stamps: i < 5 ? { bounded: { status: 'warming' } } : { bounded: { p, lo: p - hw, hi: p + hw } },
      trueRecv: truth,
    });
  }
  writeCoordinator(dir, 'r', ['bounded'], coord);
  writeWorker(dir, 'r', 'w1', ['bounded'], rows);
  if (step) {
    const detected = step.atMs + 400 + step.ms;
    const row = SYNC_COLUMNS.map((c) =>
      c === 'source' ? 'system' : c === 'sample_local_ns' ? abs(detected) : c === 'reason' ? `clock step ${step.ms * 1e6} ns detected` : '',
    );
    writeCsv(path.join(dir, 'sync', 'w1.csv'), [...SYNC_COLUMNS], [row]);
  }
  return dir;
}

test('self-consistency: honest intervals in a native run give must_miss 0 at a drift just below ε', async () => {
  // local clock 480 ppm fast plus a wobble of at most 5 ppm: below 500 ppm in all
  const { stats } = await analyzeRun(honestNativeRun(480, null), { windowsMs: [100] });
  const e = stats.self_consistency!.by_worker['w1']!['bounded']!;
  assert.equal(e.readings, 1995);
  assert.equal(e.skipped, 5);
  assert.equal(e.must_miss, 0);
  assert.equal(e.fraction, 0);
  assert.equal(stats.bound_quality.find((b) => b.node === 'w1' && b.source === 'bounded')!.coverage!.share, 1, 'honest indeed');
  // the same data judged with ε below the drift accuses it: the bound follows ε
  const tight = await analyzeRun(honestNativeRun(480, null), { windowsMs: [100], maxFreqErrorPpm: 50 });
  assert.ok(tight.stats.self_consistency!.by_worker['w1']!['bounded']!.must_miss > 0);
});

test('self-consistency: readings on either side of a detected local clock step are never paired', async () => {
  const { stats } = await analyzeRun(honestNativeRun(100, { atMs: 11_000, ms: 50 }), { windowsMs: [100] });
  const sc = stats.self_consistency!;
  const e = sc.by_worker['w1']!['bounded']!;
  assert.equal(sc.clock_steps['w1'], 1);
  assert.equal(e.must_miss, 0, JSON.stringify(e));
  assert.ok(e.unpaired_at_steps > 0);
  // without the step row the 50 ms jump of the local frame looks like 50 ms of wrong intervals
  const dir = honestNativeRun(100, { atMs: 11_000, ms: 50 });
  writeFileSync(path.join(dir, 'sync', 'w1.csv'), SYNC_COLUMNS.join(',') + '\n');
  const blind = await analyzeRun(dir, { windowsMs: [100] });
  assert.ok(blind.stats.self_consistency!.by_worker['w1']!['bounded']!.must_miss > 0);
});

test('self-consistency: --max-freq-error-ppm rejects what bounds nothing, echoing it', async () => {
  assert.equal(maxFreqErrorPpm(500), 500);
  assert.equal(maxFreqErrorPpm(0), 0);
  assert.throws(
    () => maxFreqErrorPpm(-5),
    /--max-freq-error-ppm: expected a number of ppm >= 0 and below 1000000 \(e\.g\. 500\), got '-5'/,
  );
  assert.throws(() => maxFreqErrorPpm(1e6), /got '1000000'/);
  await assert.rejects(analyzeRun(honestNativeRun(0, null), { maxFreqErrorPpm: NaN }), /--max-freq-error-ppm .* got NaN/);
});
