// Streaming join of coordinator, worker and commit-wait rows by event, with bounded memory.
//
// All files are read together, in batches, in sequence order: the coordinator leads; each worker
// file is read until it has passed the coordinator's furthest sequence number; each commit-wait
// file likewise (its rows come `delay` seconds after the event, so it trails). An event is folded
// into the metrics (and forgotten) once every reader has passed seq + REORDER_WINDOW or reached
// its end. Memory is therefore (events in flight: the reorder window plus the longest re-estimation
// delay) × workers, not the run length — apart from one bit per (worker, seq) used to tell late
// rows and duplicates apart after an event is gone.
import type { CsvReader } from './csv-reader.js';
import { emptyStamps, type JoinedEvent, type ReestStamp } from './joined.js';
import type { RowDecoder } from './row-decoder.js';
import { parseRelNs, type Anchor } from './ns-parse.js';

export const REORDER_WINDOW = 2_000;
export const MAX_PENDING_EVENTS = 1_000_000;

/** Rows come from a reader, optionally rewritten (legacy import). */
export interface RowSource {
  reader: CsvReader;
  convert: ((cells: readonly string[], line: number) => string[]) | null;
}

export interface WorkerInput extends RowSource {
  node: string;
  decoder: RowDecoder;
}

export interface CommitWaitInput extends RowSource {
  node: string;
  worker: number;
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
}

/** Set of sequence numbers: a bitmap near the run's first seq, a Set elsewhere. */
export class SeqSet {
  private bits = new Uint8Array(1 << 12);
  private other = new Set<number>();
  constructor(private readonly base: number) {}
  has(seq: number): boolean {
    const i = seq - this.base;
    if (i >= 0 && Number.isInteger(i) && i < 1 << 30) return i >> 3 < this.bits.length && (this.bits[i >> 3]! & (1 << (i & 7))) !== 0;
    return this.other.has(seq);
  }
  add(seq: number): void {
    const i = seq - this.base;
    if (i >= 0 && Number.isInteger(i) && i < 1 << 30) {
      if (i >> 3 >= this.bits.length) {
        let n = this.bits.length;
        while (i >> 3 >= n) n *= 2;
        const g = new Uint8Array(n);
        g.set(this.bits);
        this.bits = g;
      }
      this.bits[i >> 3]! |= 1 << (i & 7);
    } else this.other.add(seq);
  }
}

interface ReaderState {
  frontier: number; // furthest seq seen
  eof: boolean;
}

export interface JoinOptions {
  coordinator: RowSource & { decoder: RowDecoder };
  workers: WorkerInput[];
  commitWait: CommitWaitInput[];
  sourceIndex: Map<string, number>;
  sourceCount: number;
  anchor: Anchor;
  firstSeq: number;
  delayIndex: (delayS: number) => number;
  onEvent: (ev: JoinedEvent) => void;
  warn: (msg: string) => void;
}

export async function joinRun(o: JoinOptions): Promise<JoinCounters> {
  const W = o.workers.length;
  const S = o.sourceCount;
  const counters: JoinCounters = {
    eventsSent: 0, coordinatorDuplicates: 0,
    received: new Array(W).fill(0), duplicates: new Array(W).fill(0), unknown: new Array(W).fill(0),
    late: new Array(W).fill(0), reestRows: new Array(W).fill(0), reestUnmatched: new Array(W).fill(0),
  };
  const pending = new Map<string, JoinedEvent>();
  const queue: JoinedEvent[] = [];
  let qHead = 0;
  const coordSeen = new SeqSet(o.firstSeq);
  const workerSeen = o.workers.map(() => new SeqSet(o.firstSeq));
  const early = new Map<string, { w: number; seq: number; cells: string[]; line: number }[]>();
  let earlyReest: { cw: CommitWaitInput; cells: string[]; line: number; seq: number }[] = [];
  let coordFrontier = -Infinity;
  let coordEof = false;
  let rowCounter = 0;
  let forced = false;
  const wState: ReaderState[] = o.workers.map(() => ({ frontier: -Infinity, eof: false }));
  const cwState = o.commitWait.map(() => ({ eof: false, perDelay: new Map<number, number>(), max: -Infinity }));
  const cd = o.coordinator.decoder;

  const attachWorkerRow = (w: number, cells: string[], line: number, ev: JoinedEvent): void => {
    if (ev.workers[w]) { counters.duplicates[w]!++; return; }
    const d = o.workers[w]!.decoder;
    const vals = emptyStamps(S);
    d.stamps(cells, line, vals);
    ev.workers[w] = { recvLocal: d.ns(cells, d.idxLocal, line), trueRecv: d.ns(cells, d.idxTrue, line), vals, reest: null };
    counters.received[w]!++;
    workerSeen[w]!.add(ev.seq);
  };

  const takeWorkerRow = (w: number, cells: string[], line: number): void => {
    const d = o.workers[w]!.decoder;
    const id = d.eventId(cells);
    const seq = d.seq(cells);
    if (seq > wState[w]!.frontier) wState[w]!.frontier = seq;
    const ev = pending.get(id);
    if (ev) { attachWorkerRow(w, cells, line, ev); return; }
    if (!Number.isNaN(seq) && coordSeen.has(seq)) {
      // Its event was already folded: a duplicate if this worker had it, else a late row.
      if (workerSeen[w]!.has(seq)) counters.duplicates[w]!++;
      else { counters.late[w]!++; counters.received[w]!++; workerSeen[w]!.add(seq); d.stamps(cells, line, emptyStamps(S)); }
      return;
    }
    if (coordEof || (!Number.isNaN(seq) && seq <= coordFrontier)) { counters.unknown[w]!++; return; }
    let list = early.get(id);
    if (!list) early.set(id, (list = []));
    list.push({ w, seq, cells, line });
  };

  const takeReestRow = (cw: CommitWaitInput, cells: string[], line: number, seq: number, final: boolean): boolean => {
    const h = cw.reader.header;
    const id = cells[h.indexOf('event_id')]!;
    const ev = pending.get(id);
    const st = ev?.workers[cw.worker];
    if (!ev) {
      if (!final && !coordEof && !(seq <= coordFrontier)) return false; // not read yet: keep for later
      counters.reestUnmatched[cw.worker]!++;
      return true;
    }
    if (!st) { counters.reestUnmatched[cw.worker]!++; return true; }
    const s = o.sourceIndex.get(cells[h.indexOf('source')]!);
    const delayS = Number(cells[h.indexOf('delay_s')]);
    if (s === undefined || !Number.isFinite(delayS)) { counters.reestUnmatched[cw.worker]!++; return true; }
    const rel = (name: string) => {
      const i = h.indexOf(name);
      if (i < 0) return NaN;
      const v = parseRelNs(cells[i]!, o.anchor);
      return v === undefined ? NaN : v;
    };
    const r: ReestStamp = { source: s, delay: o.delayIndex(delayS), point: rel('point_ns'), lo: rel('lo_ns'), hi: rel('hi_ns'), trueRecv: rel('true_recv_ns') };
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
        o.warn(`join window exceeded ${MAX_PENDING_EVENTS} events in flight (a reader is far behind); older events were folded early and later rows for them count as late`);
      }
      queue[qHead++] = undefined as unknown as JoinedEvent;
      pending.delete(ev.eventId);
      o.onEvent(ev);
    }
    if (qHead > 65_536 && qHead * 2 > queue.length) { queue.splice(0, qHead); qHead = 0; }
  };

  const rows = (src: RowSource, batch: { rows: string[][]; lines: number[] }) =>
    src.convert ? batch.rows.map((r, i) => src.convert!(r, batch.lines[i]!)) : batch.rows;

  while (!coordEof || wState.some((s) => !s.eof) || cwState.some((s) => !s.eof)) {
    // 1. coordinator leads
    if (!coordEof) {
      const b = await o.coordinator.reader.next();
      if (!b) coordEof = true;
      else {
        const rs = rows(o.coordinator, b);
        for (let i = 0; i < rs.length; i++) {
          const cells = rs[i]!;
          const line = b.lines[i]!;
          const id = cd.eventId(cells);
          let seq = cd.seq(cells);
          if (Number.isNaN(seq)) seq = o.firstSeq + rowCounter;
          rowCounter++;
          if (pending.has(id) || coordSeen.has(seq)) { counters.coordinatorDuplicates++; continue; }
          const coord = emptyStamps(S);
          cd.stamps(cells, line, coord);
          const ev: JoinedEvent = {
            seq, eventId: id, sendLocal: cd.ns(cells, cd.idxLocal, line), trueSend: cd.ns(cells, cd.idxTrue, line),
            coord, workers: new Array(W),
          };
          counters.eventsSent++;
          coordSeen.add(seq);
          if (seq > coordFrontier) coordFrontier = seq;
          pending.set(id, ev);
          queue.push(ev);
          const e = early.get(id);
          if (e) { early.delete(id); for (const x of e) attachWorkerRow(x.w, x.cells, x.line, ev); }
        }
      }
    }
    // 2. workers catch up with the coordinator
    for (let w = 0; w < W; w++) {
      const st = wState[w]!;
      const input = o.workers[w]!;
      while (!st.eof && (coordEof || !(st.frontier >= coordFrontier))) {
        const b = await input.reader.next();
        if (!b) { st.eof = true; break; }
        const rs = rows(input, b);
        for (let i = 0; i < rs.length; i++) takeWorkerRow(w, rs[i]!, b.lines[i]!);
      }
    }
    if (coordEof && early.size > 0) {
      for (const list of early.values()) for (const x of list) counters.unknown[x.w]!++;
      early.clear();
    }
    // 3. commit-wait rows (they trail by their delay)
    if (earlyReest.length > 0) {
      const keep: typeof earlyReest = [];
      for (const r of earlyReest) if (!takeReestRow(r.cw, r.cells, r.line, r.seq, false)) keep.push(r);
      earlyReest = keep;
    }
    for (let c = 0; c < o.commitWait.length; c++) {
      const st = cwState[c]!;
      const cw = o.commitWait[c]!;
      const h = cw.reader.header;
      const iSeq = h.indexOf('seq');
      const iDelay = h.indexOf('delay_s');
      while (!st.eof && (coordEof || !(st.max >= coordFrontier))) {
        const b = await cw.reader.next();
        if (!b) { st.eof = true; break; }
        for (let i = 0; i < b.rows.length; i++) {
          const cells = b.rows[i]!;
          const seq = iSeq >= 0 ? Number(cells[iSeq]) : NaN;
          const delay = Number(cells[iDelay]);
          if (seq > st.max) st.max = seq;
          if (!(seq <= (st.perDelay.get(delay) ?? -Infinity))) st.perDelay.set(delay, seq);
          if (!takeReestRow(cw, cells, b.lines[i]!, seq, false)) earlyReest.push({ cw, cells, line: b.lines[i]!, seq });
        }
      }
    }
    // 4. fold every event all readers have passed
    let safe = Infinity;
    for (const s of wState) if (!s.eof) safe = Math.min(safe, s.frontier - REORDER_WINDOW);
    for (const s of cwState) {
      if (s.eof) continue;
      let m = s.perDelay.size === 0 ? -Infinity : Infinity;
      for (const v of s.perDelay.values()) m = Math.min(m, v);
      safe = Math.min(safe, m - REORDER_WINDOW);
    }
    if (!coordEof) safe = Math.min(safe, coordFrontier - REORDER_WINDOW);
    finalizeUpTo(safe);
  }
  for (const r of earlyReest) takeReestRow(r.cw, r.cells, r.line, r.seq, true);
  finalizeUpTo(Infinity);
  return counters;
}
