// ChronoTick's segment, the logic alone: the daemon's interval rule at an instant, flags →
// statuses, exact seconds → ns, the float32 confidence's text, and the reader's retry rule with a
// sequence number that changes under it (a hook, so each case is deterministic).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CT_FLAG,
  CT_OFFSET,
  CT_READ_ATTEMPTS,
  SegmentReader,
  chronotickReading,
  float32Text,
  parseSegment,
  secondsToNs,
  type ChronoTickSnapshot,
} from '../../src/clock/sources/chronotick-segment.js';

const ALL = CT_FLAG.VALID | CT_FLAG.NTP_READY | CT_FLAG.MODELS_READY | CT_FLAG.WARMUP_COMPLETE;
const T = 1_796_291_332_123_456_789n; // an instant in 2026, ns

function snap(o: Partial<ChronoTickSnapshot> = {}): ChronoTickSnapshot {
  return {
    sequence: 1,
    flags: ALL,
    source: 'fusion',
    confidence: Math.fround(0.9),
    confidenceText: '0.9',
    offsetS: 0.002,
    driftRate: 0,
    offsetUncS: 0.0001,
    driftUncS: 0,
    predictionNs: T,
    validUntilNs: T + 60_000_000_000n,
    measurementCount: 1,
    problem: null,
    ...o,
  };
}

test('interval rule: T + offset + drift·(T − prediction_time) ± k·√(offset_unc² + (drift_unc·Δ)²), exact in ns', () => {
  // At the prediction instant: offset alone, k · offset_unc.
  assert.deepEqual(chronotickReading(snap(), T, 3), {
    point_ns: T + 2_000_000n,
    lo_ns: T + 1_700_000n,
    hi_ns: T + 2_300_000n,
    status: 'ok',
  });
  // 100 s later with 10 ppm drift and 0.3 ppm drift uncertainty: 2 ms + 1 ms; √(100² + 30²) µs · 2.
  const s = snap({ driftRate: 1e-5, driftUncS: 3e-7, validUntilNs: T + 1_000_000_000_000n });
  const at = T + 100_000_000_000n;
  const r = chronotickReading(s, at, 2);
  assert.equal(r.point_ns, at + 3_000_000n);
  assert.equal(r.hi_ns! - r.point_ns!, BigInt(Math.ceil(2 * Math.sqrt(100e3 ** 2 + 30e3 ** 2))));
  assert.equal(r.point_ns! - r.lo_ns!, r.hi_ns! - r.point_ns!);
  // Before the prediction instant the drift term is negative; the uncertainty grows the same.
  const before = chronotickReading(s, T - 100_000_000_000n, 2);
  assert.equal(before.point_ns, T - 100_000_000_000n + 1_000_000n);
  assert.equal(before.hi_ns! - before.point_ns!, r.hi_ns! - r.point_ns!);
  // Odd nanoseconds survive: T is never a double.
  assert.equal(chronotickReading(snap({ offsetS: 0 }), T + 1n, 3).point_ns, T + 1n);
});

test('flags and valid_until → statuses, with no value', () => {
  const empty = (status: string) => ({ point_ns: null, lo_ns: null, hi_ns: null, status });
  assert.deepEqual(chronotickReading(snap({ flags: ALL & ~CT_FLAG.VALID }), T, 3), empty('unsynced'));
  assert.deepEqual(chronotickReading(snap({ flags: 0 }), T, 3), empty('unsynced'));
  assert.deepEqual(chronotickReading(snap({ flags: CT_FLAG.VALID | CT_FLAG.NTP_READY }), T, 3), empty('warming'));
  assert.deepEqual(chronotickReading(snap(), T + 60_000_000_001n, 3), empty('stale'));
  assert.equal(chronotickReading(snap(), T + 60_000_000_000n, 3).status, 'ok', 'valid until and including valid_until');
  assert.deepEqual(chronotickReading(snap({ problem: 'x' }), T, 3), empty('error'));
});

test('seconds (a double) → ns: the exact value of the double, to the nearest ns', () => {
  // The exact binary value, computed independently: mantissa · 2^exponent as a rational.
  const exactNs = (x: number): bigint => {
    const v = new DataView(new ArrayBuffer(8));
    v.setFloat64(0, x);
    const bits = v.getBigUint64(0);
    const e = Number((bits >> 52n) & 0x7ffn) - 1075;
    const m = (bits & ((1n << 52n) - 1n)) | (1n << 52n);
    const num = m * 1_000_000_000n;
    return e >= 0 ? num << BigInt(e) : (num + (1n << BigInt(-e - 1))) >> BigInt(-e);
  };
  for (const x of [1796291332.789664, 1764754000.5, 1796291332.1234567, 1e9 + 1 / 3, 1.5])
    assert.equal(secondsToNs(x), exactNs(x), String(x));
  // What the naive conversion would lose: x·1e9 as a double is only good to 256 ns here.
  const x = 1796291332.789664;
  assert.notEqual(BigInt(Math.round(x * 1e9)), exactNs(x));
});

test('confidence: the float32 the daemon wrote, printed with the fewest digits that read back to it', () => {
  assert.equal(float32Text(Math.fround(0.95)), '0.95');
  assert.equal(float32Text(Math.fround(0.1)), '0.1');
  assert.equal(float32Text(0), '0');
  assert.equal(float32Text(Math.fround(0.123456789)), '0.12345679');
});

test('parse: offsets from the format, unknown source values named, bad numbers are a problem', () => {
  const b = new Uint8Array(128);
  const v = new DataView(b.buffer);
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  v.setFloat64(CT_OFFSET.offsetCorrection, 0.001, le);
  v.setFloat64(CT_OFFSET.predictionTime, 1796291332.5, le);
  v.setFloat64(CT_OFFSET.validUntil, 1796291392.5, le);
  v.setFloat32(CT_OFFSET.confidence, 0.75, le);
  v.setUint32(CT_OFFSET.sequence, 7, le);
  v.setUint32(CT_OFFSET.flags, ALL, le);
  v.setUint32(CT_OFFSET.source, 9, le);
  const s = parseSegment(b);
  assert.equal(s.source, 'source_9');
  assert.equal(s.sequence, 7);
  assert.equal(s.predictionNs, 1_796_291_332_500_000_000n);
  assert.equal(s.problem, null);
  v.setFloat64(CT_OFFSET.offsetUncertainty, -1e-6, le);
  assert.match(parseSegment(b).problem!, /negative uncertainty/);
  v.setFloat64(CT_OFFSET.driftRate, NaN, le);
  assert.match(parseSegment(b).problem!, /drift_rate is not a finite number/);
});

test('reader: a sequence that changes during a copy is retried; after the last attempt the previous copy is kept', () => {
  const live = new Uint8Array(128);
  const v = new DataView(live.buffer);
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const publish = (seq: number, offset: number): void => {
    v.setUint32(CT_OFFSET.sequence, seq, le);
    v.setUint32(CT_OFFSET.flags, ALL, le);
    v.setFloat64(CT_OFFSET.offsetCorrection, offset, le);
    v.setFloat64(CT_OFFSET.validUntil, 2e9, le);
  };
  // The hook answers from a script, then from the segment.
  let script: number[] = [];
  const reader = new SegmentReader(live, () => script.shift() ?? v.getUint32(CT_OFFSET.sequence, le));

  publish(1, 0.001);
  assert.equal(reader.read()!.offsetS, 0.001);
  assert.equal(reader.retries, 0);

  // The writer moves on during the first attempt (seq 1 → 2 around the copy); the second attempt is clean.
  publish(2, 0.002);
  script = [1, 2];
  assert.equal(reader.read()!.offsetS, 0.002);
  assert.equal(reader.retries, 1);
  assert.equal(reader.torn, 0);

  // Every attempt sees a change: the previous consistent copy (seq 2) is used, and counted.
  publish(3, 0.003);
  script = [2, 3, 3, 4, 4, 5];
  const held = reader.read()!;
  assert.equal(held.sequence, 2);
  assert.equal(held.offsetS, 0.002);
  assert.equal(reader.torn, 1);
  assert.equal(reader.retries, 1 + CT_READ_ATTEMPTS);
  assert.equal(reader.lastHeld, true);
  assert.equal(reader.read()!.sequence, 3, 'the next quiet read takes the new publication');

  // A copy whose own sequence field disagrees with the sequence read around it is not consistent.
  script = [9, 9, 3, 3];
  assert.equal(reader.read()!.sequence, 3);
  assert.equal(reader.retries, 2 + CT_READ_ATTEMPTS);

  // Nothing consistent ever read: no snapshot at all, never a made-up one.
  const fresh = new SegmentReader(live, () => Math.random());
  assert.equal(fresh.read(), null);
});
