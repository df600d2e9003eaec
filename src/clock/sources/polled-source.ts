// What the sources that sample a daemon or server on their own timer (chrony, clockbound,
// chronotick) have in common: the poll loop, the last failure, the model slot, the read() prologue,
// readiness() and the bookkeeping of a poll. An abstract base rather than a composed helper because
// the shared part IS the ClockSource methods: each source then writes only how its model becomes an
// interval (readModel), its summary and its poll.
import type { ClockSource, LocalClock, Readiness, Reading, SourceStatus, SyncRow, SyncSink } from '../types.js';
import { EMPTY_READING } from '../types.js';
import type { Logger } from '../../cli/logger.js';
import { ConvergenceDetector, type ConvergenceThresholds } from '../warmup.js';
import { PollTimer } from './poll-timer.js';
import { HostFrame, emit, syncRowBase, trueOffsetNow, withReading, type SourceWiring } from './source-util.js';

/** What the registry hands every polled source's factory. */
export interface PolledSourceContext {
  clock: LocalClock;
  sink?: SyncSink;
  logger?: Logger;
  nodeId?: string;
  runId?: string;
  pollMs?: number;
}

export interface PolledSourceOptions extends SourceWiring {
  /** Time between polls (ms, default 1000). */
  pollMs?: number;
  /** No value when the last good poll is older than this (ms, default 5 polls). */
  staleAfterMs?: number;
  warmup?: Partial<ConvergenceThresholds>;
}

/** A status with the reason rows and readiness give for it. */
export interface StatusReason {
  status: SourceStatus;
  reason: string;
}

export interface PolledSourceSpec {
  /** Default name, and the word in log lines (`chrony source: …`, `chrony poll failed`). */
  kind: string;
  /** Convergence thresholds of this kind of source; the `warmup` option overrides them. */
  warmup: Partial<ConvergenceThresholds>;
  /** Staleness by the age of the last good poll (staleAfterMs); false when the model carries its own expiry. */
  agesOut: boolean;
}

/** Registry context and config options merged the way every polled source's factory does (config wins for pollMs only). */
export function withContext<T extends object>(ctx: PolledSourceContext, options: T) {
  return { pollMs: ctx.pollMs, ...options, clock: ctx.clock, sink: ctx.sink, logger: ctx.logger, nodeId: ctx.nodeId, runId: ctx.runId };
}

/** M: the model a good poll leaves behind; O: the source's options. */
export abstract class PolledSource<M, O extends PolledSourceOptions> implements ClockSource {
  readonly name: string;
  readonly bounded = true;
  protected readonly frame: HostFrame;
  /** Age of the last good poll beyond which there is no value (0 when the spec says the model expires itself). */
  protected readonly staleNs: bigint;
  protected readonly detector: ConvergenceDetector;
  private readonly poller: PollTimer;
  /** The last good poll's model; null until there is one. */
  protected model: M | null = null;
  /** Set while polls fail (then there is no value), with the reason. */
  protected failure: StatusReason | null = null;
  protected polls = 0;
  protected failures = 0;
  /** Local instant of the first good poll: the detector's time origin. */
  private anchor: bigint | null = null;

  protected constructor(
    protected readonly opts: O,
    private readonly spec: PolledSourceSpec,
  ) {
    this.name = opts.name ?? spec.kind;
    const pollMs = opts.pollMs ?? 1000;
    this.staleNs = spec.agesOut ? BigInt(Math.round((opts.staleAfterMs ?? 5 * pollMs) * 1e6)) : 0n;
    this.frame = new HostFrame(opts.clock);
    this.detector = new ConvergenceDetector({ ...spec.warmup, ...opts.warmup });
    this.poller = new PollTimer(
      () => {
        this.polls++;
        return this.poll();
      },
      pollMs,
      (e) => opts.logger?.error(`${spec.kind} poll failed`, { error: String(e) }),
    );
  }

  async start(): Promise<void> {
    await this.poller.start();
  }
  async stop(): Promise<void> {
    await this.poller.stop();
  }

  read(localNs: bigint, monoNs?: bigint): Reading {
    if (this.failure) return EMPTY_READING(this.failure.status);
    const m = this.model;
    if (!m) return EMPTY_READING('warming');
    return this.readModel(m, localNs, monoNs ?? process.hrtime.bigint());
  }

  readiness(): Readiness {
    if (this.failure) return { ready: false, detail: `${this.failure.status}: ${this.failure.reason}` };
    const problem = this.model ? this.modelProblem(this.model) : null;
    if (problem) return { ready: false, detail: problem };
    return this.detector.assess();
  }

  abstract summary(): Record<string, unknown>;

  /**
   * The rest of read() once there is a model: its own status and staleness checks, then the
   * interval. `monoNs` is the instant read (CLOCK_MONOTONIC): ages and the local-to-host mapping
   * are taken at it, not at the moment of the call. Hot path: no I/O.
   */
  protected abstract readModel(m: M, localNs: bigint, monoNs: bigint): Reading;

  /** Why this model cannot be ready whatever the detector says (null: it can). */
  protected modelProblem(_m: M): string | null {
    return null;
  }

  /** One sample through I/O, on the poll timer (never on the hot path); `polls` is already counted. */
  protected abstract poll(): Promise<void>;

  /** A poll's sync row, started at its local instant, with the truth column. */
  protected newRow(local: bigint, server?: string): SyncRow {
    const row = syncRowBase(this.opts.runId, this.opts.nodeId, this.name, local);
    if (server !== undefined) row.server = server;
    row.true_offset_ns = trueOffsetNow(this.opts.clock);
    return row;
  }

  /** A failed poll: no value (and no convergence) until a good one; logged when the reason changes. */
  protected fail(row: SyncRow, f: StatusReason, logData?: Record<string, unknown>): void {
    this.failures++;
    if (this.failure?.reason !== f.reason) this.opts.logger?.warn(`${this.spec.kind} source: ${f.reason}`, logData);
    this.failure = f;
    this.detector.reset(f.reason);
    this.emitRow(row, EMPTY_READING(f.status), f.reason);
  }

  /** The detector's x for a good poll at `local`: ns since the first good poll. */
  protected sinceFirstPoll(local: bigint): number {
    this.anchor ??= local;
    return Number(local - this.anchor);
  }

  protected emitRow(row: SyncRow, r: Reading, reason: string): void {
    emit(this.opts.sink, withReading(row, r, reason), this.opts.logger);
  }
}
