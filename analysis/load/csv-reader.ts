// Streaming CSV reader with bounded memory and almost no per-row allocation, for files whose
// cells are wanted as text (commit-wait and sync files, the legacy layout, figures). Lines come
// from CsvLines (csv-lines.ts: chunks, header, quoted records, torn tail). Our writers never quote
// numbers, so plain lines are not copied at all: a batch keeps the chunk text and the field
// boundaries. A record with quotes is split by csv-parse (the reference parser;
// test/unit/analysis-io.test.ts checks both agree) and stored re-joined by \u001f.
import { CsvLines, ROW_REJECTED, type CsvEncoding, type RowSink } from './csv-lines.js';
import { parseIntAt } from './ns-parse.js';

/** Why a row with a negative sequence number is refused (event and commit-wait files alike). */
export function negativeSeqReason(column: string, seq: number): string {
  return `column ${column} = ${seq} is negative (sequence numbers count from 0)`;
}

/** Separator used for records that needed the full CSV parser. */
export const UNIT_SEP = '\u001f';

export interface CsvBatch {
  count: number;
  /** Per row: the text its fields live in (the shared chunk for plain lines). */
  texts: string[];
  /** Row i, field j = texts[i].slice(offsets[i·(F+1)+j], offsets[i·(F+1)+j+1] − 1), F = header length. */
  offsets: Int32Array;
  /** 1-based physical line number where each row starts. */
  lines: number[];
}

export function cellOf(b: CsvBatch, i: number, j: number, fields: number): string {
  const base = i * (fields + 1);
  return b.texts[i]!.slice(b.offsets[base + j]!, b.offsets[base + j + 1]! - 1);
}

export function cellsOf(b: CsvBatch, i: number, fields: number): string[] {
  const out = new Array<string>(fields);
  for (let j = 0; j < fields; j++) out[j] = cellOf(b, i, j, fields);
  return out;
}

/** A batch made of already split rows (legacy conversion, tests). */
export function batchFromCells(rows: string[][], lines: number[], fields: number): CsvBatch {
  const offsets = new Int32Array(rows.length * (fields + 1));
  const texts = rows.map((cells, i) => {
    let pos = 0;
    for (let j = 0; j < fields; j++) {
      offsets[i * (fields + 1) + j] = pos;
      pos += (cells[j] ?? '').length + 1;
    }
    offsets[i * (fields + 1) + fields] = pos;
    return cells.join(UNIT_SEP);
  });
  return { count: rows.length, texts, offsets, lines };
}

/** Builds string batches from the lines of a chunk. */
class StringBatches implements RowSink {
  private chunkStart = 0;
  private chunkEnd = 0;
  /** latin1: the whole chunk as one flat string, made once per chunk on first use (byte = char). */
  private chunkText: string | null = null;
  private texts: string[] = [];
  private offs = new Int32Array(1024);
  private lines: number[] = [];
  private n = 0;
  rejected = '';

  /** seqColumn(): index of a column whose negative integers refuse the row (−1: none). */
  constructor(
    private readonly fields: () => number,
    private readonly encoding: CsvEncoding,
    private readonly seqColumn: () => number,
    private readonly header: () => string[],
  ) {}

  /** Refuse row n (its offsets are in place) when its seq cell is a negative integer. */
  private refused(text: string, base: number): boolean {
    const col = this.seqColumn();
    if (col < 0) return false;
    const a = this.offs[base + col]!;
    if (text.charCodeAt(a) !== 45) return false;
    const v = parseIntAt(text, a, this.offs[base + col + 1]! - 1);
    if (!(v < 0)) return false;
    this.rejected = negativeSeqReason(this.header()[col]!, v);
    return true;
  }

  chunk(_buf: Buffer, start: number, end: number): void {
    this.chunkStart = start;
    this.chunkEnd = end;
    this.chunkText = null;
  }

  /** A plain line: record the field boundaries inside the chunk text, no copy. */
  plain(buf: Buffer, start: number, end: number, line: number): number {
    const F = this.fields();
    let text: string;
    if (this.encoding === 'latin1') {
      text = this.chunkText ??= buf.toString('latin1', this.chunkStart, this.chunkEnd);
      start -= this.chunkStart;
      end -= this.chunkStart;
    } else {
      text = buf.toString('utf8', start, end);
      start = 0;
      end = text.length;
    }
    this.ensure(F);
    const base = this.n * (F + 1);
    let j = 0;
    let pos = start;
    this.offs[base] = start;
    for (;;) {
      const c = text.indexOf(',', pos);
      if (c === -1 || c >= end) break;
      j++;
      if (j > F) break;
      this.offs[base + j] = c + 1;
      pos = c + 1;
    }
    if (j !== F - 1) return j;
    this.offs[base + F] = end + 1;
    if (this.refused(text, base)) return ROW_REJECTED;
    this.texts.push(text);
    this.lines.push(line);
    this.n++;
    return j;
  }

  cells(cells: string[], line: number): boolean {
    const F = this.fields();
    this.ensure(F);
    const base = this.n * (F + 1);
    let pos = 0;
    for (let j = 0; j < F; j++) {
      this.offs[base + j] = pos;
      pos += cells[j]!.length + 1;
    }
    this.offs[base + F] = pos;
    const text = cells.join(UNIT_SEP);
    if (this.refused(text, base)) return false;
    this.texts.push(text);
    this.lines.push(line);
    this.n++;
    return true;
  }

  /** The rows gathered since the last take. */
  take(): CsvBatch {
    const F1 = this.fields() + 1;
    const b: CsvBatch = { count: this.n, texts: this.texts, offsets: this.offs.slice(0, this.n * F1), lines: this.lines };
    this.texts = [];
    this.lines = [];
    this.n = 0;
    this.chunkText = null;
    return b;
  }

  private ensure(F: number): void {
    const need = (this.n + 1) * (F + 1);
    if (need > this.offs.length) {
      let len = this.offs.length * 2;
      while (len < need) len *= 2;
      const g = new Int32Array(len);
      g.set(this.offs);
      this.offs = g;
    }
  }
}

export class CsvReader {
  private readonly sink: StringBatches;

  private constructor(
    private readonly lines: CsvLines,
    readonly file: string,
    seqColumn: string | null,
  ) {
    let col: number | undefined;
    this.sink = new StringBatches(
      () => lines.header.length,
      lines.encoding,
      () => (col ??= seqColumn === null ? -1 : lines.header.indexOf(seqColumn)),
      () => lines.header,
    );
  }

  get displayPath(): string {
    return this.lines.displayPath;
  }
  get header(): string[] {
    return this.lines.header;
  }
  get rowsRead(): number {
    return this.lines.rowsRead;
  }
  get skipped(): number {
    return this.lines.skipped;
  }
  get tornTail(): boolean {
    return this.lines.tornTail;
  }
  get warnings(): string[] {
    return this.lines.warnings;
  }
  get fields(): number {
    return this.lines.header.length;
  }

  /**
   * Open a CSV file and read its header row. Throws when the file is empty or has no header.
   * `latin1` decodes faster and is exact for ASCII, which the event files are by contract (ids
   * are restricted to ASCII, statuses are fixed words); free text (sync reasons) uses utf8.
   * `seqColumn`: rows whose cell there is a negative integer are skipped with a warning.
   */
  static async open(
    file: string,
    displayPath: string,
    opts: { chunkBytes?: number; encoding?: CsvEncoding; seqColumn?: string } = {},
  ): Promise<CsvReader> {
    return new CsvReader(await CsvLines.open(file, displayPath, opts), file, opts.seqColumn ?? null);
  }

  /** Next batch of data rows, or null at end of file. */
  async next(): Promise<CsvBatch | null> {
    for (;;) {
      if (!(await this.lines.readChunk(this.sink))) return null;
      const b = this.sink.take();
      if (b.count > 0) return b;
    }
  }

  badRow(msg: string): void {
    this.lines.badRow(msg);
  }

  /** Close the file early (it closes itself at end of file). */
  close(): Promise<void> {
    return this.lines.close();
  }
}
