// The line layer of the analysis' CSV readers: a file read in fixed chunks of bytes, cut into
// physical lines (LF or CRLF), the header taken from the first non-empty line, quoted records
// (possibly spanning lines) handed to csv-parse, and a torn last line (no newline at end of file,
// e.g. after SIGKILL) skipped and reported with file and line. Lines without a quote — all lines
// our writers produce — are handed to a RowSink as byte ranges, not strings: CsvReader
// (csv-reader.ts) splits them into string cells, EventRowReader (event-rows.ts) decodes them
// straight from the bytes. One call of readChunk = the complete lines of one chunk: the lines
// that end in the next `chunkBytes` of the file (64 KiB by default; the batches, and so the join's
// rhythm, do not depend on how many bytes one read fetches).
import { closeSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { parse as parseCsvSync } from 'csv-parse/sync';

export type CsvEncoding = 'utf8' | 'latin1';

const MAX_DETAILED_WARNINGS = 5;
const LF = 10,
  CR = 13,
  QUOTE = 34;

export interface CsvLinesOptions {
  /** Bytes per chunk, i.e. per batch of rows (default 64 KiB). */
  chunkBytes?: number;
  /** Bytes per read (default chunkBytes): larger reads, fewer system calls, same chunks. */
  readBytes?: number;
  encoding?: CsvEncoding;
  /**
   * Read with blocking calls (a parse thread, which has nothing else to do meanwhile): no trip
   * through the libuv thread pool per read. Default false.
   */
  sync?: boolean;
}

/** The file, read sequentially. */
interface ByteFile {
  read(buf: Buffer, offset: number, length: number): number | Promise<number>;
  close(): void | Promise<void>;
}

async function openFile(file: string, sync: boolean): Promise<ByteFile> {
  if (sync) {
    const fd = openSync(file, 'r');
    return { read: (buf, offset, length) => readSync(fd, buf, offset, length, null), close: () => closeSync(fd) };
  }
  const fh: FileHandle = await open(file, 'r');
  return { read: async (buf, offset, length) => (await fh.read(buf, offset, length, null)).bytesRead, close: () => fh.close() };
}

/** What RowSink.plain returns for a row the sink refused (its reason in `rejected`). */
export const ROW_REJECTED = -1;

/** What a reader does with the data rows of a chunk. */
export interface RowSink {
  /** A new chunk's lines follow; they lie in buf[start, end) (which starts with any unfinished line). */
  chunk(buf: Buffer, start: number, end: number): void;
  /**
   * A line without quotes, buf[start, end) (no CR/LF). Returns how many commas it has; the sink
   * keeps the row only when that is fields − 1 (counting may stop at `fields`: "more than"), or
   * ROW_REJECTED when it refused a row with the right field count (the reason in `rejected`).
   */
  plain(buf: Buffer, start: number, end: number, line: number): number;
  /** A quoted record, split by csv-parse, with exactly as many cells as the header; false: refused (reason in `rejected`). */
  cells(cells: string[], line: number): boolean | void;
  /** Why the last row was refused. */
  readonly rejected?: string;
}

export class CsvLines {
  header: string[] = [];
  rowsRead = 0;
  skipped = 0;
  tornTail = false;
  readonly warnings: string[] = [];
  private badRowWarnings = 0;
  private buf: Buffer;
  /** File offset of buf[0]; bytes held in buf; lines before `pos` are done. */
  private fileOff = 0;
  private len = 0;
  private pos = 0;
  /** File offset where the current chunk ends. */
  private chunkEnd = 0;
  private eof = false;
  private line = 0;
  private quoted: string | null = null; // a quoted record spanning physical lines
  private quotedLine = 0;
  private nextQuote = -1;
  /** Lines left in buf after the header (the first batch), not yet given to a sink. */
  private headerChunkLeft = false;
  private done = false;
  /** The header line's bytes: a data line equal to it is a repeated header (e.g. two files concatenated). */
  private headerBytes: Buffer | null = null;

  private constructor(
    private readonly file: ByteFile,
    readonly displayPath: string,
    private readonly chunkBytes: number,
    private readonly readBytes: number,
    readonly encoding: CsvEncoding,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(chunkBytes, readBytes) * 2);
  }

  /** Open a CSV file and read up to its header row. Throws when the file is empty or has no header. */
  static async open(file: string, displayPath: string, opts: CsvLinesOptions = {}): Promise<CsvLines> {
    const f = await openFile(file, opts.sync ?? false);
    const chunkBytes = opts.chunkBytes ?? 1 << 16;
    const r = new CsvLines(f, displayPath, chunkBytes, opts.readBytes ?? chunkBytes, opts.encoding ?? 'utf8');
    try {
      while (r.header.length === 0) {
        if (!(await r.nextChunk())) break;
        r.takeLines(null);
      }
    } catch (err) {
      await r.close();
      throw err;
    }
    if (r.header.length === 0) {
      await r.close();
      throw new Error(`${displayPath}: no header row (empty file?)`);
    }
    r.headerChunkLeft = true;
    return r;
  }

  /** Hand the complete lines of the next chunk to sink; false (and the file closed) at end of file. */
  async readChunk(sink: RowSink): Promise<boolean> {
    if (this.headerChunkLeft) {
      this.headerChunkLeft = false;
    } else {
      if (this.done) return false;
      if (!(await this.nextChunk())) {
        this.finishTail();
        await this.close();
        return false;
      }
    }
    sink.chunk(this.buf, this.pos, this.limit());
    this.takeLines(sink);
    return true;
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      await this.file.close();
    } catch {
      /* already closed or never readable */
    }
  }

  badRow(msg: string): void {
    this.badRowWarnings++;
    if (this.badRowWarnings <= MAX_DETAILED_WARNINGS) this.warnings.push(`${this.displayPath}: ${msg}`);
  }

  /** Move to the next chunk and have its bytes in buf; false when the file has none (end of file). */
  private async nextChunk(): Promise<boolean> {
    const start = this.chunkEnd;
    this.chunkEnd += this.chunkBytes;
    while (!this.eof && this.fileOff + this.len < this.chunkEnd) await this.fill();
    return this.fileOff + this.len > start;
  }

  /** Where the current chunk's bytes end in buf. */
  private limit(): number {
    return Math.min(this.len, this.chunkEnd - this.fileOff);
  }

  /** Keep the unfinished line, append the next read after it. */
  private async fill(): Promise<void> {
    const keep = this.len - this.pos;
    if (keep + this.readBytes > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, keep + this.readBytes));
      this.buf.copy(grown, 0, this.pos, this.len);
      this.buf = grown;
    } else if (this.pos > 0) {
      this.buf.copyWithin(0, this.pos, this.len);
    }
    this.fileOff += this.pos;
    this.pos = 0;
    this.len = keep;
    const n = await this.file.read(this.buf, keep, this.readBytes);
    if (n === 0) this.eof = true;
    this.len += n;
  }

  /** The first quote in buf[from, to), or −1 (searching the chunk only, not the whole buffer). */
  private findQuote(from: number, to: number): number {
    if (from >= to) return -1;
    const i = this.buf.subarray(from, to).indexOf(QUOTE);
    return i === -1 ? -1 : from + i;
  }

  private text(start: number, end: number): string {
    return this.buf.toString(this.encoding, start, end);
  }

  /** Every complete line from pos in the current chunk; with no sink, stop after the header. */
  private takeLines(sink: RowSink | null): void {
    const buf = this.buf;
    const len = this.limit();
    // The next quote is found once per chunk and then line by line ahead (not once per line).
    this.nextQuote = this.findQuote(this.pos, len);
    let start = this.pos;
    for (;;) {
      const nl = buf.indexOf(LF, start);
      if (nl === -1 || nl >= len) break;
      let end = nl;
      if (end > start && buf[end - 1] === CR) end--;
      this.line++;
      this.takeLine(sink, start, end);
      start = nl + 1;
      if (!sink && this.header.length > 0) break;
    }
    this.pos = start;
  }

  private takeLine(sink: RowSink | null, start: number, end: number): void {
    if (this.quoted !== null) {
      this.quoted += '\n' + this.text(start, end);
      if (countQuotes(this.quoted) % 2 === 0) {
        const rec = this.quoted;
        this.quoted = null;
        this.takeCells(sink, this.parseQuoted(rec, this.quotedLine), this.quotedLine);
      }
      return;
    }
    if (end === start) return;
    if (this.nextQuote !== -1 && this.nextQuote < start) {
      this.nextQuote = this.findQuote(start, this.limit());
    }
    const q = this.nextQuote;
    if (q === -1 || q >= end) {
      if (this.header.length === 0) {
        this.header = this.text(start, end)
          .split(',')
          .map((c) => c.trim());
        this.headerBytes = Buffer.from(this.buf.subarray(start, end));
        return;
      }
      this.takePlain(sink!, start, end);
      return;
    }
    const line = this.text(start, end);
    if (countQuotes(line) % 2 === 1) {
      this.quoted = line;
      this.quotedLine = this.line;
      return;
    }
    this.takeCells(sink, this.parseQuoted(line, this.line), this.line);
  }

  private takePlain(sink: RowSink, start: number, end: number): void {
    const F = this.header.length;
    const h = this.headerBytes;
    if (h !== null && end - start === h.length && this.buf.compare(h, 0, h.length, start, end) === 0) {
      this.skipped++;
      this.badRow(`line ${this.line}: a repeated header line; row skipped`);
      return;
    }
    const commas = sink.plain(this.buf, start, end, this.line);
    if (commas === ROW_REJECTED) {
      this.skipped++;
      this.badRow(`line ${this.line}: ${sink.rejected ?? 'refused'}; row skipped`);
      return;
    }
    if (commas !== F - 1) {
      this.skipped++;
      this.badRow(`line ${this.line}: ${commas + 1 > F ? 'more than ' + F : commas + 1} fields where the header has ${F}; row skipped`);
      return;
    }
    this.rowsRead++;
  }

  private takeCells(sink: RowSink | null, cells: string[] | null, line: number): void {
    if (cells === null) {
      this.skipped++;
      return;
    }
    if (this.header.length === 0) {
      this.header = cells.map((c) => c.trim());
      return;
    }
    const F = this.header.length;
    if (cells.length !== F) {
      this.skipped++;
      this.badRow(`line ${line}: ${cells.length} fields where the header has ${F}; row skipped`);
      return;
    }
    if (cells.every((c, j) => c.trim() === this.header[j])) {
      this.skipped++;
      this.badRow(`line ${line}: a repeated header line; row skipped`);
      return;
    }
    if (sink!.cells(cells, line) === false) {
      this.skipped++;
      this.badRow(`line ${line}: ${sink!.rejected ?? 'refused'}; row skipped`);
      return;
    }
    this.rowsRead++;
  }

  private parseQuoted(record: string, line: number): string[] | null {
    try {
      const recs = parseCsvSync(record, { relax_column_count: true, relax_quotes: false }) as string[][];
      return recs[0] ?? null;
    } catch (err) {
      this.badRow(`line ${line}: unparseable CSV record (${(err as Error).message.split('\n')[0]}); row skipped`);
      return null;
    }
  }

  private finishTail(): void {
    const rest = this.len > this.pos ? this.text(this.pos, this.len) : '';
    const tail = this.quoted !== null ? this.quoted + (rest ? '\n' + rest : '') : rest;
    const line = this.quoted !== null ? this.quotedLine : this.line + 1;
    if (tail.length > 0) {
      this.tornTail = true;
      this.skipped++;
      this.warnings.push(
        `${this.displayPath}: line ${line}: torn last line (no newline at end of file, ${tail.length} characters) skipped`,
      );
    }
    if (this.badRowWarnings > MAX_DETAILED_WARNINGS) {
      this.warnings.push(
        `${this.displayPath}: ${this.badRowWarnings - MAX_DETAILED_WARNINGS} more bad rows skipped (first ${MAX_DETAILED_WARNINGS} listed)`,
      );
    }
    this.pos = this.len;
    this.quoted = null;
  }
}

function countQuotes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i !== -1; i = s.indexOf('"', i + 1)) n++;
  return n;
}
