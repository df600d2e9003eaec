// `channel` reads the coordinator's clock, not true time: its bound quality is judged against the
// coordinator's clock at the true instant (analysis/metrics/frames.ts), every other source's against truth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { analyzeRun } from '../../analysis/analyze.js';
import path from 'node:path';
import { writeCoordinator, writeCsv, writeWorker, abs, type CoordRow, type WorkerRow } from '../fixtures/analysis-run.js';
import { SYNC_COLUMNS } from '../../src/files/columns.js';
import { tmpDir } from '../support/helpers.js';
import type { Stats } from '../../analysis/stats/types.js';

const SRC = ['system', 'bounded', 'channel'];
const COORD_OFFSET_MS = 1.5; // the coordinator's clock runs 1.5 ms ahead of true time
const iv = (p: number, half: number) => ({ p, lo: p - half, hi: p + half });

/** 20 events; the worker's channel interval is centred on `channelAt(trueRecv)`, ±0.1 ms. */
function run(channelAt: (trueRecv: number) => number): string {
  const dir = tmpDir('chronoeval-channel-frame-');
  const coord: CoordRow[] = [];
  const w1: WorkerRow[] = [];
  for (let k = 0; k < 20; k++) {
    const trueSend = 10 + 10 * k;
    const send = trueSend + COORD_OFFSET_MS;
    coord.push({
      seq: k,
      send,
      trueSend,
      stamps: { system: { p: send }, bounded: iv(trueSend, 0.2), channel: { p: send, lo: send, hi: send } },
    });
    const trueRecv = trueSend + 0.2;
    const recv = trueRecv - 0.3; // the worker's clock: 0.3 ms behind
    w1.push({ seq: k, recv, trueRecv, stamps: { system: { p: recv }, bounded: iv(trueRecv, 0.1), channel: iv(channelAt(trueRecv), 0.1) } });
  }
  writeCoordinator(dir, 'r', SRC, coord);
  writeWorker(dir, 'r', 'w1', SRC, w1);
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
