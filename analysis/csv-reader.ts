// Streaming CSV reader with bounded memory. Our writers never quote numbers, so plain lines are
// split on commas (fast path); any record containing a quote is handed to csv-parse, the
// reference parser (test/unit/analysis-csv-reader.test.ts checks both agree). A torn last line
// (no newline at end of file, e.g. after SIGKILL) is skipped and reported with file and line.
import { createReadStream } from 'node:fs';
import { parse as parseCsvSync } from 'csv-parse/sync';

export interface CsvBatch {
  rows: string[][];
  /** 1-based physical line number where each row starts. */
  lines: number[];
}

const MAX_DETAILED_WARNINGS = 5;

export class CsvReader {
  header: string[] = [];
  rowsRead = 0;
  skipped = 0;
  tornTail = false;
  readonly warnings: string[] = [];
  private badRowWarnings = 0;
  private iter: AsyncIterator<string>;
  private rest = '';
  private quoted: string | null = null; // a quoted record spanning physical lines
  private quotedLine = 0;
  private line = 0;
  private done = false;
  private queued: CsvBatch | null = null;

  private constructor(readonly file: string, readonly displayPath: string, chunkBytes: number) {
    const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: chunkBytes });
    this.iter = stream[Symbol.asyncIterator]();
  }

  /** Open a CSV file and read its header row. Throws when the file is empty or has no header. */
  static async open(file: string, displayPath: string, chunkBytes = 1 << 20): Promise<CsvReader> {
    const r = new CsvReader(file, displayPath, chunkBytes);
    let first: CsvBatch | null;
    do {
      first = await r.pull(true);
    } while (first && first.rows.length === 0);
    if (!first || r.header.length === 0) throw new Error(`${displayPath}: no header row (empty file?)`);
    r.queued = first;
    return r;
  }

  /** Next batch of data rows, or null at end of file. */
  async next(): Promise<CsvBatch | null> {
    if (this.queued) {
      const q = this.queued;
      this.queued = null;
      if (q.rows.length > 0) return q;
    }
    for (;;) {
      const b = await this.pull(false);
      if (!b) return null;
      if (b.rows.length > 0) return b;
    }
  }

  private async pull(wantHeader: boolean): Promise<CsvBatch | null> {
    if (this.done) return null;
    const res = await this.iter.next();
    const batch: CsvBatch = { rows: [], lines: [] };
    if (res.done) {
      this.done = true;
      this.finishTail();
      return batch.rows.length ? batch : null;
    }
    const text = this.rest + (res.value as string);
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      let end = nl;
      if (end > start && text.charCodeAt(end - 1) === 13) end--; // CRLF
      this.line++;
      this.takeLine(text.slice(start, end), batch, wantHeader && this.header.length === 0);
      start = nl + 1;
    }
    this.rest = text.slice(start);
    return batch;
  }

  private takeLine(line: string, batch: CsvBatch, isHeader: boolean): void {
    if (this.quoted !== null) {
      this.quoted += '\n' + line;
      if (countQuotes(this.quoted) % 2 === 0) {
        const rec = this.quoted;
        this.quoted = null;
        this.emit(parseQuoted(rec, this, this.quotedLine), this.quotedLine, batch, isHeader);
      }
      return;
    }
    if (line.length === 0) return;
    if (line.indexOf('"') === -1) {
      this.emit(line.split(','), this.line, batch, isHeader);
      return;
    }
    if (countQuotes(line) % 2 === 1) {
      this.quoted = line;
      this.quotedLine = this.line;
      return;
    }
    this.emit(parseQuoted(line, this, this.line), this.line, batch, isHeader);
  }

  private emit(cells: string[] | null, line: number, batch: CsvBatch, isHeader: boolean): void {
    if (cells === null) { this.skipped++; return; }
    if (isHeader || this.header.length === 0) {
      this.header = cells.map((c) => c.trim());
      return;
    }
    if (cells.length !== this.header.length) {
      this.skipped++;
      this.badRow(`line ${line}: ${cells.length} fields where the header has ${this.header.length}; row skipped`);
      return;
    }
    this.rowsRead++;
    batch.rows.push(cells);
    batch.lines.push(line);
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
