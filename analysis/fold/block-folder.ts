// Folds blocks of joined events (event-block.ts) into every metric of docs/metrics.md and turns
// the counts into stats.json entries. Memory depends on the number of sources, workers, window
// sizes and delays — never on the number of events (distributions are bounded, see
// analysis/stats/distribution.ts). The folds are ordering.ts, readings.ts, windows.ts, whose classifications are the pure functions in
// metrics/*; each counter sees the same values in the same order as one event at a time would.
// Runs in the analysing thread (StatsAccumulator) or in the fold thread (analysis/threads/fold-thread.ts).
import { DistAcc, ratio } from '../stats/distribution.js';
import {
  BinSeries, BoundCounts, CausalityCounts, CommitWaitCounts, OrderingCounts, ReestCounts, ReestWindowCounts,
  TimelineCausality, TimelineClock, WindowCounts, type AccuracyCounts,
} from './counters.js';
import { EventBlock } from './event-block.js';
import { foldOrdering } from './ordering.js';
import { FoldScratch, foldCoordinatorReadings, foldWorkerReadings, type WorkerSinks } from './readings.js';
import { WindowScratch, computeTrueWindows, foldWindows } from './windows.js';
import type { SourceDef } from '../join/joined.js';
import type { WindowSize } from '../metrics/windows.js';
import { CALIBRATION_SCALES } from '../metrics/bounds.js';
import type {
  BoundQualityEntry, CausalityEntry, CommitWaitEntry, CoordinationEntry, Distribution, OrderingEntry,
  Timeline, WindowAccuracy, WindowEntry,
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
}

/** Everything the folds computed, as stats.json entries and distributions. */
export interface FoldResults {
  truthSend: boolean;
  truthRecv: boolean;
  /** Per worker, then all workers pooled. */
  latencyTrue: Distribution[];
  latencyTruePooled: Distribution;
  latencyLocal: Distribution[];
  /** The causality margin r − s per [source][worker] (the apparent latency in source S). */
  margins: Distribution[][];
  causality: CausalityEntry[];
  ordering: OrderingEntry[];
  windows: WindowEntry[];
  coordination: CoordinationEntry[];
  commitWait: CommitWaitEntry[];
  bounds: BoundQualityEntry[];
  timeline: Timeline | null;
}

export class BlockFolder {
  readonly delays: number[] = [];
  private readonly S: number;
  private readonly W: number;
  /** Interval metrics per source, as configured when folding starts (analyze narrows it afterwards). */
  private readonly bounded: boolean[];
  private readonly pairs: [number, number][] = [];
  private readonly latTrue: DistAcc[];
  private readonly latLocal: DistAcc[];
  private readonly causality: CausalityCounts[][]; // [s][w or W = pooled]
  private readonly ordering: OrderingCounts[][];   // [s][pair or P = pooled]
  private readonly windows: WindowCounts[][];      // [s][k]
  private readonly bounds: BoundCounts[][];        // [s][0 = coordinator, 1+w, W+1 = pooled workers]
  private readonly commitWait: CommitWaitCounts[][]; // [s][w or W = pooled]
  private readonly tlSent: Float64Array | null = null;
  private readonly tlCausality: TimelineCausality[][] = [];
  private readonly tlClock: TimelineClock[][] = [];
  private readonly tlLatency: { received: Float64Array; lat: BinSeries }[] = [];
  private readonly scratch: FoldScratch;
  private readonly winScratch: WindowScratch;
  private readonly sinks: WorkerSinks[][]; // [s][w]
  truthSend = false;
  truthRecv = false;

  constructor(readonly cfg: FoldConfig) {
    this.S = cfg.sources.length;
    this.W = cfg.workers.length;
    const S = this.S, W = this.W;
    this.bounded = cfg.sources.map((s) => s.bounded);
    for (let a = 0; a < W; a++) for (let b = a + 1; b < W; b++) this.pairs.push([a, b]);
    this.latTrue = Array.from({ length: W }, () => new DistAcc());
    this.latLocal = Array.from({ length: W }, () => new DistAcc());
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
    this.scratch = new FoldScratch(cfg.capacity);
    this.winScratch = new WindowScratch(cfg.capacity, W, cfg.windows.length);
    this.sinks = Array.from({ length: S }, (_, s) => Array.from({ length: W }, (_, w) => ({
      c: this.causality[s]![w]!, b: this.bounds[s]![1 + w]!, cw: this.commitWait[s]![w]!,
      tc: tl ? this.tlClock[s]![w]! : null, tlc: tl ? this.tlCausality[s]![w]! : null,
    })));
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
    computeTrueWindows(blk, this.cfg.windows, this.winScratch);
    for (let s = 0; s < S; s++) {
      const bounded = this.bounded[s]!;
      foldCoordinatorReadings(blk, s, bounded, { b: this.bounds[s]![0]!, tc: tl ? this.tlClock[s]![W]! : null }, this.scratch);
      for (let w = 0; w < W; w++) foldWorkerReadings(blk, s, w, bounded, this.sinks[s]![w]!, this.scratch);
      for (let i = 0; i < this.pairs.length; i++) {
        const [a, b] = this.pairs[i]!;
        foldOrdering(blk, s, a, b, bounded, this.ordering[s]![i]!);
      }
      for (let k = 0; k < this.cfg.windows.length; k++) {
        foldWindows(blk, s, k, this.cfg.windows[k]!, bounded, this.delays.length, this.windows[s]![k]!, this.winScratch);
      }
    }
  }

  /** Events sent per bin, whether truth exists, delivery latency per worker (true and local). */
  private foldDelivery(blk: EventBlock): void {
    for (let j = 0; j < blk.n; j++) {
      if (blk.bin[j]! >= 0) this.tlSent![blk.bin[j]!]!++;
      if (!Number.isNaN(blk.trueSend[j]!)) this.truthSend = true;
    }
    const lat = this.scratch.margin;
    const local = this.scratch.wait;
    for (let w = 0; w < this.W; w++) {
      const has = blk.has[w]!, trueRecv = blk.trueRecv[w]!, recvLocal = blk.recvLocal[w]!;
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

  // ---- results -------------------------------------------------------------------------------

  private pooledDone = false;
  /** Pooled entries are sums of the per-worker (per-pair) counters, formed once, at the end. */
  private pool(): void {
    if (this.pooledDone) return;
    this.pooledDone = true;
    const W = this.W;
    for (let s = 0; s < this.S; s++) {
      sumInto(this.causality[s]![W]!, this.causality[s]!.slice(0, W));
      sumInto(this.ordering[s]![this.pairs.length]!, this.ordering[s]!.slice(0, this.pairs.length));
      sumInto(this.bounds[s]![W + 1]!, this.bounds[s]!.slice(1, W + 1));
      const cw = this.commitWait[s]!;
      for (let d = 0; d < this.delays.length; d++) sumInto(cw[W]!.reest[d]!, cw.slice(0, W).map((c) => c.reest[d]!));
      if (this.cfg.timeline) sumInto(this.tlCausality[s]![W]!, this.tlCausality[s]!.slice(0, W));
      for (const wc of this.windows[s]!) sumInto(wc.acc, wc.perWorker);
    }
  }

  latencyTrue(w: number | null) { return (w === null ? DistAcc.merged(this.latTrue) : this.latTrue[w]!).summarize(); }
  latencyLocal(w: number) { return this.latLocal[w]!.summarize(); }

  causalityEntries(): CausalityEntry[] {
    this.pool();
    const out: CausalityEntry[] = [];
    this.cfg.sources.forEach((src, s) => {
      for (let w = 0; w <= this.W; w++) {
        const c = this.causality[s]![w]!;
        out.push({
          source: src.name, node: w === this.W ? null : this.cfg.workers[w]!,
          point: {
            compared: c.ptCompared, missing: c.ptMissing, violations: ratio(c.ptViol, c.ptCompared),
            margin: (w === this.W ? DistAcc.merged(this.causality[s]!.slice(0, this.W).map((x) => x.margin)) : c.margin).summarize(),
          },
          interval: src.bounded ? {
            compared: c.ivCompared, missing: c.ivMissing, proven_after: ratio(c.proven, c.ivCompared),
            ambiguous: ratio(c.amb, c.ivCompared), violation: ratio(c.viol, c.ivCompared),
            degraded: { compared: c.ivDegCompared, violation: ratio(c.ivDegViol, c.ivDegCompared) },
          } : null,
        });
      }
    });
    return out;
  }

  /** The causality margin r − s per worker and source (the apparent latency in source S). */
  marginOf(s: number, w: number) { return this.causality[s]![w]!.margin.summarize(); }

  orderingEntries(): OrderingEntry[] {
    this.pool();
    const out: OrderingEntry[] = [];
    const truth = this.truthRecv;
    this.cfg.sources.forEach((src, s) => {
      // wrong orders charged to the worker whose interval missed, summed over its pairs for the pooled entry
      const missed = new Array<number>(this.W).fill(0);
      this.pairs.forEach(([a, b], i) => { missed[a]! += this.ordering[s]![i]!.ivtWrongMissA; missed[b]! += this.ordering[s]![i]!.ivtWrongMissB; });
      for (let i = 0; i <= this.pairs.length; i++) {
        const c = this.ordering[s]![i]!;
        const pair = i === this.pairs.length ? null : [this.cfg.workers[this.pairs[i]![0]]!, this.cfg.workers[this.pairs[i]![1]]!] as [string, string];
        const wrongBy = pair === null
          ? this.cfg.workers.map((node, w) => ({ node, count: missed[w]! }))
          : [{ node: pair[0], count: c.ivtWrongMissA }, { node: pair[1], count: c.ivtWrongMissB }];
        out.push({
          source: src.name, pair,
          point: { compared: c.compared, a_first: c.aFirst, b_first: c.bFirst, ties: c.ties },
          point_vs_truth: truth ? { compared: c.pvt, correct: ratio(c.pvtCorrect, c.pvt), wrong: ratio(c.pvtWrong, c.pvt), tie: ratio(c.pvtTie, c.pvt) } : null,
          interval: src.bounded ? {
            compared: c.iv, proven: ratio(c.ivProven, c.iv), ambiguous: ratio(c.iv - c.ivProven, c.iv), proven_a_first: c.ivA, proven_b_first: c.ivB,
          } : null,
          interval_vs_truth: src.bounded && truth ? {
            compared: c.ivt, correct: ratio(c.ivtCorrect, c.ivt), wrong: ratio(c.ivtWrong, c.ivt), ambiguous: ratio(c.ivtAmb, c.ivt),
            degraded: { compared: c.ivtDeg, wrong: ratio(c.ivtWrongDeg, c.ivtDeg) }, wrong_by_worker: wrongBy,
          } : null,
        });
      }
    });
    return out;
  }

  private accuracy(a: AccuracyCounts, bounded: boolean): WindowAccuracy {
    return {
      point: { readings: a.pt, correct: ratio(a.ptCorrect, a.pt), wrong: ratio(a.pt - a.ptCorrect, a.pt) },
      interval: bounded ? {
        readings: a.iv, confident_correct: ratio(a.ivConfCorrect, a.iv), confident_wrong: ratio(a.ivConfWrong, a.iv), ambiguous: ratio(a.ivAmb, a.iv),
      } : null,
    };
  }

  windowEntries(): WindowEntry[] {
    this.pool();
    const out: WindowEntry[] = [];
    const truth = this.truthRecv;
    this.cfg.sources.forEach((src, s) => {
      this.cfg.windows.forEach((win, k) => {
        const c = this.windows[s]![k]!;
        out.push({
          source: src.name, window_ms: win.ms,
          point: { events: c.ptEvents, agree: ratio(c.ptAgree, c.ptEvents), disagree: ratio(c.ptEvents - c.ptAgree, c.ptEvents) },
          interval: src.bounded ? {
            events: c.ivEvents, confident_agree: ratio(c.ivAgree, c.ivEvents), confident_conflict: ratio(c.ivConflict, c.ivEvents),
            ambiguous: ratio(c.ivAmb, c.ivEvents),
            conflict_true_split: truth ? c.splitTrue : null, conflict_false: truth ? c.splitFalse : null,
            readings_confident: ratio(c.ivConfident, c.ivReadings),
            degraded: { events: c.ivEventsDeg, confident_conflict: ratio(c.ivConflictDeg, c.ivEventsDeg), conflict_false: truth ? c.splitFalseDeg : null },
            conflict_false_by_worker: truth ? this.cfg.workers.map((node, w) => ({ node, count: c.falseBy[w]! })) : null,
          } : null,
          accuracy: truth ? this.accuracy(c.acc, src.bounded) : null,
          per_worker_accuracy: truth ? this.cfg.workers.map((node, w) => ({ node, accuracy: this.accuracy(c.perWorker[w]!, src.bounded) })) : null,
        });
      });
    });
    return out;
  }

  coordinationEntries(): CoordinationEntry[] {
    this.pool();
    const out: CoordinationEntry[] = [];
    const order = this.delayOrder();
    this.cfg.sources.forEach((src, s) => {
      this.cfg.windows.forEach((win, k) => {
        const c = this.windows[s]![k]!;
        out.push({
          source: src.name, window_ms: win.ms, events: c.ptEvents,
          point_repairs: ratio(c.ptEvents - c.ptAgree, c.ptEvents),
          interval_coordination: src.bounded ? ratio(c.ivAmb, c.ivEvents) : null,
          interval_conflicts: src.bounded ? ratio(c.ivConflict, c.ivEvents) : null,
          reestimated: src.bounded ? order.map((d) => {
            const r = c.reest[d]!;
            return {
              delay_s: this.delays[d]!, events: r.events, interval_coordination: ratio(r.amb, r.events),
              interval_conflicts: ratio(r.conflict, r.events), confident_agree: ratio(r.agree, r.events),
            };
          }) : [],
        });
      });
    });
    return out;
  }

  /** Delay indices sorted by delay value. */
  delayOrder(): number[] {
    return this.delays.map((_, i) => i).sort((a, b) => this.delays[a]! - this.delays[b]!);
  }

  commitWaitEntries(): CommitWaitEntry[] {
    this.pool();
    const out: CommitWaitEntry[] = [];
    const order = this.delayOrder();
    this.cfg.sources.forEach((src, s) => {
      if (!src.bounded) return;
      const parts = this.commitWait[s]!.slice(0, this.W);
      for (let w = 0; w <= this.W; w++) {
        const c = this.commitWait[s]![w]!;
        const pooled = w === this.W;
        out.push({
          source: src.name, node: pooled ? null : this.cfg.workers[w]!,
          wait: (pooled ? DistAcc.merged(parts.map((p) => p.wait)) : c.wait).summarize(),
          reestimated: order.map((d) => {
            const r = c.reest[d]!;
            const width = pooled ? DistAcc.merged(parts.map((p) => p.reest[d]!.width)) : r.width;
            const shrink = pooled ? DistAcc.merged(parts.map((p) => p.reest[d]!.shrink), 'ratio') : r.shrink;
            return {
              delay_s: this.delays[d]!, rows: r.rows, width: width.summarize(), shrink: shrink.summarize(),
              coverage: r.coverOf > 0 || this.truthRecv ? ratio(r.covered, r.coverOf) : null,
            };
          }),
        });
      }
    });
    return out;
  }

  boundEntries(): BoundQualityEntry[] {
    this.pool();
    const out: BoundQualityEntry[] = [];
    this.cfg.sources.forEach((src, s) => {
      for (let place = 0; place < this.W + 2; place++) {
        let b = this.bounds[s]![place]!;
        if (place === this.W + 1) b = this.pooledBound(s);
        out.push({
          source: src.name, role: place === 0 ? 'coordinator' : 'worker',
          node: place === 0 || place === this.W + 1 ? null : this.cfg.workers[place - 1]!,
          readings: b.readings,
          coverage: src.bounded ? ratio(b.covered, b.coverOf) : null,
          coverage_degraded: src.bounded ? ratio(b.coveredDeg, b.coverOfDeg) : null,
          coverage_not_degraded: src.bounded ? ratio(b.covered - b.coveredDeg, b.coverOf - b.coverOfDeg) : null,
          half_width: src.bounded ? b.halfWidth.summarize() : null,
          point_error: b.error.summarize(),
          abs_point_error: b.absError.summarize(),
          normalized_error: src.bounded ? b.norm.summarize() : null,
          calibration: src.bounded ? CALIBRATION_SCALES.map((scale, i) => ({ scale, coverage: ratio(b.calib[i]!, b.coverOf) })) : null,
        });
      }
    });
    return out;
  }

  /** The pooled-workers bound entry with its distributions merged from the per-worker ones. */
  private pooledBound(s: number): BoundCounts {
    const pooled = this.bounds[s]![this.W + 1]!;
    const parts = this.bounds[s]!.slice(1, this.W + 1);
    const out = new BoundCounts();
    out.readings = pooled.readings; out.covered = pooled.covered; out.coverOf = pooled.coverOf; out.calib = pooled.calib;
    out.coveredDeg = pooled.coveredDeg; out.coverOfDeg = pooled.coverOfDeg;
    out.halfWidth = DistAcc.merged(parts.map((p) => p.halfWidth));
    out.error = DistAcc.merged(parts.map((p) => p.error));
    out.absError = DistAcc.merged(parts.map((p) => p.absError));
    out.norm = DistAcc.merged(parts.map((p) => p.norm), 'ratio');
    return out;
  }

  timeline(): Timeline | null {
    this.pool();
    const tl = this.cfg.timeline;
    if (!tl) return null;
    const arr = (a: Float64Array) => Array.from(a);
    const truth = this.truthRecv || this.truthSend;
    const causality: Timeline['causality'] = [];
    const clock: Timeline['clock'] = [];
    this.cfg.sources.forEach((src, s) => {
      for (let w = 0; w <= this.W; w++) {
        const t = this.tlCausality[s]![w]!;
        causality.push({
          source: src.name, node: w === this.W ? null : this.cfg.workers[w]!, compared: arr(t.compared), point_violations: arr(t.viol),
          interval_compared: src.bounded ? arr(t.ivCompared) : null, interval_violations: src.bounded ? arr(t.ivViol) : null,
          interval_ambiguous: src.bounded ? arr(t.ivAmb) : null,
        });
        const c = this.tlClock[s]![w]!;
        clock.push({
          source: src.name, role: w === this.W ? 'coordinator' : 'worker', node: w === this.W ? null : this.cfg.workers[w]!,
          n: arr(c.n), offset_mean_ns: c.offset.mean(), offset_min_ns: c.offset.mins(), offset_max_ns: c.offset.maxs(),
          half_width_mean_ns: src.bounded ? c.hw.mean() : null, half_width_max_ns: src.bounded ? c.hw.maxs() : null,
          error_mean_ns: truth ? c.err.mean() : null, error_min_ns: truth ? c.err.mins() : null, error_max_ns: truth ? c.err.maxs() : null,
          covered: src.bounded && truth ? arr(c.covered) : null, covered_of: src.bounded && truth ? arr(c.coveredOf) : null,
        });
      }
    });
    return {
      bin_ns: tl.binNs,
      t_rel_ns: Array.from({ length: tl.bins }, (_, i) => tl.start + i * tl.binNs),
      events_sent: arr(this.tlSent!),
      causality,
      clock,
      latency: this.cfg.workers.map((node, w) => ({
        node, received: arr(this.tlLatency[w]!.received),
        true_mean_ns: this.truthRecv ? this.tlLatency[w]!.lat.mean() : null,
        true_max_ns: this.truthRecv ? this.tlLatency[w]!.lat.maxs() : null,
      })),
    };
  }

  /**
   * Every result at once. `sources`: the final source list, whose `bounded` flags analyze narrows
   * after the join to sources that really carried an interval (the folds used the header's).
   */
  results(sources: SourceDef[] = this.cfg.sources): FoldResults {
    sources.forEach((src, i) => { this.cfg.sources[i]!.bounded = src.bounded; });
    const W = this.W;
    return {
      truthSend: this.truthSend, truthRecv: this.truthRecv,
      latencyTrue: Array.from({ length: W }, (_, w) => this.latencyTrue(w)), latencyTruePooled: this.latencyTrue(null),
      latencyLocal: Array.from({ length: W }, (_, w) => this.latencyLocal(w)),
      margins: this.cfg.sources.map((_, s) => Array.from({ length: W }, (_, w) => this.marginOf(s, w))),
      causality: this.causalityEntries(), ordering: this.orderingEntries(), windows: this.windowEntries(),
      coordination: this.coordinationEntries(), commitWait: this.commitWaitEntries(), bounds: this.boundEntries(),
      timeline: this.timeline(),
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
        for (const p of parts) sum += ((p as Record<string, number[]>)[key]!)[i]!;
        arr[i] = sum;
      }
    }
  }
}

function grid<T>(rows: number, cols: number, make: () => T): T[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, make));
}
