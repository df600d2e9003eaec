// Counts → stats.json entries: reads what BlockFolder (block-folder.ts) counted and builds the
// causality, ordering, window, coordination, commit-wait, bound and timeline entries, pooled
// entries included. Builds only; every count was made by the folds.
import { DistAcc, ratio } from '../stats/distribution.js';
import { BoundCounts, listOf, type AccuracyCounts } from './counters.js';
import type { FoldCounts, FoldResults } from './block-folder.js';
import type { SourceDef } from '../join/joined.js';
import { CALIBRATION_SCALES } from '../metrics/bounds.js';
import type {
  BoundQualityEntry,
  CausalityEntry,
  CommitWaitEntry,
  CoordinationEntry,
  KernelSendLatency,
  OrderingEntry,
  Timeline,
  WindowAccuracy,
  WindowEntry,
} from '../stats/types.js';

export function latencyTrue(f: FoldCounts, w: number | null) {
  return (w === null ? DistAcc.merged(f.latTrue) : f.latTrue[w]!).summarize();
}
export function latencyLocal(f: FoldCounts, w: number) {
  return f.latLocal[w]!.summarize();
}

/** Per worker, latency from the kernel's send stamp; null when no event carried one. */
function latencyKernel(f: FoldCounts): KernelSendLatency[] | null {
  if (f.kernelSendEvents === 0) return null;
  return f.cfg.workers.map((_, w) => ({
    events: f.kernelSendEvents,
    true: f.kernelSendTruth ? f.latKernelTrue[w]!.summarize() : null,
    local: f.latKernelLocal[w]!.summarize(),
  }));
}

export function causalityEntries(f: FoldCounts): CausalityEntry[] {
  f.pool();
  const W = f.cfg.workers.length;
  const out: CausalityEntry[] = [];
  f.cfg.sources.forEach((src, s) => {
    for (let w = 0; w <= W; w++) {
      const c = f.causality[s]![w]!;
      out.push({
        source: src.name,
        node: w === W ? null : f.cfg.workers[w]!,
        point: {
          compared: c.ptCompared,
          missing: c.ptMissing,
          violations: ratio(c.ptViol, c.ptCompared),
          margin: (w === W ? DistAcc.merged(f.causality[s]!.slice(0, W).map((x) => x.margin)) : c.margin).summarize(),
        },
        interval: src.bounded
          ? {
              compared: c.ivCompared,
              missing: c.ivMissing,
              proven_after: ratio(c.proven, c.ivCompared),
              ambiguous: ratio(c.amb, c.ivCompared),
              violation: ratio(c.viol, c.ivCompared),
              degraded: { compared: c.ivDegCompared, violation: ratio(c.ivDegViol, c.ivDegCompared) },
            }
          : null,
      });
    }
  });
  return out;
}

/** The causality margin r − s per worker and source (the apparent latency in source S). */
export function marginOf(f: FoldCounts, s: number, w: number) {
  return f.causality[s]![w]!.margin.summarize();
}

export function orderingEntries(f: FoldCounts): OrderingEntry[] {
  f.pool();
  const W = f.cfg.workers.length;
  const out: OrderingEntry[] = [];
  const truth = f.truthRecv;
  f.cfg.sources.forEach((src, s) => {
    // wrong orders charged to the worker whose interval missed, summed over its pairs for the pooled entry
    const missed = f.orderingMissed ? [...f.orderingMissed[s]!] : new Array<number>(W).fill(0);
    f.pairs.forEach(([a, b], i) => {
      missed[a]! += f.ordering[s]![i]!.ivtWrongMissA;
      missed[b]! += f.ordering[s]![i]!.ivtWrongMissB;
    });
    for (let i = 0; i <= f.pairs.length; i++) {
      const c = f.ordering[s]![i]!;
      const pair = i === f.pairs.length ? null : ([f.cfg.workers[f.pairs[i]![0]]!, f.cfg.workers[f.pairs[i]![1]]!] as [string, string]);
      const wrongBy =
        pair === null
          ? f.cfg.workers.map((node, w) => ({ node, count: missed[w]! }))
          : [
              { node: pair[0], count: c.ivtWrongMissA },
              { node: pair[1], count: c.ivtWrongMissB },
            ];
      out.push({
        source: src.name,
        pair,
        point: { compared: c.compared, a_first: c.aFirst, b_first: c.bFirst, ties: c.ties },
        point_vs_truth: truth
          ? { compared: c.pvt, correct: ratio(c.pvtCorrect, c.pvt), wrong: ratio(c.pvtWrong, c.pvt), tie: ratio(c.pvtTie, c.pvt) }
          : null,
        interval: src.bounded
          ? {
              compared: c.iv,
              proven: ratio(c.ivProven, c.iv),
              ambiguous: ratio(c.iv - c.ivProven, c.iv),
              proven_a_first: c.ivA,
              proven_b_first: c.ivB,
            }
          : null,
        interval_vs_truth:
          src.bounded && truth
            ? {
                compared: c.ivt,
                correct: ratio(c.ivtCorrect, c.ivt),
                wrong: ratio(c.ivtWrong, c.ivt),
                ambiguous: ratio(c.ivtAmb, c.ivt),
                degraded: { compared: c.ivtDeg, wrong: ratio(c.ivtWrongDeg, c.ivtDeg) },
                wrong_by_worker: wrongBy,
              }
            : null,
      });
    }
  });
  return out;
}

function accuracy(a: AccuracyCounts, bounded: boolean): WindowAccuracy {
  return {
    point: { readings: a.pt, correct: ratio(a.ptCorrect, a.pt), wrong: ratio(a.pt - a.ptCorrect, a.pt) },
    interval: bounded
      ? {
          readings: a.iv,
          confident_correct: ratio(a.ivConfCorrect, a.iv),
          confident_wrong: ratio(a.ivConfWrong, a.iv),
          ambiguous: ratio(a.ivAmb, a.iv),
        }
      : null,
  };
}

export function windowEntries(f: FoldCounts): WindowEntry[] {
  f.pool();
  const out: WindowEntry[] = [];
  const truth = f.truthRecv;
  f.cfg.sources.forEach((src, s) => {
    f.cfg.windows.forEach((win, k) => {
      const c = f.windows[s]![k]!;
      out.push({
        source: src.name,
        window_ms: win.ms,
        point: { events: c.ptEvents, agree: ratio(c.ptAgree, c.ptEvents), disagree: ratio(c.ptEvents - c.ptAgree, c.ptEvents) },
        interval: src.bounded
          ? {
              events: c.ivEvents,
              confident_agree: ratio(c.ivAgree, c.ivEvents),
              confident_conflict: ratio(c.ivConflict, c.ivEvents),
              ambiguous: ratio(c.ivAmb, c.ivEvents),
              conflict_true_split: truth ? c.splitTrue : null,
              conflict_false: truth ? c.splitFalse : null,
              readings_confident: ratio(c.ivConfident, c.ivReadings),
              degraded: {
                events: c.ivEventsDeg,
                confident_conflict: ratio(c.ivConflictDeg, c.ivEventsDeg),
                conflict_false: truth ? c.splitFalseDeg : null,
              },
              conflict_false_by_worker: truth ? f.cfg.workers.map((node, w) => ({ node, count: c.falseBy[w]! })) : null,
            }
          : null,
        accuracy: truth ? accuracy(c.acc, src.bounded) : null,
        per_worker_accuracy: truth ? f.cfg.workers.map((node, w) => ({ node, accuracy: accuracy(c.perWorker[w]!, src.bounded) })) : null,
      });
    });
  });
  return out;
}

export function coordinationEntries(f: FoldCounts): CoordinationEntry[] {
  f.pool();
  const out: CoordinationEntry[] = [];
  const order = delayOrder(f.delays);
  f.cfg.sources.forEach((src, s) => {
    f.cfg.windows.forEach((win, k) => {
      const c = f.windows[s]![k]!;
      out.push({
        source: src.name,
        window_ms: win.ms,
        events: c.ptEvents,
        point_repairs: ratio(c.ptEvents - c.ptAgree, c.ptEvents),
        interval_coordination: src.bounded ? ratio(c.ivAmb, c.ivEvents) : null,
        interval_conflicts: src.bounded ? ratio(c.ivConflict, c.ivEvents) : null,
        reestimated: src.bounded
          ? order.map((d) => {
              const r = c.reest[d]!;
              return {
                delay_s: f.delays[d]!,
                events: r.events,
                interval_coordination: ratio(r.amb, r.events),
                interval_conflicts: ratio(r.conflict, r.events),
                confident_agree: ratio(r.agree, r.events),
              };
            })
          : [],
      });
    });
  });
  return out;
}

/** Delay indices sorted by delay value. */
export function delayOrder(delays: readonly number[]): number[] {
  return delays.map((_, i) => i).sort((a, b) => delays[a]! - delays[b]!);
}

export function commitWaitEntries(f: FoldCounts): CommitWaitEntry[] {
  f.pool();
  const W = f.cfg.workers.length;
  const out: CommitWaitEntry[] = [];
  const order = delayOrder(f.delays);
  f.cfg.sources.forEach((src, s) => {
    if (!src.bounded) return;
    const parts = f.commitWait[s]!.slice(0, W);
    for (let w = 0; w <= W; w++) {
      const c = f.commitWait[s]![w]!;
      const pooled = w === W;
      out.push({
        source: src.name,
        node: pooled ? null : f.cfg.workers[w]!,
        wait: (pooled ? DistAcc.merged(parts.map((p) => p.wait)) : c.wait).summarize(),
        reestimated: order.map((d) => {
          const r = c.reest[d]!;
          const width = pooled ? DistAcc.merged(parts.map((p) => p.reest[d]!.width)) : r.width;
          const shrink = pooled
            ? DistAcc.merged(
                parts.map((p) => p.reest[d]!.shrink),
                'ratio',
              )
            : r.shrink;
          return {
            delay_s: f.delays[d]!,
            rows: r.rows,
            width: width.summarize(),
            shrink: shrink.summarize(),
            coverage: r.coverOf > 0 || f.truthRecv ? ratio(r.covered, r.coverOf) : null,
          };
        }),
      });
    }
  });
  return out;
}

export function boundEntries(f: FoldCounts): BoundQualityEntry[] {
  f.pool();
  const W = f.cfg.workers.length;
  const out: BoundQualityEntry[] = [];
  f.cfg.sources.forEach((src, s) => {
    for (let place = 0; place < W + 2; place++) {
      let b = f.bounds[s]![place]!;
      if (place === W + 1) b = pooledBound(f, s);
      out.push({
        source: src.name,
        role: place === 0 ? 'coordinator' : 'worker',
        node: place === 0 || place === W + 1 ? null : f.cfg.workers[place - 1]!,
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
function pooledBound(f: FoldCounts, s: number): BoundCounts {
  const W = f.cfg.workers.length;
  const pooled = f.bounds[s]![W + 1]!;
  const parts = f.bounds[s]!.slice(1, W + 1);
  const out = new BoundCounts();
  out.readings = pooled.readings;
  out.covered = pooled.covered;
  out.coverOf = pooled.coverOf;
  out.calib = pooled.calib;
  out.coveredDeg = pooled.coveredDeg;
  out.coverOfDeg = pooled.coverOfDeg;
  out.halfWidth = DistAcc.merged(parts.map((p) => p.halfWidth));
  out.error = DistAcc.merged(parts.map((p) => p.error));
  out.absError = DistAcc.merged(parts.map((p) => p.absError));
  out.norm = DistAcc.merged(
    parts.map((p) => p.norm),
    'ratio',
  );
  return out;
}

export function timeline(f: FoldCounts): Timeline | null {
  f.pool();
  const tl = f.cfg.timeline;
  if (!tl) return null;
  const W = f.cfg.workers.length;
  const arr = (a: Float64Array) => listOf(a, (v) => v);
  const truth = f.truthRecv || f.truthSend;
  const causality: Timeline['causality'] = [];
  const clock: Timeline['clock'] = [];
  f.cfg.sources.forEach((src, s) => {
    for (let w = 0; w <= W; w++) {
      const t = f.tlCausality[s]![w]!;
      causality.push({
        source: src.name,
        node: w === W ? null : f.cfg.workers[w]!,
        compared: arr(t.compared),
        point_violations: arr(t.viol),
        interval_compared: src.bounded ? arr(t.ivCompared) : null,
        interval_violations: src.bounded ? arr(t.ivViol) : null,
        interval_ambiguous: src.bounded ? arr(t.ivAmb) : null,
      });
      const c = f.tlClock[s]![w]!;
      clock.push({
        source: src.name,
        role: w === W ? 'coordinator' : 'worker',
        node: w === W ? null : f.cfg.workers[w]!,
        n: arr(c.n),
        offset_mean_ns: c.offset.mean(),
        offset_min_ns: c.offset.mins(),
        offset_max_ns: c.offset.maxs(),
        half_width_mean_ns: src.bounded ? c.hw.mean() : null,
        half_width_max_ns: src.bounded ? c.hw.maxs() : null,
        error_mean_ns: truth ? c.err.mean() : null,
        error_min_ns: truth ? c.err.mins() : null,
        error_max_ns: truth ? c.err.maxs() : null,
        covered: src.bounded && truth ? arr(c.covered) : null,
        covered_of: src.bounded && truth ? arr(c.coveredOf) : null,
      });
    }
  });
  return {
    bin_ns: tl.binNs,
    t_rel_ns: Array.from({ length: tl.bins }, (_, i) => tl.start + i * tl.binNs),
    events_sent: arr(f.tlSent!),
    causality,
    clock,
    latency: f.cfg.workers.map((node, w) => ({
      node,
      received: arr(f.tlLatency[w]!.received),
      true_mean_ns: f.truthRecv ? f.tlLatency[w]!.lat.mean() : null,
      true_max_ns: f.truthRecv ? f.tlLatency[w]!.lat.maxs() : null,
    })),
  };
}

/**
 * Every result at once. `sources`: the final source list, whose `bounded` flags analyze narrows
 * after the join to sources that really carried an interval (the folds used the header's).
 */
export function foldResults(f: FoldCounts, sources: SourceDef[] = f.cfg.sources): Omit<FoldResults, 'selfConsistency'> {
  sources.forEach((src, i) => {
    f.cfg.sources[i]!.bounded = src.bounded;
  });
  const W = f.cfg.workers.length;
  return {
    truthSend: f.truthSend,
    truthRecv: f.truthRecv,
    latencyTrue: Array.from({ length: W }, (_, w) => latencyTrue(f, w)),
    latencyTruePooled: latencyTrue(f, null),
    latencyLocal: Array.from({ length: W }, (_, w) => latencyLocal(f, w)),
    latencyKernel: latencyKernel(f),
    margins: f.cfg.sources.map((_, s) => Array.from({ length: W }, (_, w) => marginOf(f, s, w))),
    causality: causalityEntries(f),
    ordering: orderingEntries(f),
    windows: windowEntries(f),
    coordination: coordinationEntries(f),
    commitWait: commitWaitEntries(f),
    bounds: boundEntries(f),
    timeline: timeline(f),
  };
}
