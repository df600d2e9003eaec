// Streams a CSV file batch by batch with the analysis' CsvReader (plain lines are split in place,
// quoted records go through csv-parse; torn last lines and wrong-width rows are skipped and
// counted), and parses only the cells a figure needs, straight from the chunk text: no per-row
// objects, no per-cell strings, so a 1,000,000-event run streams in seconds.
import { CsvReader } from '../../../analysis/load/csv-reader.js';

export interface CsvStreamResult {
  rows: number;
  skipped: number;
  warnings: string[];
  /** The file could not be opened or has no header (e.g. empty after a crash); nothing was read. */
  unreadable: boolean;
}

/** One row: cell j spans text[offsets[base + j], offsets[base + j + 1] − 1). */
export type RowFn = (text: string, offsets: Int32Array, base: number) => void;

export async function streamCsv(
  file: string,
  displayPath: string,
  onHeader: (header: string[]) => void,
  onRow: RowFn,
  opts: { encoding?: 'utf8' | 'latin1' } = {},
): Promise<CsvStreamResult> {
  let reader: CsvReader;
  try {
    reader = await CsvReader.open(file, displayPath, { encoding: opts.encoding ?? 'latin1', chunkBytes: 1 << 20 });
  } catch (e) {
    // An empty or headerless file (a process killed before its first flush) is reported, not fatal.
    return { rows: 0, skipped: 0, warnings: [e instanceof Error ? e.message : String(e)], unreadable: true };
  }
  onHeader(reader.header);
  const F1 = reader.fields + 1;
  let rows = 0;
  for (let b = await reader.next(); b; b = await reader.next()) {
    for (let i = 0; i < b.count; i++) onRow(b.texts[i]!, b.offsets, i * F1);
    rows += b.count;
  }
  return { rows, skipped: reader.skipped, warnings: reader.warnings, unreadable: false };
}

/** Column index by name, -1 when absent. */
export function indexer(header: string[]): (name: string) => number {
  const m = new Map(header.map((h, i) => [h, i]));
  return (name) => m.get(name) ?? -1;
}

/** Cell j of a row as a string ('' when the column is absent). */
export function cell(text: string, offsets: Int32Array, base: number, j: number): string {
  return j < 0 ? '' : text.slice(offsets[base + j]!, offsets[base + j + 1]! - 1);
}

/**
 * Integer epoch-ns cell → ns relative to an anchor [seconds, ns remainder]; NaN when the column
 * is absent, the cell empty or not an integer. The digits are summed as whole seconds and a
 * 9-digit remainder, so no float of epoch ns (which would lose precision) is ever formed.
 */
export function relNsAt(text: string, offsets: Int32Array, base: number, j: number, anchorSec: number, anchorRem: number): number {
  if (j < 0) return NaN;
  let p = offsets[base + j]!;
  const end = offsets[base + j + 1]! - 1;
  if (p >= end) return NaN;
  let neg = false;
  if (text.charCodeAt(p) === 45) {
    neg = true;
    p++;
    if (p >= end) return NaN;
  }
  const split = end - 9; // digits before this index are seconds
  let sec = 0;
  let rem = 0;
  for (let k = p; k < end; k++) {
    const d = text.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return NaN;
    if (k < split) sec = sec * 10 + d;
    else rem = rem * 10 + d;
  }
  return neg ? (-sec - anchorSec) * 1e9 + (-rem - anchorRem) : (sec - anchorSec) * 1e9 + (rem - anchorRem);
}

/** Plain decimal cell → number (NaN when absent, empty or not a number). */
export function numAt(text: string, offsets: Int32Array, base: number, j: number): number {
  if (j < 0) return NaN;
  const s = offsets[base + j]!;
  const e = offsets[base + j + 1]! - 1;
  if (s >= e) return NaN;
  const v = Number(text.slice(s, e));
  return Number.isFinite(v) ? v : NaN;
}

/** Non-negative integer cell (e.g. seq) → number; -1 when absent, empty or not an integer. */
export function uintAt(text: string, offsets: Int32Array, base: number, j: number): number {
  if (j < 0) return -1;
  const s = offsets[base + j]!;
  const e = offsets[base + j + 1]! - 1;
  if (s >= e || e - s > 15) return -1;
  let v = 0;
  for (let k = s; k < e; k++) {
    const d = text.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Parse the stats anchor (decimal epoch ns) into [seconds, remainder]. */
export function splitAnchor(anchorNsAbs: string): [number, number] {
  const a = BigInt(anchorNsAbs);
  const sec = a >= 0n ? a / 1_000_000_000n : -((-a + 999_999_999n) / 1_000_000_000n);
  return [Number(sec), Number(a - sec * 1_000_000_000n)];
}

/** A decimal epoch-ns string → ns relative to the anchor (NaN when malformed). */
export function relNsOf(value: string, anchorSec: number, anchorRem: number): number {
  const offsets = Int32Array.of(0, value.length + 1);
  return relNsAt(value, offsets, 0, 0, anchorSec, anchorRem);
}
