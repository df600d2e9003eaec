// Regression guard for analysis speed work: stats.json of two generated runs (native and legacy
// layout) must stay exactly what the analysis code of commit 041ae28 computed. The run below has
// the awkward parts of real data (loss, duplicates, reordered rows, warming sources with empty
// cells, dishonest intervals, commit-wait rows at two delays, an unknown event, a bad cell, a torn
// tail) and enough readings that the pooled distributions pass the exact capacity (65 536) and
// switch to histograms. Every section of stats.json is compared by SHA-256 of its JSON, and a few
// numbers are spelled out so that a failure says what moved. If a definition changes on purpose,
// recompute these values and say so in the commit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeRun } from '../../analysis/analyze.js';
import type { Stats } from '../../analysis/stats/types.js';
import { Prng } from '../../src/sim/prng.js';
import { COMMIT_WAIT_COLUMNS, coordinatorColumns, workerColumns } from '../../src/files/columns.js';
import { tmpDir } from '../support/helpers.js';

const T0_SEC = 1_763_740_800;
const EVENTS = 25_000;
const NODES = ['w1', 'w2', 'w3'];
const SRC = ['system', 'ntp', 'bounded'];

/** Relative ns (integer) → absolute epoch-ns text. */
function absNs(rel: number): string {
  const r = Math.round(rel);
  const sec = Math.floor(r / 1e9);
  return `${T0_SEC + sec}${String(r - sec * 1e9).padStart(9, '0')}`;
}

function write(file: string, lines: string[], tail = ''): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, lines.join('\n') + '\n' + tail);
}

function nativeRun(): string {
  const dir = path.join(tmpDir('chronoeval-regression-'), 'regression-run');
  const rnd = new Prng(20261121);
  const r = () => rnd.next();
  const coord = [coordinatorColumns(SRC, false).join(',')];
  const wHeader = workerColumns(SRC).join(',');
  const workers = NODES.map(() => [wHeader]);
  const cwHeader = COMMIT_WAIT_COLUMNS.join(',');
  const cw = NODES.slice(0, 2).map(() => [cwHeader]);
  const cwLater: string[][] = NODES.slice(0, 2).map(() => []); // delay-5 rows written 3 s after the delay-2 ones
  const offsets = [1.7e6, -0.9e6, 0.2e6];
  const period = 5_000_917; // ~200 events/s, off the window grid so arrivals straddle window edges
  for (let e = 0; e < EVENTS; e++) {
    const t = 5e9 + e * period;
    const cLocal = t + 120e3 * Math.sin(e / 700);
    const cNtp = t + Math.round((r() - 0.5) * 200e3);
    const cHw = 1e6;
    const row = `rr,${e},${e},${absNs(cLocal)},${absNs(cLocal)},,,ok,${absNs(cNtp)},,,ok,${absNs(cNtp)},${absNs(cNtp - cHw)},${absNs(cNtp + cHw)},ok,${absNs(t)}`;
    coord.push(row);
    if (e === 10) coord.push(row); // a duplicate coordinator row
    NODES.forEach((node, w) => {
      if (r() < 0.01) return; // lost
      const tr = t + 80e3 + Math.round(r() * 400e3);
      const local = tr + offsets[w]! + 30e-6 * tr;
      const tight = w >= 1; // w2, w3 have precise, narrow clocks: their conflicts can be true splits
      const ntp = tr + Math.round((r() - 0.5) * (tight ? 20e3 : 300e3));
      const hw = tight ? 30e3 + Math.round(r() * 70e3) : 0.05e6 + Math.round(r() * 0.6e6);
      const liar = r() < 0.02 ? Math.round((r() - 0.5) * 8e6) : 0; // an interval that may miss the truth
      const warming = (w === 0 && e < 40) || (w === 2 && e % 997 === 5);
      const ntpCells = warming ? ',,,warming' : `${absNs(ntp)},,,ok`;
      const bCells = w === 1 && e < 25 ? ',,,unsynced' : `${absNs(ntp + liar)},${absNs(ntp + liar - hw)},${absNs(ntp + liar + hw)},ok`;
      const sys = w === 2 && e === 777 ? 'x12' : absNs(local); // one unparseable cell
      const line = `rr,${node},${e},${e},${absNs(local)},${sys},,,ok,${ntpCells},${bCells},${absNs(tr)}`;
      const rows = workers[w]!;
      if (r() < 0.02 && rows.length > 1)
        rows.splice(rows.length - 1, 0, line); // out of order by one
      else rows.push(line);
      if (r() < 0.003) rows.push(line); // a duplicate datagram
      if (w < 2 && !bCells.startsWith(',')) {
        for (const [d, list] of [
          [2, cw[w]!],
          [5, cwLater[w]!],
        ] as const) {
          const shrink = 0.2 + 0.5 * r();
          list.push(
            `rr,${node},${e},${e},bounded,${d},${absNs(local)},${absNs(local + d * 1e9)},${absNs(ntp + liar)},${absNs(ntp + liar - hw * shrink)},${absNs(ntp + liar + hw * shrink)},ok,${absNs(tr)}`,
          );
        }
        while (cwLater[w]!.length > 600) cw[w]!.push(cwLater[w]!.shift()!);
      }
    });
  }
  workers[2]!.push(`rr,w3,${EVENTS + 5},${EVENTS + 5},${absNs(9e12)},${absNs(9e12)},,,ok,,,,warming,,,,unsynced,${absNs(9e12)}`); // unknown event
  write(path.join(dir, 'coordinator.csv'), coord);
  NODES.forEach((node, w) => write(path.join(dir, 'workers', `${node}.csv`), workers[w]!, w === 2 ? 'rr,w3,torn' : ''));
  cw.forEach((rows, w) => write(path.join(dir, 'commit_wait', `${NODES[w]}.csv`), [...rows, ...cwLater[w]!]));
  return dir;
}

function legacyRun(): string {
  const dir = tmpDir('chronoeval-regression-legacy-');
  const rnd = new Prng(7);
  const r = () => rnd.next();
  const abs = (ns: number) => absNs(ns);
  const coord = ['event_id,sequence_number,send_time_ns,ntp_offset_ms,ntp_uncertainty_ms,ntp_timestamp_ns'];
  const full =
    'event_id,node_id,sequence_number,receive_time_ns,coordinator_send_time_ns,ntp_offset_ms,ntp_uncertainty_ms,ntp_timestamp_ns';
  const ws = [
    [`${full},ct_offset_ms,ct_uncertainty_ms,ct_timestamp_ns,ct_lower_bound_ns,ct_upper_bound_ns`],
    [`${full},ct_offset_ms,ct_uncertainty_ms`],
    [full],
  ];
  for (let e = 0; e < 1500; e++) {
    const t = 1e9 + e * 7.3e6;
    coord.push(`${e + 1},${e},${abs(t)},${r() < 0.05 ? 'NaN' : ((r() - 0.5) * 2).toFixed(6)},5.0,`);
    ws.forEach((rows, i) => {
      if (r() < 0.02) return;
      const rv = t + 1e5 + Math.round(r() * 6e5) + (i - 1) * 1.5e6;
      const no = ((r() - 0.5) * 3).toFixed(9);
      let line = `${e + 1},comp${i + 1},${e},${abs(rv)},${abs(t)},${r() < 0.03 ? 'nan' : no},5.0,${r() < 0.5 ? abs(rv + 2e5) : ''}`;
      const co = ((r() - 0.5) * 4).toFixed(12);
      const u = (r() * 0.8).toFixed(10);
      if (i === 0) {
        const ts = rv + Math.round(Number(co) * 1e6);
        const half = Math.round(3 * Number(u) * 1e6);
        line += `,${co},${u},${abs(ts)},${abs(ts - half)},${abs(ts + half)}`;
      } else if (i === 1) line += r() < 0.1 ? ',None,None' : `,${co},${u}`;
      rows.push(line);
    });
  }
  write(path.join(dir, 'coordinator.csv'), coord);
  ws.forEach((rows, i) => write(path.join(dir, `worker_comp${i + 1}.csv`), rows));
  return dir;
}

/** SHA-256 (first 16 hex digits) of each section; the temp directory and the clock are left out. */
function sectionHashes(stats: Stats): Record<string, string> {
  const s = structuredClone(stats) as unknown as Record<string, unknown>;
  delete s['generated_at'];
  delete s['generator'];
  delete (s['run'] as Record<string, unknown>)['run_dir'];
  // run.schedule came after these hashes (null here: no manifest); schedule.test.ts tests it
  if ((s['run'] as Record<string, unknown>)['schedule'] === null) delete (s['run'] as Record<string, unknown>)['schedule'];
  // echo and bracketed came after these hashes (null here: no echo/ directory); analysis-brackets.test.ts tests them
  for (const k of ['echo', 'bracketed']) if (s[k] === null) delete s[k];
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(s)) out[k] = createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 16);
  return out;
}

/**
 * stats.json without the fields added for per-worker checks, the degraded split and kernel drops:
 * every number that existed before must be unchanged, so the old hashes still apply to the rest.
 */
function withoutAdded(stats: Stats): Stats {
  const s = structuredClone(stats) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  s['readings'] = s['readings'].filter((r: any) => !(r.role === 'worker' && r.node === null)); // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const r of s['readings']) {
    delete r.availability;
    delete r.point_availability;
  }
  for (const c of s['causality']) if (c.interval) delete c.interval.degraded;
  for (const o of s['ordering'])
    if (o.interval_vs_truth) {
      delete o.interval_vs_truth.degraded;
      delete o.interval_vs_truth.wrong_by_worker;
    }
  for (const w of s['windows'])
    if (w.interval) {
      delete w.interval.degraded;
      delete w.interval.conflict_false_by_worker;
    }
  for (const b of s['bound_quality']) {
    delete b.coverage_degraded;
    delete b.coverage_not_degraded;
  }
  // source health (docs/metrics.md §Source health): compared across thread modes below, tested in source-health.test.ts
  delete s['source_health'];
  // the kernel drop counter and the loss split by place (issue 14 §3); null without worker summaries
  for (const w of s['delivery'].workers)
    for (const k of ['kernel_drops', 'kernel_drops_from', 'lost_at_socket', 'lost_in_network', 'latency_from_kernel_send']) delete w[k];
  delete s['self_consistency']; // issue 16 §3: a section of its own (self-consistency.test.ts)
  for (const h of s['headline'])
    for (const k of ['availability_share', 'interval_violations', 'interval_wrong_orders', 'window_false_conflicts', 'workers', 'worst'])
      delete h[k];
  return s as unknown as Stats;
}

/**
 * Computed by the analysis code of commit 041ae28 (before the speed work), except: inputs,
 * coordination and commit_wait (native) and inputs (legacy), recomputed when the join learnt the
 * re-estimation delays before reading (the fixture's first 258 delay-5 rows, for events folded
 * before the first delay-5 row, had been lost as "matching no received event"; inputs.join gained
 * late_commit_wait_rows and max_events_in_flight moved; inputs.warnings name the unknown event).
 */
const NATIVE_HASHES: Record<string, string> = {
  schema_version: '6b86b273ff34fce1',
  run: 'b7901725d5c455c2',
  inputs: '06de54ec090e3cc9',
  sources: 'aacfec22f2f57225',
  workers: '98c5cdd8e4520e0f',
  windows_ms: 'b12389be8b487f77',
  reestimation_delays_s: '0d31723e833eeb45',
  truth: 'd76ad16b5e77a046',
  readings: '13eae8e9c993be4c',
  delivery: '4f57af531a96fb8f',
  causality: '43299bb9cd84b272',
  ordering: 'b55a735d5630b37b',
  windows: 'c08280031f2cb512',
  coordination: '8feb39295effa03e',
  commit_wait: '7b9b64aada944bf6',
  bound_quality: '589e38b7fb04df25',
  sync: '4f53cda18c2baa0c',
  timeline: 'd3e0bee075c0b26b',
  samples: 'c81a1f21a3403416',
  headline: '21fe0005e9d83fc3',
};
const LEGACY_HASHES: Record<string, string> = {
  schema_version: '6b86b273ff34fce1',
  run: '363b3fc6687db180',
  inputs: '745dc5da779369d5',
  sources: 'c92f98eb740c50f6',
  workers: '7e5a3cf11edf9a43',
  windows_ms: 'b12389be8b487f77',
  reestimation_delays_s: '4f53cda18c2baa0c',
  truth: 'd8968b916be328ed',
  readings: '1e2dfbe007fc44c0',
  delivery: '41d14c75bc578b0d',
  causality: '61533f2f8989e17b',
  ordering: '27b2977e3920e9fb',
  windows: '8532e2330e7f6615',
  coordination: '8a56295f74c810c0',
  commit_wait: '3895af4717e5b3e0',
  bound_quality: '0a0129a33db12a18',
  sync: '4f53cda18c2baa0c',
  timeline: '3b11b051d0f593cc',
  samples: '098d5e09e79e9586',
  headline: '68b59208beb37a64',
};

function assertSections(actual: Record<string, string>, expected: Record<string, string>, label: string): void {
  const changed = Object.keys({ ...expected, ...actual }).filter((k) => actual[k] !== expected[k]);
  assert.deepEqual(changed, [], `${label}: these stats.json sections changed: ${changed.join(', ')}`);
}

test('regression: a generated native run gives the same stats.json as before (in-process, and with parse and fold threads)', async () => {
  const dir = nativeRun();
  let first: Record<string, string> | null = null;
  for (const opts of [{ threads: false }, { threads: true, parseThreads: 1 }, { threads: true, parseThreads: 3 }]) {
    const { stats } = await analyzeRun(dir, opts);
    const label = JSON.stringify(opts);
    // a few of the numbers behind the hashes, so that a failure shows what moved
    assert.deepEqual(
      stats.delivery.workers.map((w) => [w.received, w.duplicates]),
      [
        [24738, 82],
        [24738, 80],
        [24762, 80],
      ],
      label,
    );
    const w50 = stats.windows.find((x) => x.source === 'bounded' && x.window_ms === 50)!.interval!;
    assert.deepEqual(
      [w50.confident_agree.count, w50.confident_conflict.count, w50.ambiguous.count, w50.conflict_true_split, w50.conflict_false],
      [24612, 69, 312, 18, 51],
      label,
    );
    const order = stats.ordering.find((x) => x.source === 'bounded' && x.pair === null)!;
    assert.deepEqual(
      [order.interval_vs_truth!.wrong.count, order.interval_vs_truth!.correct.count, order.point_vs_truth!.wrong.count],
      [1243, 17132, 9455],
      label,
    );
    const bq = stats.bound_quality.find((x) => x.source === 'bounded' && x.role === 'worker' && x.node === null)!;
    assert.deepEqual([bq.coverage!.count, bq.coverage!.total], [71438, 74214], label);
    // pooled: past the exact capacity, so a histogram quantile; per worker: exact
    const hw = bq.half_width!;
    assert.deepEqual([hw.exact, hw.p50, hw.p99, hw.mean], [false, 80448, 632320, 159445.76857466245], label);
    const m = stats.causality.find((x) => x.source === 'ntp' && x.node === 'w2')!.point.margin;
    assert.deepEqual([m.exact, m.n, m.p01, m.p50, m.p999], [true, 24738, 18694, 280125, 568597], label);
    const cw = stats.commit_wait.find((x) => x.source === 'bounded' && x.node === null)!;
    assert.deepEqual(
      cw.reestimated.map((r) => [r.delay_s, r.rows, r.coverage!.count, r.shrink.p50]),
      [
        [2, 49452, 42695, 0.45019665737547787],
        [5, 49452, 42673, 0.45086033414972776],
      ],
      label,
    );
    assertSections(sectionHashes(withoutAdded(stats)), NATIVE_HASHES, label);
    // the added fields: the same with and without threads, and consistent with the pooled counts
    const all = sectionHashes(stats);
    first ??= all;
    assertSections(all, first, `${label} against in-process`);
    const byWorker = order.interval_vs_truth!.wrong_by_worker;
    assert.ok(
      byWorker.reduce((a, x) => a + x.count, 0) >= order.interval_vs_truth!.wrong.count,
      'every wrong order is charged to a worker',
    );
    const fb = w50.conflict_false_by_worker!;
    assert.ok(fb.reduce((a, x) => a + x.count, 0) >= w50.conflict_false!, 'every false conflict is charged to a worker');
    assert.ok(Math.max(...fb.map((x) => x.count)) <= w50.conflict_false!);
    const avail = stats.readings.find((x) => x.source === 'ntp' && x.role === 'worker' && x.node === null)!;
    // w1 warming on its first 40 events, w3 on every 997th from the 5th
    assert.deepEqual([avail.availability.count, avail.rows], [avail.with_point, 24738 + 24738 + 24762]);
    assert.equal(avail.rows - avail.availability.count, 40 + 25);
    assert.equal(stats.headline.find((h) => h.source === 'ntp')!.worst.availability!.node, 'w1'); // 40 of 24738 against 25 of 24762
  }
});

test('regression: a generated legacy-layout run gives the same stats.json as before', async () => {
  const { stats } = await analyzeRun(legacyRun(), { format: 'legacy' });
  // This run's NTP columns are noise (±1.5 ms against 0.1–0.7 ms of latency): the plausibility
  // warning, added after the hashes, is expected; the rest of `inputs` must be unchanged.
  const ntpWarning = stats.inputs.warnings.findIndex((w) => w.startsWith('legacy NTP data look implausible'));
  assert.ok(ntpWarning >= 0, stats.inputs.warnings.join(' | '));
  stats.inputs.warnings.splice(ntpWarning, 1);
  assertSections(sectionHashes(withoutAdded(stats)), LEGACY_HASHES, 'legacy');
});
