// `channel` reads the coordinator's clock, not true time: its bound quality is judged against the
// coordinator's clock at the true instant (analysis/metrics/frames.ts), every other source's against truth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { analyzeRun } from '../../analysis/analyze.js';
import path from 'node:path';
import { writeCommitWait, writeCoordinator, writeCsv, writeWorker, abs, type CoordRow, type WorkerRow } from '../fixtures/analysis-run.js';
import { SYNC_COLUMNS } from '../../src/files/columns.js';
import { writeEcho, writeEchoSummary, type EchoFixtureRow } from '../fixtures/echo-run.js';
import { tmpDir } from '../support/helpers.js';
import type { Stats } from '../../analysis/stats/types.js';

const SRC = ['system', 'bounded', 'channel'];
const COORD_OFFSET_MS = 1.5; // the coordinator's clock runs 1.5 ms ahead of true time
const iv = (p: number, half: number) => ({ p, lo: p - half, hi: p + half });

/** A fixture run's clocks (ms after T0 as functions of true ms) and stated half-widths. */
interface Clocks {
  events: number;
  coordAt: (t: number) => number;
  workerAt: (t: number) => number;
  /** The worker's bounded and channel half-widths; the coordinator's bounded one. */
  half: number;
  coordHalf: number;
}

/** The coordinator 1.5 ms ahead, the worker 0.3 ms behind; 20 events. */
const OFFSET_CLOCKS: Clocks = { events: 20, coordAt: (t) => t + COORD_OFFSET_MS, workerAt: (t) => t - 0.3, half: 0.1, coordHalf: 0.2 };

/** The coordinator's stamps at true instant t: its clock for system and channel, bounded around t. */
const coordStamps = (c: Clocks, t: number, half: number) => {
  const l = c.coordAt(t);
  return { system: { p: l }, bounded: iv(t, half), channel: { p: l, lo: l, hi: l } };
};

/** Events every 10 ms, received 0.2 ms later; the worker's channel interval is centred on `channelAt(trueRecv)`. */
function writeRun(dir: string, c: Clocks, channelAt: (trueRecv: number) => number = c.coordAt): { coord: CoordRow[]; w1: WorkerRow[] } {
  const coord: CoordRow[] = [];
  const w1: WorkerRow[] = [];
  for (let k = 0; k < c.events; k++) {
    const trueSend = 10 + 10 * k;
    coord.push({ seq: k, send: c.coordAt(trueSend), trueSend, stamps: coordStamps(c, trueSend, c.coordHalf) });
    const trueRecv = trueSend + 0.2;
    const recv = c.workerAt(trueRecv);
    w1.push({
      seq: k,
      recv,
      trueRecv,
      stamps: { system: { p: recv }, bounded: iv(trueRecv, c.half), channel: iv(channelAt(trueRecv), c.half) },
    });
  }
  writeCoordinator(dir, 'r', SRC, coord);
  writeWorker(dir, 'r', 'w1', SRC, w1);
  return { coord, w1 };
}

/** 20 events with OFFSET_CLOCKS; the worker's channel interval is centred on `channelAt(trueRecv)`, ±0.1 ms. */
function run(channelAt: (trueRecv: number) => number): string {
  const dir = tmpDir('chronoeval-channel-frame-');
  writeRun(dir, OFFSET_CLOCKS, channelAt);
  return dir;
}

const coverage = (s: Stats, source: string, role: 'worker' | 'coordinator') =>
  s.bound_quality.find((b) => b.source === source && b.role === role && (role === 'coordinator' || b.node === 'w1'))!.coverage;

test('channel is covered when its interval holds the coordinator clock at the true receive; bounded against true time', async () => {
  const dir = run((t) => t + COORD_OFFSET_MS);
  try {
    const { stats } = await analyzeRun(dir, { threads: false });
    assert.deepEqual(coverage(stats, 'channel', 'worker'), { count: 20, total: 20, share: 1 });
    assert.deepEqual(coverage(stats, 'bounded', 'worker'), { count: 20, total: 20, share: 1 });
    // the coordinator's own channel stamp is its clock: exact in that frame
    assert.equal(coverage(stats, 'channel', 'coordinator')?.share, 1);
    const err = stats.bound_quality.find((b) => b.source === 'channel' && b.role === 'worker' && b.node === 'w1')!.abs_point_error;
    assert.ok(err.max !== null && err.max < 1000, `channel point error in its frame: ${JSON.stringify(err)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a channel interval around true time (not the coordinator clock) misses in its own frame', async () => {
  const dir = run((t) => t);
  try {
    const { stats } = await analyzeRun(dir, { threads: false });
    assert.deepEqual(coverage(stats, 'channel', 'worker'), { count: 0, total: 20, share: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("channel's sync rows are judged in its frame: their offset error is against the coordinator's clock, not true time", async () => {
  const dir = run((t) => t + COORD_OFFSET_MS);
  try {
    // The worker's clock is 0.3 ms behind true time: true − local = +0.3 ms. A channel sample's
    // offset is coordinator − local = 1.8 ms, here 2 µs off; a bounded sample's is true − local, 3 µs off.
    const row = (source: string, tMs: number, offsetNs: number): string[] => {
      const r: Record<string, string> = { run_id: 'r', node_id: 'w1', source, sample_local_ns: abs(tMs), server: 'x' };
      r.offset_ns = String(offsetNs);
      r.delay_ns = '4000';
      r.half_width_ns = '2000';
      r.status = 'ok';
      r.accepted = '1';
      r.reason = 'used';
      r.true_offset_ns = '300000';
      return SYNC_COLUMNS.map((c) => r[c] ?? '');
    };
    const rows = [50, 90, 130, 170].flatMap((t) => [row('channel', t, 1_800_000 + 2000), row('bounded', t, 300_000 - 3000)]);
    writeCsv(path.join(dir, 'sync', 'w1.csv'), [...SYNC_COLUMNS], rows);
    const { stats } = await analyzeRun(dir, { threads: false });
    const sync = (source: string) => stats.sync.find((e) => e.node === 'w1' && e.source === source)!;
    const ch = sync('channel').offset_error!;
    assert.equal(ch.n, 4);
    assert.ok(Math.abs(ch.max! - 2000) < 10 && Math.abs(ch.min! - 2000) < 10, `channel offset error in its frame: ${JSON.stringify(ch)}`);
    const b = sync('bounded').offset_error!;
    assert.equal(b.max, -3000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('self-consistency: channel readings that track a coordinator clock 800 ppm faster than the worker are consistent', async () => {
  // Both clocks within 500 ppm of true time (worker −400, coordinator +400): channel follows the
  // coordinator's clock, so between two worker-local instants its target advances 800 ppm faster.
  const dir = tmpDir('chronoeval-channel-consistency-');
  try {
    writeRun(dir, { events: 200, coordAt: (t) => t * (1 + 400e-6), workerAt: (t) => t * (1 - 400e-6), half: 0.005, coordHalf: 0.2 });
    const { stats } = await analyzeRun(dir, { threads: false });
    const sc = stats.self_consistency!.by_worker.w1!;
    assert.equal(sc.bounded!.must_miss, 0, JSON.stringify(sc.bounded));
    assert.equal(sc.channel!.must_miss, 0, JSON.stringify(sc.channel));
    assert.ok(Math.abs(sc.channel!.max_freq_error_ppm - 1000.5) < 0.01, `channel's ε: ${sc.channel!.max_freq_error_ppm}`);
    assert.equal(sc.bounded!.max_freq_error_ppm, 500);
    // The coverage against truth agrees: every reading holds its target.
    assert.deepEqual(coverage(stats, 'channel', 'worker'), { count: 200, total: 200, share: 1 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('echo brackets: with a true-time reference, channel is judged by the bracket in its own (coordinator) frame', async () => {
  // The coordinator runs 1.5 ms ahead; its bounded source brackets true time. The worker's channel
  // readings hold the coordinator's clock at the true receive (±50 µs): right in their frame.
  const dir = tmpDir('chronoeval-channel-brackets-');
  try {
    const clocks: Clocks = { ...OFFSET_CLOCKS, half: 0.05, coordHalf: 0.1 };
    const { coord, w1 } = writeRun(dir, clocks);
    const echo: EchoFixtureRow[] = coord.map(({ seq, send }, k) => {
      const trueE = w1[k]!.trueRecv! + 0.1 + 0.2;
      const e = clocks.coordAt(trueE);
      return { seq, send, recv: w1[k]!.recv, heldNs: 100_000, echoRecv: e, trueEchoRecv: trueE, stamps: coordStamps(clocks, trueE, 0.1) };
    });
    writeEcho(dir, 'r', 'w1', SRC, echo);
    writeEchoSummary(dir, { mode: 'on', asked: 20, stamp: 'kernel', received_by_node: { w1: 20 }, rejected: {} });
    const { stats } = await analyzeRun(dir, { threads: false, reference: 'bounded' });
    const b = stats.bracketed!;
    assert.equal(b.reference, 'bounded');
    const ch = b.by_worker['w1']!['channel']!;
    assert.deepEqual([ch.interval!.too_early, ch.interval!.too_late], [0, 0], `channel: ${JSON.stringify(ch.interval)}`);
    assert.equal(ch.interval!.consistent.count, 20);
    const bd = b.by_worker['w1']!['bounded']!;
    assert.equal(bd.interval!.consistent.count, 20, `bounded, judged in true time: ${JSON.stringify(bd.interval)}`);
    // In the system frame (the default) both are judged against the coordinator's clock.
    const { stats: sys } = await analyzeRun(dir, { threads: false });
    assert.equal(sys.bracketed!.by_worker['w1']!['channel']!.interval!.consistent.count, 20);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("windows and commit-wait re-estimates of channel are judged in the coordinator's clock", async () => {
  // Channel readings hold the coordinator's clock (1.5 ms ahead) at the true receive, ±0.1 ms;
  // 1 ms windows put that clock and true time in different windows. Each reading has a
  // re-estimate one second later, as tight, whose row carries true_recv_ns (true time).
  const dir = run((t) => t + COORD_OFFSET_MS);
  try {
    writeCommitWait(
      dir,
      'r',
      'w1',
      Array.from({ length: 20 }, (_, k) => {
        const trueRecv = 10 + 10 * k + 0.2;
        const c = trueRecv + COORD_OFFSET_MS;
        return { seq: k, source: 'channel', delayS: 1, recv: trueRecv - 0.3, p: c, lo: c - 0.1, hi: c + 0.1, trueRecv };
      }),
    );
    const { stats } = await analyzeRun(dir, { threads: false, windowsMs: [1] });
    const win = stats.windows.find((w) => w.source === 'channel' && w.window_ms === 1)!;
    assert.equal(win.accuracy!.point!.wrong.count, 0, JSON.stringify(win.accuracy));
    assert.equal(win.accuracy!.interval!.confident_wrong.count, 0, JSON.stringify(win.accuracy));
    assert.equal(win.accuracy!.point!.correct.count, 20);
    const cw = stats.commit_wait.find((e) => e.source === 'channel' && e.node === 'w1')!;
    assert.deepEqual(cw.reestimated[0]!.coverage, { count: 20, total: 20, share: 1 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
