// Main-thread side of the parse threads (parse-thread.ts): the event CSVs are read and decoded on
// other cores while this thread joins. A pool of `threads` threads shares the files round-robin:
// on this 2-core machine one parse thread for all five files used less CPU than one per file
// (fewer threads competing for two cores, fewer isolates compiling the same code) at the same
// wall time.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DecodedRows, DecodedRowSource, ReaderStats, RowRole } from '../load/decoded-rows.js';
import type { EventReadOptions } from '../load/event-rows.js';
import { SLEEPING, WAKE, flowSlots, producedSlot, takenSlot, type ParseThreadData } from './parse-flow.js';

/** Batches decoded ahead of the join per file (each ~64 KiB of text, ~30 KiB decoded). */
const CREDITS = 64;
/** A thread whose files all filled their credits sleeps until the join is this close to catching up on one. */
const LOW_WATER = 32;

/** Parse threads for a run: the cores but the one the join needs, at most one per file. */
export function parseThreadCount(files: number): number {
  return Math.max(1, Math.min(files, availableParallelism() - 1));
}

type Msg =
  | { type: 'header'; file: number; header: string[] }
  | { type: 'open-error'; file: number; message: string }
  | { type: 'rows'; file: number; rows: DecodedRows }
  | { type: 'end'; file: number; stats: ReaderStats }
  | { type: 'error'; file: number; message: string };

export interface ParsedFile {
  file: string;
  displayPath: string;
  role: RowRole;
  read: EventReadOptions;
}

export class ParsePool {
  private readonly handles: ThreadedDecodedRows[] = [];
  private readonly workers: Worker[] = [];
  private closed = 0;

  /** Start `threads` threads over `files` (file k goes to thread k mod threads). */
  constructor(files: ParsedFile[], threads: number) {
    const n = Math.max(1, Math.min(threads, files.length));
    for (let t = 0; t < n; t++) {
      const mine = files.flatMap((f, k) => (k % n === t ? [{ f, k }] : []));
      const flow = new Int32Array(new SharedArrayBuffer(4 * flowSlots(mine.length)));
      const data: ParseThreadData = { files: mine.map((m) => m.f), flow, credits: CREDITS, lowWater: LOW_WATER };
      const worker = new Worker(new URL('./parse-thread.js', import.meta.url), { workerData: data });
      this.workers.push(worker);
      const local = mine.map(
        ({ f, k }, i) => (this.handles[k] = new ThreadedDecodedRows(worker, flow, i, f.displayPath, () => this.release())),
      );
      worker.on('message', (m: Msg) => {
        if (m.file < 0) {
          for (const h of local) h.fail(new Error(m.type === 'error' ? m.message : 'parse thread failed'));
          return;
        }
        local[m.file]!.onMessage(m);
      });
      worker.on('error', (e: Error) => {
        for (const h of local) h.fail(e);
      });
      worker.on('exit', () => {
        for (const h of local) h.exited();
      });
    }
  }

  /** File k's rows, once its header is read; rejects like CsvLines.open. */
  open(k: number): Promise<ThreadedDecodedRows> {
    return this.handles[k]!.opened;
  }

  /** Stop every thread (each handle's close() counts; the last one, or this, ends them). */
  close(): void {
    for (const w of this.workers) void w.terminate();
  }

  private release(): void {
    if (++this.closed === this.handles.length) this.close();
  }
}

export class ThreadedDecodedRows implements DecodedRowSource {
  header: string[] = [];
  stats: ReaderStats;
  readonly opened: Promise<ThreadedDecodedRows>;
  private readonly queue: DecodedRows[] = [];
  private ended = false;
  private isClosed = false;
  private failure: Error | null = null;
  private waiter: (() => void) | null = null;
  private openCb: { resolve: (t: ThreadedDecodedRows) => void; reject: (e: Error) => void } | null = null;

  /**
   * Flow control through shared counters (taken, produced, sleeping), not messages: the thread
   * decodes at most CREDITS batches ahead and is woken only at the low-water mark, because every
   * wake-up (postMessage or notify) showed as ~0.5 ms of main-thread time in profiles on this busy
   * host (the woken thread preempting it).
   */
  constructor(
    private readonly worker: Worker,
    private readonly flow: Int32Array,
    private readonly file: number,
    private readonly displayPath: string,
    private readonly onClose: () => void,
  ) {
    this.stats = { displayPath, rowsRead: 0, skipped: 0, tornTail: false, warnings: [] };
    this.opened = new Promise((resolve, reject) => {
      this.openCb = { resolve, reject };
    });
    this.opened.catch(() => undefined); // reported where it is awaited
  }

  start(sources: readonly string[], anchorSec: number): void {
    this.worker.postMessage({ type: 'start', file: this.file, sources: [...sources], anchorSec });
  }

  async next(): Promise<DecodedRows | null> {
    for (;;) {
      if (this.failure) throw this.failure;
      const b = this.queue.shift();
      if (b) {
        const f = this.flow;
        const taken = Atomics.add(f, takenSlot(this.file), 1) + 1;
        if (Atomics.load(f, SLEEPING) === 1 && Atomics.load(f, producedSlot(this.file)) - taken <= LOW_WATER) {
          Atomics.add(f, WAKE, 1);
          Atomics.notify(f, WAKE);
        }
        return b;
      }
      if (this.ended) return null;
      await new Promise<void>((r) => {
        this.waiter = r;
      });
    }
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.onClose();
  }

  onMessage(m: Msg): void {
    switch (m.type) {
      case 'header':
        this.header = m.header;
        this.openCb?.resolve(this);
        this.openCb = null;
        return;
      case 'open-error':
        this.ended = true;
        this.openCb?.reject(new Error(m.message));
        this.openCb = null;
        this.close();
        return;
      case 'rows':
        this.queue.push(m.rows);
        break;
      case 'end':
        this.stats = m.stats;
        this.ended = true;
        break;
      case 'error':
        this.fail(new Error(m.message));
        return;
    }
    this.wake();
  }

  fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.openCb?.reject(e);
    this.openCb = null;
    this.wake();
  }

  exited(): void {
    if (!this.ended && !this.failure && !this.isClosed) this.fail(new Error(`${this.displayPath}: parse thread exited early`));
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}
