// Event rows (coordinator.csv, workers/<node>.csv) decoded into typed arrays, batch by batch, so
// that the decoding can run in parse threads (analysis/threads/parse-thread.ts) while the main thread
// joins and counts.
//
// decodeBatch is pure: text cells → numbers, nothing counted. Availability counts and the
// "not an integer ns value" warnings depend on which rows the join really uses (duplicates and
// unknown events are not decoded), so they are applied on the main thread by RowTally at the
// moment the join takes a row — in the same order as when the join decoded rows itself, so
// stats.json and its warnings are unchanged.
import type { CsvBatch, CsvReader } from './csv-reader.js';
import { parseIntAt, parseRelNsAt } from './ns-parse.js';
import { AvailabilityCounter } from './sources.js';
import type { ReadingHealth } from '../fold/source-health.js';
import { COORDINATOR_KERNEL_SEND, COORDINATOR_STAMPS, EVENT_COLUMNS, WORKER_STAMPS, sourceColumnNames } from '../../src/files/columns.js';

const MAX_CELL_WARNINGS = 5;

/** Column positions of an event-file header for a global source list (−1 when absent). */
export interface RowColumns {
  F: number;
  seq: number;
  event: number;
  local: number;
  truth: number;
  /** The kernel's send stamp and its truth (coordinator.csv; −1 when absent, as in worker files). */
  kernel: number;
  kernelTruth: number;
  /** Per global source: point, lo, hi, status. */
  cols: Int32Array;
  header: readonly string[];
}

export function rowColumns(header: readonly string[], sources: readonly string[], role: RowRole): RowColumns {
  const at = (n: string) => header.indexOf(n);
  const cols = new Int32Array(sources.length * 4).fill(-1);
  sources.forEach((s, i) => {
    const c = sourceColumnNames(s);
    cols[i * 4] = at(c.point);
    cols[i * 4 + 1] = at(c.lo);
    cols[i * 4 + 2] = at(c.hi);
    cols[i * 4 + 3] = at(c.status);
  });
  const seq = at(EVENT_COLUMNS.seq);
  return {
    F: header.length,
    seq,
    event: at(EVENT_COLUMNS.eventId),
    local: at(role.localColumn),
    truth: at(role.trueColumn),
    kernel: role.kernelColumn ? at(role.kernelColumn) : -1,
    kernelTruth: role.kernelTrueColumn ? at(role.kernelTrueColumn) : -1,
    cols,
    header,
  };
}

/** Bad time cells of a batch, in the order the main thread would have met them. */
export interface BadCells {
  row: number[];
  /** 0 = a source cell (met by stamps), 1 = the local column, 2 = the truth column, 3 = the kernel send columns. */
  phase: number[];
  msg: string[];
}

export interface DecodedRows {
  count: number;
  seq: Float64Array;
  /** Event id text: every row's (coordinator), else only rows whose seq is not a number (null if none). */
  ids: (string | undefined)[] | null;
  local: Float64Array;
  truth: Float64Array;
  /** The kernel send stamp and its truth per row (NaN where empty); empty arrays when the file has neither column. */
  kernel: Float64Array;
  kernelTruth: Float64Array;
  /** [point, lo, hi] per source, S·3 per row; NaN where absent. */
  vals: Float64Array;
  /** Status id per (row, source) into the file's status table; 0 = no status column. */
  status: Uint32Array;
  /** Status texts first seen in this batch (appended to the table in order). */
  newStatuses: string[];
  bad: BadCells | null;
}

/** The running status table of one file (decoder side). */
export class StatusTable {
  private readonly ids = new Map<string, number>([['', 0]]);
  private pending: string[] = [];
  idOf(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(text, id);
      this.pending.push(text);
    }
    return id;
  }
  take(): string[] {
    const p = this.pending;
    this.pending = [];
    return p;
  }
}

/** Decode every row of a CSV batch (the batch's field count must be c.F). */
export function decodeBatch(
  b: CsvBatch,
  c: RowColumns,
  sourceCount: number,
  anchorSec: number,
  displayPath: string,
  table: StatusTable,
  allIds = false,
): DecodedRows {
  const n = b.count;
  const S = sourceCount;
  const F1 = c.F + 1;
  const seq = new Float64Array(n);
  const local = new Float64Array(n);
  const truth = new Float64Array(n);
  const hasKernel = c.kernel >= 0 || c.kernelTruth >= 0;
  const kernel = new Float64Array(hasKernel ? n : 0);
  const kernelTruth = new Float64Array(hasKernel ? n : 0);
  const vals = new Float64Array(n * S * 3);
  const status = new Uint32Array(n * S);
  const anchor = { sec: anchorSec, ns: 0n };
  let ids: (string | undefined)[] | null = allIds ? new Array<string>(n) : null;
  let bad: BadCells | null = null;
  const lastText = new Array<string>(S).fill('');
  const lastId = new Int32Array(S).fill(-1);
  const seqCol = c.seq >= 0 ? c.seq : c.event;
  const offs = b.offsets;
  let text = '';
  let base = 0;
  let row = 0;
  const ns = (idx: number, phase: number): number => {
    if (idx < 0) return NaN;
    const a = offs[base + idx]!;
    const e = offs[base + idx + 1]! - 1;
    const v = parseRelNsAt(text, a, e, anchor);
    if (v !== undefined) return v;
    bad ??= { row: [], phase: [], msg: [] };
    bad.row.push(row);
    bad.phase.push(phase);
    bad.msg.push(
      `${displayPath}: line ${b.lines[row]}: column ${c.header[idx]} = ${JSON.stringify(text.slice(a, e).slice(0, 40))} is not an integer ns value near the run; treated as empty`,
    );
    return NaN;
  };
  for (let i = 0; i < n; i++) {
    text = b.texts[i]!;
    base = i * F1;
    row = i;
    const sq = seqCol < 0 ? NaN : parseIntAt(text, offs[base + seqCol]!, offs[base + seqCol + 1]! - 1);
    seq[i] = sq;
    if (allIds || !Number.isFinite(sq)) {
      ids ??= new Array<string | undefined>(n);
      ids[i] = c.event < 0 ? '' : text.slice(offs[base + c.event]!, offs[base + c.event + 1]! - 1);
    }
    for (let s = 0; s < S; s++) {
      const o = (i * S + s) * 3;
      const ip = c.cols[s * 4]!;
      if (ip < 0) {
        vals[o] = NaN;
        vals[o + 1] = NaN;
        vals[o + 2] = NaN;
        continue;
      }
      vals[o] = ns(ip, 0);
      vals[o + 1] = ns(c.cols[s * 4 + 1]!, 0);
      vals[o + 2] = ns(c.cols[s * 4 + 2]!, 0);
      const is = c.cols[s * 4 + 3]!;
      if (is < 0) continue; // id 0: ''
      const sa = offs[base + is]!;
      const se = offs[base + is + 1]! - 1;
      const last = lastText[s]!;
      if (lastId[s]! < 0 || se - sa !== last.length || !text.startsWith(last, sa)) {
        const t = text.slice(sa, se);
        lastText[s] = t;
        lastId[s] = table.idOf(t);
      }
      status[i * S + s] = lastId[s]!;
    }
    local[i] = ns(c.local, 1);
    truth[i] = ns(c.truth, 2);
    if (hasKernel) {
      kernel[i] = ns(c.kernel, 3);
      kernelTruth[i] = ns(c.kernelTruth, 3);
    }
  }
  return { count: n, seq, ids, local, truth, kernel, kernelTruth, vals, status, newStatuses: table.take(), bad };
}

/** What analyze.ts reports about an input file (CsvReader has these fields). */
export interface ReaderStats {
  displayPath: string;
  rowsRead: number;
  skipped: number;
  tornTail: boolean;
  warnings: string[];
}

/** Decoded worker rows, batch by batch, in file order. */
export interface DecodedRowSource {
  readonly header: string[];
  readonly stats: ReaderStats;
  /** Fix the global source list and anchor; called once, before next(). */
  start(sources: readonly string[], anchorSec: number): void;
  next(): Promise<DecodedRows | null>;
  close(): void;
}

/** Which columns hold the local and true stamps (and the kernel send stamp), and whether every row's event id is needed. */
export interface RowRole {
  localColumn: string;
  trueColumn: string;
  kernelColumn?: string;
  kernelTrueColumn?: string;
  allIds: boolean;
}
export const COORDINATOR_ROLE: RowRole = {
  localColumn: COORDINATOR_STAMPS.local,
  trueColumn: COORDINATOR_STAMPS.truth,
  kernelColumn: COORDINATOR_KERNEL_SEND.local,
  kernelTrueColumn: COORDINATOR_KERNEL_SEND.truth,
  allIds: true,
};
export const WORKER_ROLE: RowRole = { localColumn: WORKER_STAMPS.local, trueColumn: WORKER_STAMPS.truth, allIds: false };

/** In-process source for the legacy import: reader → rewrite to native cells → decode (native files: event-rows.ts). */
export class InlineDecodedRows implements DecodedRowSource {
  private cols: RowColumns | null = null;
  private S = 0;
  private anchorSec = 0;
  private readonly table = new StatusTable();
  constructor(
    private readonly reader: CsvReader,
    readonly header: string[],
    private readonly view: (b: CsvBatch) => CsvBatch,
    private readonly role: RowRole,
  ) {}
  get stats(): ReaderStats {
    return this.reader;
  }
  start(sources: readonly string[], anchorSec: number): void {
    this.cols = rowColumns(this.header, sources, this.role);
    this.S = sources.length;
    this.anchorSec = anchorSec;
  }
  async next(): Promise<DecodedRows | null> {
    const raw = await this.reader.next();
    if (!raw) return null;
    return decodeBatch(this.view(raw), this.cols!, this.S, this.anchorSec, this.reader.displayPath, this.table, this.role.allIds);
  }
  close(): void {}
}

/**
 * Main-thread side of a file's decoding: counts availability and emits bad-cell warnings for the
 * rows the join takes, in the order the join takes them (decoding may run ahead, in a parse thread).
 */
export class RowTally {
  readonly availability: (AvailabilityCounter | null)[];
  /** Source health of this file's readings (statuses over time), when the analysis wants it. */
  health: ReadingHealth | null = null;
  badCells = 0;
  private readonly statusTexts: string[] = [''];
  /** Per status id: 1 when the status is `degraded` (split out in coverage, ordering, windows). */
  private degradedIds = new Uint8Array(16);
  private readonly boxes: ({ n: number } | undefined)[][];
  private readonly S: number;

  constructor(
    header: readonly string[],
    sources: readonly string[],
    private readonly displayPath: string,
    private readonly warn: (m: string) => void,
  ) {
    this.S = sources.length;
    this.availability = sources.map((s) => (header.indexOf(`${s}_ns`) >= 0 ? new AvailabilityCounter() : null));
    this.boxes = sources.map(() => []);
  }

  /** Every batch passes here once, in order, before its rows are used. */
  accept(b: DecodedRows): void {
    for (const t of b.newStatuses) {
      const id = this.statusTexts.length;
      this.statusTexts.push(t);
      if (id >= this.degradedIds.length) {
        const grown = new Uint8Array(this.degradedIds.length * 2 + id);
        grown.set(this.degradedIds);
        this.degradedIds = grown;
      }
      this.degradedIds[id] = t === 'degraded' ? 1 : 0;
      this.health?.status(id, t);
    }
  }

  /**
   * Copy row i's [point, lo, hi] per source into out, then (when out has room, see emptyStamps)
   * each source's degraded flag, and count availability.
   */
  stamps(b: DecodedRows, i: number, out: Float64Array): void {
    if (b.bad) this.replay(b.bad, i, 0);
    const S = this.S;
    const v = b.vals;
    const o0 = i * S * 3;
    for (let k = 0; k < S * 3; k++) out[k] = v[o0 + k]!;
    if (out.length >= S * 4) {
      const st = b.status;
      const deg = this.degradedIds;
      for (let s = 0; s < S; s++) out[S * 3 + s] = deg[st[i * S + s]!]!;
    }
    for (let s = 0; s < S; s++) {
      const a = this.availability[s];
      if (!a) continue;
      const p = v[o0 + s * 3]!;
      const lo = v[o0 + s * 3 + 1]!;
      const hi = v[o0 + s * 3 + 2]!;
      a.rows++;
      if (Number.isNaN(p)) a.empty++;
      else a.withPoint++;
      const interval = !Number.isNaN(lo) && !Number.isNaN(hi);
      if (interval) a.withInterval++;
      const id = b.status[i * S + s]!;
      this.health?.add(s, id, b.local[i]!, !Number.isNaN(p), interval);
      const boxes = this.boxes[s]!;
      let box = boxes[id];
      if (!box) box = boxes[id] = a.box(this.statusTexts[id]!);
      box.n++;
    }
  }

  local(b: DecodedRows, i: number): number {
    if (b.bad) this.replay(b.bad, i, 1);
    return b.local[i]!;
  }

  truth(b: DecodedRows, i: number): number {
    if (b.bad) this.replay(b.bad, i, 2);
    return b.truth[i]!;
  }

  /** The row's kernel send stamp (NaN where the file has none); reports the row's bad kernel cells. */
  kernel(b: DecodedRows, i: number): number {
    if (b.kernel.length === 0) return NaN;
    if (b.bad) this.replay(b.bad, i, 3);
    return b.kernel[i]!;
  }

  /** The truth of the row's kernel send stamp (NaN where the file has none); read after kernel(). */
  kernelTruth(b: DecodedRows, i: number): number {
    return b.kernelTruth.length === 0 ? NaN : b.kernelTruth[i]!;
  }

  private replay(bad: BadCells, i: number, phase: number): void {
    for (let k = 0; k < bad.row.length; k++) {
      if (bad.row[k] !== i || bad.phase[k] !== phase) continue;
      this.badCells++;
      if (this.badCells <= MAX_CELL_WARNINGS) this.warn(bad.msg[k]!);
    }
  }

  finish(): void {
    if (this.badCells > MAX_CELL_WARNINGS) {
      this.warn(`${this.displayPath}: ${this.badCells - MAX_CELL_WARNINGS} more unparseable time cells treated as empty`);
    }
  }
}
