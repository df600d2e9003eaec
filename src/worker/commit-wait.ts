// Commit-wait re-estimation (DESIGN section 2): after an event, later samples bracket the offset
// at the event's instant from both sides, so its interval can shrink. For each configured delay
// the scheduler asks every re-estimating source for the event's interval again and emits one row
// per (event, source, delay) in COMMIT_WAIT_COLUMNS. TrueTime's commit wait for the event, judged
// with the estimate available at that delay, is hi − lo of the row (the time until the local
// clock's earliest bound passes the event's latest bound, the clock advancing at rate ~1).
import type { ClockSource, LocalClock, Reading } from '../clock/types.js';
import { EMPTY_READING } from '../clock/types.js';
import type { Logger } from '../cli/logger.js';

export type CommitWaitRow = Record<string, string | number | bigint | null>;
export type CommitWaitSink = (row: CommitWaitRow) => void;

export interface CommitWaitOptions {
  /** Sources to re-estimate; those without `reestimate` are ignored. */
  sources: readonly ClockSource[];
  clock: LocalClock;
  sink: CommitWaitSink;
  /** Delays after receipt, in seconds (default 30 and 60; demos use e.g. 2 and 5). */
  delaysS?: readonly number[];
  runId?: string;
  nodeId?: string;
  /** How often due events are processed (ms, default 200). */
  tickMs?: number;
  logger?: Logger;
  /** Events kept pending at most; beyond, new events are counted as dropped (default 1,000,000). */
  maxPending?: number;
}

interface Pending {
  /** The worker passes the numeric id as it is (no string per event on the receive path); the CSV writes both alike. */
  eventId: string | number;
  seq: number | bigint | string;
  recvLocalNs: bigint;
  trueRecvNs: bigint | null;
  /** Monotonic time of `track`: delays are measured on it, so a local clock step cannot skip them. */
  monoNs: bigint;
}

export interface CommitWaitStats {
  tracked: number;
  rows: number;
  pending: number;
  dropped: number;
  delays_s: number[];
  sources: string[];
}

export class CommitWaitScheduler {
  readonly delaysS: number[];
  private readonly delaysNs: bigint[];
  private readonly sources: ClockSource[];
  private readonly queue: Pending[] = [];
  /** cursor[i] = index in `queue` of the next event not yet re-estimated at delay i. */
  private readonly cursor: number[];
  private timer: NodeJS.Timeout | null = null;
  private tracked = 0;
  private rows = 0;
  private dropped = 0;
  private drainWaiters: Array<() => void> = [];

  constructor(private readonly opts: CommitWaitOptions) {
    const delays = [...(opts.delaysS ?? [30, 60])];
    if (delays.length === 0) throw new Error('commit wait: at least one delay is needed (e.g. 30,60 seconds)');
    for (const d of delays) {
      if (typeof d !== 'number' || !Number.isFinite(d) || d <= 0)
        throw new Error(`commit wait: delays must be positive seconds, got ${String(d)}`);
    }
    if (new Set(delays).size !== delays.length) throw new Error(`commit wait: delay given twice in ${delays.join(',')}`);
    this.delaysS = delays.sort((a, b) => a - b);
    this.delaysNs = this.delaysS.map((d) => BigInt(Math.round(d * 1e9)));
    this.sources = opts.sources.filter((s) => typeof s.reestimate === 'function');
    this.cursor = this.delaysS.map(() => 0);
  }

  /** Source names that will get rows. */
  get sourceNames(): string[] {
    return this.sources.map((s) => s.name);
  }

  start(): void {
    if (this.timer || this.sources.length === 0) return;
    this.timer = setInterval(() => this.tick(false), this.opts.tickMs ?? 200);
    this.timer.unref?.();
  }

  /**
   * Hot path: remember the event. No I/O, no reading of sources. `monoNs`: the event's instant on
   * CLOCK_MONOTONIC (e.g. its kernel arrival stamp); default now.
   */
  track(eventId: string | number, seq: number | bigint | string, recvLocalNs: bigint, trueRecvNs: bigint | null, monoNs?: bigint): void {
    if (this.sources.length === 0) return;
    if (this.queue.length - this.head() >= (this.opts.maxPending ?? 1_000_000)) {
      this.dropped++;
      return;
    }
    this.queue.push({ eventId, seq, recvLocalNs, trueRecvNs, monoNs: monoNs ?? process.hrtime.bigint() });
    this.tracked++;
  }

  /**
   * On `end`: keep re-estimating on schedule until every pending event has had every delay (at
   * most the longest delay), then stop. `maxWaitMs` cuts the wait short (e.g. on a signal): what
   * is still pending is then re-estimated at once and its rows say so through reestimated_local_ns.
   */
  async drain(opts: { maxWaitMs?: number } = {}): Promise<void> {
    if (this.pendingCount() > 0) {
      this.start();
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(cut);
          resolve();
        };
        const cut = setTimeout(
          () => {
            this.drainWaiters = this.drainWaiters.filter((w) => w !== done);
            resolve();
          },
          opts.maxWaitMs ?? Number(this.delaysNs[this.delaysNs.length - 1]! / 1_000_000n) + 5000,
        );
        this.drainWaiters.push(done);
      });
    }
    this.tick(true);
    this.stop();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  stats(): CommitWaitStats {
    return {
      tracked: this.tracked,
      rows: this.rows,
      pending: this.pendingCount(),
      dropped: this.dropped,
      delays_s: this.delaysS,
      sources: this.sourceNames,
    };
  }

  /** Events that still miss at least one delay's row. */
  pendingCount(): number {
    return this.queue.length - this.head();
  }

  private head(): number {
    return this.cursor[this.cursor.length - 1]!;
  }

  /** Emit rows for every event whose delay has passed (all of them when `all`). */
  private tick(all: boolean): void {
    const now = process.hrtime.bigint();
    let localNow: bigint | null = null;
    for (let i = 0; i < this.delaysNs.length; i++) {
      const d = this.delaysNs[i]!;
      while (this.cursor[i]! < this.queue.length) {
        const e = this.queue[this.cursor[i]!]!;
        if (!all && e.monoNs + d > now) break;
        localNow ??= this.opts.clock.nowNs();
        this.emitRows(e, this.delaysS[i]!, localNow);
        this.cursor[i]!++;
      }
    }
    this.compact();
    if (this.pendingCount() === 0 && this.drainWaiters.length) {
      const w = this.drainWaiters;
      this.drainWaiters = [];
      for (const f of w) f();
    }
  }

  private emitRows(e: Pending, delayS: number, localNow: bigint): void {
    for (const s of this.sources) {
      let r: Reading | null;
      let reason = '';
      try {
        // Sources that place the instant against detected clock steps take its monotonic time too.
        r = (s.reestimate as (localNs: bigint, monoNs?: bigint) => Reading | null).call(s, e.recvLocalNs, e.monoNs);
      } catch (err) {
        r = null;
        reason = String(err);
        this.opts.logger?.warn(`commit wait: ${s.name}.reestimate failed`, { error: reason });
      }
      const rd = r ?? EMPTY_READING(reason ? 'error' : 'stale');
      try {
        this.opts.sink({
          run_id: this.opts.runId ?? '',
          node_id: this.opts.nodeId ?? '',
          event_id: e.eventId,
          seq: e.seq,
          source: s.name,
          delay_s: delayS,
          recv_local_ns: e.recvLocalNs,
          reestimated_local_ns: localNow,
          point_ns: rd.point_ns,
          lo_ns: rd.lo_ns,
          hi_ns: rd.hi_ns,
          status: rd.status,
          true_recv_ns: e.trueRecvNs,
        });
        this.rows++;
      } catch (err) {
        this.opts.logger?.warn('commit wait: sink failed', { error: String(err) });
      }
    }
  }

  /** Drop events every delay has seen, without shifting the array on every tick. */
  private compact(): void {
    const h = this.head();
    if (h > 4096 && h * 2 > this.queue.length) {
      this.queue.splice(0, h);
      for (let i = 0; i < this.cursor.length; i++) this.cursor[i]! -= h;
    }
  }
}
