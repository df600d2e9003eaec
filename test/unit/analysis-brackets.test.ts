// Echo brackets (docs/metrics.md §Echo brackets): the pure definitions on hand-computed cases, the
// fold on a small run directory (every count checked), the reference option, and the truth check
// on a simulated run whose true instants are known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  bracketOf,
  bracketWindow,
  bracketedError,
  echoDelta,
  judgeInterval,
  provablyOffBy,
  truthInCoordinatorFrame,
} from '../../analysis/metrics/brackets.js';
import { makeWindowSize } from '../../analysis/metrics/windows.js';
import { analyzeRun } from '../../analysis/analyze.js';
import { summaryText } from '../../analysis/stats/summary-text.js';
import { bracketedTable } from '../../analysis/report/bracket-tables.js';
import { bracketedError as bracketedErrorFigure } from '../../analysis/figures/bracketed-error.js';
import { writeCoordinator, writeWorker, type CoordRow, type Stamp, type WorkerRow } from '../fixtures/analysis-run.js';
import { writeEcho, writeEchoSummary, type EchoFixtureRow } from '../fixtures/echo-run.js';
import { Prng } from '../../src/sim/prng.js';
import { builtinScenarioNames, loadScenario } from '../../src/scenario/load.js';
import { evaluateCheck } from '../../src/scenario/checks.js';
import { runCli, tmpDir } from '../support/helpers.js';

test('bracket: [s, e − h(1 − ε)], δ = (e − s) − h; negative δ inconsistent; missing reference unjudged', () => {
  assert.equal(echoDelta(1000, 2000, 400), 600);
  // h > 0: the upper end moves down by h·(1 − 500 ppm) = 399.8
  assert.deepEqual(bracketOf({ loAtSend: 1000, hiAtEcho: 2000, heldNs: 400, delta: 600 }), { kind: 'ok', lo: 1000, hi: 1600.2 });
  assert.deepEqual(bracketOf({ loAtSend: 1000, hiAtEcho: 2000, heldNs: 0, delta: 1000 }), { kind: 'ok', lo: 1000, hi: 2000 });
  // δ < 0: the echo came back sooner than the worker held the event
  assert.deepEqual(bracketOf({ loAtSend: 1000, hiAtEcho: 1300, heldNs: 400, delta: echoDelta(1000, 1300, 400) }), { kind: 'inconsistent' });
  assert.deepEqual(bracketOf({ loAtSend: 1000, hiAtEcho: 2000, heldNs: -1, delta: 1001 }), { kind: 'inconsistent' });
  // an interval reference: R_lo at s = 990, R_hi at e = 2010
  assert.deepEqual(bracketOf({ loAtSend: 990, hiAtEcho: 2010, heldNs: 400, delta: 600 }), { kind: 'ok', lo: 990, hi: 1610.2 });
  // without the reference's values: unjudged; an inconsistent row stays inconsistent whatever the reference
  assert.deepEqual(bracketOf({ loAtSend: NaN, hiAtEcho: 2010, heldNs: 400, delta: 600 }), { kind: 'unjudged' });
  assert.deepEqual(bracketOf({ loAtSend: 990, hiAtEcho: NaN, heldNs: 400, delta: 600 }), { kind: 'unjudged' });
  assert.deepEqual(bracketOf({ loAtSend: NaN, hiAtEcho: NaN, heldNs: 400, delta: -5 }), { kind: 'inconsistent' });
  // a reference that contradicts itself: R_hi at e − h below R_lo at s
  assert.deepEqual(bracketOf({ loAtSend: 1500, hiAtEcho: 1700, heldNs: 400, delta: 100 }), { kind: 'inconsistent' });
});

test('bracketed point error: S − [lo, hi] as m ± half; provably off only when the whole range is outside ±X', () => {
  const e = bracketedError(1700, 1000, 1600)!;
  assert.deepEqual(e, { min: 100, max: 700, mid: 400, half: 300 });
  assert.equal(provablyOffBy(e, 50), true);
  assert.equal(provablyOffBy(e, 100), false); // the range touches +100
  const early = bracketedError(500, 1000, 1600)!;
  assert.deepEqual(early, { min: -1100, max: -500, mid: -800, half: 300 });
  assert.equal(provablyOffBy(early, 400), true);
  assert.equal(provablyOffBy(early, 500), false);
  assert.equal(bracketedError(NaN, 1000, 1600), null);
});

test('provable miss: disjoint from the bracket (too early / too late); touching is consistent; no interval → null', () => {
  assert.equal(judgeInterval(1700, 1800, 1000, 1600), 'too_late');
  assert.equal(judgeInterval(900, 999, 1000, 1600), 'too_early');
  assert.equal(judgeInterval(1600, 1700, 1000, 1600), 'consistent');
  assert.equal(judgeInterval(900, 1000, 1000, 1600), 'consistent');
  assert.equal(judgeInterval(NaN, 1700, 1000, 1600), null);
});

test('bracket window: known only when the bracket lies inside one window; truth mapped into the coordinator frame', () => {
  const w = makeWindowSize(1, 0n);
  assert.equal(bracketWindow(1.2e6, 1.8e6, w), 1);
  assert.equal(bracketWindow(0.9e6, 1.1e6, w), null);
  // linear between (t_s, s) = (100, 1000) and (t_e, e) = (300, 2000): t_w = 150 → 1250
  assert.equal(truthInCoordinatorFrame(150, 1000, 100, 2000, 300), 1250);
  assert.equal(truthInCoordinatorFrame(150, 1000, 100, 2000, NaN), 1050);
  assert.equal(truthInCoordinatorFrame(150, 1000, NaN, 2000, NaN), 150);
  assert.ok(Number.isNaN(truthInCoordinatorFrame(NaN, 1000, 100, 2000, 300)));
});

const SRC = ['system', 'bounded'];
const iv = (p: number | null, lo: number | null, hi: number | null, status?: string): Stamp => ({ p, lo, hi, status });

/** The hand-computed run: two workers, four events (times in ms after T0). */
function handRun(opts: { echo: boolean; refStamps?: boolean }): string {
  const dir = path.join(tmpDir('chronoeval-brackets-'), 'run');
  const coord: CoordRow[] = [0, 1, 2, 3].map((k) => {
    const s = 10 + 10 * k;
    return { seq: k, send: s, stamps: { system: { p: s }, bounded: iv(s, s - 0.1, s + 0.1) } };
  });
  writeCoordinator(dir, 'r', SRC, coord);
  const w1: WorkerRow[] = [
    { seq: 0, recv: 11, stamps: { system: { p: 11 }, bounded: iv(11, 10.9, 11.1) } },
    { seq: 1, recv: 31, stamps: { system: { p: 31 }, bounded: iv(31, 30.9, 31.1) } },
    { seq: 2, recv: 31, stamps: { system: { p: 31 }, bounded: iv(31, 30.9, 31.1) } },
    { seq: 3, recv: 41, stamps: { system: { p: 41 }, bounded: iv(41, 40.9, 41.1) } },
  ];
  const w2: WorkerRow[] = [
    { seq: 0, recv: 10.5, stamps: { system: { p: 10.5 }, bounded: iv(9.25, 9, 9.5) } },
    { seq: 1, recv: 20.5, stamps: { system: { p: 20.5 }, bounded: iv(null, null, null, 'warming') } },
    { seq: 2, recv: 30.5, stamps: { system: { p: 30.5 }, bounded: iv(30.5, 30.4, 30.6) } },
    { seq: 3, recv: 50.5, stamps: { system: { p: 50.5 }, bounded: iv(40.5, 40.4, 40.6) } },
  ];
  writeWorker(dir, 'r', 'w1', SRC, w1);
  writeWorker(dir, 'r', 'w2', SRC, w2);
  if (!opts.echo) return dir;
  const at = (e: number, status = 'ok'): Record<string, Stamp> | undefined =>
    opts.refStamps ? { system: { p: e }, bounded: status === 'ok' ? iv(e, e - 0.1, e + 0.1) : iv(null, null, null, status) } : undefined;
  const e1: EchoFixtureRow[] = [
    { seq: 0, send: 10, recv: 11, heldNs: 500_000, echoRecv: 12, stamps: at(12) },
    { seq: 1, send: 20, recv: 31, heldNs: 500_000, echoRecv: 22, stamps: at(22) },
    { seq: 2, send: 30, recv: 31, heldNs: 500_000, echoRecv: 30.2, stamps: at(30.2) }, // δ = −0.3 ms
  ];
  const e2: EchoFixtureRow[] = [0, 1, 2, 3].map((k) => ({
    seq: k,
    send: 10 + 10 * k,
    recv: 10.5 + 10 * k,
    heldNs: 0,
    echoRecv: 11 + 10 * k,
    stamps: at(11 + 10 * k, k === 3 ? 'unsynced' : 'ok'),
  }));
  writeEcho(dir, 'r', 'w1', SRC, e1);
  writeEcho(dir, 'r', 'w2', SRC, e2);
  writeEchoSummary(dir, { mode: 'on', asked: 4, stamp: 'kernel', received_by_node: { w1: 3, w2: 4 }, rejected: { bad_tag: 2 } });
  return dir;
}

test('fold: every count of the echo and bracketed sections on a hand-computed run (inline and threaded alike)', async () => {
  const dir = handRun({ echo: true });
  const { stats, figuresData } = await analyzeRun(dir, { threads: false });
  const echo = stats.echo!;
  assert.equal(echo.mode, 'on');
  assert.deepEqual(echo.rejected, { bad_tag: 2 });
  const [n1, n2] = echo.nodes;
  assert.deepEqual(
    [n1!.node, n1!.asked, n1!.received, n1!.recorded, n1!.missing, n1!.inconsistent, n1!.late_or_repeated, n1!.unknown_events],
    ['w1', 4, 3, 3, 1, 1, 0, 0],
  );
  assert.deepEqual([n1!.delta.n, n1!.delta.min, n1!.delta.max], [2, 1_500_000, 1_500_000]);
  assert.deepEqual([n2!.recorded, n2!.missing, n2!.inconsistent, n2!.delta.n, n2!.delta.p50], [4, 0, 0, 4, 1_000_000]);

  const b = stats.bracketed!;
  assert.equal(b.reference, 'system');
  assert.deepEqual(
    { ...b.brackets['w1']!, width: undefined },
    { echoes: 3, brackets: 2, unjudged: 0, inconsistent: 1, send_kernel: 0, held_kernel: 0, width: undefined },
  );
  assert.deepEqual([b.brackets['w1']!.width.min, b.brackets['w2']!.brackets, b.brackets['w2']!.width.max], [1_500_250, 4, 1_000_000]);

  const w1s = b.by_worker['w1']!['system']!;
  assert.deepEqual([w1s.error.compared, w1s.error.missing], [2, 0]);
  assert.deepEqual([w1s.error.midpoint.min, w1s.error.midpoint.max, w1s.error.half_width.max], [249_875, 10_249_875, 750_125]);
  assert.deepEqual(
    w1s.error.provably_off.map((o) => [o.x_ns, o.count.count, o.count.total]),
    [
      [10e3, 1, 2],
      [100e3, 1, 2],
      [1e6, 1, 2],
      [10e6, 0, 2],
    ],
  );
  assert.equal(w1s.interval, null);
  const w1b = b.by_worker['w1']!['bounded']!;
  assert.deepEqual(
    [w1b.interval!.judged, w1b.interval!.consistent.count, w1b.interval!.too_early, w1b.interval!.too_late, w1b.interval!.unjudged],
    [2, 1, 0, 1, 0],
  );
  const w2b = b.by_worker['w2']!['bounded']!;
  assert.deepEqual(
    [w2b.interval!.judged, w2b.interval!.consistent.count, w2b.interval!.too_early, w2b.interval!.too_late, w2b.interval!.unjudged],
    [3, 2, 1, 0, 1],
  );
  assert.deepEqual([w2b.error.compared, w2b.error.missing], [3, 1]);
  assert.deepEqual(
    w2b.error.provably_off.map((o) => o.count.count),
    [1, 1, 0, 0],
  ); // 9.25 against [10, 11]: off by 0.75 to 1.75 ms
  const w2s = b.by_worker['w2']!['system']!;
  assert.deepEqual(
    w2s.error.provably_off.map((o) => o.count.count),
    [1, 1, 1, 0],
  ); // 50.5 against [40, 41]
  // windows: every bracket inside 50 ms window 0; w2's 50.5 ms point is in window 1
  const win50 = (e: typeof w1s) => e.windows.find((w) => w.window_ms === 50)!;
  assert.deepEqual([win50(w1s).judged, win50(w1s).point.correct.count, win50(w1s).point.wrong], [2, 2, 0]);
  assert.deepEqual([win50(w2s).judged, win50(w2s).point.correct.count, win50(w2s).point.wrong], [4, 3, 1]);
  assert.deepEqual(
    [
      win50(w2b).interval!.compared,
      win50(w2b).interval!.confident_correct.count,
      win50(w2b).interval!.confident_wrong.count,
      win50(w2b).interval!.ambiguous.count,
    ],
    [3, 3, 0, 0],
  );
  // pooled
  assert.deepEqual(
    b.pooled['system']!.error.provably_off.map((o) => [o.count.count, o.count.total]),
    [
      [2, 6],
      [2, 6],
      [2, 6],
      [0, 6],
    ],
  );
  // ordering: (w1@0, w2@1), (w2@0, w1@1), (w1@1, w2@2) — every pair of brackets disjoint
  const os = b.ordering.by_pair['w1|w2']!['system']!;
  assert.deepEqual(
    [os.pairs, os.judged.count, os.point.compared, os.point.correct, os.point.wrong.count, os.point.tie],
    [3, 3, 3, 2, 1, 0],
  );
  assert.equal(os.interval, null);
  const ob = b.ordering.by_pair['w1|w2']!['bounded']!;
  assert.deepEqual([ob.point.compared, ob.point.correct, ob.point.wrong.count], [2, 1, 1]);
  assert.deepEqual([ob.interval!.compared, ob.interval!.correct, ob.interval!.wrong.count, ob.interval!.ambiguous], [2, 1, 1, 0]);
  assert.deepEqual(b.ordering.worst_pair['bounded']!.interval_wrong, { pair: 'w1|w2', count: 1 });
  assert.deepEqual(b.ordering.pooled['system'], os);
  assert.equal(b.truth_check, null);
  // the terminal prints the bracket-judged orders and windows with their counts
  const text = summaryText(stats);
  assert.match(text, /- bounded: 3 cross-event orders proven by brackets; point wrong /);
  for (const w of stats.windows_ms) {
    const pooledW = b.pooled['system']!.windows.find((x) => x.window_ms === w)!;
    assert.ok(
      text.includes(`${w} ms: ${pooledW.judged} judged, point wrong ${pooledW.point.wrong}/${pooledW.point.compared}`),
      `window ${w} ms in:\n${text}`,
    );
  }
  // the figure's series: one per worker and source with points
  const series = figuresData.brackets!;
  assert.deepEqual(
    series.map((s) => `${s.node}/${s.source}:${s.bins.reduce((n, x) => n + x.n, 0)}`),
    ['w1/system:2', 'w1/bounded:2', 'w2/system:4', 'w2/bounded:3'],
  );
  assert.equal(
    series.find((s) => s.node === 'w2' && s.source === 'bounded')!.bins.reduce((n, x) => n + (x.provable_misses ?? 0), 0),
    1,
  );
  // the same sections with the parse and fold threads
  const threaded = await analyzeRun(dir, { threads: true, parseThreads: 1 });
  assert.deepEqual(threaded.stats.bracketed, b);
  assert.deepEqual(threaded.stats.echo, echo);
});

test('kernel stamps: the later of s and send_kernel_ns starts the bracket, the longer of h and held_kernel_ns ends it; delivery gains latency from the kernel send stamp', async () => {
  const dir = path.join(tmpDir('chronoeval-brackets-kernel-'), 'run');
  // events at 10, 20, 30 ms; the kernel stamped events 0 and 1 0.3 ms after the JS stamp, event 2
  // (a mapping glitch) before it, event 3 not at all
  const kernel = [10.3, 20.3, 29.9, null];
  writeCoordinator(
    dir,
    'r',
    ['system'],
    [0, 1, 2, 3].map((k) => ({
      seq: k,
      send: 10 + 10 * k,
      stamps: { system: { p: 10 + 10 * k } },
      trueSend: 10 + 10 * k,
      sendKernel: kernel[k],
      sendKernelReason: kernel[k] === null ? 'not-delivered' : '',
      trueSendKernel: kernel[k],
    })),
  );
  writeWorker(
    dir,
    'r',
    'w1',
    ['system'],
    [0, 1, 2, 3].map((k) => ({ seq: k, recv: 10.5 + 10 * k, stamps: { system: { p: 10.5 + 10 * k } }, trueRecv: 10.5 + 10 * k })),
  );
  writeEcho(
    dir,
    'r',
    'w1',
    ['system'],
    // event 0's echo also has its follow-up: the echo left 0.1 ms after the hold was read
    [0, 1, 2, 3].map((k) => ({
      seq: k,
      send: 10 + 10 * k,
      recv: 10.5 + 10 * k,
      heldNs: 0,
      echoRecv: 11 + 10 * k,
      sendKernel: kernel[k],
      heldKernelNs: k === 0 ? 100_000 : null,
    })),
  );
  writeEchoSummary(dir, { mode: 'on', asked: 4, stamp: 'kernel', received_by_node: { w1: 4 }, rejected: {} });
  const { stats } = await analyzeRun(dir, { threads: false });
  const b = stats.bracketed!.brackets['w1']!;
  assert.equal(b.send_kernel, 3, 'three echoes carry a kernel stamp');
  assert.equal(b.held_kernel, 1, 'one echo has its kernel hold');
  // widths: event 0 from 10.3 to 11 − 0.1·(1 − 500 ppm) ms; event 1 0.7 ms (kernel 0.3 ms after
  // s); 1 ms with the earlier kernel stamp and without one
  assert.deepEqual([b.brackets, b.width.min, b.width.max], [4, 600_050, 1_000_000]);
  assert.deepEqual([stats.echo!.nodes[0]!.delta.min, stats.echo!.nodes[0]!.delta.max], [600_000, 1_000_000]);
  // every bracket still holds the true receive instant
  const tc = stats.bracketed!.truth_check!.pooled.bracket_contains_truth;
  assert.deepEqual([tc.count, tc.total], [4, 4]);

  const d = stats.delivery.workers[0]!;
  assert.deepEqual([d.latency_true!.n, d.latency_true!.max], [4, 500_000], 'from the JavaScript stamp, as before');
  const k = d.latency_from_kernel_send!;
  assert.equal(k.events, 3);
  assert.deepEqual([k.local.n, k.local.min, k.local.max], [3, 200_000, 600_000]);
  assert.deepEqual([k.true!.n, k.true!.min, k.true!.max], [3, 200_000, 600_000]);

  // a coordinator file without the kernel columns: null, not 0
  const old = handRun({ echo: true });
  const { stats: s2 } = await analyzeRun(old, { threads: false });
  assert.equal(s2.delivery.workers[0]!.latency_from_kernel_send, null);
  assert.equal(s2.bracketed!.brackets['w1']!.send_kernel, 0);
});

test('fold: --reference bounded widens each bracket by the coordinator bounds; a reading without them is unjudged', async () => {
  const dir = handRun({ echo: true, refStamps: true });
  const { stats } = await analyzeRun(dir, { reference: 'bounded' });
  const b = stats.bracketed!;
  assert.equal(b.reference, 'bounded');
  assert.deepEqual(
    [b.brackets['w2']!.echoes, b.brackets['w2']!.brackets, b.brackets['w2']!.unjudged, b.brackets['w1']!.inconsistent],
    [4, 3, 1, 1],
  );
  // w2@0: [9.9, 11.1] ms (width 1.2 ms); w1@0: [9.9, 12.1 − 0.49975]
  assert.equal(b.brackets['w2']!.width.min, 1_200_000);
  assert.equal(b.brackets['w1']!.width.min, 1_700_250);
  assert.equal(b.by_worker['w2']!['bounded']!.interval!.too_early, 1);
  assert.match(b.assumption, /bounded/);
});

test('--reference: a source the coordinator lacks, or one without intervals, is refused with what was typed', async () => {
  const dir = handRun({ echo: true });
  await assert.rejects(analyzeRun(dir, { reference: 'chrony' }), /--reference "chrony".*no interval source of that name.*bounded/);
  await assert.rejects(analyzeRun(dir, { reference: 'system2' }), /--reference "system2"/);
});

test('a worker without an echo file: every asked event it recorded is missing; one-in-N mode asks only seq % N = 0', async () => {
  const dir = handRun({ echo: true });
  rmSync(path.join(dir, 'echo', 'w2.csv'));
  const e = (await analyzeRun(dir)).stats.echo!;
  assert.deepEqual(
    e.nodes.map((n) => [n.node, n.recorded, n.missing]),
    [
      ['w1', 3, 1],
      ['w2', 0, 4],
    ],
  );
  writeEchoSummary(dir, { mode: { every: 2 }, asked: 2, stamp: 'user', received_by_node: { w1: 2 }, rejected: {} });
  const e2 = (await analyzeRun(dir)).stats.echo!;
  assert.deepEqual(e2.mode, { every: 2 });
  assert.deepEqual(
    e2.nodes.map((n) => [n.node, n.missing, n.received]),
    [
      ['w1', 0, 2],
      ['w2', 2, 0],
    ],
  ); // seq 0 and 2 asked; w1 echoed both, seq 3 was not asked
});

test('a torn echo file and a bad cell: the rows before are kept, the torn line and the bad row reported', async () => {
  const dir = handRun({ echo: true });
  const file = path.join(dir, 'echo', 'w2.csv');
  const text = readFileSync(file, 'utf8').trimEnd().split('\n');
  text[2] = text[2]!.replace(/,0,/, ',zero,'); // seq 1: h is not a number
  writeFileSync(file, text.join('\n').slice(0, -20)); // seq 3's line torn
  const { stats } = await analyzeRun(dir);
  const w2 = stats.echo!.nodes.find((n) => n.node === 'w2')!;
  assert.deepEqual([w2.recorded, w2.inconsistent, w2.missing], [3, 1, 1]);
  const input = stats.inputs.files.find((f) => f.path === path.join('echo', 'w2.csv'))!;
  assert.deepEqual([input.role, input.torn_tail, input.rows], ['echo', true, 3]);
  assert.ok(stats.inputs.warnings.some((w) => /echo\/w2\.csv: .*torn last line/.test(w)));
  assert.ok(stats.inputs.warnings.some((w) => /echo\/w2\.csv: 1 echo rows contradict themselves .* or lack s, e or h/.test(w)));
});

test('a run without echo/ has echo and bracketed null, and the same other sections', async () => {
  const withEcho = handRun({ echo: true });
  const plain = path.join(tmpDir('chronoeval-brackets-'), 'plain');
  cpSync(withEcho, plain, { recursive: true });
  rmSync(path.join(plain, 'echo'), { recursive: true });
  const a = (await analyzeRun(plain)).stats;
  const b = (await analyzeRun(withEcho)).stats;
  assert.equal(a.echo, null);
  assert.equal(a.bracketed, null);
  for (const k of ['delivery', 'causality', 'ordering', 'windows', 'bound_quality', 'readings'] as const) assert.deepEqual(a[k], b[k], k);
});

/**
 * A simulated run: true times known; the coordinator's clock is true time + 1.5 ms + 10 ppm, so the
 * coordinator frame differs from true time. w3's bounded interval is 5 ms off every 17th event.
 * `corrupt`: one echo of w1 claims to arrive 10 µs after the hold ended (a bracket that misses truth).
 */
function simulatedRun(corrupt: boolean): string {
  const dir = path.join(tmpDir('chronoeval-brackets-sim-'), 'run');
  const rnd = new Prng(16);
  const nodes = ['w1', 'w2', 'w3'];
  const offsets = [-4, 0.3, 6];
  const local = (t: number) => t + 1.5 + 1e-5 * t;
  const coord: CoordRow[] = [];
  const rows: WorkerRow[][] = nodes.map(() => []);
  const echoes: EchoFixtureRow[][] = nodes.map(() => []);
  for (let k = 0; k < 300; k++) {
    const ts = 5 + 2 * k;
    const s = local(ts);
    coord.push({ seq: k, send: s, trueSend: ts, stamps: { system: { p: s }, bounded: iv(s, ts - 0.3, ts + 0.3) } });
    nodes.forEach((node, w) => {
      const tw = ts + 0.05 + 0.5 * rnd.next();
      const liar = w === 2 && k % 17 === 0 ? 5 : 0;
      const p = tw + (rnd.next() - 0.5) * 0.1 + liar;
      rows[w]!.push({
        seq: k,
        recv: tw + offsets[w]!,
        trueRecv: tw,
        stamps: { system: { p: tw + offsets[w]! }, bounded: iv(p, p - 0.2, p + 0.2) },
      });
      const hMs = Math.round((0.02 + 0.3 * rnd.next()) * 1e6) / 1e6;
      const te = tw + hMs + 0.05 + 0.5 * rnd.next();
      let e = local(te);
      if (corrupt && w === 0 && k === 5) e = s + hMs + 0.01;
      echoes[w]!.push({
        seq: k,
        send: s,
        recv: tw + offsets[w]!,
        heldNs: Math.round(hMs * 1e6),
        echoRecv: e,
        trueEchoRecv: te,
        stamps: { system: { p: e }, bounded: iv(e, te - 0.3, te + 0.3) },
      });
    });
  }
  writeCoordinator(dir, 'sim', SRC, coord);
  nodes.forEach((node, w) => {
    writeWorker(dir, 'sim', node, SRC, rows[w]!);
    writeEcho(dir, 'sim', node, SRC, echoes[w]!);
  });
  return dir;
}

test('truth check (simulated): every bracket contains truth, every provable miss is real, every bracket-proven order is true', async () => {
  const dir = simulatedRun(false);
  const sys = (await analyzeRun(dir)).stats.bracketed!;
  const t = sys.truth_check!;
  assert.equal(t.frame, 'coordinator');
  assert.deepEqual([t.pooled.bracket_contains_truth.count, t.pooled.bracket_contains_truth.share], [900, 1]);
  for (const n of ['w1', 'w2', 'w3']) assert.equal(t.by_worker[n]!.bracket_contains_truth.share, 1, n);
  // In the coordinator's frame (1.5 ms ahead of true time) honest ±0.2 ms intervals are provable misses:
  // real misses of that frame, not of true time — the system reference's assumption made visible.
  assert.ok(t.pooled.provable_misses_real.total > 800);
  assert.equal(t.pooled.provable_misses_real.share, 1);
  assert.equal(t.pooled.false_misses, 0);
  assert.ok(t.by_worker['w1']!.provable_misses_real_true_time['bounded']!.share! < 0.01);
  assert.ok(t.pooled.proven_orders_true.total > 100);
  assert.equal(t.pooled.proven_orders_true.share, 1);
  assert.equal(t.pooled.false_orders, 0);

  // With the coordinator's honest bounded source as the reference, brackets are in true time:
  // only w3's 5 ms-off intervals are provable misses, and all of them are real.
  const ref = (await analyzeRun(dir, { reference: 'bounded' })).stats.bracketed!;
  const r = ref.truth_check!;
  assert.equal(r.frame, 'true_time');
  assert.equal(r.pooled.bracket_contains_truth.share, 1);
  assert.equal(ref.by_worker['w1']!['bounded']!.interval!.provable_miss.count, 0);
  assert.equal(ref.by_worker['w3']!['bounded']!.interval!.provable_miss.count, 18); // k = 0, 17, …, 289
  assert.deepEqual([r.by_worker['w3']!.provable_misses_real['bounded']!.share, r.by_worker['w3']!.false_misses], [1, 0]);
  assert.equal(r.pooled.proven_orders_true.share, 1);
});

test('truth check (simulated): a bracket that misses truth is counted, so the check can fail', async () => {
  const t = (await analyzeRun(simulatedRun(true))).stats.bracketed!.truth_check!;
  assert.deepEqual([t.by_worker['w1']!.bracket_contains_truth.count, t.by_worker['w1']!.bracket_contains_truth.total], [299, 300]);
  assert.equal(t.by_worker['w2']!.bracket_contains_truth.share, 1);
});

test('report table and figure: drawn from stats.json and figures-data.json; a run without echoes says why', async () => {
  const { stats, figuresData } = await analyzeRun(handRun({ echo: true }));
  const html = bracketedTable(stats);
  assert.match(html, /Bracketed truth \(no reference hardware\)/);
  assert.match(html, /<th>bounded @ w2<\/th>/);
  assert.match(html, /id="table-bracketed-order"/);
  const built = bracketedErrorFigure.build({ stats, causality: null, sync: null, brackets: figuresData.brackets ?? null });
  assert.ok('spec' in built, JSON.stringify(built));
  assert.match(built.notes.join(' '), /bounded: 2 provable misses of 5 intervals/);
  // misses are counts: whole-number ticks from 0 (an all-zero series once drew a lone "0.000000" tick)
  const missAxes = JSON.stringify(built.spec).match(/"title":"provable misses","axis":\{[^}]*\}/g) ?? [];
  assert.ok(missAxes.length > 0, 'a provable-misses panel');
  for (const a of missAxes) assert.match(a, /"format":"d"/);
  const plain = (await analyzeRun(handRun({ echo: false }))).stats;
  assert.match(bracketedTable(plain), /no echo\/ directory/);
  assert.ok('skip' in bracketedErrorFigure.build({ stats: plain, causality: null, sync: null, brackets: null }));
});

test("the built-in scenarios' bracket checks: pass on honest simulated brackets, fail on one that misses truth", async () => {
  const checks = loadScenario('demo').scenario.checks.filter((c) => c.name.startsWith('bracket-'));
  assert.equal(checks.length, 3);
  for (const n of builtinScenarioNames())
    assert.deepEqual(
      loadScenario(n)
        .scenario.checks.filter((c) => c.name.startsWith('bracket-'))
        .map((c) => c.path),
      checks.map((c) => c.path),
      n,
    );
  const honest = (await analyzeRun(simulatedRun(false))).stats;
  const verdicts = checks.map((c) => evaluateCheck(c, honest));
  assert.deepEqual(
    verdicts.map((v) => [v.name, v.verdict, v.matched]),
    [
      ['bracket-contains-truth', 'pass', 3],
      ['bracket-misses-real', 'pass', 3],
      ['bracket-orders-true', 'pass', 3],
    ],
  );
  const broken = (await analyzeRun(simulatedRun(true))).stats;
  const v = evaluateCheck(checks[0]!, broken);
  assert.deepEqual([v.verdict, v.measured, v.worst_at], ['fail', 299 / 300, 'by_worker=w1']);
});

test('CLI: analyze and run-local refuse an unknown --reference with the value typed, before any work', async () => {
  const dir = handRun({ echo: true });
  const a = await runCli(['analyze', dir, '--reference', 'chrony', '--no-figures']);
  assert.notEqual(a.code, 0);
  assert.match(a.stderr, /--reference "chrony": the coordinator has no interval source of that name/);
  assert.ok(!existsSync(path.join(dir, 'stats.json')), 'nothing written');
  const ok = await runCli(['analyze', dir, '--reference', 'bounded', '--no-figures']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Bracketed truth \(echo brackets, reference bounded/);
  const r = await runCli([
    'run-local',
    '--scenario',
    'lan',
    '--reference',
    'clockbound',
    '--results-dir',
    tmpDir('chronoeval-brackets-rl-'),
  ]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--reference "clockbound": the coordinator will not stamp that source/);
});
