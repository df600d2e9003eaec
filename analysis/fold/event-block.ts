// A block of joined events in columns (one typed array per field, source and place), so that each
// metric is folded by a tight loop over many events instead of a walk through per-event objects:
// the same additions in the same order per counter, several times faster (docs/metrics.md
// §Streaming and memory). Events are copied in as they leave the join; the block is reused. All
// columns share one ArrayBuffer, so a block can be handed to the fold thread and back
// (analysis/threads/fold-thread.ts) without copying; re-estimate lists travel beside it.
import type { JoinedEvent, ReestStamp } from '../join/joined.js';

/** One place's stamps of one source: point, lo, hi per event (NaN = empty cell). */
export interface StampColumns {
  p: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
}

/** A block's re-estimate lists, for sending: [worker, event index, list] for each non-empty one. */
export type ReestEntries = [number, number, ReestStamp[]][];

export class EventBlock {
  /** Events held (0 … capacity). */
  n = 0;
  readonly buffer: ArrayBuffer;
  /** Timeline bin of each event, −1 when there is none. */
  readonly bin: Int32Array;
  readonly sendLocal: Float64Array;
  readonly trueSend: Float64Array;
  /** The kernel's send stamp and its truth (NaN: none). */
  readonly sendKernel: Float64Array;
  readonly trueSendKernel: Float64Array;
  /** The coordinator's stamps, by source. */
  readonly coord: StampColumns[];
  /** Per worker: 1 when it has a row for the event. */
  readonly has: Uint8Array[];
  readonly recvLocal: Float64Array[];
  /** NaN where the worker has no row. */
  readonly trueRecv: Float64Array[];
  /** Per worker, by source (read only where has = 1). */
  readonly stamps: StampColumns[][];
  /** 1 where the reading's status is `degraded`: the coordinator's by source, then per worker by source. */
  readonly coordDegraded: Uint8Array[];
  readonly degraded: Uint8Array[][];
  /** Per worker: the event's re-estimates (commit_wait rows), null when none. */
  readonly reest: (ReestStamp[] | null)[][];

  /** Bytes of the shared buffer of a block. */
  static byteLength(capacity: number, sources: number, workers: number): number {
    const f64 = 4 + 3 * sources + 2 * workers + 3 * sources * workers;
    return capacity * (f64 * 8 + 4 + workers + sources + sources * workers);
  }

  /** A block over `buffer` (a new one when omitted), laid out by byteLength. */
  constructor(
    readonly capacity: number,
    readonly sources: number,
    readonly workers: number,
    buffer?: ArrayBuffer,
  ) {
    const n = capacity;
    this.buffer = buffer ?? new ArrayBuffer(EventBlock.byteLength(capacity, sources, workers));
    let at = 0;
    const f64 = () => {
      const a = new Float64Array(this.buffer, at, n);
      at += n * 8;
      return a;
    };
    const stamps = (): StampColumns => ({ p: f64(), lo: f64(), hi: f64() });
    this.sendLocal = f64();
    this.trueSend = f64();
    this.sendKernel = f64();
    this.trueSendKernel = f64();
    this.coord = Array.from({ length: sources }, stamps);
    this.recvLocal = Array.from({ length: workers }, f64);
    this.trueRecv = Array.from({ length: workers }, f64);
    this.stamps = Array.from({ length: workers }, () => Array.from({ length: sources }, stamps));
    this.bin = new Int32Array(this.buffer, at, n);
    at += n * 4;
    const u8 = () => {
      const a = new Uint8Array(this.buffer, at, n);
      at += n;
      return a;
    };
    this.has = Array.from({ length: workers }, u8);
    this.coordDegraded = Array.from({ length: sources }, u8);
    this.degraded = Array.from({ length: workers }, () => Array.from({ length: sources }, u8));
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
    this.sendKernel[j] = ev.sendKernel;
    this.trueSendKernel[j] = ev.trueSendKernel;
    const D = this.sources * 3; // degraded flags follow the stamps (emptyStamps); absent = not degraded
    for (let s = 0; s < this.sources; s++) {
      const c = this.coord[s]!;
      c.p[j] = ev.coord[s * 3]!;
      c.lo[j] = ev.coord[s * 3 + 1]!;
      c.hi[j] = ev.coord[s * 3 + 2]!;
      this.coordDegraded[s]![j] = ev.coord[D + s]!; // 0 or 1; a short array's undefined stores 0
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
      const deg = this.degraded[w]!;
      for (let s = 0; s < this.sources; s++) {
        const c = cols[s]!;
        c.p[j] = st.vals[s * 3]!;
        c.lo[j] = st.vals[s * 3 + 1]!;
        c.hi[j] = st.vals[s * 3 + 2]!;
        deg[s]![j] = st.vals[D + s]!;
      }
    }
  }

  clear(): void {
    this.n = 0;
  }

  reestEntries(): ReestEntries {
    const out: ReestEntries = [];
    for (let w = 0; w < this.workers; w++) {
      const r = this.reest[w]!;
      for (let j = 0; j < this.n; j++) if (r[j]) out.push([w, j, r[j]!]);
    }
    return out;
  }

  /** The receiving side: n events and their re-estimate lists. */
  receive(n: number, entries: ReestEntries): void {
    this.n = n;
    for (const r of this.reest) r.fill(null, 0, n);
    for (const [w, j, list] of entries) this.reest[w]![j] = list;
  }
}
