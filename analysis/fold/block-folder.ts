// Folds blocks of joined events (event-block.ts) into the counters of every metric of
// docs/metrics.md; entries.ts turns the counts into stats.json entries. Memory depends on the
// number of sources, workers, window sizes and delays — never on the number of events
// (distributions are bounded, see analysis/stats/distribution.ts). The folds are ordering.ts,
// readings.ts, windows.ts, whose classifications are the pure functions in metrics/*; each counter
// sees the same values in the same order as one event at a time would. Runs in the analysing
// thread (InlineFolder, gather.ts) or in the fold thread (analysis/threads/fold-thread.ts).
import { DistAcc } from '../stats/distribution.js';
import {
  BinSeries,
  BoundCounts,
  CausalityCounts,
  CommitWaitCounts,
  OrderingCounts,
  ReestCounts,
  ReestWindowCounts,
  TimelineCausality,
  TimelineClock,
  WindowCounts,
} from './counters.js';
import type { EventBlock } from './event-block.js';
import { foldOrdering } from './ordering.js';
import { foldOrderingPooled, PooledOrderingScratch } from './ordering-pooled.js';
import { FoldScratch, foldCoordinatorReadings, foldWorkerReadings, type WorkerSinks } from './readings.js';
import { coordinatorFrameTruth, inCoordinatorFrame } from '../metrics/frames.js';
import { WindowScratch, computeTrueWindows, foldWindows } from './windows.js';
import type { SourceDef } from '../join/joined.js';
import type { WindowSize } from '../metrics/windows.js';
import { foldResults } from './entries.js';
import { DEFAULT_SELF_CONSISTENCY, SelfConsistencyFold, type SelfConsistencyConfig } from './self-consistency.js';
import type {
  BoundQualityEntry,
  CausalityEntry,
  CommitWaitEntry,
  CoordinationEntry,
  Distribution,
  KernelSendLatency,
  OrderingEntry,
  SelfConsistencySection,
  Timeline,
  WindowEntry,
} from '../stats/types.js';

export interface TimelineConfig {
  /** Relative ns of the first bin's start. */
  start: number;
  binNs: number;
  bins: number;
}

/** What the folds need to know (plain data: it is sent to the fold thread). */
export interface FoldConfig {
  sources: SourceDef[];
  workers: string[];
  windows: WindowSize[];
  timeline: TimelineConfig | null;
  /** Events per block. */
  capacity: number;
  /** ε and clock steps of the self-consistency bounds (default: 500 ppm, no steps). */
  selfConsistency?: SelfConsistencyConfig;
  /** Per-pair ordering entries (O(W²) per event); false: pooled counts only, O(W log W) per event. Default: orderingPairsByDefault. */
  orderingPairs?: boolean;
}

/** Above this many workers, ordering is folded pooled only unless per-pair entries are asked for. */
export const ORDERING_PAIRS_MAX_WORKERS = 16;
export const orderingPairsByDefault = (workers: number): boolean => workers <= ORDERING_PAIRS_MAX_WORKERS;

/** Everything the folds computed, as stats.json entries and distributions. */
export interface FoldResults {
  truthSend: boolean;
  truthRecv: boolean;
  /** Per worker, then all workers pooled. */
  latencyTrue: Distribution[];
  latencyTruePooled: Distribution;
  latencyLocal: Distribution[];
  /** Per worker: latency from the kernel's send stamp (events that have one); null when no event has. */
  latencyKernel: KernelSendLatency[] | null;
  /** The causality margin r − s per [source][worker] (the apparent latency in source S). */
  margins: Distribution[][];
  causality: CausalityEntry[];
  ordering: OrderingEntry[];
  windows: WindowEntry[];
  coordination: CoordinationEntry[];
  commitWait: CommitWaitEntry[];
  bounds: BoundQualityEntry[];
  timeline: Timeline | null;
  selfConsistency: SelfConsistencySection;
}

/** What the folds counted, as entries.ts reads it (read-only outside block-folder.ts). */
export interface FoldCounts {
  readonly cfg: FoldConfig;
  readonly delays: readonly number[];
  readonly pairs: readonly [number, number][];
  readonly truthSend: boolean;
  readonly truthRecv: boolean;
  readonly latTrue: readonly DistAcc[];
  readonly latLocal: readonly DistAcc[];
  readonly latKernelTrue: readonly DistAcc[];
  readonly latKernelLocal: readonly DistAcc[];
  /** Events with a kernel send stamp; with its truth. */
  readonly kernelSendEvents: number;
  readonly kernelSendTruth: boolean;
  readonly causality: readonly CausalityCounts[][]; // [s][w or W = pooled]
  readonly ordering: readonly OrderingCounts[][]; // [s][pair or P = pooled]
  /** Pooled-only ordering: wrong interval orders charged to each worker, [s][w]; null with per-pair counters. */
  readonly orderingMissed: readonly Float64Array[] | null;
  readonly windows: readonly WindowCounts[][]; // [s][k]
  readonly bounds: readonly BoundCounts[][]; // [s][0 = coordinator, 1+w, W+1 = pooled workers]
  readonly commitWait: readonly CommitWaitCounts[][]; // [s][w or W = pooled]
  readonly tlSent: Float64Array | null;
  readonly tlCausality: readonly TimelineCausality[][];
  readonly tlClock: readonly TimelineClock[][];
  readonly tlLatency: readonly { received: Float64Array; lat: BinSeries }[];
  /** Form the pooled counters (sums of the per-worker / per-pair ones); once, at the end. */
  pool(): void;
}

export class BlockFolder implements FoldCounts {
  readonly delays: number[] = [];
  private readonly S: number;
  private readonly W: number;
  /** Interval metrics per source, as configured when folding starts (analyze narrows it afterwards). */
  private readonly bounded: boolean[];
  /** Per source: its readings stand for the coordinator's clock (analysis/metrics/frames.ts). */
  private readonly coordFrame: boolean[];
  /** Per worker: the coordinator's clock at its true receive instants, for the block being folded (null: no coordinator-frame source). */
  private readonly frameTruth: Float64Array[] | null;
  readonly pairs: [number, number][] = [];
  readonly latTrue: DistAcc[];
  readonly latLocal: DistAcc[];
  readonly latKernelTrue: DistAcc[];
  readonly latKernelLocal: DistAcc[];
  kernelSendEvents = 0;
  kernelSendTruth = false;
  readonly causality: CausalityCounts[][];
  readonly ordering: OrderingCounts[][];
  readonly orderingMissed: Float64Array[] | null;
  private readonly pooledOrdering: PooledOrderingScratch | null;
  readonly windows: WindowCounts[][];
  readonly bounds: BoundCounts[][];
  readonly commitWait: CommitWaitCounts[][];
  readonly tlSent: Float64Array | null = null;
  readonly tlCausality: TimelineCausality[][] = [];
  readonly tlClock: TimelineClock[][] = [];
  readonly tlLatency: { received: Float64Array; lat: BinSeries }[] = [];
  private readonly scratch: FoldScratch;
  private readonly winScratch: WindowScratch;
  private readonly sinks: WorkerSinks[][]; // [s][w]
  private readonly selfCons: SelfConsistencyFold;
  truthSend = false;
  truthRecv = false;

  constructor(readonly cfg: FoldConfig) {
    this.S = cfg.sources.length;
    this.W = cfg.workers.length;
    const S = this.S,
      W = this.W;
    this.bounded = cfg.sources.map((s) => s.bounded);
    this.coordFrame = cfg.sources.map((s) => inCoordinatorFrame(s.name));
    const perPair = cfg.orderingPairs ?? orderingPairsByDefault(W);
    if (perPair) for (let a = 0; a < W; a++) for (let b = a + 1; b < W; b++) this.pairs.push([a, b]);
    this.orderingMissed = perPair ? null : Array.from({ length: S }, () => new Float64Array(W));
    this.pooledOrdering = perPair ? null : new PooledOrderingScratch(W);
    this.latTrue = Array.from({ length: W }, () => new DistAcc());
    this.latLocal = Array.from({ length: W }, () => new DistAcc());
    this.latKernelTrue = Array.from({ length: W }, () => new DistAcc());
    this.latKernelLocal = Array.from({ length: W }, () => new DistAcc());
    this.causality = grid(S, W + 1, () => new CausalityCounts());
    this.ordering = grid(S, this.pairs.length + 1, () => new OrderingCounts());
    this.windows = grid(S, cfg.windows.length, () => new WindowCounts(W));
    this.bounds = grid(S, W + 2, () => new BoundCounts());
    this.commitWait = grid(S, W + 1, () => new CommitWaitCounts());
    const tl = cfg.timeline;
    if (tl) {
      this.tlSent = new Float64Array(tl.bins);
      this.tlCausality = grid(S, W + 1, () => new TimelineCausality(tl.bins));
      this.tlClock = grid(S, W + 1, () => new TimelineClock(tl.bins));
      this.tlLatency = Array.from({ length: W }, () => ({ received: new Float64Array(tl.bins), lat: new BinSeries(tl.bins) }));
    }
    this.selfCons = new SelfConsistencyFold(cfg.selfConsistency ?? DEFAULT_SELF_CONSISTENCY, cfg.sources, cfg.workers);
    this.scratch = new FoldScratch(cfg.capacity);
    const frames = this.coordFrame.some(Boolean);
    this.frameTruth = frames ? Array.from({ length: W }, () => new Float64Array(cfg.capacity)) : null;
    this.winScratch = new WindowScratch(cfg.capacity, W, cfg.windows.length, frames);
    this.sinks = Array.from({ length: S }, (_, s) =>
      Array.from({ length: W }, (_, w) => ({
        c: this.causality[s]![w]!,
        b: this.bounds[s]![1 + w]!,
        cw: this.commitWait[s]![w]!,
        tc: tl ? this.tlClock[s]![w]! : null,
        tlc: tl ? this.tlCausality[s]![w]! : null,
      })),
    );
  }

  /** Index of a re-estimation delay (seconds), registering it on first sight. */
  delayIndex(delayS: number): number {
    let i = this.delays.indexOf(delayS);
    if (i === -1) {
      i = this.delays.length;
      this.delays.push(delayS);
      for (const row of this.windows) for (const wc of row) wc.reest.push(new ReestWindowCounts());
      for (const row of this.commitWait) for (const c of row) c.reest.push(new ReestCounts());
    }
    return i;
  }

  /** Fold a block of events (in event order: blocks must come in the order of their events). */
  fold(blk: EventBlock): void {
    if (blk.n === 0) return;
    const { S, W } = this;
    const tl = this.cfg.timeline !== null;
    this.foldDelivery(blk);
    const frame = this.frameTruth;
    if (frame) for (let w = 0; w < W; w++) coordinatorFrameTruth(blk.n, blk.trueRecv[w]!, blk.sendLocal, blk.trueSend, frame[w]!);
    computeTrueWindows(blk, this.cfg.windows, this.winScratch, frame);
    for (let s = 0; s < S; s++) {
      const bounded = this.bounded[s]!;
      // A coordinator-frame source (channel) is judged against the coordinator's clock: on the
      // coordinator that is its own send stamp, on a worker the coordinator's clock at the true receive.
      const coordFrame = this.coordFrame[s]!;
      const sink = { b: this.bounds[s]![0]!, tc: tl ? this.tlClock[s]![W]! : null };
      foldCoordinatorReadings(blk, s, bounded, sink, this.scratch, coordFrame ? blk.sendLocal : blk.trueSend);
      for (let w = 0; w < W; w++) {
        const truth = coordFrame ? frame![w]! : blk.trueRecv[w]!;
        foldWorkerReadings(blk, s, w, bounded, this.sinks[s]![w]!, this.scratch, truth);
        this.selfCons.fold(blk, s, w);
      }
      if (this.pooledOrdering)
        foldOrderingPooled(blk, s, bounded, this.ordering[s]![0]!, this.orderingMissed![s]!, this.pooledOrdering, s > 0);
      for (let i = 0; i < this.pairs.length; i++) {
        const [a, b] = this.pairs[i]!;
        foldOrdering(blk, s, a, b, bounded, this.ordering[s]![i]!);
      }
      for (let k = 0; k < this.cfg.windows.length; k++) {
        foldWindows(
          blk,
          s,
          k,
          this.cfg.windows[k]!,
          bounded,
          this.delays.length,
          this.windows[s]![k]!,
          this.winScratch,
          this.coordFrame[s],
        );
      }
    }
  }

  /** Events sent per bin, whether truth exists, delivery latency per worker (true and local). */
  private foldDelivery(blk: EventBlock): void {
    let kernel = 0;
    for (let j = 0; j < blk.n; j++) {
      if (blk.bin[j]! >= 0) this.tlSent![blk.bin[j]!]!++;
      if (!Number.isNaN(blk.trueSend[j]!)) this.truthSend = true;
      if (!Number.isNaN(blk.sendKernel[j]!)) {
        kernel++;
        if (!Number.isNaN(blk.trueSendKernel[j]!)) this.kernelSendTruth = true;
      }
    }
    this.kernelSendEvents += kernel;
    if (kernel > 0) this.foldKernelLatency(blk);
    const lat = this.scratch.margin;
    const local = this.scratch.wait;
    for (let w = 0; w < this.W; w++) {
      const has = blk.has[w]!,
        trueRecv = blk.trueRecv[w]!,
        recvLocal = blk.recvLocal[w]!;
      const tl = this.tlLatency[w];
      let m = 0;
      for (let j = 0; j < blk.n; j++) {
        if (has[j] === 0) continue;
        if (!Number.isNaN(trueRecv[j]!)) this.truthRecv = true;
        const lt = trueRecv[j]! - blk.trueSend[j]!;
        lat[m] = lt;
        local[m++] = recvLocal[j]! - blk.sendLocal[j]!;
        const bin = blk.bin[j]!;
        if (bin >= 0) {
          tl!.received[bin]!++;
          tl!.lat.add(bin, lt);
        }
      }
      this.latTrue[w]!.addAll(lat, m);
      this.latLocal[w]!.addAll(local, m);
    }
  }

  /**
   * Latency from the kernel's transmit stamp of the event's first datagram (docs/metrics.md,
   * Delivery): recv − send_kernel, locally and (simulated) truly, over events that have it.
   */
  private foldKernelLatency(blk: EventBlock): void {
    const sk = blk.sendKernel,
      tsk = blk.trueSendKernel;
    for (let w = 0; w < this.W; w++) {
      const has = blk.has[w]!,
        trueRecv = blk.trueRecv[w]!,
        recvLocal = blk.recvLocal[w]!,
        kt = this.latKernelTrue[w]!,
        kl = this.latKernelLocal[w]!;
      for (let j = 0; j < blk.n; j++) {
        if (has[j] === 0 || Number.isNaN(sk[j]!)) continue;
        kl.add(recvLocal[j]! - sk[j]!);
        kt.add(trueRecv[j]! - tsk[j]!); // NaN without truth: not added
      }
    }
  }

  private pooledDone = false;
  /** Pooled entries are sums of the per-worker (per-pair) counters, formed once, at the end. */
  pool(): void {
    if (this.pooledDone) return;
    this.pooledDone = true;
    const W = this.W;
    for (let s = 0; s < this.S; s++) {
      sumInto(this.causality[s]![W]!, this.causality[s]!.slice(0, W));
      // pooled-only ordering is folded straight into the pooled counters
      if (!this.pooledOrdering) sumInto(this.ordering[s]![this.pairs.length]!, this.ordering[s]!.slice(0, this.pairs.length));
      sumInto(this.bounds[s]![W + 1]!, this.bounds[s]!.slice(1, W + 1));
      const cw = this.commitWait[s]!;
      for (let d = 0; d < this.delays.length; d++)
        sumInto(
          cw[W]!.reest[d]!,
          cw.slice(0, W).map((c) => c.reest[d]!),
        );
      if (this.cfg.timeline) sumInto(this.tlCausality[s]![W]!, this.tlCausality[s]!.slice(0, W));
      for (const wc of this.windows[s]!) sumInto(wc.acc, wc.perWorker);
    }
  }

  /** Every result at once (entries.ts); `sources` carries the final `bounded` flags. */
  results(sources: SourceDef[] = this.cfg.sources): FoldResults {
    return {
      ...foldResults(this, sources),
      selfConsistency: this.selfCons.section(sources, (s, w) => this.bounds[s]![1 + w]!.halfWidth),
    };
  }
}

/** Add every numeric field (and numeric array) of `parts` into `target`; other fields are left alone. */
function sumInto<T extends object>(target: T, parts: readonly T[]): void {
  const t = target as Record<string, unknown>;
  for (const key of Object.keys(t)) {
    const v = t[key];
    if (typeof v === 'number') {
      let sum = 0;
      for (const p of parts) sum += (p as Record<string, number>)[key]!;
      t[key] = sum;
    } else if (v instanceof Float64Array || (Array.isArray(v) && typeof v[0] === 'number')) {
      const arr = v as number[] | Float64Array;
      for (let i = 0; i < arr.length; i++) {
        let sum = 0;
        for (const p of parts) sum += (p as Record<string, number[]>)[key]![i]!;
        arr[i] = sum;
      }
    }
  }
}

function grid<T>(rows: number, cols: number, make: () => T): T[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, make));
}
