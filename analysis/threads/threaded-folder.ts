// The folder for big runs: events are gathered here (analysis/fold/gather.ts, EventGatherer) and each
// full block is sent to the fold thread (fold-thread.ts), which folds it while this thread joins
// the next events — folding was about two thirds of this thread's work. A block's buffer is
// transferred, not copied, and comes back to be refilled; at most MAX_IN_FLIGHT blocks wait in
// the fold thread (ready() lets the join wait), so memory stays bounded.
import { Worker } from 'node:worker_threads';
import { BLOCK_EVENTS, EventGatherer, foldConfig, type GatherConfig, type FoldResults } from '../fold/gather.js';
import { EventBlock } from '../fold/event-block.js';
import type { SourceDef } from '../join/joined.js';

const MAX_IN_FLIGHT = 4;

type Msg = { type: 'free'; buffer: ArrayBuffer } | { type: 'results'; results: FoldResults } | { type: 'error'; message: string };

export class ThreadedFolder extends EventGatherer {
  private readonly worker: Worker;
  private readonly free: ArrayBuffer[] = [];
  private inFlight = 0;
  private failure: Error | null = null;
  private onFree: (() => void) | null = null;
  private onResults: { resolve: (r: FoldResults) => void; reject: (e: Error) => void } | null = null;
  private done = false;

  constructor(cfg: GatherConfig) {
    super(cfg);
    this.worker = new Worker(new URL('./fold-thread.js', import.meta.url), { workerData: foldConfig(cfg) });
    this.worker.on('message', (m: Msg) => this.onMessage(m));
    this.worker.on('error', (e: Error) => this.fail(e));
    this.worker.on('exit', () => {
      if (!this.done) this.fail(new Error('fold thread exited early'));
    });
  }

  /** Null when the join may go on; else a promise that settles once the fold thread caught up. */
  ready(): Promise<void> | null {
    if (this.failure) return Promise.reject(this.failure);
    if (this.inFlight < MAX_IN_FLIGHT) return null;
    return new Promise<void>((resolve) => {
      this.onFree = resolve;
    }).then(() => {
      if (this.failure) throw this.failure;
    });
  }

  protected fold(): void {
    const blk = this.block;
    if (blk.n === 0) return;
    this.worker.postMessage({ type: 'block', buffer: blk.buffer, n: blk.n, reest: blk.reestEntries(), delays: this.delays }, [blk.buffer]);
    this.inFlight++;
    const S = this.cfg.sources.length,
      W = this.cfg.workers.length;
    this.block = new EventBlock(BLOCK_EVENTS, S, W, this.free.pop());
  }

  async finish(sources: SourceDef[]): Promise<FoldResults> {
    this.fold();
    if (this.failure) throw this.failure;
    const results = new Promise<FoldResults>((resolve, reject) => {
      this.onResults = { resolve, reject };
    });
    this.worker.postMessage({ type: 'finish', sources: sources.map((s) => ({ name: s.name, bounded: s.bounded })), delays: this.delays });
    return results;
  }

  /** Stop the fold thread (after finish, or when the analysis failed). */
  close(): void {
    this.done = true;
    void this.worker.terminate();
  }

  private onMessage(m: Msg): void {
    if (m.type === 'free') {
      this.free.push(m.buffer);
      this.inFlight--;
      const wake = this.onFree;
      this.onFree = null;
      wake?.();
    } else if (m.type === 'results') {
      this.done = true;
      this.onResults?.resolve(m.results);
      this.onResults = null;
    } else {
      this.fail(new Error(`fold thread: ${m.message}`));
    }
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.onResults?.reject(e);
    this.onResults = null;
    const wake = this.onFree;
    this.onFree = null;
    wake?.();
  }
}
