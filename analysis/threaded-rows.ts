// Main-thread handle of a parse thread (parse-thread.ts): one event CSV read and decoded on
// another core while the main thread joins and counts (the machine has 2; reading and decoding
// was about half of the analysis CPU).
import { Worker } from 'node:worker_threads';
import type { DecodedRows, DecodedRowSource, ReaderStats, RowRole } from './decoded-rows.js';

/** Batches decoded ahead of the join (each ~64 KiB of text, ~30 KiB decoded). */
const CREDITS = 64;
/** A thread that filled its credits sleeps until the join is this close to catching up. */
const LOW_WATER = 32;
/** Shared Int32Array slots. */
export const TAKEN = 0, PRODUCED = 1, SLEEPING = 2;

type Msg =
  | { type: 'header'; header: string[] }
  | { type: 'open-error'; message: string }
  | { type: 'rows'; rows: DecodedRows }
  | { type: 'end'; stats: ReaderStats }
  | { type: 'error'; message: string };

export class ThreadedDecodedRows implements DecodedRowSource {
  header: string[] = [];
  stats: ReaderStats;
  private readonly queue: DecodedRows[] = [];
  private ended = false;
  private failure: Error | null = null;
  private waiter: (() => void) | null = null;
  private opened: { resolve: () => void; reject: (e: Error) => void } | null = null;

  /**
   * Flow control through shared counters (taken, produced, sleeping), not messages: the thread
   * decodes at most CREDITS batches ahead and is woken only at the low-water mark, because every
   * wake-up (postMessage or notify) showed as ~0.5 ms of main-thread time in profiles on this busy
   * host (the woken thread preempting it).
   */
  private constructor(private readonly worker: Worker, private readonly flow: Int32Array, displayPath: string) {
    this.stats = { displayPath, rowsRead: 0, skipped: 0, tornTail: false, warnings: [] };
    worker.on('message', (m: Msg) => this.onMessage(m));
    worker.on('error', (e: Error) => this.fail(e));
    worker.on('exit', () => { if (!this.ended && !this.failure) this.fail(new Error(`${displayPath}: parse thread exited early`)); });
  }

  /** Start a thread on `file` and wait for its header. Rejects like CsvReader.open. */
  static async open(file: string, displayPath: string, role: RowRole): Promise<ThreadedDecodedRows> {
    const flow = new Int32Array(new SharedArrayBuffer(12));
    const worker = new Worker(new URL('./parse-thread.js', import.meta.url), {
      workerData: { file, displayPath, role, flow, credits: CREDITS, lowWater: LOW_WATER },
    });
    const t = new ThreadedDecodedRows(worker, flow, displayPath);
    try {
      await new Promise<void>((resolve, reject) => { t.opened = { resolve, reject }; });
    } catch (err) {
      t.close();
      throw err;
    }
    return t;
  }

  start(sources: readonly string[], anchorSec: number): void {
    this.worker.postMessage({ type: 'start', sources: [...sources], anchorSec });
  }

  async next(): Promise<DecodedRows | null> {
    for (;;) {
      if (this.failure) throw this.failure;
      const b = this.queue.shift();
      if (b) {
        const taken = Atomics.add(this.flow, TAKEN, 1) + 1;
        if (Atomics.load(this.flow, SLEEPING) === 1 && Atomics.load(this.flow, PRODUCED) - taken <= LOW_WATER) Atomics.notify(this.flow, TAKEN);
        return b;
      }
      if (this.ended) return null;
      await new Promise<void>((r) => { this.waiter = r; });
    }
  }

  close(): void {
    void this.worker.terminate();
  }

  private onMessage(m: Msg): void {
    switch (m.type) {
      case 'header': this.header = m.header; this.opened?.resolve(); this.opened = null; return;
      case 'open-error': this.ended = true; this.opened?.reject(new Error(m.message)); this.opened = null; return;
      case 'rows': this.queue.push(m.rows); break;
      case 'end': this.stats = m.stats; this.ended = true; break;
      case 'error': this.fail(new Error(m.message)); return;
    }
    this.wake();
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.opened?.reject(e);
    this.opened = null;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}
