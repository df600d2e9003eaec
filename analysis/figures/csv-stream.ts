// Streams a CSV file row by row (csv-parse), never holding the file in memory. Rows whose column
// count differs from the header (a torn last line, a damaged row) are counted and skipped.
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

export interface CsvStreamResult {
  rows: number;
  skipped: number;
}

/**
 * Calls `onHeader` once with the header, then `onRow` for every well-formed row. The row array is
 * csv-parse's own and must not be kept.
 */
export async function streamCsv(
  file: string,
  onHeader: (header: string[]) => void,
  onRow: (row: string[]) => void,
): Promise<CsvStreamResult> {
  const parser = createReadStream(file, { highWaterMark: 1 << 20 }).pipe(
    parse({ relax_column_count: true, skip_empty_lines: true, relax_quotes: true }),
  );
  let header: string[] | null = null;
  let rows = 0;
  let skipped = 0;
  for await (const rec of parser as AsyncIterable<string[]>) {
    if (header === null) { header = rec; onHeader(rec); continue; }
    if (rec.length !== header.length) { skipped++; continue; }
    rows++;
    onRow(rec);
  }
  return { rows, skipped };
}

/** Column index by name, -1 when absent. */
export function indexer(header: string[]): (name: string) => number {
  const m = new Map(header.map((h, i) => [h, i]));
  return (name) => m.get(name) ?? -1;
}

/**
 * Epoch-ns decimal cell → ns relative to an anchor given as [seconds, ns remainder]; NaN for an
 * empty or malformed cell. Splits the digits so no float of epoch ns is ever formed.
 */
export function relNs(cell: string | undefined, anchorSec: number, anchorNsRem: number): number {
  if (!cell) return NaN;
  const neg = cell.charCodeAt(0) === 45;
  const digits = neg ? cell.slice(1) : cell;
  if (!/^\d+$/.test(digits)) return NaN;
  const cut = Math.max(0, digits.length - 9);
  const sec = cut > 0 ? Number(digits.slice(0, cut)) : 0;
  const rem = Number(digits.slice(cut));
  const s = neg ? -sec : sec;
  const r = neg ? -rem : rem;
  return (s - anchorSec) * 1e9 + (r - anchorNsRem);
}

/** Parse the stats anchor (decimal epoch ns) into [seconds, remainder]. */
export function splitAnchor(anchorNsAbs: string): [number, number] {
  const a = BigInt(anchorNsAbs);
  return [Number(a / 1_000_000_000n), Number(a % 1_000_000_000n)];
}

/** Plain decimal cell (e.g. a duration in ns) → number; NaN for empty/malformed. */
export function num(cell: string | undefined): number {
  if (cell === undefined || cell === '') return NaN;
  const v = Number(cell);
  return Number.isFinite(v) ? v : NaN;
}
