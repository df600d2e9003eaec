// The chronotick source's shared-memory mode against a segment written by an independent writer
// (test/support/chronotick_writer.py: the upstream struct format string, packed into a MAP_SHARED
// mapping): flags → statuses, the daemon's interval rule, ct_source / ct_confidence, reads at the
// hot-path rate with no file system call and no timer tick, a writer publishing back to back
// (torn reads retried), the daemon re-creating its segment, and the read-every-poll fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { ChronoTickShmSource } from '../../src/clock/sources/chronotick-shm.js';
import { createChronoTickSource } from '../../src/clock/sources/chronotick.js';
import { HostClock } from '../../src/clock/host-clock.js';
import type { SyncRow } from '../../src/clock/types.js';
import { NO_NATIVE_ENV } from '../../src/net/udp-stamp-addon.js';
import { tmpDir } from '../support/helpers.js';
import { WRITER_FLAGS as F, WRITER_SOURCE as S, decimalSecondsToNs, startChronoTickWriter } from '../support/chronotick-writer.js';

const ALL = F.VALID | F.NTP_READY | F.MODELS_READY | F.WARMUP_COMPLETE;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Count calls of the fs functions a source could use, through the ESM bindings too. */
function countFsCalls(): { calls: () => number; restore: () => void } {
  const fs = createRequire(import.meta.url)('node:fs') as Record<string, unknown>;
  const names = ['statSync', 'openSync', 'readSync', 'readFileSync', 'closeSync', 'fstatSync'];
  const saved = names.map((n) => fs[n]);
  let n = 0;
  for (const name of names) {
    const orig = fs[name] as (...a: unknown[]) => unknown;
    fs[name] = (...a: unknown[]) => {
      n++;
      return orig(...a);
    };
  }
  syncBuiltinESMExports();
  return {
    calls: () => n,
    restore: () => {
      names.forEach((name, i) => (fs[name] = saved[i]));
      syncBuiltinESMExports();
    },
  };
}

test('chronotick shm: flags → statuses, the daemon rule, ct details; hot-path reads see every publication with no I/O', async (t) => {
  const dir = tmpDir('chronotick-shm-');
  const seg = path.join(dir, 'chronotick_shm');
  const w = await startChronoTickWriter(seg);
  const clock = new HostClock();
  const rows: SyncRow[] = [];
  // A poll interval far beyond the test: after start() no timer tick happens.
  const src = createChronoTickSource({ clock, sink: (r) => rows.push(r), pollMs: 600_000 }, { path: seg });
  assert.ok(src instanceof ChronoTickShmSource, 'no url → shared-memory mode');
  try {
    // The zero-filled segment the daemon creates before its first publication.
    await src.start();
    assert.equal(src.access.mapped, true, 'the udp_stamp addon maps the segment');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.status, 'unsynced');
    assert.match(String(rows[0]!.reason), /VALID not set \(flags 0x0\)/);
    assert.equal(rows[0]!.point_ns, null);

    const fs = countFsCalls();
    try {
      await w.set({ flags: F.VALID | F.NTP_READY | F.MODELS_READY, offset_s: 0.001, offset_unc_s: 1e-4, source: S.NTP, confidence: 0.5 });
      await w.publish();
      assert.equal(src.read(clock.nowNs()).status, 'warming', 'no WARMUP_COMPLETE → warming');
      assert.deepEqual(src.details(), [null, null]);
      assert.match(src.readiness().detail, /WARMUP_COMPLETE not set \(flags 0x7 \(VALID\|NTP_READY\|MODELS_READY\)\)/);

      await w.set({ flags: ALL, offset_s: 0.0025, offset_unc_s: 0.0004, source: S.FUSION, confidence: 0.95 });
      await w.publish();
      let local = clock.nowNs();
      let r = src.read(local);
      assert.equal(r.status, 'ok');
      assert.equal(r.point_ns, local + 2_500_000n);
      assert.equal(r.hi_ns! - r.point_ns!, 1_200_000n, '3 × 0.4 ms');
      assert.equal(r.point_ns! - r.lo_ns!, 1_200_000n);
      assert.deepEqual(src.details(), ['fusion', '0.95'], 'the float32 0.95 printed as written');

      // With drift: corrected = T + offset + drift·(T − prediction_time); uncertainty grows with drift_unc.
      await w.set({ offset_s: 0.001, drift_rate: 2e-5, offset_unc_s: 1e-5, drift_unc_s: 1e-6, prediction_age_s: 30, source: S.CPU_MODEL });
      const [, predText] = await w.publish();
      local = clock.nowNs();
      r = src.read(local);
      const dt = Number(local - decimalSecondsToNs(predText)) / 1e9;
      assert.ok(dt > 29 && dt < 40, `Δ = ${dt} s`);
      const expectPoint = Number(local) + (0.001 + 2e-5 * dt) * 1e9; // a double of epoch ns: good to ~256 ns here
      assert.ok(Math.abs(Number(r.point_ns!) - expectPoint) < 600, `point ${r.point_ns} vs ${expectPoint}`);
      const corr = Number(r.point_ns! - local) - (0.001 + 2e-5 * dt) * 1e9;
      assert.ok(Math.abs(corr) <= 1, `the correction is exact to rounding: off by ${corr} ns`);
      const hw = 3 * Math.sqrt(1e-5 ** 2 + (1e-6 * dt) ** 2) * 1e9;
      assert.ok(Math.abs(Number(r.hi_ns! - r.point_ns!) - hw) <= 1, `half-width ${r.hi_ns! - r.point_ns!} vs ${hw}`);
      assert.deepEqual(src.details(), ['cpu_model', '0.95']);

      await w.set({ drift_rate: 0, drift_unc_s: 0, prediction_age_s: 0, valid_for_s: -1 });
      await w.publish();
      assert.equal(src.read(clock.nowNs()).status, 'stale', 'past valid_until');
      assert.deepEqual(src.details(), [null, null]);
      await w.set({ flags: ALL & ~F.VALID, valid_for_s: 60 });
      await w.publish();
      assert.equal(src.read(clock.nowNs()).status, 'unsynced', 'VALID cleared');

      // Hot-path rate: 200 000 readings in a row; the writer publishes back to back meanwhile.
      await w.set({ flags: ALL, source: S.FUSION, confidence: 0.9 });
      await w.publish();
      const n = 200_000;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) src.read(clock.nowNs());
      const perRead = Number(process.hrtime.bigint() - t0) / n;
      t.diagnostic(`hot-path read: ${perRead.toFixed(0)} ns per reading (idle segment, incl. clock.nowNs)`);
      assert.ok(perRead < 20_000, `${perRead} ns per reading`);

      // A writer that publishes back to back: reads overlap writes. Each publication's offset is
      // seq µs and its uncertainty seq/10 µs; a reading mixing two publications breaks that ratio.
      let seen = new Set<bigint>();
      let mixed = 0;
      let readings = 0;
      const deadline = Date.now() + 15_000;
      let rounds = 0;
      let writes = 0;
      while (Date.now() < deadline && (seen.size < 20 || src.summary().read_retries === 0)) {
        rounds++;
        const hammer = w.cmd({ op: 'hammer', ms: 300 });
        await sleep(20);
        const end = process.hrtime.bigint() + 250_000_000n;
        seen = new Set<bigint>();
        while (process.hrtime.bigint() < end) {
          const l = clock.nowNs();
          const x = src.read(l);
          if (x.point_ns === null) continue;
          readings++;
          const off = x.point_ns - l;
          seen.add(off);
          // ceil(3 · seq/10 µs) may round up by 1 ns
          const d = x.hi_ns! - x.point_ns! - (off * 3n) / 10n;
          if (off % 1000n !== 0n || d < 0n || d > 1n) mixed++;
        }
        writes += Number((await hammer).split(' ')[1]);
      }
      const sum = src.summary();
      t.diagnostic(
        `back-to-back writer: ${rounds} round(s) of 300 ms, ${writes} publications, ${seen.size} seen in the last round, ` +
          `${String(sum.read_retries)} attempts retried, ` +
          `${String(sum.torn_reads)} reads held the previous copy, ${mixed} of ${readings} readings mixed two publications`,
      );
      assert.ok(seen.size >= 20, `reads see the writer's publications as they happen (${seen.size} distinct)`);
      assert.ok((sum.read_retries as number) > 0, 'a sequence number that changed during a read is retried');
      assert.equal(fs.calls(), 0, 'no file system call on the hot path');
      assert.equal(src.summary().polls, 1, 'and no timer tick: every value came through the mapping');
    } finally {
      fs.restore();
    }
  } finally {
    await src.stop();
    await w.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('chronotick shm: a removed segment is absent; a re-created one (new inode) is mapped again', async () => {
  const dir = tmpDir('chronotick-shm-');
  const seg = path.join(dir, 'chronotick_shm');
  const clock = new HostClock();
  const rows: SyncRow[] = [];
  const src = new ChronoTickShmSource({ path: seg, clock, pollMs: 50, sink: (r) => rows.push(r) });
  let w = await startChronoTickWriter(seg);
  try {
    await w.set({ flags: ALL, offset_s: 0.001, offset_unc_s: 1e-4, source: S.NTP, confidence: 0.7 });
    await w.publish();
    await src.start();
    assert.equal(src.read(clock.nowNs()).status, 'ok');
    await w.cmd({ op: 'remove' });
    await w.close();
    await sleep(200);
    assert.equal(src.read(clock.nowNs()).status, 'absent');
    assert.match(String(rows[rows.length - 1]!.reason), /no ChronoTick segment at .*is the ChronoTick daemon running/);

    w = await startChronoTickWriter(seg);
    await w.set({ flags: ALL, offset_s: 0.004, offset_unc_s: 1e-4, source: S.GPU_MODEL, confidence: 0.8 });
    await w.publish();
    await sleep(200);
    const local = clock.nowNs();
    const r = src.read(local);
    assert.equal(r.status, 'ok');
    assert.equal(r.point_ns, local + 4_000_000n);
    assert.deepEqual(src.details(), ['gpu_model', '0.8']);
    assert.equal(src.summary().maps, 2);
    const ok = rows.filter((x) => x.status === 'ok');
    assert.match(String(ok[ok.length - 1]!.reason), /ChronoTick: gpu_model, confidence 0\.8, seq 1/);
    assert.equal(ok[ok.length - 1]!.offset_ns, 4_000_000);

    // A sequence number that changes under every read: after 3 attempts the previous consistent
    // copy is used (its value, not a mixed one), and the next sync row says how often.
    const n = rows.length;
    const deadline = Date.now() + 15_000;
    while (src.summary().torn_reads === 0 && Date.now() < deadline) {
      const spin = w.cmd({ op: 'spin', ms: 300 });
      await sleep(30);
      const end = process.hrtime.bigint() + 200_000_000n;
      while (process.hrtime.bigint() < end) {
        const l = clock.nowNs();
        const x = src.read(l);
        assert.equal(x.point_ns, l + 4_000_000n, 'a held copy is the last consistent publication');
      }
      await spin;
    }
    const torn = src.summary().torn_reads as number;
    assert.ok(torn > 0, 'reads whose every attempt saw a change');
    await sleep(300);
    const held = rows
      .slice(n)
      .find((x) => /read\(s\) saw the segment change in all 3 attempts: the previous publication was used/.test(String(x.reason)));
    assert.ok(held, `a sync row reports the held reads: ${JSON.stringify(rows.slice(n).map((x) => x.reason))}`);
    assert.equal(held.status, 'ok');
  } finally {
    await src.stop();
    await w.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('chronotick shm without the addon: the segment is read on the timer, and the reason says so', async () => {
  const dir = tmpDir('chronotick-shm-');
  const seg = path.join(dir, 'chronotick_shm');
  const w = await startChronoTickWriter(seg);
  const before = process.env[NO_NATIVE_ENV];
  process.env[NO_NATIVE_ENV] = '1';
  const clock = new HostClock();
  const rows: SyncRow[] = [];
  const src = new ChronoTickShmSource({ path: seg, clock, pollMs: 100, sink: (r) => rows.push(r) });
  if (before === undefined) delete process.env[NO_NATIVE_ENV];
  else process.env[NO_NATIVE_ENV] = before;
  try {
    await w.set({ flags: ALL, offset_s: 0.001, offset_unc_s: 1e-4, source: S.NTP, confidence: 0.5 });
    await w.publish();
    await src.start();
    assert.equal(src.access.mapped, false);
    assert.equal(src.read(clock.nowNs()).status, 'ok');
    assert.match(String(rows[0]!.reason), /segment read every poll, not mapped: .*CHRONOEVAL_NO_NATIVE/);
    await w.set({ offset_s: 0.003 });
    await w.publish();
    // The copy changes only on a poll: the next tick brings the new publication.
    const deadline = Date.now() + 2000;
    let local = clock.nowNs();
    while (src.read(local).point_ns !== local + 3_000_000n && Date.now() < deadline) {
      await sleep(20);
      local = clock.nowNs();
    }
    assert.equal(src.read(local).point_ns, local + 3_000_000n);
  } finally {
    await src.stop();
    await w.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
