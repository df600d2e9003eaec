// Maps a CSV header to column positions and decodes rows into relative-ns stamps.
// Sources are discovered from column names (DESIGN §4): S is a source when the header has
// `S_ns` together with `S_status` or `S_lo_ns`/`S_hi_ns`; it is bounded when both lo and hi exist.
import type { CsvBatch } from './csv-reader.js';
import { parseIntAt, parseRelNsAt, type Anchor } from './ns-parse.js';
import { ratio } from '../stats/distribution.js';
import type { ReadingAvailability } from '../stats/types.js';

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
  status = new Map<string, { n: number }>();
  box(status: string): { n: number } {
    let b = this.status.get(status);
    if (!b) this.status.set(status, (b = { n: 0 }));
    return b;
  }
  /** `bounded`: the source's metrics use intervals, so a reading counts as available only with one. */
  toEntry(source: string, role: 'coordinator' | 'worker', node: string | null, bounded: boolean): ReadingAvailability {
    return {
      source, role, node, rows: this.rows, with_point: this.withPoint, with_interval: this.withInterval, empty: this.empty,
      status_counts: Object.fromEntries([...this.status].map(([k, v]) => [k, v.n] as const).sort((a, b) => a[0].localeCompare(b[0]))),
      availability: ratio(bounded ? this.withInterval : this.withPoint, this.rows),
      point_availability: ratio(this.withPoint, this.rows),
    };
  }

  /** The sum of several places' counts (all workers pooled). */
  static pooled(parts: readonly AvailabilityCounter[]): AvailabilityCounter {
    const out = new AvailabilityCounter();
    for (const p of parts) {
      out.rows += p.rows; out.withPoint += p.withPoint; out.withInterval += p.withInterval; out.empty += p.empty;
      for (const [k, v] of p.status) out.box(k).n += v.n;
    }
    return out;
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
  private readonly F: number;
  /** Per global source: column of point, lo, hi, status (−1 when absent). */
  private readonly cols: Int32Array;
  readonly availability: (AvailabilityCounter | null)[];
  /** Last status text seen per source: most rows repeat it, so no new string is made. */
  private readonly lastStatus: string[];
  private readonly lastBox: ({ n: number } | null)[];
  badCells = 0;
  // the row being decoded
  private text = '';
  private base = 0;
  private offs: Int32Array = new Int32Array(0);
  private line = 0;

  constructor(readonly header: readonly string[], private readonly opts: DecoderOptions) {
    const at = (name: string) => header.indexOf(name);
    this.F = header.length;
    this.idxEvent = at('event_id');
    this.idxSeq = at('seq');
    this.idxLocal = at(opts.localColumn);
    this.idxTrue = at(opts.trueColumn);
    this.idxNode = at('node_id');
    this.cols = new Int32Array(opts.sources.length * 4).fill(-1);
    this.lastStatus = opts.sources.map(() => '');
    this.lastBox = opts.sources.map(() => null);
    this.availability = opts.sources.map((s, i) => {
      this.cols[i * 4] = at(`${s}_ns`);
      this.cols[i * 4 + 1] = at(`${s}_lo_ns`);
      this.cols[i * 4 + 2] = at(`${s}_hi_ns`);
      this.cols[i * 4 + 3] = at(`${s}_status`);
      return this.cols[i * 4]! >= 0 ? new AvailabilityCounter() : null;
    });
  }

  /** Point the decoder at row i of a batch; the accessors below read from it. */
  row(b: CsvBatch, i: number): this {
    this.text = b.texts[i]!;
    this.offs = b.offsets;
    this.base = i * (this.F + 1);
    this.line = b.lines[i]!;
    return this;
  }

  get lineNo(): number {
    return this.line;
  }

  cell(idx: number): string {
    if (idx < 0) return '';
    return this.text.slice(this.offs[this.base + idx]!, this.offs[this.base + idx + 1]! - 1);
  }

  /** An ns cell → relative ns; '' → NaN; unparseable → NaN with a warning (never 0). */
  ns(idx: number): number {
    if (idx < 0) return NaN;
    const a = this.offs[this.base + idx]!;
    const e = this.offs[this.base + idx + 1]! - 1;
    const v = parseRelNsAt(this.text, a, e, this.opts.anchor);
    if (v !== undefined) return v;
    this.badCells++;
    if (this.badCells <= MAX_CELL_WARNINGS) {
      this.opts.warn(`${this.opts.displayPath}: line ${this.line}: column ${this.header[idx]} = ${JSON.stringify(this.cell(idx).slice(0, 40))} is not an integer ns value near the run; treated as empty`);
    }
    return NaN;
  }

  /** Sequence number: the seq column, else a numeric event id, else NaN. */
  seq(): number {
    const idx = this.idxSeq >= 0 ? this.idxSeq : this.idxEvent;
    if (idx < 0) return NaN;
    return parseIntAt(this.text, this.offs[this.base + idx]!, this.offs[this.base + idx + 1]! - 1);
  }

  eventId(): string {
    return this.cell(this.idxEvent);
  }

  /** Write [point, lo, hi] for every source into `out` (NaN where absent) and count availability. */
  stamps(out: Float64Array): void {
    const n = this.opts.sources.length;
    for (let s = 0; s < n; s++) {
      const ip = this.cols[s * 4]!;
      if (ip < 0) { out[s * 3] = NaN; out[s * 3 + 1] = NaN; out[s * 3 + 2] = NaN; continue; }
      const p = this.ns(ip);
      const lo = this.ns(this.cols[s * 4 + 1]!);
      const hi = this.ns(this.cols[s * 4 + 2]!);
      out[s * 3] = p;
      out[s * 3 + 1] = lo;
      out[s * 3 + 2] = hi;
      const a = this.availability[s]!;
      a.rows++;
      if (Number.isNaN(p)) a.empty++; else a.withPoint++;
      if (!Number.isNaN(lo) && !Number.isNaN(hi)) a.withInterval++;
      const is = this.cols[s * 4 + 3]!;
      let box = this.lastBox[s];
      if (is < 0) {
        if (!box) box = this.lastBox[s] = a.box('');
      } else {
        const sa = this.offs[this.base + is]!;
        const se = this.offs[this.base + is + 1]! - 1;
        const last = this.lastStatus[s]!;
        if (!box || se - sa !== last.length || !this.text.startsWith(last, sa)) {
          const st = this.text.slice(sa, se);
          this.lastStatus[s] = st;
          box = this.lastBox[s] = a.box(st);
        }
      }
      box.n++;
    }
  }

  finish(): void {
    if (this.badCells > MAX_CELL_WARNINGS) {
      this.opts.warn(`${this.opts.displayPath}: ${this.badCells - MAX_CELL_WARNINGS} more unparseable time cells treated as empty`);
    }
  }
}
