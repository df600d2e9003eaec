// The clockbound source against a segment file written in ClockBound's documented layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  ClockBoundSource,
  encodeClockBoundSegment,
  parseClockBoundSegment,
  type ClockBoundSegment,
} from '../../src/clock/sources/clockbound.js';
import { HostClock } from '../../src/clock/host-clock.js';
import type { SyncRow } from '../../src/clock/types.js';
import { tmpDir } from '../support/helpers.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function segment(over: Partial<ClockBoundSegment> = {}): Omit<ClockBoundSegment, 'segmentSize'> {
  const now = process.hrtime.bigint();
  return {
    version: 2,
    generation: 2,
    asOfMonoNs: now,
    voidAfterMonoNs: now + 10_000_000_000n,
    boundNs: 1_000_000n,
    maxDriftPpb: 50_000,
    clockStatus: 'synchronized',
    disruptionMarker: 0n,
    ...over,
  };
}

test('clockbound: layout round-trips for versions 1 and 2, both byte orders; bad input says why', () => {
  for (const version of [1, 2]) {
    for (const endian of ['LE', 'BE'] as const) {
      const s = segment({ version, disruptionMarker: version === 2 ? 7n : null });
      const p = parseClockBoundSegment(encodeClockBoundSegment(s, endian), endian);
      assert.notEqual(p, 'busy');
      const q = p as ClockBoundSegment;
      assert.equal(q.asOfMonoNs, s.asOfMonoNs);
      assert.equal(q.voidAfterMonoNs, s.voidAfterMonoNs);
      assert.equal(q.boundNs, 1_000_000n);
      assert.equal(q.maxDriftPpb, 50_000);
      assert.equal(q.clockStatus, 'synchronized');
      assert.equal(q.disruptionMarker, s.disruptionMarker);
    }
  }
  const buf = encodeClockBoundSegment(segment());
  assert.equal(buf.length, 80);
  assert.throws(() => parseClockBoundSegment(Buffer.alloc(80)), /bad magic/);
  assert.throws(() => parseClockBoundSegment(buf.subarray(0, 40)), /truncated/);
  const v9 = Buffer.from(buf);
  v9.writeUInt16LE(9, 12);
  assert.throws(() => parseClockBoundSegment(v9, 'LE'), /unsupported ClockBound segment version 9/);
  assert.equal(parseClockBoundSegment(encodeClockBoundSegment(segment({ generation: 3 }))), 'busy');
});

test('clockbound: reads a segment file on its timer: ok, bound growth, busy, free running, void, absent', async () => {
  const dir = tmpDir('clockbound-');
  const file = path.join(dir, 'shm0');
  const clock = new HostClock();
  const rows: SyncRow[] = [];
  const src = new ClockBoundSource({ clock, path: file, pollMs: 50, sink: (r) => rows.push(r) });
  try {
    // No segment yet → absent, with the reason.
    await src.start();
    assert.equal(src.read(clock.nowNs()).status, 'absent');
    assert.match(String(rows[0]!.reason), /no ClockBound segment at .*shm0/);
    assert.equal(rows[0]!.point_ns, null);

    // A segment computed 2 s ago: bound 1 ms + 50 ppm × 2 s = 1.1 ms.
    writeFileSync(file, encodeClockBoundSegment(segment({ asOfMonoNs: process.hrtime.bigint() - 2_000_000_000n })));
    await sleep(150);
    const local = clock.nowNs();
    const r = src.read(local);
    assert.equal(r.status, 'ok');
    const hw = (r.hi_ns! - r.lo_ns!) / 2n;
    assert.ok(hw >= 1_100_000n && hw < 1_110_000n, `half-width ${hw} ns`);
    assert.equal(r.point_ns, local, 'real host clock: point is the clock reading');

    // A writer mid-update (odd generation): the last good copy stays.
    writeFileSync(file, encodeClockBoundSegment(segment({ generation: 5, boundNs: 999_000_000n })));
    await sleep(150);
    assert.equal(src.read(clock.nowNs()).status, 'ok');
    assert.ok(src.read(clock.nowNs()).hi_ns! - clock.nowNs() < 10_000_000n);

    writeFileSync(file, encodeClockBoundSegment(segment({ clockStatus: 'free_running' })));
    await sleep(150);
    assert.equal(src.read(clock.nowNs()).status, 'degraded');

    writeFileSync(file, encodeClockBoundSegment(segment({ clockStatus: 'disrupted' })));
    await sleep(150);
    assert.deepEqual(src.read(clock.nowNs()), { point_ns: null, lo_ns: null, hi_ns: null, status: 'error' });

    const now = process.hrtime.bigint();
    writeFileSync(file, encodeClockBoundSegment(segment({ asOfMonoNs: now - 5_000_000_000n, voidAfterMonoNs: now - 1n })));
    await sleep(150);
    assert.equal(src.read(clock.nowNs()).status, 'stale');

    writeFileSync(file, 'not a segment at all, just text............................................');
    await sleep(150);
    assert.equal(src.read(clock.nowNs()).status, 'error');
    assert.match(String(rows[rows.length - 1]!.reason), /bad magic/);

    rmSync(file);
    await sleep(150);
    assert.equal(src.read(clock.nowNs()).status, 'absent');
  } finally {
    await src.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
