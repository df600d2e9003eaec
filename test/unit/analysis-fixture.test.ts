// analyzeRun over a small hand-made run (3 workers, 4 sources): every expectation below is
// worked out by hand in the comments, in ms after T0 (window 100 ms: index = ⌊ms/100⌋).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeRun } from '../../analysis/analyze.js';
import type { Stats } from '../../analysis/stats/types.js';
import { writeCommitWait, writeCoordinator, writeWorker, type Stamp } from '../fixtures/analysis-run.js';
import { tmpDir } from '../support/helpers.js';

const RUN = 'fixture-run';
const COORD_SOURCES = ['system', 'ntp', 'bounded'];
const WORKER_SOURCES = ['system', 'ntp', 'bounded', 'clockbound'];
const MS = 1e6;

function st(p: number | null, lo?: number, hi?: number, status?: string): Stamp {
  return { p, lo: lo ?? null, hi: hi ?? null, ...(status ? { status } : {}) };
}
/** system = ntp = p, bounded = bp [lo, hi], clockbound never has an estimate. */
function w(sys: number, ntp: number | null, bp: number | null, lo?: number, hi?: number, bStatus?: string): Record<string, Stamp> {
  return {
    system: st(sys),
    ntp: ntp === null ? st(null, undefined, undefined, 'unsynced') : st(ntp),
    bounded: bp === null ? st(null, undefined, undefined, bStatus ?? 'warming') : st(bp, lo, hi),
    clockbound: st(null, undefined, undefined, 'absent'),
  };
}

function buildRun(): string {
  const dir = tmpDir('chronoeval-analysis-');
  const c = (seq: number, t: number) => ({
    seq,
    send: t,
    trueSend: t,
    stamps: { system: st(t), ntp: st(t), bounded: st(t, t - 1, t + 1) },
  });
  writeCoordinator(dir, RUN, COORD_SOURCES, [c(0, 10), c(1, 95), c(2, 200), c(3, 300)]);
  writeWorker(dir, RUN, 'a', WORKER_SOURCES, [
    { seq: 0, recv: 11, trueRecv: 11, stamps: w(11, 11, 11, 10.5, 11.5) },
    { seq: 1, recv: 99, trueRecv: 99, stamps: w(99, 99, 99.5, 98, 101) },
    { seq: 2, recv: 205, trueRecv: 205, stamps: w(205, 205, 205, 204, 206) },
    { seq: 2, recv: 999, trueRecv: 999, stamps: w(999, 999, 999, 998, 1000) }, // duplicate: ignored
    { seq: 3, recv: 302, trueRecv: 302, stamps: w(302, 302, 302, 301.5, 302.5) },
  ]);
  writeWorker(dir, RUN, 'b', WORKER_SOURCES, [
    { seq: 0, recv: 9, trueRecv: 12, stamps: w(9, 12, 12, 10, 14) },
    { seq: 1, recv: 101, trueRecv: 101, stamps: w(101, 101, 101, 100.5, 102) },
    { seq: 2, recv: 206, trueRecv: 206, stamps: w(206, 206, 206, 205, 207) },
    { seq: 3, recv: 303, trueRecv: 303, stamps: w(303, 303, 303, 302, 304) },
    { seq: 99, recv: 400, trueRecv: 400, stamps: w(400, 400, 400, 399, 401) }, // unknown event
  ]);
  writeWorker(dir, RUN, 'c', WORKER_SOURCES, [
    // missed event 1
    { seq: 0, recv: 12, trueRecv: 12, stamps: w(12, null, 12, 11, 13) },
    { seq: 2, recv: 207, trueRecv: 207, stamps: w(207, 207, null) },
    { seq: 3, recv: 296, trueRecv: 304, stamps: w(296, 304, 292, 290, 295) },
  ]);
  writeCommitWait(dir, RUN, 'a', [
    { seq: 0, source: 'bounded', delayS: 30, recv: 11, lo: 10.8, hi: 11.2, trueRecv: 11 },
    { seq: 1, source: 'bounded', delayS: 30, recv: 99, lo: 98.9, hi: 99.2, trueRecv: 99 },
  ]);
  writeCommitWait(dir, RUN, 'b', [{ seq: 1, source: 'bounded', delayS: 30, recv: 101, lo: 100.6, hi: 101.5, trueRecv: 101 }]);
  return dir;
}

let cached: { stats: Stats; summaryText: string; warnings: string[]; dir: string } | null = null;
async function run() {
  if (!cached) {
    const dir = buildRun();
    cached = { ...(await analyzeRun(dir, { windowsMs: [100, 1000] })), dir };
  }
  return cached;
}

test('delivery: received, lost, duplicated, unknown per worker; true latency', async () => {
  const { stats } = await run();
  assert.equal(stats.delivery.events_sent, 4);
  const [a, b, c] = stats.delivery.workers;
  assert.deepEqual([a!.node, a!.received, a!.lost, a!.duplicates, a!.unknown_events], ['a', 4, 0, 1, 0]);
  assert.deepEqual([b!.node, b!.received, b!.lost, b!.duplicates, b!.unknown_events], ['b', 4, 0, 0, 1]);
  assert.deepEqual([c!.node, c!.received, c!.lost, c!.duplicates], ['c', 3, 1, 0]);
  assert.equal(c!.lost_ratio.share, 0.25);
  assert.deepEqual(stats.delivery.received_by_all, { count: 3, total: 4, share: 0.75 });
  // a: 1, 4, 5, 2 ms → sorted 1 2 4 5; nearest-rank p50 = rank 2 = 2 ms
  assert.equal(a!.latency_true!.n, 4);
  assert.equal(a!.latency_true!.p50, 2 * MS);
  assert.equal(a!.latency_true!.max, 5 * MS);
  assert.equal(stats.delivery.latency_true!.n, 11);
});

test('causality: point violations and interval proven/ambiguous/violation, like with like', async () => {
  const { stats } = await run();
  const pooled = (s: string) => stats.causality.find((e) => e.source === s && e.node === null)!;
  // system: b0 9 < 10 and c3 296 < 300
  assert.deepEqual(pooled('system').point.violations, { count: 2, total: 11, share: 2 / 11 });
  assert.equal(pooled('system').interval, null);
  // ntp: c0 has no estimate → missing, not compared
  assert.equal(pooled('ntp').point.compared, 10);
  assert.equal(pooled('ntp').point.missing, 1);
  assert.equal(pooled('ntp').point.violations.count, 0);
  const b = pooled('bounded');
  assert.deepEqual(b.point.violations, { count: 1, total: 10, share: 0.1 }); // c3 292 < 300
  // c0 [11,13] vs [9,11]: 11 ≥ 11 proven (equal bound counts); a0, b0 overlap → ambiguous; c3 [290,295] < [299,301]
  assert.equal(b.interval!.compared, 10);
  assert.equal(b.interval!.missing, 1);
  assert.equal(b.interval!.proven_after.count, 7);
  assert.equal(b.interval!.ambiguous.count, 2);
  assert.equal(b.interval!.violation.count, 1);
  const bc = stats.causality.find((e) => e.source === 'bounded' && e.node === 'c')!;
  assert.deepEqual([bc.interval!.compared, bc.interval!.proven_after.count, bc.interval!.violation.count], [2, 1, 1]);
});

test('a source with no estimate: empty values and status, statistics null not 0 %', async () => {
  const { stats } = await run();
  const cb = stats.causality.find((e) => e.source === 'clockbound' && e.node === null)!;
  assert.equal(cb.point.compared, 0);
  assert.equal(cb.point.violations.share, null);
  assert.equal(cb.interval, null, 'no interval was ever recorded: no interval metrics');
  const src = stats.sources.find((s) => s.name === 'clockbound')!;
  assert.equal(src.bounded, false);
  assert.equal(src.in_coordinator, false);
  const avail = stats.readings.find((r) => r.source === 'ntp' && r.node === 'c')!;
  assert.deepEqual([avail.rows, avail.with_point, avail.empty], [3, 2, 1]);
  assert.deepEqual(avail.status_counts, { ok: 2, unsynced: 1 });
  const cbAvail = stats.readings.find((r) => r.source === 'clockbound' && r.node === 'a')!;
  assert.deepEqual(cbAvail.status_counts, { absent: 4 });
  const cbWin = stats.windows.find((e) => e.source === 'clockbound' && e.window_ms === 100)!;
  assert.equal(cbWin.point.events, 0);
  assert.equal(cbWin.point.agree.share, null);
});

test('ordering between every pair of workers, against truth', async () => {
  const { stats } = await run();
  const pooled = (s: string) => stats.ordering.find((e) => e.source === s && e.pair === null)!;
  const sys = pooled('system');
  assert.deepEqual(sys.point, { compared: 10, a_first: 7, b_first: 3, ties: 0 });
  // wrong: e0 (a,b): 11 vs 9 but truth 11 < 12; e0 (b,c): 9 < 12 but truths tie; e3 (a,c), (b,c): c 296 first but truth 304 last
  assert.equal(sys.point_vs_truth!.wrong.count, 4);
  assert.equal(sys.point_vs_truth!.correct.count, 6);
  assert.equal(pooled('ntp').point_vs_truth!.correct.count, 8);
  assert.equal(pooled('ntp').point_vs_truth!.wrong.count, 0);
  const bd = pooled('bounded');
  // points: e0 (b,c) 12 = 12 tie, truths tie too → correct
  assert.equal(bd.point.ties, 1);
  assert.equal(bd.point_vs_truth!.correct.count, 6);
  // intervals: only e3 (a,c) and (b,c) are disjoint (c's bound is dishonest) → proven and wrong
  assert.equal(bd.interval!.compared, 8);
  assert.equal(bd.interval!.proven.count, 2);
  assert.equal(bd.interval!.proven_b_first, 2);
  assert.equal(bd.interval!.ambiguous.count, 6);
  assert.equal(bd.interval_vs_truth!.wrong.count, 2);
  assert.equal(bd.interval_vs_truth!.correct.count, 0);
  const ab = stats.ordering.find((e) => e.source === 'system' && e.pair?.[0] === 'a' && e.pair?.[1] === 'b')!;
  assert.deepEqual(ab.point, { compared: 4, a_first: 3, b_first: 1, ties: 0 });
});

test('windows: agreement, confident agree/conflict/ambiguous, accuracy vs truth', async () => {
  const { stats } = await run();
  const sys = stats.windows.find((e) => e.source === 'system' && e.window_ms === 100)!;
  // e0 0,0,0 agree; e1 99→0 vs 101→1; e2 agree; e3 302,303 → 3 but 296 → 2
  assert.deepEqual(sys.point.agree, { count: 2, total: 4, share: 0.5 });
  assert.equal(sys.accuracy!.point!.readings, 11);
  assert.equal(sys.accuracy!.point!.correct.count, 10); // c3: 296 → 2, truth 304 → 3
  const bd = stats.windows.find((e) => e.source === 'bounded' && e.window_ms === 100)!;
  assert.equal(bd.interval!.events, 4);
  assert.equal(bd.interval!.confident_agree.count, 2); // e0, e2
  assert.equal(bd.interval!.ambiguous.count, 1); // e1: a spans 98..101
  assert.equal(bd.interval!.confident_conflict.count, 1); // e3: c's [290,295] → 2, others 3
  assert.equal(bd.interval!.conflict_false, 1, 'truths all in window 3: a bound failed');
  assert.equal(bd.interval!.conflict_true_split, 0);
  assert.deepEqual(bd.interval!.readings_confident, { count: 9, total: 10, share: 0.9 });
  assert.equal(bd.accuracy!.interval!.confident_correct.count, 8);
  assert.equal(bd.accuracy!.interval!.confident_wrong.count, 1);
  assert.equal(bd.accuracy!.interval!.ambiguous.count, 1);
  const big = stats.windows.find((e) => e.source === 'system' && e.window_ms === 1000)!;
  assert.deepEqual(big.point.agree, { count: 4, total: 4, share: 1 });
});

test('coordination cost, with re-estimation', async () => {
  const { stats } = await run();
  const c = stats.coordination.find((e) => e.source === 'bounded' && e.window_ms === 100)!;
  assert.deepEqual(c.point_repairs, { count: 2, total: 4, share: 0.5 }); // e1 99.5|101, e3 292|302|303
  assert.deepEqual(c.interval_coordination, { count: 1, total: 4, share: 0.25 });
  assert.deepEqual(c.interval_conflicts, { count: 1, total: 4, share: 0.25 });
  assert.equal(c.reestimated.length, 1);
  // only e1 has two re-estimates: a [98.9, 99.2] → 0, b [100.6, 101.5] → 1: a conflict (truths 99 | 101 really split)
  assert.deepEqual(c.reestimated[0], {
    delay_s: 30,
    events: 1,
    interval_coordination: { count: 0, total: 1, share: 0 },
    interval_conflicts: { count: 1, total: 1, share: 1 },
    confident_agree: { count: 0, total: 1, share: 0 },
  });
  assert.deepEqual(stats.reestimation_delays_s, [30]);
});

test('commit wait and re-estimated width', async () => {
  const { stats } = await run();
  const cw = stats.commit_wait.find((e) => e.source === 'bounded' && e.node === null)!;
  // hi − lo: a 1,3,2,1  b 4,1.5,2,2  c 2,5 → sorted 1 1 1.5 2 2 2 2 3 4 5
  assert.equal(cw.wait.n, 10);
  assert.equal(cw.wait.p50, 2 * MS);
  assert.equal(cw.wait.p99, 5 * MS);
  assert.equal(cw.wait.min, 1 * MS);
  assert.ok(Math.abs(cw.wait.mean! - 2.35 * MS) < 1e-6);
  const r = cw.reestimated[0]!;
  assert.equal(r.rows, 3);
  assert.deepEqual(r.coverage, { count: 3, total: 3, share: 1 });
  assert.equal(r.width.max, 0.9 * MS);
  // shrink: 0.4/1, 0.3/3, 0.9/1.5
  assert.ok(Math.abs(r.shrink.min! - 0.1) < 1e-9 && Math.abs(r.shrink.max! - 0.6) < 1e-9);
  assert.equal(
    stats.commit_wait.some((e) => e.source === 'system'),
    false,
    'no commit wait for point sources',
  );
});

test('bound quality: coverage, half-width and point error against truth', async () => {
  const { stats } = await run();
  const b = stats.bound_quality.find((e) => e.source === 'bounded' && e.role === 'worker' && e.node === null)!;
  assert.equal(b.readings, 10);
  assert.deepEqual(b.coverage, { count: 9, total: 10, share: 0.9 }); // c3 [290,295] misses 304
  assert.equal(b.point_error.min, -12 * MS);
  assert.equal(b.point_error.max, 0.5 * MS);
  assert.equal(b.point_error.p50, 0);
  assert.equal(b.half_width!.max, 2.5 * MS);
  const coord = stats.bound_quality.find((e) => e.source === 'bounded' && e.role === 'coordinator')!;
  assert.deepEqual(coord.coverage, { count: 4, total: 4, share: 1 });
  const at1 = b.calibration!.find((p) => p.scale === 1)!;
  assert.deepEqual(at1.coverage, b.coverage);
  const sys = stats.bound_quality.find((e) => e.source === 'system' && e.role === 'worker' && e.node === null)!;
  assert.equal(sys.coverage, null);
  assert.equal(sys.half_width, null);
});

test('stats.json written atomically next to the CSVs; summary text has the tables', async () => {
  const { dir, summaryText, stats } = await run();
  const file = path.join(dir, 'stats.json');
  assert.ok(existsSync(file));
  const onDisk = JSON.parse(readFileSync(file, 'utf8')) as Stats;
  assert.equal(onDisk.schema_version, 1);
  assert.equal(onDisk.delivery.events_sent, 4);
  assert.deepEqual(onDisk.workers, ['a', 'b', 'c']);
  assert.equal(stats.truth.recv, true);
  assert.match(summaryText, /Causality/);
  assert.match(summaryText, /bounded\s+10\s+10\.00% \(1\/10\)/);
  assert.match(summaryText, /clockbound\s+0\s+—/);
  assert.equal(stats.headline.find((h) => h.source === 'bounded')!.coverage_share, 0.9);
});
