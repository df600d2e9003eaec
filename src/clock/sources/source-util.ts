// Small helpers shared by the interval sources (bounded, chrony, clockbound, chronotick).
import { HostClock } from '../host-clock.js';
import type { LocalClock, Reading, SyncRow, SyncSink } from '../types.js';
import type { Logger } from '../../cli/logger.js';

/** How a source is wired into a run: every interval source takes these options. */
export interface SourceWiring {
  clock: LocalClock;
  sink?: SyncSink;
  logger?: Logger;
  nodeId?: string;
  runId?: string;
  /** Source name in rows and columns (default: the kind of source). */
  name?: string;
}

/** Fields every sync row of a source starts with. */
export function syncRowBase(runId: string | undefined, nodeId: string | undefined, source: string, sampleLocalNs: bigint): SyncRow {
  return { run_id: runId ?? '', node_id: nodeId ?? '', source, sample_local_ns: sampleLocalNs };
}

/** Add a reading's values (empty when absent) and its half-width to a sync row. */
export function withReading(row: SyncRow, r: Reading, reason = ''): SyncRow {
  row.point_ns = r.point_ns;
  row.lo_ns = r.lo_ns;
  row.hi_ns = r.hi_ns;
  row.half_width_ns = r.lo_ns !== null && r.hi_ns !== null ? (r.hi_ns - r.lo_ns) / 2n : null;
  row.status = r.status;
  row.reason = reason;
  return row;
}

/** Emit a row, never letting a failing sink break sampling. */
export function emit(sink: SyncSink | undefined, row: SyncRow, logger?: Logger): void {
  if (!sink) return;
  try {
    sink(row);
  } catch (e) {
    logger?.warn('sync sink failed', { error: String(e) });
  }
}

/**
 * Daemon-based sources (chrony, clockbound, chronotick) describe the HOST clock, not the
 * process's local clock. On a real host the two are the same clock; under simulated faults the
 * local clock is host + fault, so a local instant is mapped to the host instant by the difference
 * measured now (no I/O: two clock reads). Returns host − local in ns.
 */
export class HostFrame {
  private readonly host: HostClock | null;
  constructor(private readonly clock: LocalClock) {
    this.host = clock.simulated ? new HostClock() : null;
  }
  /**
   * host − local at the monotonic instant `monoNs` (default: now). A simulated clock's frame
   * moves (steps, drift): a datagram that arrived before a step must be mapped with the
   * difference of its own instant, not of the moment it is read.
   */
  hostMinusLocalNs(monoNs?: bigint): bigint {
    if (!this.host) return 0n;
    if (monoNs !== undefined && this.clock.atMonoNs) {
      const local = this.clock.atMonoNs(monoNs);
      const behind = (this.clock as { lastTrueNs?: unknown }).lastTrueNs;
      return (typeof behind === 'bigint' ? behind : this.host.atMonoNs(monoNs)) - local;
    }
    if (this.clock.trueNowNs) return trueMinusLocalNow(this.clock);
    const local = this.clock.nowNs();
    return this.host.nowNs() - local;
  }
}

/** Truth column for sync rows: true − local at this instant, when the clock knows the truth. */
export function trueOffsetNow(clock: LocalClock): bigint | null {
  return clock.trueNowNs ? trueMinusLocalNow(clock) : null;
}

/** true − local for one instant: FaultyClock keeps the true time behind its last nowNs(). */
function trueMinusLocalNow(clock: LocalClock): bigint {
  const local = clock.nowNs();
  const behind = (clock as { lastTrueNs?: unknown }).lastTrueNs;
  return (typeof behind === 'bigint' ? behind : clock.trueNowNs!()) - local;
}

/** Ceil/floor a float ns to bigint so rounding never narrows an interval. */
export const floorNs = (x: number): bigint => BigInt(Math.floor(x));
export const ceilNs = (x: number): bigint => BigInt(Math.ceil(x));
