// A block of joined events in columns (one typed array per field, source and place), so that each
// metric is folded by a tight loop over many events instead of a walk through per-event objects:
// the same additions in the same order per counter, several times faster (docs/metrics.md
// §Streaming and memory). Events are copied in as they leave the join; the block is reused.
import type { JoinedEvent, ReestStamp } from './joined.js';

/** One place's stamps of one source: point, lo, hi per event (NaN = empty cell). */
export interface StampColumns {
  p: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
}

function stampColumns(n: number): StampColumns {
  return { p: new Float64Array(n), lo: new Float64Array(n), hi: new Float64Array(n) };
}

export class EventBlock {
  /** Events held (0 … capacity). */
  n = 0;
  /** Timeline bin of each event, −1 when there is none. */
  readonly bin: Int32Array;
  readonly sendLocal: Float64Array;
  readonly trueSend: Float64Array;
  /** The coordinator's stamps, by source. */
  readonly coord: StampColumns[];
  /** Per worker: 1 when it has a row for the event. */
  readonly has: Uint8Array[];
  readonly recvLocal: Float64Array[];
  readonly trueRecv: Float64Array[];
  /** Per worker, by source (undefined where the worker has no row: read only where has = 1). */
  readonly stamps: StampColumns[][];
  /** Per worker: the event's re-estimates (commit_wait rows), null when none. */
  readonly reest: (ReestStamp[] | null)[][];

  constructor(readonly capacity: number, readonly sources: number, readonly workers: number) {
    const n = capacity;
    this.bin = new Int32Array(n);
    this.sendLocal = new Float64Array(n);
    this.trueSend = new Float64Array(n);
    this.coord = Array.from({ length: sources }, () => stampColumns(n));
    this.has = Array.from({ length: workers }, () => new Uint8Array(n));
    this.recvLocal = Array.from({ length: workers }, () => new Float64Array(n));
    this.trueRecv = Array.from({ length: workers }, () => new Float64Array(n));
    this.stamps = Array.from({ length: workers }, () => Array.from({ length: sources }, () => stampColumns(n)));
    this.reest = Array.from({ length: workers }, () => new Array<ReestStamp[] | null>(n).fill(null));
  }

  get full(): boolean {
    return this.n === this.capacity;
  }

  /** Copy an event in (its arrays may be recycled by the join afterwards; reest lists are kept). */
  push(ev: JoinedEvent, bin: number): void {
    const j = this.n++;
    this.bin[j] = bin;
    this.sendLocal[j] = ev.sendLocal;
    this.trueSend[j] = ev.trueSend;
    for (let s = 0; s < this.sources; s++) {
      const c = this.coord[s]!;
      c.p[j] = ev.coord[s * 3]!;
      c.lo[j] = ev.coord[s * 3 + 1]!;
      c.hi[j] = ev.coord[s * 3 + 2]!;
    }
    for (let w = 0; w < this.workers; w++) {
      const st = ev.workers[w];
      if (!st) {
        this.has[w]![j] = 0;
        this.trueRecv[w]![j] = NaN; // read by the per-event true-window pass
        this.reest[w]![j] = null;
        continue;
      }
      this.has[w]![j] = 1;
      this.recvLocal[w]![j] = st.recvLocal;
      this.trueRecv[w]![j] = st.trueRecv;
      this.reest[w]![j] = st.reest;
      const cols = this.stamps[w]!;
      for (let s = 0; s < this.sources; s++) {
        const c = cols[s]!;
        c.p[j] = st.vals[s * 3]!;
        c.lo[j] = st.vals[s * 3 + 1]!;
        c.hi[j] = st.vals[s * 3 + 2]!;
      }
    }
  }

  clear(): void {
    this.n = 0;
  }
}
