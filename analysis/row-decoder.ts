// Maps a CSV header to column positions and decodes rows into relative-ns stamps.
// Sources are discovered from column names (DESIGN §4): S is a source when the header has
// `S_ns` together with `S_status` or `S_lo_ns`/`S_hi_ns`; it is bounded when both lo and hi exist.
import { parseRelNs, type Anchor } from './ns-parse.js';
import type { ReadingAvailability } from './stats-types.js';

const NOT_SOURCES = new Set(['send_local', 'recv_local', 'true_send', 'true_recv', 'reestimated_local', 'sample_local']);

export interface DiscoveredSource {
  name: string;
  bounded: boolean;
}

export function discoverSources(header: readonly string[]): DiscoveredSource[] {
  const cols = new Set(header);
  const out: DiscoveredSource[] = [];
  for (const c of header) {
    if (!c.endsWith('_ns') || c.endsWith('_lo_ns') || c.endsWith('_hi_ns')) continue;
    const name = c.slice(0, -3);
    if (NOT_SOURCES.has(name) || name === '') continue;
    const hasLo = cols.has(`${name}_lo_ns`);
    const hasHi = cols.has(`${name}_hi_ns`);
    if (!cols.has(`${name}_status`) && !(hasLo && hasHi)) continue;
    out.push({ name, bounded: hasLo && hasHi });
  }
  return out;
}

/** Counts of one source's readings at one place (ReadingAvailability without the labels). */
export class AvailabilityCounter {
  rows = 0; withPoint = 0; withInterval = 0; empty = 0;
  status = new Map<string, number>();
  toEntry(source: string, role: 'coordinator' | 'worker', node: string | null): ReadingAvailability {
    return {
      source, role, node, rows: this.rows, with_point: this.withPoint, with_interval: this.withInterval, empty: this.empty,
      status_counts: Object.fromEntries([...this.status].sort((a, b) => a[0].localeCompare(b[0]))),
    };
  }
}

export interface DecoderOptions {
  /** 'send_local_ns' for the coordinator, 'recv_local_ns' for a worker. */
  localColumn: string;
  trueColumn: string;
  /** Global source list; the decoder fills each source's [point, lo, hi] slot. */
  sources: readonly string[];
  anchor: Anchor;
  displayPath: string;
  warn: (msg: string) => void;
}

const MAX_CELL_WARNINGS = 5;

export class RowDecoder {
  readonly idxEvent: number;
  readonly idxSeq: number;
  readonly idxLocal: number;
  readonly idxTrue: number;
  readonly idxNode: number;
  /** Per global source: column of point, lo, hi, status (−1 when absent). */
  private readonly cols: Int32Array;
  readonly availability: (AvailabilityCounter | null)[];
  badCells = 0;

  constructor(readonly header: readonly string[], private readonly opts: DecoderOptions) {
    const at = (name: string) => header.indexOf(name);
    this.idxEvent = at('event_id');
    this.idxSeq = at('seq');
    this.idxLocal = at(opts.localColumn);
    this.idxTrue = at(opts.trueColumn);
    this.idxNode = at('node_id');
    this.cols = new Int32Array(opts.sources.length * 4).fill(-1);
    this.availability = opts.sources.map((s, i) => {
      this.cols[i * 4] = at(`${s}_ns`);
      this.cols[i * 4 + 1] = at(`${s}_lo_ns`);
      this.cols[i * 4 + 2] = at(`${s}_hi_ns`);
      this.cols[i * 4 + 3] = at(`${s}_status`);
      return this.cols[i * 4]! >= 0 ? new AvailabilityCounter() : null;
    });
  }

  /** An ns cell → relative ns; '' → NaN; unparseable → NaN with a warning (never 0). */
  ns(cells: readonly string[], idx: number, line: number): number {
    if (idx < 0) return NaN;
    const cell = cells[idx]!;
    const v = parseRelNs(cell, this.opts.anchor);
    if (v !== undefined) return v;
    this.badCells++;
    if (this.badCells <= MAX_CELL_WARNINGS) {
      this.opts.warn(`${this.opts.displayPath}: line ${line}: column ${this.header[idx]} = ${JSON.stringify(cell.slice(0, 40))} is not an integer ns value near the run; treated as empty`);
    }
    return NaN;
  }

  /** Sequence number: the seq column, else a numeric event id, else NaN. */
  seq(cells: readonly string[]): number {
    const raw = this.idxSeq >= 0 ? cells[this.idxSeq]! : this.idxEvent >= 0 ? cells[this.idxEvent]! : '';
    if (raw === '' || !/^-?\d{1,15}$/.test(raw)) return NaN;
    return Number(raw);
  }

  eventId(cells: readonly string[]): string {
    return this.idxEvent >= 0 ? cells[this.idxEvent]! : '';
  }

  /** Fill [point, lo, hi] per source into `out` and count availability. */
  stamps(cells: readonly string[], line: number, out: Float64Array): void {
    const n = this.opts.sources.length;
    for (let s = 0; s < n; s++) {
      const ip = this.cols[s * 4]!;
      if (ip < 0) continue;
      const p = this.ns(cells, ip, line);
      const lo = this.ns(cells, this.cols[s * 4 + 1]!, line);
      const hi = this.ns(cells, this.cols[s * 4 + 2]!, line);
      out[s * 3] = p;
      out[s * 3 + 1] = lo;
      out[s * 3 + 2] = hi;
      const a = this.availability[s]!;
      a.rows++;
      if (Number.isNaN(p)) a.empty++; else a.withPoint++;
      if (!Number.isNaN(lo) && !Number.isNaN(hi)) a.withInterval++;
      const is = this.cols[s * 4 + 3]!;
      const st = is >= 0 ? cells[is]! : '';
      a.status.set(st, (a.status.get(st) ?? 0) + 1);
    }
  }

  finish(): void {
    if (this.badCells > MAX_CELL_WARNINGS) {
      this.opts.warn(`${this.opts.displayPath}: ${this.badCells - MAX_CELL_WARNINGS} more unparseable time cells treated as empty`);
    }
  }
}
