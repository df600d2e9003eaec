// chronotick source, shared-memory mode: reads the ChronoTick daemon's segment
// (/dev/shm/chronotick_shm, layout in chronotick-segment.ts). The segment is mapped once (the
// udp_stamp addon's mapShared: read-only, MAP_SHARED), so every hot-path read sees the daemon's
// latest publication with no system call. Without the addon the segment is read with readSync on
// the source's own timer instead (readings then lag by up to one poll; the reason says so).
// The timer also re-maps when the daemon re-creates the segment (it unlinks and creates it at
// start) and writes one sync row per poll with the status and its reason.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { Reading } from '../types.js';
import { EMPTY_READING } from '../types.js';
import { loadUdpStampAddon } from '../../net/udp-stamp-addon.js';
import { PolledSource, type PolledSourceOptions, type StatusReason } from './polled-source.js';
import { CHRONOTICK_DETAIL_COLUMNS } from '../../files/columns.js';
import {
  CT_DEFAULT_PATH,
  CT_READ_ATTEMPTS,
  CT_SEGMENT_BYTES,
  SegmentReader,
  chronotickReading,
  snapshotStatus,
  type ChronoTickSnapshot,
} from './chronotick-segment.js';

/** No staleAfterMs: the segment carries its own valid_until. */
export interface ChronoTickShmOptions extends Omit<PolledSourceOptions, 'staleAfterMs'> {
  /** Segment file (default /dev/shm/chronotick_shm). */
  path?: string;
  /** Interval half-width = k · uncertainty (default 3). */
  k?: number;
}

/** The segment as the hot path sees it: mapped (live) or a copy the timer refreshes. */
interface Segment {
  reader: SegmentReader;
  /** The file it came from (a new inode means the daemon re-created the segment). */
  dev: number;
  ino: number;
  /** The timer's copy in read mode (null when mapped). */
  copy: Uint8Array | null;
}

export class ChronoTickShmSource extends PolledSource<Segment, ChronoTickShmOptions> {
  readonly path: string;
  /** 'mapped' or why the segment is read on the timer instead. */
  readonly access: { mapped: true } | { mapped: false; why: string };
  private readonly k: number;
  private readonly mapShared: ((path: string, length: number) => ArrayBuffer) | null;
  /** The snapshot behind the latest read() with a value (for ct_source / ct_confidence), else null. */
  private lastStamp: ChronoTickSnapshot | null = null;
  private tornReported = 0;
  private maps = 0;

  constructor(opts: ChronoTickShmOptions) {
    const k = opts.k ?? 3;
    if (!(Number.isFinite(k) && k > 0)) throw new Error(`chronotick source: k must be > 0, got ${String(opts.k)}`);
    super(opts, {
      kind: 'chronotick',
      warmup: { minSamples: 3, minSpanMs: 1000, maxSpreadNs: 10_000_000, maxDriftErrPpm: 1000 },
      agesOut: false,
    });
    this.path = opts.path ?? CT_DEFAULT_PATH;
    this.k = k;
    const a = loadUdpStampAddon();
    if ('addon' in a && typeof a.addon.mapShared === 'function') {
      const addon = a.addon;
      this.mapShared = (p, n) => addon.mapShared!(p, n);
      this.access = { mapped: true };
    } else {
      this.mapShared = null;
      const why = 'error' in a ? a.error : 'the udp_stamp addon has no mapShared (rebuild it with "npm run build")';
      this.access = { mapped: false, why: `segment read every poll, not mapped: ${why}` };
      opts.logger?.warn(`chronotick source: ${this.access.why}`);
    }
  }

  override read(localNs: bigint, monoNs?: bigint): Reading {
    this.lastStamp = null;
    return super.read(localNs, monoNs);
  }

  readonly detailColumns = CHRONOTICK_DETAIL_COLUMNS;
  /** ct_source and ct_confidence of the latest read(): empty when it had no value. */
  details(): [string | null, string | null] {
    const s = this.lastStamp;
    return s ? [s.source, s.confidenceText] : [null, null];
  }

  protected readModel(seg: Segment, localNs: bigint, mono: bigint): Reading {
    const snap = seg.reader.read();
    if (!snap) return EMPTY_READING('warming');
    const r = chronotickReading(snap, localNs + this.frame.hostMinusLocalNs(mono), this.k);
    if (r.point_ns !== null) this.lastStamp = snap;
    return r;
  }

  protected override modelProblem(seg: Segment): string | null {
    const snap = seg.reader.read();
    if (!snap) return 'ChronoTick segment: no consistent copy read yet';
    const st = snapshotStatus(snap);
    return st.status === 'ok' ? null : st.reason;
  }

  summary(): Record<string, unknown> {
    const seg = this.model;
    const snap = seg?.reader.read() ?? null;
    const st = snap ? snapshotStatus(snap) : null;
    return {
      path: this.path,
      mode: 'shm',
      access: this.access.mapped ? 'mapped' : 'read every poll',
      polls: this.polls,
      maps: this.maps,
      torn_reads: seg?.reader.torn ?? 0,
      read_retries: seg?.reader.retries ?? 0,
      status: this.failure?.status ?? st?.status ?? 'warming',
      reason: this.failure?.reason ?? st?.reason ?? null,
      k: this.k,
      sequence: snap?.sequence ?? null,
      ct_source: snap?.source ?? null,
      confidence: snap?.confidence ?? null,
      offset_ns: snap ? Math.round(snap.offsetS * 1e9) : null,
      offset_uncertainty_ns: snap ? Math.round(snap.offsetUncS * 1e9) : null,
    };
  }

  protected poll(): Promise<void> {
    const local = this.opts.clock.nowNs();
    const row = this.newRow(local, this.path);
    let failure: StatusReason | null = null;
    try {
      this.refresh();
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      failure =
        err.code === 'ENOENT'
          ? { status: 'absent', reason: `no ChronoTick segment at ${this.path} (is the ChronoTick daemon running?)` }
          : { status: 'error', reason: `cannot read ${this.path}: ${err.message}` };
    }
    if (failure) {
      // A segment that is gone must not keep answering from an old mapping.
      this.model = null;
      this.fail(row, failure);
      return Promise.resolve();
    }
    this.failure = null;
    const seg = this.model!;
    const r = this.read(local);
    const snap = seg.reader.read();
    const parts = [snap ? snapshotStatus(snap).reason : 'ChronoTick segment: no consistent copy yet'];
    if (snap && r.status === 'stale') parts.push('valid_until has passed');
    const torn = seg.reader.torn - this.tornReported;
    this.tornReported = seg.reader.torn;
    if (torn > 0)
      parts.push(`${torn} read(s) saw the segment change in all ${CT_READ_ATTEMPTS} attempts: the previous publication was used`);
    if (!this.access.mapped) parts.push(this.access.why);
    if (snap) Object.assign(row, { offset_ns: Math.round(snap.offsetS * 1e9), drift_ppm: snap.driftRate * 1e6 });
    row.accepted = r.point_ns !== null ? 1 : 0;
    if (r.point_ns !== null) this.detector.add(this.sinceFirstPoll(local), Number(r.point_ns - local));
    else this.detector.reset(parts[0]!);
    this.emitRow(row, r, parts.join('; '));
    return Promise.resolve();
  }

  /** Map (or re-map, or in read mode re-read) the segment; throws with err.code when it cannot. */
  private refresh(): void {
    const st = statSync(this.path);
    let seg = this.model;
    if (!seg || seg.dev !== st.dev || seg.ino !== st.ino) {
      if (st.size < CT_SEGMENT_BYTES)
        throw Object.assign(new Error(`${this.path} is ${st.size} bytes, a ChronoTick segment has ${CT_SEGMENT_BYTES}`), {
          code: 'ESHORT',
        });
      if (this.mapShared) {
        const live = new Uint8Array(this.mapShared(this.path, CT_SEGMENT_BYTES));
        seg = { reader: new SegmentReader(live), dev: st.dev, ino: st.ino, copy: null };
      } else {
        const copy = new Uint8Array(CT_SEGMENT_BYTES);
        seg = { reader: new SegmentReader(copy), dev: st.dev, ino: st.ino, copy };
      }
      this.maps++;
      this.tornReported = 0;
      this.model = seg;
    }
    if (seg.copy && !readConsistentCopy(this.path, seg.copy)) seg.reader.torn++;
  }
}

/**
 * Read mode: two reads of the file must agree byte for byte (up to CT_READ_ATTEMPTS tries) before
 * the hot path's copy is replaced; otherwise the copy keeps the previous publication (false).
 */
function readConsistentCopy(path: string, into: Uint8Array): boolean {
  const a = new Uint8Array(CT_SEGMENT_BYTES);
  const b = new Uint8Array(CT_SEGMENT_BYTES);
  const fd = openSync(path, 'r');
  try {
    for (let i = 0; i < CT_READ_ATTEMPTS; i++) {
      const na = readSync(fd, a, 0, CT_SEGMENT_BYTES, 0);
      const nb = readSync(fd, b, 0, CT_SEGMENT_BYTES, 0);
      if (na !== CT_SEGMENT_BYTES || nb !== CT_SEGMENT_BYTES)
        throw Object.assign(new Error(`${path}: short read (${Math.min(na, nb)} of ${CT_SEGMENT_BYTES} bytes)`), { code: 'ESHORT' });
      if (Buffer.compare(a, b) === 0) {
        into.set(a);
        return true;
      }
    }
    return false;
  } finally {
    closeSync(fd);
  }
}
