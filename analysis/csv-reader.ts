// Streaming CSV reader with bounded memory and almost no per-row allocation. Our writers never
// quote numbers, so plain lines are not copied at all: a batch keeps the chunk text and the field
// boundaries. Any record containing a quote is handed to csv-parse (the reference parser;
// test/unit/analysis-csv-reader.test.ts checks both agree) and stored re-joined by \u001f.
// A torn last line (no newline at end of file, e.g. after SIGKILL) is skipped and reported with
// file and line.
import { createReadStream } from 'node:fs';
import { parse as parseCsvSync } from 'csv-parse/sync';

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

const MAX_DETAILED_WARNINGS = 5;

export class CsvReader {
  header: string[] = [];
  rowsRead = 0;
  skipped = 0;
  tornTail = false;
  readonly warnings: string[] = [];
  private badRowWarnings = 0;
  private iter: AsyncIterator<string | Buffer>;
  private rest = '';
  /** latin1: the bytes of `rest`, so that each chunk's text is made in one piece (see pull). */
  private restBytes: Buffer | null = null;
  private quoted: string | null = null; // a quoted record spanning physical lines
  private quotedLine = 0;
  private line = 0;
  private done = false;
  private queued: CsvBatch | null = null;
  private nextQuote = -1;
  // batch under construction
  private texts: string[] = [];
  private offs = new Int32Array(1024);
  private lines: number[] = [];
  private n = 0;

  private constructor(readonly file: string, readonly displayPath: string, chunkBytes: number, private readonly encoding: 'utf8' | 'latin1') {
    // latin1 is decoded here, byte for byte, from raw chunks (see pull)
    const stream = createReadStream(file, { encoding: encoding === 'latin1' ? undefined : encoding, highWaterMark: chunkBytes });
    this.iter = stream[Symbol.asyncIterator]();
  }

  get fields(): number {
    return this.header.length;
  }

  /** Open a CSV file and read its header row. Throws when the file is empty or has no header. */
  /**
   * `latin1` decodes faster and is exact for ASCII, which the event files are by contract (ids
   * are restricted to ASCII, statuses are fixed words); free text (sync reasons) uses utf8.
   */
  static async open(file: string, displayPath: string, opts: { chunkBytes?: number; encoding?: 'utf8' | 'latin1' } = {}): Promise<CsvReader> {
    const r = new CsvReader(file, displayPath, opts.chunkBytes ?? 1 << 16, opts.encoding ?? 'utf8');
    let first: CsvBatch | null;
    do {
      first = await r.pull();
    } while (first && first.count === 0 && r.header.length === 0);
    if (r.header.length === 0) throw new Error(`${displayPath}: no header row (empty file?)`);
    r.queued = first;
    return r;
  }

  /** Next batch of data rows, or null at end of file. */
  async next(): Promise<CsvBatch | null> {
    if (this.queued) {
      const q = this.queued;
      this.queued = null;
      if (q.count > 0) return q;
    }
    for (;;) {
      const b = await this.pull();
      if (!b) return null;
      if (b.count > 0) return b;
    }
  }

  private startBatch(): void {
    this.texts = [];
    this.lines = [];
    this.n = 0;
  }

  private takeBatch(): CsvBatch {
    const F1 = this.header.length + 1;
    return { count: this.n, texts: this.texts, offsets: this.offs.slice(0, this.n * F1), lines: this.lines };
  }

  private async pull(): Promise<CsvBatch | null> {
    if (this.done) return null;
    const res = await this.iter.next();
    this.startBatch();
    if (res.done) {
      this.done = true;
      this.finishTail();
      return null;
    }
    let text: string;
    if (this.encoding === 'latin1') {
      // One flat string per chunk, not rest + chunk (a cons string): character reads on a flat
      // string were ~20% faster in the decoding that follows. latin1 is one char per byte.
      const chunk = res.value as Buffer;
      const bytes = this.restBytes && this.restBytes.length > 0 ? Buffer.concat([this.restBytes, chunk]) : chunk;
      text = bytes.toString('latin1');
      this.restBytes = bytes;
    } else {
      text = this.rest + (res.value as string);
    }
    this.nextQuote = text.indexOf('"');
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      let end = nl;
      if (end > start && text.charCodeAt(end - 1) === 13) end--; // CRLF
      this.line++;
      this.takeLine(text, start, end);
      start = nl + 1;
    }
    this.rest = text.slice(start);
    if (this.restBytes) this.restBytes = this.restBytes.subarray(start);
    return this.takeBatch();
  }

  private takeLine(text: string, start: number, end: number): void {
    if (this.quoted !== null) {
      this.quoted += '\n' + text.slice(start, end);
      if (countQuotes(this.quoted) % 2 === 0) {
        const rec = this.quoted;
        this.quoted = null;
        this.takeCells(parseQuoted(rec, this, this.quotedLine), this.quotedLine);
      }
      return;
    }
    if (end === start) return;
    // The next quote in the chunk is found once, not once per line (that would be quadratic).
    if (this.nextQuote !== -1 && this.nextQuote < start) this.nextQuote = text.indexOf('"', start);
    const q = this.nextQuote;
    if (q === -1 || q >= end) {
      if (this.header.length === 0) { this.header = text.slice(start, end).split(',').map((c) => c.trim()); return; }
      this.takePlain(text, start, end);
      return;
    }
    const line = text.slice(start, end);
    if (countQuotes(line) % 2 === 1) {
      this.quoted = line;
      this.quotedLine = this.line;
      return;
    }
    this.takeCells(parseQuoted(line, this, this.line), this.line);
  }

  private ensure(extra: number): void {
    const need = (this.n + 1) * (this.header.length + 1) + extra;
    if (need > this.offs.length) {
      let len = this.offs.length * 2;
      while (len < need) len *= 2;
      const g = new Int32Array(len);
      g.set(this.offs);
      this.offs = g;
    }
  }

  /** A plain line: record the field boundaries inside the chunk text, no copy. */
  private takePlain(text: string, start: number, end: number): void {
    const F = this.header.length;
    this.ensure(0);
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
    if (j !== F - 1) {
      this.skipped++;
      this.badRow(`line ${this.line}: ${j + 1 > F ? 'more than ' + F : j + 1} fields where the header has ${F}; row skipped`);
      return;
    }
    this.offs[base + F] = end + 1;
    this.texts.push(text);
    this.lines.push(this.line);
    this.n++;
    this.rowsRead++;
  }

  private takeCells(cells: string[] | null, line: number): void {
    if (cells === null) { this.skipped++; return; }
    if (this.header.length === 0) { this.header = cells.map((c) => c.trim()); return; }
    const F = this.header.length;
    if (cells.length !== F) {
      this.skipped++;
      this.badRow(`line ${line}: ${cells.length} fields where the header has ${F}; row skipped`);
      return;
    }
    this.ensure(0);
    const base = this.n * (F + 1);
    let pos = 0;
    for (let j = 0; j < F; j++) { this.offs[base + j] = pos; pos += cells[j]!.length + 1; }
    this.offs[base + F] = pos;
    this.texts.push(cells.join(UNIT_SEP));
    this.lines.push(line);
    this.n++;
    this.rowsRead++;
  }

  badRow(msg: string): void {
    this.badRowWarnings++;
    if (this.badRowWarnings <= MAX_DETAILED_WARNINGS) this.warnings.push(`${this.displayPath}: ${msg}`);
  }

  private finishTail(): void {
    const tail = this.quoted !== null ? this.quoted + (this.rest ? '\n' + this.rest : '') : this.rest;
    const line = this.quoted !== null ? this.quotedLine : this.line + 1;
    if (tail.length > 0) {
      this.tornTail = true;
      this.skipped++;
      this.warnings.push(`${this.displayPath}: line ${line}: torn last line (no newline at end of file, ${tail.length} characters) skipped`);
    }
    if (this.badRowWarnings > MAX_DETAILED_WARNINGS) {
      this.warnings.push(`${this.displayPath}: ${this.badRowWarnings - MAX_DETAILED_WARNINGS} more bad rows skipped (first ${MAX_DETAILED_WARNINGS} listed)`);
    }
    this.rest = '';
    this.quoted = null;
  }
}

function countQuotes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i !== -1; i = s.indexOf('"', i + 1)) n++;
  return n;
}

function parseQuoted(record: string, reader: CsvReader, line: number): string[] | null {
  try {
    const recs = parseCsvSync(record, { relax_column_count: true, relax_quotes: false }) as string[][];
    return recs[0] ?? null;
  } catch (err) {
    reader.badRow(`line ${line}: unparseable CSV record (${(err as Error).message.split('\n')[0]}); row skipped`);
    return null;
  }
}
