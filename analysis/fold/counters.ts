// The counters the metric folds add to: one object per (source, worker), (source, pair),
// (source, window size), ... Plain numbers and bounded distributions; the folds (ordering.ts, readings.ts, windows.ts) fill
// them, entries.ts turns them into stats.json entries.
import { DistAcc } from '../stats/distribution.js';
import { CALIBRATION_SCALES } from '../metrics/bounds.js';

export class CausalityCounts {
  ptCompared = 0;
  ptMissing = 0;
  ptViol = 0;
  margin = new DistAcc();
  ivCompared = 0;
  ivMissing = 0;
  proven = 0;
  amb = 0;
  viol = 0;
  /** Interval comparisons where either reading is `degraded`, and their violations. */
  ivDegCompared = 0;
  ivDegViol = 0;
}

export class OrderingCounts {
  compared = 0;
  aFirst = 0;
  bFirst = 0;
  ties = 0;
  pvt = 0;
  pvtCorrect = 0;
  pvtWrong = 0;
  pvtTie = 0;
  iv = 0;
  ivProven = 0;
  ivA = 0;
  ivB = 0;
  ivt = 0;
  ivtCorrect = 0;
  ivtWrong = 0;
  ivtAmb = 0;
  /** Judged interval orders where either reading is `degraded`, and the wrong ones among them. */
  ivtDeg = 0;
  ivtWrongDeg = 0;
  /** Wrong interval orders in which worker a's (b's) interval missed its own true arrival. */
  ivtWrongMissA = 0;
  ivtWrongMissB = 0;
}

export class AccuracyCounts {
  pt = 0;
  ptCorrect = 0;
  iv = 0;
  ivConfCorrect = 0;
  ivConfWrong = 0;
  ivAmb = 0;
}

export class ReestWindowCounts {
  events = 0;
  amb = 0;
  conflict = 0;
  agree = 0;
}

export class WindowCounts {
  ptEvents = 0;
  ptAgree = 0;
  ivEvents = 0;
  ivAgree = 0;
  ivConflict = 0;
  ivAmb = 0;
  splitTrue = 0;
  splitFalse = 0;
  ivReadings = 0;
  ivConfident = 0;
  /** Interval events with a `degraded` reading: how many, their conflicts, their false conflicts. */
  ivEventsDeg = 0;
  ivConflictDeg = 0;
  splitFalseDeg = 0;
  /** Per worker: false conflicts in which its confident window was not its true window. */
  falseBy: number[];
  acc = new AccuracyCounts();
  perWorker: AccuracyCounts[];
  reest: ReestWindowCounts[] = [];
  constructor(workers: number) {
    this.perWorker = Array.from({ length: workers }, () => new AccuracyCounts());
    this.falseBy = new Array<number>(workers).fill(0);
  }
}

export class BoundCounts {
  readings = 0;
  covered = 0;
  coverOf = 0;
  /** The same for readings whose status is `degraded`. */
  coveredDeg = 0;
  coverOfDeg = 0;
  halfWidth = new DistAcc();
  error = new DistAcc();
  absError = new DistAcc();
  norm = new DistAcc('ratio');
  calib = new Array<number>(CALIBRATION_SCALES.length).fill(0);
}

export class ReestCounts {
  rows = 0;
  width = new DistAcc();
  shrink = new DistAcc('ratio');
  covered = 0;
  coverOf = 0;
}
export class CommitWaitCounts {
  wait = new DistAcc();
  reest: ReestCounts[] = [];
}

/**
 * A typed array as a plain array, each value through f. A loop: Array.from walks a typed array
 * through its iterator, one result object per value (~20 MB of garbage for a 64-worker timeline).
 */
export function listOf<T>(a: Float64Array, f: (v: number, i: number) => T): T[] {
  const out = new Array<T>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]!, i);
  return out;
}

const nullIfNaN = (v: number): number | null => (Number.isNaN(v) ? null : v);

/** Per-bin sums for one series; mins/maxes start as NaN (no data). */
export class BinSeries {
  n: Float64Array;
  sum: Float64Array;
  min: Float64Array;
  max: Float64Array;
  constructor(bins: number) {
    this.n = new Float64Array(bins);
    this.sum = new Float64Array(bins);
    this.min = new Float64Array(bins).fill(NaN);
    this.max = new Float64Array(bins).fill(NaN);
  }
  add(b: number, v: number): void {
    if (Number.isNaN(v)) return;
    this.n[b]!++;
    this.sum[b]! += v;
    if (!(this.min[b]! <= v)) this.min[b] = v;
    if (!(this.max[b]! >= v)) this.max[b] = v;
  }
  mean(): (number | null)[] {
    return listOf(this.n, (n, i) => (n > 0 ? this.sum[i]! / n : null));
  }
  mins(): (number | null)[] {
    return listOf(this.min, nullIfNaN);
  }
  maxs(): (number | null)[] {
    return listOf(this.max, nullIfNaN);
  }
}

export class TimelineCausality {
  compared: Float64Array;
  viol: Float64Array;
  ivCompared: Float64Array;
  ivViol: Float64Array;
  ivAmb: Float64Array;
  constructor(bins: number) {
    this.compared = new Float64Array(bins);
    this.viol = new Float64Array(bins);
    this.ivCompared = new Float64Array(bins);
    this.ivViol = new Float64Array(bins);
    this.ivAmb = new Float64Array(bins);
  }
}

export class TimelineClock {
  n: Float64Array;
  offset: BinSeries;
  hw: BinSeries;
  err: BinSeries;
  covered: Float64Array;
  coveredOf: Float64Array;
  constructor(bins: number) {
    this.n = new Float64Array(bins);
    this.offset = new BinSeries(bins);
    this.hw = new BinSeries(bins);
    this.err = new BinSeries(bins);
    this.covered = new Float64Array(bins);
    this.coveredOf = new Float64Array(bins);
  }
}
