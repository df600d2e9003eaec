import { promises as fs, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';

export type Cell = string | number | bigint | null | undefined;

/**
 * Append-only CSV writer for the hot path: `append` only pushes into memory; a timer writes
 * each batch with one appendFile + fsync (at most `flushMs` of rows at risk on a crash).
 * The file is never truncated: a restarted process appends below what is there.
 */
export class BatchedCsvWriter {
  private pending: CsvRow[] = [];
  private handle: fs.FileHandle | null = null;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  rowsWritten = 0;

  constructor(
    readonly file: string,
    readonly columns: readonly string[],
    private readonly flushMs = 100,
    /** Called once if a write fails: the owner must stop (rows can no longer be kept). */
    private readonly onFatal: (err: Error) => void = () => {},
  ) {}

  async open(): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const fresh = !existsSync(this.file) || statSync(this.file).size === 0;
    this.handle = await fs.open(this.file, 'a');
    if (fresh) {
      await this.handle.appendFile(stringify([this.columns as string[]]));
      await this.handle.sync();
    } else {
      await this.repairTornTail();
    }
    this.timer = setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  /** A crash may have left a line without its newline; end it so appended rows start clean. */
  private async repairTornTail(): Promise<void> {
    const size = statSync(this.file).size;
    const fd = await fs.open(this.file, 'r');
    try {
      const buf = Buffer.alloc(1);
      await fd.read(buf, 0, 1, size - 1);
      if (buf[0] !== 0x0a) await this.handle!.appendFile('\n');
    } finally {
      await fd.close();
    }
  }

  /** Hot path: no I/O. Cells are stringified later, off the receive path. */
  append(row: Cell[]): void {
    this.pending.push(row);
  }

  /** Hot path, for rows that share most of their text: one line already rendered by csvCells (no newline). */
  appendLine(line: string): void {
    this.pending.push(line);
  }

  get failed(): Error | null {
    return this.failure;
  }

  /** Write and fsync everything pending. Safe to call concurrently (calls are serialised). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writePending());
    return this.flushing;
  }

  private async writePending(): Promise<void> {
    if (!this.handle || this.pending.length === 0 || this.failure) return;
    const batch = this.pending;
    this.pending = [];
    const bytes = Buffer.from(rowsToCsv(batch), 'utf8');
    // Written by hand instead of appendFile so that a failure (ENOSPC) mid-batch still tells how
    // many bytes reached the file: rowsWritten then counts the complete rows the file holds.
    let off = 0;
    try {
      while (off < bytes.length) off += (await this.handle.write(bytes, off, bytes.length - off)).bytesWritten;
      await this.handle.sync();
      this.rowsWritten += batch.length;
    } catch (err) {
      const complete = completeRows(batch, off);
      this.rowsWritten += complete;
      this.failure = err as Error;
      this.pending = batch.slice(complete).concat(this.pending); // keep the rest in memory; owner decides
      this.onFatal(this.failure);
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
    if (this.handle) await this.handle.close();
    this.handle = null;
  }
}

/**
 * RFC 4180 text of rows, byte-identical to csv-stringify's defaults (',' and '\n'; a cell is
 * quoted, with '"' doubled, only when it holds ',', '"', '\r' or '\n'). Hand-written because a
 * flush runs on the receive thread: at 20,000 events/s csv-stringify's per-cell pipeline took
 * ~7 µs per row and most of the worker's garbage; this takes a fraction of that.
 */
export function rowsToCsv(rows: readonly CsvRow[]): string {
  let out = '';
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    out += typeof row === 'string' ? row : csvCells(row);
    out += '\n';
  }
  return out;
}

/** A row as cells, or as a line csvCells already rendered (BatchedCsvWriter.appendLine). */
export type CsvRow = readonly Cell[] | string;

/** The RFC 4180 text of cells, as rowsToCsv writes them, without the newline: a whole line or a run of cells to join with ','. */
export function csvCells(row: readonly Cell[]): string {
  let out = '';
  for (let i = 0; i < row.length; i++) {
    if (i > 0) out += ',';
    const c = row[i];
    if (c === null || c === undefined) continue;
    if (typeof c !== 'string') {
      out += c.toString();
      continue;
    }
    out += NEEDS_QUOTES.test(c) ? `"${c.replace(/"/g, '""')}"` : c;
  }
  return out;
}
const NEEDS_QUOTES = /[",\r\n]/;

/** How many of `rows` (as rowsToCsv writes them) lie wholly within the first `bytes` bytes. Failure path only. */
function completeRows(rows: readonly CsvRow[], bytes: number): number {
  let end = 0;
  for (let n = 0; n < rows.length; n++) {
    end += Buffer.byteLength(rowsToCsv([rows[n]!]), 'utf8');
    if (end > bytes) return n;
  }
  return rows.length;
}

export function cellToString(c: Cell): string {
  if (c === null || c === undefined) return '';
  return typeof c === 'string' ? c : c.toString();
}
