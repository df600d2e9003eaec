// ChronoTick's shared-memory segment (upstream JaimeCernuda/ChronoTick clients/python/shm_config.py):
// 128 bytes, Python struct format 'dddddddd' 'f' 'IIII' 'd' 'd' 'II' 'f' '12s' with no prefix, so
// native byte order AND native alignment. The offsets below are that format's (struct.calcsize of
// each prefix on x86-64 and aarch64), not the upstream comments': those are wrong from
// last_ntp_sync on, because a double after byte 84 is aligned to 88.
// Pure functions: the layout, parsing a consistent copy, the sequence-number check, and the
// daemon's own rule for the corrected time and its uncertainty at an instant.
import os from 'node:os';
import type { Reading, SourceStatus } from '../types.js';
import { EMPTY_READING } from '../types.js';
import { ceilNs } from './source-util.js';

export const CT_SEGMENT_BYTES = 128;
export const CT_DEFAULT_PATH = '/dev/shm/chronotick_shm';

/** Byte offset of each field (native alignment). */
export const CT_OFFSET = {
  correctedTimestamp: 0,
  systemTimestamp: 8,
  offsetCorrection: 16,
  driftRate: 24,
  offsetUncertainty: 32,
  driftUncertainty: 40,
  predictionTime: 48,
  validUntil: 56,
  confidence: 64,
  sequence: 68,
  flags: 72,
  source: 76,
  measurementCount: 80,
  lastNtpSync: 88,
  daemonUptime: 96,
  totalCorrections: 104,
  reserved: 108,
  averageLatencyMs: 112,
} as const;

/** StatusFlags bits. */
export const CT_FLAG = { VALID: 0x01, NTP_READY: 0x02, MODELS_READY: 0x04, WARMUP_COMPLETE: 0x08 } as const;

/** CorrectionSource values, named as the upstream client names them (enum name, lower case). */
export const CT_SOURCE_NAMES = ['no_data', 'ntp', 'cpu_model', 'gpu_model', 'fusion'] as const;

export interface ChronoTickSnapshot {
  sequence: number;
  flags: number;
  /** CorrectionSource's name, or `source_<n>` for a value the upstream enum does not have. */
  source: string;
  /** float32 as the daemon wrote it, printed with the fewest digits that read back to it. */
  confidence: number;
  confidenceText: string;
  /** Seconds and seconds/second, as published. */
  offsetS: number;
  driftRate: number;
  offsetUncS: number;
  driftUncS: number;
  /** prediction_time and valid_until (Unix seconds, the daemon's time.time() frame) in ns. */
  predictionNs: bigint | null;
  validUntilNs: bigint | null;
  measurementCount: number;
  /** Why the published numbers cannot give a reading (non-finite, negative uncertainty), or null. */
  problem: string | null;
}

const LE = os.endianness() === 'LE';

/**
 * Unix seconds held in a double → integer ns, exactly to the nearest ns of the double's value:
 * the whole seconds are split off first (exact for a double ≥ 1), so the product never sees the
 * full epoch count (1.8e18 ns as a double is only good to 256 ns).
 */
export function secondsToNs(s: number): bigint {
  const whole = Math.floor(s);
  return BigInt(whole) * 1_000_000_000n + BigInt(Math.round((s - whole) * 1e9));
}

/** Shortest decimal text that reads back to the same float32 (0.95, not 0.949999988079071). */
export function float32Text(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  for (let p = 1; p <= 9; p++) {
    const t = x.toPrecision(p);
    if (Math.fround(Number(t)) === x) return String(Number(t));
  }
  return String(x);
}

/** Parse one consistent copy of the segment (`bytes`: at least 128). */
export function parseSegment(bytes: Uint8Array, littleEndian = LE): ChronoTickSnapshot {
  const v = new DataView(bytes.buffer, bytes.byteOffset, CT_SEGMENT_BYTES);
  const f64 = (o: number): number => v.getFloat64(o, littleEndian);
  const u32 = (o: number): number => v.getUint32(o, littleEndian);
  const o = CT_OFFSET;
  const sourceCode = u32(o.source);
  const confidence = v.getFloat32(o.confidence, littleEndian);
  const s: ChronoTickSnapshot = {
    sequence: u32(o.sequence),
    flags: u32(o.flags),
    source: CT_SOURCE_NAMES[sourceCode] ?? `source_${sourceCode}`,
    confidence,
    confidenceText: float32Text(confidence),
    offsetS: f64(o.offsetCorrection),
    driftRate: f64(o.driftRate),
    offsetUncS: f64(o.offsetUncertainty),
    driftUncS: f64(o.driftUncertainty),
    predictionNs: null,
    validUntilNs: null,
    measurementCount: u32(o.measurementCount),
    problem: null,
  };
  const pred = f64(o.predictionTime);
  const until = f64(o.validUntil);
  const finite: Array<[string, number]> = [
    ['offset_correction', s.offsetS],
    ['drift_rate', s.driftRate],
    ['offset_uncertainty', s.offsetUncS],
    ['drift_uncertainty', s.driftUncS],
    ['prediction_time', pred],
    ['valid_until', until],
  ];
  const bad = finite.find(([, x]) => !Number.isFinite(x));
  if (bad) s.problem = `${bad[0]} is not a finite number (${bad[1]})`;
  else if (s.offsetUncS < 0 || s.driftUncS < 0) s.problem = `negative uncertainty (offset ${s.offsetUncS} s, drift ${s.driftUncS} s/s)`;
  else {
    s.predictionNs = secondsToNs(pred);
    s.validUntilNs = secondsToNs(until);
  }
  return s;
}

/** Flags as names, for reasons: 0x7 → "VALID|NTP_READY|MODELS_READY". */
export function flagNames(flags: number): string {
  const names = Object.entries(CT_FLAG)
    .filter(([, bit]) => (flags & bit) !== 0)
    .map(([n]) => n);
  return `0x${flags.toString(16)}${names.length ? ` (${names.join('|')})` : ''}`;
}

/** What a snapshot's flags say, before any instant is involved. */
export function snapshotStatus(s: ChronoTickSnapshot): { status: SourceStatus; reason: string } {
  if (!(s.flags & CT_FLAG.VALID)) return { status: 'unsynced', reason: `ChronoTick: VALID not set (flags ${flagNames(s.flags)})` };
  if (!(s.flags & CT_FLAG.WARMUP_COMPLETE))
    return { status: 'warming', reason: `ChronoTick: warming up, WARMUP_COMPLETE not set (flags ${flagNames(s.flags)})` };
  if (s.problem) return { status: 'error', reason: `ChronoTick segment: ${s.problem}` };
  return { status: 'ok', reason: `ChronoTick: ${s.source}, confidence ${s.confidenceText}, seq ${s.sequence}` };
}

/**
 * The daemon's rule at host instant T (ns, the daemon's time.time() frame), with Δ = T − prediction_time:
 *   corrected = T + offset + drift·Δ,   uncertainty = √(offset_unc² + (drift_unc·Δ)²),
 *   interval = corrected ± k·uncertainty.
 * T stays an exact bigint; only the small terms (offset, drift·Δ, the uncertainty) are doubles, so
 * the result is exact to rounding (≤ 1 ns) whatever the epoch. No VALID → unsynced; no
 * WARMUP_COMPLETE → warming; T past valid_until → stale.
 */
export function chronotickReading(s: ChronoTickSnapshot, hostNs: bigint, k: number): Reading {
  const st = snapshotStatus(s);
  if (st.status !== 'ok') return EMPTY_READING(st.status);
  if (hostNs > s.validUntilNs!) return EMPTY_READING('stale');
  const dtS = Number(hostNs - s.predictionNs!) / 1e9;
  const point = hostNs + BigInt(Math.round((s.offsetS + s.driftRate * dtS) * 1e9));
  const hw = ceilNs(k * Math.hypot(s.offsetUncS, s.driftUncS * dtS) * 1e9);
  return { point_ns: point, lo_ns: point - hw, hi_ns: point + hw, status: 'ok' };
}

/** How many times a read is tried before the previous consistent copy is kept (upstream's max_retries). */
export const CT_READ_ATTEMPTS = 3;

/**
 * The reader's side of the upstream protocol: read the sequence number, copy the segment, read the
 * sequence again; equal → a consistent copy, else retry (at most CT_READ_ATTEMPTS times). Stricter
 * than upstream in one point: the bytes are copied twice and must match, so a write in progress
 * that does not touch the sequence during the copy is caught too. After the last failed attempt
 * the previous consistent copy is kept (`torn` counts those). No allocation unless the content
 * changed (then one parse). The upstream writer has no "write in progress" marker (its sequence is
 * a plain counter), so a writer stopped half-way through a write is not detectable by any reader.
 */
export class SegmentReader {
  private readonly a = new Uint8Array(CT_SEGMENT_BYTES);
  private readonly b = new Uint8Array(CT_SEGMENT_BYTES);
  private readonly a32 = new Uint32Array(this.a.buffer);
  private readonly b32 = new Uint32Array(this.b.buffer);
  private readonly kept32 = new Uint32Array(CT_SEGMENT_BYTES / 4);
  private kept: ChronoTickSnapshot | null = null;
  /** Attempts that saw the segment change while copying. */
  retries = 0;
  /** Reads whose every attempt saw a change: the previous copy was used. */
  torn = 0;
  /** Whether the latest read() returned a held copy. */
  lastHeld = false;
  private readonly live: Uint8Array;

  /** `seq`: reads the live sequence number (a hook so the retry logic can be tested deterministically). */
  constructor(
    live: Uint8Array,
    private readonly seq: () => number = liveSequence(live),
  ) {
    if (live.byteLength < CT_SEGMENT_BYTES)
      throw new Error(`ChronoTick segment view is ${live.byteLength} bytes, need ${CT_SEGMENT_BYTES}`);
    this.live = live.subarray(0, CT_SEGMENT_BYTES);
  }

  /** The latest consistent snapshot (null before the first). Hot path: no I/O. */
  read(): ChronoTickSnapshot | null {
    for (let i = 0; i < CT_READ_ATTEMPTS; i++) {
      const s1 = this.seq();
      this.a.set(this.live);
      this.b.set(this.live);
      const s2 = this.seq();
      if (s1 !== s2 || !same(this.a32, this.b32) || this.a32[CT_OFFSET.sequence / 4] !== s1) {
        this.retries++;
        continue;
      }
      this.lastHeld = false;
      if (this.kept && same(this.a32, this.kept32)) return this.kept;
      this.kept32.set(this.a32);
      this.kept = parseSegment(this.a);
      return this.kept;
    }
    this.torn++;
    this.lastHeld = true;
    return this.kept;
  }
}

function liveSequence(live: Uint8Array): () => number {
  const v = new DataView(live.buffer, live.byteOffset, CT_SEGMENT_BYTES);
  return () => v.getUint32(CT_OFFSET.sequence, LE);
}

function same(x: Uint32Array, y: Uint32Array): boolean {
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
