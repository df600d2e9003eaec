// clockbound source: reads the AWS ClockBound daemon's shared-memory segment (protocol versions
// 1 and 2, as documented in clock-bound's docs/PROTOCOL.md) on its own timer. The segment gives
// a bound on CLOCK_REALTIME's error as of a CLOCK_MONOTONIC instant and a maximum drift; a reading
// at a later instant widens the bound by max drift × elapsed, as ClockBound's client does.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { Reading } from '../types.js';
import { EMPTY_READING } from '../types.js';
import { PolledSource, withContext, type PolledSourceContext, type PolledSourceOptions, type StatusReason } from './polled-source.js';

export const CLOCKBOUND_DEFAULT_PATH = '/var/run/clockbound/shm0';
/** "AMZNCB" + 0x02 0x00. */
export const CLOCKBOUND_MAGIC = Buffer.from([0x41, 0x4d, 0x5a, 0x4e, 0x43, 0x42, 0x02, 0x00]);

export type ClockBoundClockStatus = 'unknown' | 'synchronized' | 'free_running' | 'disrupted';
const CLOCK_STATUS: Record<number, ClockBoundClockStatus> = { 0: 'unknown', 1: 'synchronized', 2: 'free_running', 3: 'disrupted' };

export interface ClockBoundSegment {
  version: number;
  generation: number;
  segmentSize: number;
  /** CLOCK_MONOTONIC(_COARSE) instant the bound was computed at, ns. */
  asOfMonoNs: bigint;
  /** CLOCK_MONOTONIC instant after which the bound must not be trusted, ns. */
  voidAfterMonoNs: bigint;
  /** Bound on |CLOCK_REALTIME − true time| at asOf, ns. */
  boundNs: bigint;
  maxDriftPpb: number;
  clockStatus: ClockBoundClockStatus;
  disruptionMarker: bigint | null;
}

/** Parse a segment; throws an error saying what is wrong. `busy` when the writer is mid-update. */
export function parseClockBoundSegment(buf: Buffer, endian: 'LE' | 'BE' = os.endianness()): ClockBoundSegment | 'busy' {
  if (buf.length < 16) throw new Error(`ClockBound segment too short (${buf.length} bytes)`);
  if (!buf.subarray(0, 8).equals(CLOCKBOUND_MAGIC)) throw new Error('not a ClockBound segment (bad magic number)');
  const le = endian === 'LE';
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const u16 = (o: number): number => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const i32 = (o: number): number => (le ? buf.readInt32LE(o) : buf.readInt32BE(o));
  const i64 = (o: number): bigint => (le ? buf.readBigInt64LE(o) : buf.readBigInt64BE(o));
  const u64 = (o: number): bigint => (le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o));
  const segmentSize = u32(8);
  const version = u16(12);
  const generation = u16(14);
  if (generation % 2 === 1) return 'busy';
  const need = version === 2 ? 73 : version === 1 ? 68 : -1;
  if (need < 0) throw new Error(`unsupported ClockBound segment version ${version} (supported: 1, 2)`);
  if (buf.length < need || segmentSize < need)
    throw new Error(`ClockBound v${version} segment truncated (${buf.length} bytes, header says ${segmentSize})`);
  const ts = (o: number): bigint => i64(o) * 1_000_000_000n + i64(o + 8);
  const asOfMonoNs = ts(16);
  const voidAfterMonoNs = ts(32);
  const boundNs = i64(48);
  let maxDriftPpb: number;
  let statusCode: number;
  let disruptionMarker: bigint | null = null;
  if (version === 2) {
    disruptionMarker = u64(56);
    maxDriftPpb = u32(64);
    statusCode = i32(68);
  } else {
    maxDriftPpb = u32(56);
    statusCode = i32(64);
  }
  const clockStatus = CLOCK_STATUS[statusCode];
  if (!clockStatus) throw new Error(`ClockBound segment: unknown clock status ${statusCode}`);
  if (boundNs < 0n) throw new Error(`ClockBound segment: negative bound ${boundNs} ns`);
  return { version, generation, segmentSize, asOfMonoNs, voidAfterMonoNs, boundNs, maxDriftPpb, clockStatus, disruptionMarker };
}

/** Write a segment in the documented layout (tests, and a stand-in writer for local demos). */
export function encodeClockBoundSegment(
  s: Omit<ClockBoundSegment, 'segmentSize'> & { disruptionSupport?: boolean },
  endian: 'LE' | 'BE' = os.endianness(),
): Buffer {
  const size = s.version === 2 ? 80 : 72;
  const buf = Buffer.alloc(size);
  const le = endian === 'LE';
  CLOCKBOUND_MAGIC.copy(buf, 0);
  const code = Number(Object.entries(CLOCK_STATUS).find(([, v]) => v === s.clockStatus)![0]);
  if (le) {
    buf.writeUInt32LE(size, 8);
    buf.writeUInt16LE(s.version, 12);
    buf.writeUInt16LE(s.generation, 14);
  } else {
    buf.writeUInt32BE(size, 8);
    buf.writeUInt16BE(s.version, 12);
    buf.writeUInt16BE(s.generation, 14);
  }
  const w64 = (v: bigint, o: number): void => {
    if (le) buf.writeBigInt64LE(v, o);
    else buf.writeBigInt64BE(v, o);
  };
  const wts = (ns: bigint, o: number): void => {
    w64(ns / 1_000_000_000n, o);
    w64(ns % 1_000_000_000n, o + 8);
  };
  wts(s.asOfMonoNs, 16);
  wts(s.voidAfterMonoNs, 32);
  w64(s.boundNs, 48);
  const w32 = (v: number, o: number, signed = false): void => {
    if (signed) {
      if (le) buf.writeInt32LE(v, o);
      else buf.writeInt32BE(v, o);
    } else if (le) buf.writeUInt32LE(v, o);
    else buf.writeUInt32BE(v, o);
  };
  if (s.version === 2) {
    if (le) buf.writeBigUInt64LE(s.disruptionMarker ?? 0n, 56);
    else buf.writeBigUInt64BE(s.disruptionMarker ?? 0n, 56);
    w32(s.maxDriftPpb, 64);
    w32(code, 68, true);
    buf.writeUInt8(s.disruptionSupport ? 1 : 0, 72);
  } else {
    w32(s.maxDriftPpb, 56);
    w32(code, 64, true);
  }
  return buf;
}

/** No staleAfterMs: the segment says itself when its bound is void. */
export interface ClockBoundSourceOptions extends Omit<PolledSourceOptions, 'staleAfterMs'> {
  /** Segment file (default /var/run/clockbound/shm0). */
  path?: string;
  /** Byte order of the segment (default: this CPU's). */
  endian?: 'LE' | 'BE';
}

export class ClockBoundSource extends PolledSource<ClockBoundSegment, ClockBoundSourceOptions> {
  readonly path: string;
  private busy = 0;

  constructor(opts: ClockBoundSourceOptions) {
    super(opts, {
      kind: 'clockbound',
      warmup: { minSamples: 3, minSpanMs: 1000, maxSpreadNs: 10_000_000, maxDriftErrPpm: 1000 },
      agesOut: false,
    });
    this.path = opts.path ?? CLOCKBOUND_DEFAULT_PATH;
  }

  protected readModel(s: ClockBoundSegment, localNs: bigint, mono: bigint): Reading {
    const st = segmentStatus(s);
    if (st.status !== 'ok' && st.status !== 'degraded') return EMPTY_READING(st.status);
    if (mono > s.voidAfterMonoNs) return EMPTY_READING('stale');
    // ClockBound's client rule: the bound grows by max drift over the time since as-of (or, for an
    // instant before as-of, such as a datagram queued while the segment was updated, until it).
    const elapsed = mono > s.asOfMonoNs ? mono - s.asOfMonoNs : s.asOfMonoNs - mono;
    const hw = s.boundNs + (elapsed * BigInt(s.maxDriftPpb) + 999_999_999n) / 1_000_000_000n;
    const host = localNs + this.frame.hostMinusLocalNs(mono);
    return { point_ns: host, lo_ns: host - hw, hi_ns: host + hw, status: st.status };
  }

  protected override modelProblem(s: ClockBoundSegment): string | null {
    const st = segmentStatus(s);
    return st.status !== 'ok' ? st.reason : null;
  }

  summary(): Record<string, unknown> {
    const s = this.model;
    return {
      path: this.path,
      reads: this.polls,
      busy_retries: this.busy,
      status: this.failure?.status ?? (s ? segmentStatus(s).status : 'warming'),
      reason: this.failure?.reason ?? (s ? segmentStatus(s).reason : null),
      version: s?.version ?? null,
      bound_ns: s ? Number(s.boundNs) : null,
      max_drift_ppb: s?.maxDriftPpb ?? null,
    };
  }

  protected async poll(): Promise<void> {
    const local = this.opts.clock.nowNs();
    const row = this.newRow(local, this.path);
    let parsed: ClockBoundSegment | 'busy';
    try {
      const buf = await readFile(this.path);
      parsed = parseClockBoundSegment(buf, this.opts.endian);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      this.fail(
        row,
        err.code === 'ENOENT'
          ? { status: 'absent', reason: `no ClockBound segment at ${this.path} (is the clockbound daemon running?)` }
          : { status: 'error', reason: err.code ? `cannot read ${this.path}: ${err.code}` : String(err.message) },
      );
      return;
    }
    if (parsed === 'busy') {
      this.busy++;
      return;
    } // writer mid-update: keep the last good copy
    this.failure = null;
    this.model = parsed;
    const st = segmentStatus(parsed);
    const r = this.read(local);
    Object.assign(row, { drift_ppm: parsed.maxDriftPpb / 1000, accepted: r.point_ns !== null ? 1 : 0 });
    const x = this.sinceFirstPoll(local);
    if (r.point_ns !== null) this.detector.add(x, Number(r.point_ns - local));
    else this.detector.reset(st.reason);
    this.emitRow(row, r, st.reason);
  }
}

/** What the daemon's clock status means for a reading. */
function segmentStatus(s: ClockBoundSegment): StatusReason {
  switch (s.clockStatus) {
    case 'synchronized':
      return { status: 'ok', reason: 'ClockBound: synchronized' };
    case 'free_running':
      return { status: 'degraded', reason: 'ClockBound: free running (bound grows with max drift)' };
    case 'disrupted':
      return { status: 'error', reason: 'ClockBound: clock disrupted, error cannot be bounded' };
    default:
      return { status: 'unsynced', reason: 'ClockBound: clock status unknown' };
  }
}

/** Registry factory: options from `--config` under `sources.clockbound`. */
export function createClockBoundSource(ctx: PolledSourceContext, options: Partial<ClockBoundSourceOptions> = {}): ClockBoundSource {
  return new ClockBoundSource(withContext(ctx, options));
}
