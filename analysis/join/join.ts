// Streaming join of coordinator, worker and commit-wait rows by event, with bounded memory.
//
// All files are read together, in batches, in sequence order: the coordinator leads; each worker
// file is read until it has passed the coordinator's furthest sequence number; each commit-wait
// file likewise (its rows come `delay` seconds after the event, so it trails). An event is folded
// into the metrics (and forgotten) once every reader has passed seq + REORDER_WINDOW or reached
// its end; a commit-wait file has passed a seq once it has, at every one of its re-estimation
// delays (known before reading: the worker summary, the manifest or a scan of the file). Memory is
// therefore (events in flight: the reorder window plus the longest re-estimation delay) × workers,
// not the run length — apart from one bit per (worker, seq) used to tell late rows and duplicates
// apart after an event is gone.
//
// How far a reader has passed is robust to a stray row: a row counts only if its seq lies in the
// coordinator's range (an event never sent cannot move it), and only up to the smaller of it and
// the previous row's (different) seq, so one row far ahead of its neighbours moves nothing.
import { batchFromCells, cellOf, cellsOf, type CsvBatch, type CsvReader } from '../load/csv-reader.js';
import { emptyStamps, type JoinedEvent, type ReestStamp, type WorkerStamp } from './joined.js';
import type { DecodedRows, RowTally, DecodedRowSource } from '../load/decoded-rows.js';
import { parseIntAt, parseRelNsAt, type Anchor } from '../load/ns-parse.js';
import { SeqSet } from '../../src/protocol/seq-set.js';
import type { CommitWaitColumn } from '../../src/files/columns.js';

export const REORDER_WINDOW = 256;
export const MAX_PENDING_EVENTS = 1_000_000;

/** Rows come from a reader, optionally rewritten (legacy import). */
export interface RowSource {
  reader: CsvReader;
  convert: ((cells: readonly string[], line: number) => string[]) | null;
  /** Field count after conversion (the decoder's header length). */
  fields?: number;
}

/** Legacy rows are split, rewritten to native rows and re-batched; native batches pass through. */
export function viewBatch(src: RowSource, b: CsvBatch): CsvBatch {
  if (!src.convert) return b;
  const F = src.reader.fields;
  const rows: string[][] = [];
  for (let i = 0; i < b.count; i++) rows.push(src.convert(cellsOf(b, i, F), b.lines[i]!));
  return batchFromCells(rows, b.lines, src.fields ?? rows[0]?.length ?? 0);
}

type Key = number | string;

/** Events in flight by key: a ring indexed by seq (no hashing on the hot path), a Map for the rest. */
class PendingIndex {
  private static readonly MASK = (1 << 18) - 1;
  private readonly ring = new Array<JoinedEvent | undefined>(PendingIndex.MASK + 1).fill(undefined);
  private readonly map = new Map<Key, JoinedEvent>();
  size = 0;
  get(key: Key): JoinedEvent | undefined {
    if (typeof key === 'number' && key >= 0) {
      const e = this.ring[key & PendingIndex.MASK];
      if (e !== undefined && e.key === key) return e;
    }
    return this.map.size > 0 ? this.map.get(key) : undefined;
  }
  has(key: Key): boolean {
    return this.get(key) !== undefined;
  }
  /** ev.key must equal key. */
  set(key: Key, ev: JoinedEvent): void {
    this.size++;
    if (typeof key === 'number' && key >= 0 && Number.isInteger(key)) {
      const slot = key & PendingIndex.MASK;
      if (this.ring[slot] === undefined) {
        this.ring[slot] = ev;
        return;
      }
    }
    this.map.set(key, ev);
  }
  delete(key: Key): void {
    if (typeof key === 'number' && key >= 0) {
      const slot = key & PendingIndex.MASK;
      const e = this.ring[slot];
      if (e !== undefined && e.key === key) {
        this.ring[slot] = undefined;
        this.size--;
        return;
      }
    }
    if (this.map.delete(key)) this.size--;
  }
}
const keyOf = (seq: number, id: string): Key => (Number.isFinite(seq) ? seq : id);

/** An event file (coordinator or worker): its rows arrive decoded (possibly from a parse thread). */
export interface DecodedInput {
  rows: DecodedRowSource;
  decoder: RowTally;
}

export interface WorkerInput extends DecodedInput {
  node: string;
}

export interface CommitWaitInput extends RowSource {
  node: string;
  worker: number;
  /**
   * Every re-estimation delay (s) the file holds rows for, known before reading it: no event is
   * folded until the file has passed it at each of them. Rows at another delay are joined while
   * their event is held and counted in reestLate after (a stray row cannot hold up the join).
   */
  delays: readonly number[];
}

export interface JoinCounters {
  eventsSent: number;
  coordinatorDuplicates: number;
  received: number[];
  duplicates: number[];
  unknown: number[];
  /** Rows that arrived after their event had been folded (counted as received, not in metrics). */
  late: number[];
  reestRows: number[];
  reestUnmatched: number[];
  /** Commit-wait rows that arrived after their event had been folded (not in metrics). */
  reestLate: number[];
  /** Most events held at once (the join window actually used). */
  maxInFlight: number;
}

/** How far a reader has passed: see the top of this file. */
interface Progress {
  /** Furthest seq passed (−∞ before the second counted row). */
  frontier: number;
  /** The last counted row's seq. */
  last: number;
}

/** Count row seq (already known to lie in the coordinator's range) into p. */
function advance(p: Progress, seq: number): void {
  if (seq === p.last) return;
  const m = seq < p.last ? seq : p.last;
  if (m > p.frontier) p.frontier = m;
  p.last = seq;
}

interface ReaderState extends Progress {
  eof: boolean;
}

export interface JoinOptions {
  coordinator: DecodedInput;
  workers: WorkerInput[];
  commitWait: CommitWaitInput[];
  sourceIndex: Map<string, number>;
  sourceCount: number;
  anchor: Anchor;
  firstSeq: number;
  /** The coordinator's first and last seq (from its first and last rows), if known: rows outside never move a reader's progress. */
  seqRange?: { lo: number; hi: number };
  delayIndex: (delayS: number) => number;
  /** Takes each event once folded; may keep its reest lists, not its other arrays (they are reused). */
  onEvent: (ev: JoinedEvent) => void;
  /** Backpressure: a promise to wait for before reading on (the fold thread is behind), or null. */
  ready?: () => Promise<void> | null;
  warn: (msg: string) => void;
}

export async function joinRun(o: JoinOptions): Promise<JoinCounters> {
  const W = o.workers.length;
  const S = o.sourceCount;
  const counters: JoinCounters = {
    eventsSent: 0,
    coordinatorDuplicates: 0,
    received: new Array<number>(W).fill(0),
    duplicates: new Array<number>(W).fill(0),
    unknown: new Array<number>(W).fill(0),
    late: new Array<number>(W).fill(0),
    reestRows: new Array<number>(W).fill(0),
    reestUnmatched: new Array<number>(W).fill(0),
    reestLate: new Array<number>(W).fill(0),
    maxInFlight: 0,
  };
  const pending = new PendingIndex();
  const queue: JoinedEvent[] = [];
  let qHead = 0;
  const coordSeen = new SeqSet(o.firstSeq);
  const workerSeen = o.workers.map(() => new SeqSet(o.firstSeq));
  const early = new Map<Key, { w: number; b: DecodedRows; i: number }[]>();
  let earlyReest: { c: number; b: CsvBatch; i: number; seq: number }[] = [];
  let coordFrontier = -Infinity;
  let coordEof = false;
  let rowCounter = 0;
  let forced = false;
  const seqLo = o.seqRange?.lo ?? -Infinity;
  const seqHi = o.seqRange?.hi ?? Infinity;
  const wState: ReaderState[] = o.workers.map(() => ({ frontier: -Infinity, last: -Infinity, eof: false }));
  const cwState = o.commitWait.map((cw) => ({
    eof: false,
    frontier: -Infinity,
    last: -Infinity,
    perDelay: new Map<number, Progress>(cw.delays.map((d) => [d, { frontier: -Infinity, last: -Infinity }])),
  }));
  const cd = o.coordinator.decoder;
  // Events, stamps and their arrays are recycled once folded: allocation, not parsing, was the
  // join's main cost. onEvent must not keep references to what it is given (but the reest lists).
  const arrayPool: Float64Array[] = [];
  const stampPool: WorkerStamp[] = [];
  const eventPool: JoinedEvent[] = [];
  // The decoders write every slot (emptyStamps' layout: [point, lo, hi] per source, then the
  // degraded flags), NaN for the sources they lack: no fill needed, and a fill cost more than
  // the allocation with ~20,000 stamps in flight at 64 workers.
  const stampsArray = (): Float64Array => arrayPool.pop() ?? new Float64Array(S * 4);
  const recycle = (ev: JoinedEvent): void => {
    arrayPool.push(ev.coord);
    for (let w = 0; w < W; w++) {
      const st = ev.workers[w];
      if (!st) continue;
      arrayPool.push(st.vals);
      st.reest = null;
      stampPool.push(st);
      ev.workers[w] = undefined;
    }
    eventPool.push(ev);
  };
  const cwCols = o.commitWait.map((cw) => {
    const h = cw.reader.header;
    const at = (n: CommitWaitColumn) => h.indexOf(n);
    return {
      F: h.length,
      event: at('event_id'),
      seq: at('seq'),
      source: at('source'),
      delay: at('delay_s'),
      point: at('point_ns'),
      lo: at('lo_ns'),
      hi: at('hi_ns'),
      truth: at('true_recv_ns'),
    };
  });

  const attachWorkerRow = (w: number, b: DecodedRows, i: number, ev: JoinedEvent): void => {
    if (ev.workers[w]) {
      counters.duplicates[w]!++;
      return;
    }
    const d = o.workers[w]!.decoder;
    const vals = stampsArray();
    d.stamps(b, i, vals);
    const recvLocal = d.local(b, i);
    const trueRecv = d.truth(b, i);
    const st = stampPool.pop();
    if (st) {
      st.recvLocal = recvLocal;
      st.trueRecv = trueRecv;
      st.vals = vals;
      st.reest = null;
      ev.workers[w] = st;
    } else ev.workers[w] = { recvLocal, trueRecv, vals, reest: null };
    counters.received[w]!++;
    workerSeen[w]!.add(ev.seq);
  };

  const takeWorkerRow = (w: number, b: DecodedRows, i: number): void => {
    const seq = b.seq[i]!;
    if (seq >= seqLo && seq <= seqHi) advance(wState[w]!, seq);
    const key = Number.isFinite(seq) ? seq : b.ids![i]!;
    const ev = pending.get(key);
    if (ev) {
      attachWorkerRow(w, b, i, ev);
      return;
    }
    if (Number.isFinite(seq) && coordSeen.has(seq)) {
      // Its event was already folded: a duplicate if this worker had it, else a late row.
      if (workerSeen[w]!.has(seq)) counters.duplicates[w]!++;
      else {
        counters.late[w]!++;
        counters.received[w]!++;
        workerSeen[w]!.add(seq);
        o.workers[w]!.decoder.stamps(b, i, emptyStamps(S));
      }
      return;
    }
    if (coordEof || (Number.isFinite(seq) && seq <= coordFrontier)) {
      counters.unknown[w]!++;
      return;
    }
    let list = early.get(key);
    if (!list) early.set(key, (list = []));
    list.push({ w, b, i });
  };

  /** Returns false when the row's event has not been read yet (keep it for later). */
  const takeReestRow = (c: number, b: CsvBatch, i: number, seq: number, final: boolean): boolean => {
    const cw = o.commitWait[c]!;
    const k = cwCols[c]!;
    const text = b.texts[i]!;
    const base = i * (k.F + 1);
    const cell = (j: number) => (j < 0 ? '' : text.slice(b.offsets[base + j]!, b.offsets[base + j + 1]! - 1));
    const ev = pending.get(keyOf(seq, Number.isFinite(seq) ? '' : cell(k.event)));
    const st = ev?.workers[cw.worker];
    if (!ev) {
      if (!final && !coordEof && !(seq <= coordFrontier)) return false;
      // Its event was folded before this row came (a delay not declared up front), or never received.
      if (Number.isFinite(seq) && coordSeen.has(seq) && workerSeen[cw.worker]!.has(seq)) counters.reestLate[cw.worker]!++;
      else counters.reestUnmatched[cw.worker]!++;
      return true;
    }
    if (!st) {
      counters.reestUnmatched[cw.worker]!++;
      return true;
    }
    const s = o.sourceIndex.get(cell(k.source));
    const delayS = Number(cell(k.delay));
    if (s === undefined || !Number.isFinite(delayS) || cell(k.delay) === '') {
      counters.reestUnmatched[cw.worker]!++;
      return true;
    }
    const rel = (j: number) => {
      if (j < 0) return NaN;
      const v = parseRelNsAt(text, b.offsets[base + j]!, b.offsets[base + j + 1]! - 1, o.anchor);
      return v === undefined ? NaN : v;
    };
    const r: ReestStamp = {
      source: s,
      delay: o.delayIndex(delayS),
      point: rel(k.point),
      lo: rel(k.lo),
      hi: rel(k.hi),
      trueRecv: rel(k.truth),
    };
    (st.reest ??= []).push(r);
    counters.reestRows[cw.worker]!++;
    return true;
  };

  const finalizeUpTo = (safe: number): void => {
    while (qHead < queue.length) {
      const ev = queue[qHead]!;
      const overfull = pending.size > MAX_PENDING_EVENTS;
      if (!(ev.seq <= safe) && !overfull) break;
      if (overfull && !forced) {
        forced = true;
        o.warn(
          `join window exceeded ${MAX_PENDING_EVENTS} events in flight (a reader is far behind); older events were folded early and later rows for them count as late`,
        );
      }
      queue[qHead++] = undefined as unknown as JoinedEvent;
      pending.delete(ev.key ?? keyOf(ev.seq, ev.eventId));
      o.onEvent(ev);
      recycle(ev);
    }
    if (qHead > 65_536 && qHead * 2 > queue.length) {
      queue.splice(0, qHead);
      qHead = 0;
    }
  };

  while (!coordEof || wState.some((s) => !s.eof) || cwState.some((s) => !s.eof)) {
    const wait = o.ready?.();
    if (wait) await wait;
    // 1. coordinator leads
    if (!coordEof) {
      const b = await o.coordinator.rows.next();
      if (!b) coordEof = true;
      else {
        cd.accept(b);
        for (let i = 0; i < b.count; i++) {
          const id = b.ids![i]!;
          const parsed = b.seq[i]!;
          const seq = Number.isFinite(parsed) ? parsed : o.firstSeq + rowCounter;
          rowCounter++;
          const key = keyOf(parsed, id);
          if (pending.has(key) || coordSeen.has(seq)) {
            counters.coordinatorDuplicates++;
            continue;
          }
          const coord = stampsArray();
          cd.stamps(b, i, coord);
          const sendLocal = cd.local(b, i);
          const trueSend = cd.truth(b, i);
          const sendKernel = cd.kernel(b, i);
          const trueSendKernel = cd.kernelTruth(b, i);
          let ev = eventPool.pop();
          if (ev) {
            ev.seq = seq;
            ev.eventId = id;
            ev.sendLocal = sendLocal;
            ev.trueSend = trueSend;
            ev.sendKernel = sendKernel;
            ev.trueSendKernel = trueSendKernel;
            ev.coord = coord;
            ev.key = key;
          } else {
            ev = {
              seq,
              eventId: id,
              sendLocal,
              trueSend,
              sendKernel,
              trueSendKernel,
              coord,
              workers: new Array<WorkerStamp | undefined>(W).fill(undefined),
              key,
            };
          }
          counters.eventsSent++;
          coordSeen.add(seq);
          if (seq > coordFrontier) coordFrontier = seq;
          pending.set(key, ev);
          queue.push(ev);
          const e = early.get(key);
          if (e) {
            early.delete(key);
            for (const x of e) attachWorkerRow(x.w, x.b, x.i, ev!);
          }
        }
      }
    }
    // 2. workers catch up with the coordinator
    for (let w = 0; w < W; w++) {
      const st = wState[w]!;
      const input = o.workers[w]!;
      while (!st.eof && (coordEof || !(st.frontier >= coordFrontier))) {
        const b = await input.rows.next();
        if (!b) {
          st.eof = true;
          break;
        }
        input.decoder.accept(b);
        for (let i = 0; i < b.count; i++) takeWorkerRow(w, b, i);
      }
    }
    if (coordEof && early.size > 0) {
      for (const list of early.values()) for (const x of list) counters.unknown[x.w]!++;
      early.clear();
    }
    // 3. commit-wait rows (they trail by their delay)
    if (earlyReest.length > 0) {
      const keep: typeof earlyReest = [];
      for (const r of earlyReest) if (!takeReestRow(r.c, r.b, r.i, r.seq, false)) keep.push(r);
      earlyReest = keep;
    }
    for (let c = 0; c < o.commitWait.length; c++) {
      const st = cwState[c]!;
      const cw = o.commitWait[c]!;
      const k = cwCols[c]!;
      while (!st.eof && (coordEof || !(st.frontier >= coordFrontier))) {
        const b = await cw.reader.next();
        if (!b) {
          st.eof = true;
          break;
        }
        for (let i = 0; i < b.count; i++) {
          const base = i * (k.F + 1);
          const text = b.texts[i]!;
          const seq = k.seq >= 0 ? parseIntAt(text, b.offsets[base + k.seq]!, b.offsets[base + k.seq + 1]! - 1) : NaN;
          if (seq >= seqLo && seq <= seqHi) {
            advance(st, seq);
            const p = st.perDelay.get(k.delay >= 0 ? Number(cellOf(b, i, k.delay, k.F)) : NaN);
            if (p) advance(p, seq);
          }
          if (!takeReestRow(c, b, i, seq, false)) earlyReest.push({ c, b, i, seq });
        }
      }
    }
    // 4. fold every event all readers have passed
    let safe = Infinity;
    for (const s of wState) if (!s.eof) safe = Math.min(safe, s.frontier - REORDER_WINDOW);
    for (const s of cwState) {
      if (s.eof) continue;
      let m = Infinity;
      for (const v of s.perDelay.values()) m = Math.min(m, v.frontier);
      safe = Math.min(safe, m - REORDER_WINDOW);
    }
    if (!coordEof) safe = Math.min(safe, coordFrontier - REORDER_WINDOW);
    if (pending.size > counters.maxInFlight) counters.maxInFlight = pending.size;
    finalizeUpTo(safe);
  }
  for (const r of earlyReest) takeReestRow(r.c, r.b, r.i, r.seq, true);
  finalizeUpTo(Infinity);
  return counters;
}
