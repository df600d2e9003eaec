// Event rows (coordinator.csv, workers/<node>.csv) decoded straight from the file's bytes into
// typed arrays (DecodedRows), one batch per 64 KiB chunk: each plain line is walked once, field by
// field, and its time cells are parsed as they are met — no string per chunk, per line or per
// cell. This was most of the analysis' CPU time; it runs in the parse threads (analysis/threads/parse-thread.ts)
// for big runs and in-process otherwise. The result is exactly decodeBatch's (decoded-rows.ts)
// on the same rows, warnings and their order included (test/unit/analysis-event-rows.test.ts).
import { CsvLines, ROW_REJECTED, type RowSink } from './csv-lines.js';
import {
  StatusTable,
  rowColumns,
  type BadCells,
  type DecodedRowSource,
  type DecodedRows,
  type ReaderStats,
  type RowColumns,
  type RowRole,
} from './decoded-rows.js';
import { negativeSeqReason } from './csv-reader.js';
import { parseIntBytes, parseRelNsBytes } from './ns-parse.js';

const COMMA = 44;
/** Digits of an epoch-ns cell between 2001 and 2286: the case worth a straight path. */
const NS_DIGITS = 19;
const MAX_CELL_WARNINGS_TEXT = 40;
/** Bytes per read at most; the batches stay one per 64 KiB of file (CsvLines). */
const READ_BYTES = 1 << 20;
const CHUNK_BYTES = 1 << 16;
/**
 * Read buffers of all event files open at once stay near this: each holds two reads, and 64
 * workers' files at 1 MiB each made 128 MiB of buffers whose pages the kernel had to fault in
 * and fill on every analysis (docs/performance.md, "Analysis CPU at 64 workers").
 */
export const READ_BUDGET_BYTES = 1 << 24;

/**
 * The coordinator's batch: the join holds a batch of its events plus the reorder window, each with
 * every worker's stamps, so its batch shrinks as workers grow (64 KiB up to 16 workers, 16 KiB at
 * 64, never below 4 KiB) and the stamps in flight stay near the same number.
 */
export function coordinatorChunkBytes(workers: number): number {
  const scaled = Math.floor((CHUNK_BYTES * 16) / Math.max(16, workers) / 4096) * 4096;
  return Math.max(4096, scaled);
}

export interface EventReadOptions {
  /** Blocking reads (parse threads). */
  sync?: boolean;
  /** Event files read together (readBytesFor). */
  openFiles?: number;
  /** Bytes per batch (default 64 KiB; the coordinator's: coordinatorChunkBytes). */
  chunkBytes?: number;
}

/** How a run's event file is read when the coordinator's and `workers` worker files are read together. */
export function eventReadOptions(workers: number, coordinator: boolean): EventReadOptions {
  return { openFiles: workers + 1, ...(coordinator ? { chunkBytes: coordinatorChunkBytes(workers) } : {}) };
}

/** Bytes per read when `openFiles` event files are read together: 1 MiB, down to 64 KiB at many files. */
export function readBytesFor(openFiles: number): number {
  const share = Math.floor(READ_BUDGET_BYTES / Math.max(1, openFiles) / CHUNK_BYTES) * CHUNK_BYTES;
  return Math.min(READ_BYTES, Math.max(CHUNK_BYTES, share));
}

/** Decodes the rows of one chunk; take() hands them over as one DecodedRows batch. */
export class EventRowDecoder implements RowSink {
  private readonly F: number;
  /** Per column: 1 when a time value is read from it. */
  private readonly isNs: Uint8Array;
  // the current row: each field's [start, end) in `src`, parsed time cells and which were bad
  private readonly fStart: Int32Array;
  private readonly fEnd: Int32Array;
  private readonly fVal: Float64Array;
  private readonly fBad: Uint8Array;
  private src: Buffer = Buffer.alloc(0);
  private line = 0;
  private cellBuf = Buffer.alloc(256);
  // the batch under construction (grown as needed; take() copies it out at its exact length)
  private cap = 0;
  private n = 0;
  private seq = new Float64Array(0);
  private local = new Float64Array(0);
  private truth = new Float64Array(0);
  private kernel = new Float64Array(0);
  private kernelTruth = new Float64Array(0);
  private readonly hasKernel: boolean;
  private vals = new Float64Array(0);
  private status = new Uint32Array(0);
  private ids: (string | undefined)[] | null = null;
  private bad: BadCells | null = null;
  // the last status text per source: most rows repeat it, so no string is made
  private readonly lastText: string[];
  private readonly lastId: Int32Array;
  /** Why the last refused row was refused. */
  rejected = '';

  constructor(
    private readonly c: RowColumns,
    private readonly S: number,
    private readonly anchorSec: number,
    private readonly displayPath: string,
    private readonly table: StatusTable,
    private readonly allIds: boolean,
  ) {
    this.F = c.F;
    this.isNs = new Uint8Array(c.F);
    for (let s = 0; s < S; s++) for (let k = 0; k < 3; k++) if (c.cols[s * 4 + k]! >= 0) this.isNs[c.cols[s * 4 + k]!] = 1;
    if (c.local >= 0) this.isNs[c.local] = 1;
    if (c.truth >= 0) this.isNs[c.truth] = 1;
    if (c.kernel >= 0) this.isNs[c.kernel] = 1;
    if (c.kernelTruth >= 0) this.isNs[c.kernelTruth] = 1;
    this.hasKernel = c.kernel >= 0 || c.kernelTruth >= 0;
    this.fStart = new Int32Array(c.F);
    this.fEnd = new Int32Array(c.F);
    this.fVal = new Float64Array(c.F);
    this.fBad = new Uint8Array(c.F);
    this.lastText = new Array<string>(S).fill('');
    this.lastId = new Int32Array(S).fill(-1);
    this.grow(512);
  }

  chunk(): void {}

  /** Walk the fields of buf[start, end) once, parsing time cells on the way; keep the row if it has F fields. */
  plain(buf: Buffer, start: number, end: number, line: number): number {
    const F = this.F;
    const isNs = this.isNs,
      fStart = this.fStart,
      fEnd = this.fEnd;
    let f = 0;
    let p = start;
    for (;;) {
      fStart[f] = p;
      if (isNs[f] === 1) p = this.timeCell(buf, p, end, f);
      else while (p < end && buf[p] !== COMMA) p++;
      fEnd[f] = p;
      if (p >= end) break;
      p++; // the comma
      if (++f === F) return F; // more than F fields
    }
    if (f !== F - 1) return f;
    this.src = buf;
    this.line = line;
    return this.emitRow() ? f : ROW_REJECTED;
  }

  /** A quoted record's cells (rare): laid out as latin1 bytes, then decoded like a plain line. */
  cells(cells: string[], line: number): boolean {
    let size = 0;
    for (const c of cells) size += c.length;
    if (size > this.cellBuf.length) this.cellBuf = Buffer.alloc(size * 2);
    const buf = this.cellBuf;
    let pos = 0;
    for (let j = 0; j < this.F; j++) {
      this.fStart[j] = pos;
      pos += buf.write(cells[j]!, pos, 'latin1');
      this.fEnd[j] = pos;
      if (this.isNs[j] === 1) {
        const v = parseRelNsBytes(buf, this.fStart[j]!, pos, this.anchorSec);
        this.fVal[j] = v === undefined ? NaN : v;
        this.fBad[j] = v === undefined ? 1 : 0;
      }
    }
    this.src = buf;
    this.line = line;
    return this.emitRow();
  }

  /** The rows decoded since the last take, as one batch. */
  take(): DecodedRows {
    const n = this.n;
    const S = this.S;
    let ids: (string | undefined)[] | null = null;
    if (this.ids) {
      ids = this.ids;
      ids.length = n;
    }
    const out: DecodedRows = {
      count: n,
      seq: this.seq.slice(0, n),
      ids,
      local: this.local.slice(0, n),
      truth: this.truth.slice(0, n),
      kernel: this.kernel.slice(0, this.hasKernel ? n : 0),
      kernelTruth: this.kernelTruth.slice(0, this.hasKernel ? n : 0),
      vals: this.vals.slice(0, n * S * 3),
      status: this.status.slice(0, n * S),
      newStatuses: this.table.take(),
      bad: this.bad,
    };
    this.n = 0;
    this.ids = null;
    this.bad = null;
    return out;
  }

  /**
   * The time cell of field f starting at p: its value (or bad) into fVal/fBad; returns its end.
   * Equal to parseRelNsBytes on the cell; 19 plain digits before a comma or the line end (every
   * cell our writers produce) are parsed without looking for the comma first.
   */
  private timeCell(buf: Uint8Array, p: number, end: number, f: number): number {
    if (p === end || buf[p] === COMMA) {
      // an empty cell: no value (never 0)
      this.fVal[f] = NaN;
      this.fBad[f] = 0;
      return p;
    }
    const q = p + NS_DIGITS;
    if (q <= end && (q === end || buf[q] === COMMA)) {
      let sec = 0;
      let ns = 0;
      let notDigit = 0; // d | (9 − d) is negative exactly when d is not 0…9
      for (let i = p; i < q - 9; i++) {
        const d = buf[i]! - 48;
        notDigit |= d | (9 - d);
        sec = sec * 10 + d;
      }
      for (let i = q - 9; i < q; i++) {
        const d = buf[i]! - 48;
        notDigit |= d | (9 - d);
        ns = ns * 10 + d;
      }
      if (notDigit >= 0) {
        const dSec = sec - this.anchorSec;
        const good = Math.abs(dSec) <= 9_007_199;
        this.fVal[f] = good ? dSec * 1e9 + ns : NaN;
        this.fBad[f] = good ? 0 : 1;
        return q;
      }
    }
    let e = p;
    while (e < end && buf[e] !== COMMA) e++;
    const v = parseRelNsBytes(buf, p, e, this.anchorSec);
    this.fVal[f] = v === undefined ? NaN : v;
    this.fBad[f] = v === undefined ? 1 : 0;
    return e;
  }

  /**
   * The current row (src, fStart/fEnd, fVal/fBad) into the batch, in decodeBatch's order; false
   * (row refused, reason in `rejected`) for a negative sequence number: the coordinator counts
   * from 0, so such a row was not written by our tools and would only be joined with nothing.
   */
  private emitRow(): boolean {
    const c = this.c;
    const S = this.S;
    const src = this.src;
    const seqCol = c.seq >= 0 ? c.seq : c.event;
    const sq = seqCol < 0 ? NaN : parseIntBytes(src, this.fStart[seqCol]!, this.fEnd[seqCol]!);
    if (sq < 0) {
      this.rejected = negativeSeqReason(c.header[seqCol]!, sq);
      return false;
    }
    if (this.n === this.cap) this.grow(this.cap * 2);
    const i = this.n++;
    this.seq[i] = sq;
    if (this.allIds || !Number.isFinite(sq)) {
      this.ids ??= [];
      this.ids[i] = c.event < 0 ? '' : latin1(src, this.fStart[c.event]!, this.fEnd[c.event]!);
    }
    for (let s = 0; s < S; s++) {
      const o = (i * S + s) * 3;
      const ip = c.cols[s * 4]!;
      this.status[i * S + s] = 0; // id 0: ''
      if (ip < 0) {
        this.vals[o] = NaN;
        this.vals[o + 1] = NaN;
        this.vals[o + 2] = NaN;
        continue;
      }
      this.vals[o] = this.ns(ip, 0, i);
      this.vals[o + 1] = this.ns(c.cols[s * 4 + 1]!, 0, i);
      this.vals[o + 2] = this.ns(c.cols[s * 4 + 2]!, 0, i);
      const is = c.cols[s * 4 + 3]!;
      if (is < 0) continue;
      const sa = this.fStart[is]!,
        se = this.fEnd[is]!;
      const last = this.lastText[s]!;
      if (this.lastId[s]! < 0 || !sameText(src, sa, se, last)) {
        const t = latin1(src, sa, se);
        this.lastText[s] = t;
        this.lastId[s] = this.table.idOf(t);
      }
      this.status[i * S + s] = this.lastId[s]!;
    }
    this.local[i] = this.ns(c.local, 1, i);
    this.truth[i] = this.ns(c.truth, 2, i);
    if (this.hasKernel) {
      this.kernel[i] = this.ns(c.kernel, 3, i);
      this.kernelTruth[i] = this.ns(c.kernelTruth, 3, i);
    }
    return true;
  }

  /** Field idx as a time value; a bad cell is listed (row, phase, message) and reads as empty. */
  private ns(idx: number, phase: number, row: number): number {
    if (idx < 0) return NaN;
    if (this.fBad[idx] === 0) return this.fVal[idx]!;
    const text = latin1(this.src, this.fStart[idx]!, this.fEnd[idx]!);
    this.bad ??= { row: [], phase: [], msg: [] };
    this.bad.row.push(row);
    this.bad.phase.push(phase);
    this.bad.msg.push(
      `${this.displayPath}: line ${this.line}: column ${this.c.header[idx]} = ${JSON.stringify(text.slice(0, MAX_CELL_WARNINGS_TEXT))} is not an integer ns value near the run; treated as empty`,
    );
    return NaN;
  }

  private grow(cap: number): void {
    const S = this.S;
    const copy = <T extends Float64Array | Uint32Array>(a: T, make: (n: number) => T, per: number): T => {
      const g = make(cap * per);
      g.set(a.subarray(0, this.n * per));
      return g;
    };
    this.seq = copy(this.seq, (k) => new Float64Array(k), 1);
    this.local = copy(this.local, (k) => new Float64Array(k), 1);
    this.truth = copy(this.truth, (k) => new Float64Array(k), 1);
    if (this.hasKernel) {
      this.kernel = copy(this.kernel, (k) => new Float64Array(k), 1);
      this.kernelTruth = copy(this.kernelTruth, (k) => new Float64Array(k), 1);
    }
    this.vals = copy(this.vals, (k) => new Float64Array(k), S * 3);
    this.status = copy(this.status, (k) => new Uint32Array(k), S);
    this.cap = cap;
  }
}

function latin1(buf: Buffer, start: number, end: number): string {
  return buf.toString('latin1', start, end);
}

/** buf[start, end) equals the latin1 text t. */
function sameText(buf: Uint8Array, start: number, end: number, t: string): boolean {
  if (end - start !== t.length) return false;
  for (let i = 0; i < t.length; i++) if (buf[start + i] !== t.charCodeAt(i)) return false;
  return true;
}

/** An event file read and decoded in this thread (each parse thread runs one). */
export class EventRowReader implements DecodedRowSource {
  private decoder: EventRowDecoder | null = null;

  private constructor(
    private readonly lines: CsvLines,
    private readonly role: RowRole,
  ) {}

  /** Open the file and read its header; rejects like CsvLines.open. */
  static async open(file: string, displayPath: string, role: RowRole, opts: EventReadOptions = {}): Promise<EventRowReader> {
    const lines = await CsvLines.open(file, displayPath, {
      encoding: 'latin1',
      readBytes: readBytesFor(opts.openFiles ?? 1),
      chunkBytes: opts.chunkBytes ?? CHUNK_BYTES,
      sync: opts.sync ?? false,
    });
    return new EventRowReader(lines, role);
  }

  get header(): string[] {
    return this.lines.header;
  }

  get stats(): ReaderStats {
    const l = this.lines;
    return { displayPath: l.displayPath, rowsRead: l.rowsRead, skipped: l.skipped, tornTail: l.tornTail, warnings: l.warnings };
  }

  /** Fix the global source list and anchor; called once, before next(). */
  start(sources: readonly string[], anchorSec: number): void {
    const cols = rowColumns(this.lines.header, sources, this.role);
    this.decoder = new EventRowDecoder(cols, sources.length, anchorSec, this.lines.displayPath, new StatusTable(), this.role.allIds);
  }

  /** The next non-empty batch, or null at end of file. */
  async next(): Promise<DecodedRows | null> {
    const d = this.decoder!;
    for (;;) {
      if (!(await this.lines.readChunk(d))) return null;
      const b = d.take();
      if (b.count > 0) return b;
    }
  }

  close(): void {
    void this.lines.close();
  }
}
