// Distributions with bounded memory: values are kept exactly up to a capacity, then folded into
// a log-bucketed histogram (relative error ≤ 2^-10). Quantiles are nearest-rank everywhere
// (docs/metrics.md §Quantiles).
import type { Distribution, Ratio } from './types.js';
import { sortedZeroSign, valuesAtRanks } from './order-statistics.js';

export const EXACT_CAPACITY = 65_536;
const SUB = 512; // sub-buckets per power of two
const MIN_EXP = -30; // |v| < 2^-30 counts as zero
const MAX_EXP = 63;
const OCTAVES = MAX_EXP - MIN_EXP + 1;
const HALF = OCTAVES * SUB; // buckets per sign
export const HISTOGRAM_RELATIVE_ERROR = 1 / (2 * SUB);
const HISTOGRAM_BINS = 40;
const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999];

export function ratio(count: number, total: number): Ratio {
  return { count, total, share: total > 0 ? count / total : null };
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian: high word is [1]

/**
 * The bucket of a finite value from the high 32 bits of its IEEE-754 encoding: exponent e and the
 * top 9 mantissa bits (no log2, exact); |v| < 2^MIN_EXP (zeros, subnormals) is the zero bucket.
 */
function bucketOfHighWord(hi: number): number {
  let e = ((hi >>> 20) & 0x7ff) - 1023;
  if (e < MIN_EXP) return HALF; // the zero bucket sits between the two signs
  let sub = (hi >>> 11) & (SUB - 1);
  if (e > MAX_EXP) {
    e = MAX_EXP;
    sub = SUB - 1;
  }
  const k = (e - MIN_EXP) * SUB + sub; // 0 .. HALF-1, ascending magnitude
  return hi >>> 31 === 0 ? HALF + 1 + k : HALF - 1 - k; // index ascending in value
}

function bucketOf(v: number): number {
  F64[0] = v;
  return bucketOfHighWord(U32[HI]!);
}

/**
 * hist[bucketOf(v)]++ for the finite values[from, to), reading each value's high word through a
 * view of its bytes instead of a scratch store and load per value (merging per-worker
 * distributions into a pooled histogram buckets every reading once more).
 */
function countBuckets(values: Float64Array, from: number, to: number, hist: Uint32Array): void {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  for (let i = from; i < to; i++) hist[bucketOfHighWord(words[2 * i + HI]!)]!++;
}

/** 2^e for e = MIN_EXP … MAX_EXP (exact), so that no power is computed per bucket. */
const POW2 = Array.from({ length: OCTAVES }, (_, i) => 2 ** (i + MIN_EXP));

function representative(idx: number): number {
  if (idx === HALF) return 0;
  const pos = idx > HALF;
  const k = pos ? idx - HALF - 1 : HALF - 1 - idx;
  const e = Math.floor(k / SUB);
  const sub = k % SUB;
  const mag = POW2[e]! * (1 + (sub + 0.5) / SUB);
  return pos ? mag : -mag;
}

/** Collects finite numbers; NaN (missing) is ignored by design, never counted as 0. */
/** A distribution of no values: every statistic null, never 0. */
export function emptyDistribution(unit: Distribution['unit']): Distribution {
  return {
    unit,
    n: 0,
    exact: true,
    relative_error: 0,
    min: null,
    max: null,
    mean: null,
    p01: null,
    p05: null,
    p25: null,
    p50: null,
    p75: null,
    p95: null,
    p99: null,
    p999: null,
    histogram: null,
  };
}

export class DistAcc {
  n = 0;
  private sum = 0;
  private lo = Infinity;
  private hi = -Infinity;
  private values: Float64Array | null = new Float64Array(16);
  private hist: Uint32Array | null = null;
  private summary: Distribution | null = null;

  constructor(
    readonly unit: 'ns' | 'ratio' = 'ns',
    private readonly capacity = EXACT_CAPACITY,
  ) {}

  add(v: number): void {
    if (!Number.isFinite(v)) return;
    this.summary = null;
    this.n++;
    this.sum += v;
    if (v < this.lo) this.lo = v;
    if (v > this.hi) this.hi = v;
    if (this.values) {
      const len = this.n - 1;
      if (len < this.capacity) {
        if (len === this.values.length) {
          const grown = new Float64Array(Math.min(this.capacity, this.values.length * 2));
          grown.set(this.values);
          this.values = grown;
        }
        this.values[len] = v;
        return;
      }
      this.n--; // toHistogram folds the n − 1 stored values; v is added below
      this.toHistogram();
      this.n++;
    }
    this.hist![bucketOf(v)]!++;
  }

  /**
   * add(v) for values[0 … count − 1], in that order: the same n, sum, min, max and stored values
   * or buckets, with the running fields in locals (the folds collect a block's values first).
   */
  addAll(values: Float64Array, count: number): void {
    this.summary = null;
    let n = this.n,
      sum = this.sum,
      lo = this.lo,
      hi = this.hi;
    let i = 0;
    if (this.values) {
      let stored: Float64Array = this.values;
      for (; i < count; i++) {
        const v = values[i]!;
        if (!Number.isFinite(v)) continue;
        if (n >= this.capacity) break; // v is the first value past capacity: histogram from here
        if (n === stored.length) {
          const grown = new Float64Array(Math.min(this.capacity, stored.length * 2));
          grown.set(stored);
          this.values = grown;
          stored = grown;
        }
        stored[n++] = v;
        sum += v;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      this.n = n;
      if (i < count) this.toHistogram();
    }
    const hist = this.hist;
    if (hist) {
      for (; i < count; i++) {
        const v = values[i]!;
        if (!Number.isFinite(v)) continue;
        n++;
        sum += v;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        hist[bucketOf(v)]!++;
      }
    }
    this.n = n;
    this.sum = sum;
    this.lo = lo;
    this.hi = hi;
  }

  /** A new accumulator holding every value of `parts` (for pooled entries: add once, merge at the end). */
  static merged(parts: readonly DistAcc[], unit: 'ns' | 'ratio' = 'ns'): DistAcc {
    const out = new DistAcc(unit);
    for (const p of parts) p.mergeInto(out);
    return out;
  }

  private mergeInto(target: DistAcc): void {
    if (this.n === 0) return;
    if (this.values) {
      if (target.values && target.n + this.n <= target.capacity) {
        target.addAll(this.values, this.n);
        return;
      }
      // Past the target's capacity: what addAll would end with (every value in the histogram,
      // the same sum, in the same order), with the values bucketed straight from their bytes.
      target.toHistogram();
      target.summary = null;
      const v = this.values;
      let sum = target.sum;
      for (let i = 0; i < this.n; i++) sum += v[i]!;
      countBuckets(v, 0, this.n, target.hist!);
      target.n += this.n;
      target.sum = sum;
      if (this.lo < target.lo) target.lo = this.lo;
      if (this.hi > target.hi) target.hi = this.hi;
      return;
    }
    target.toHistogram();
    target.summary = null;
    const h = target.hist!;
    const mine = this.hist!;
    // every value lies in [lo, hi], so every non-empty bucket between theirs (bucketOf is monotone)
    for (let i = bucketOf(this.lo), last = bucketOf(this.hi); i <= last; i++) h[i]! += mine[i]!;
    target.n += this.n;
    target.sum += this.sum;
    if (this.lo < target.lo) target.lo = this.lo;
    if (this.hi > target.hi) target.hi = this.hi;
  }

  private toHistogram(): void {
    if (!this.values) return;
    this.hist = new Uint32Array(2 * HALF + 1);
    countBuckets(this.values, 0, this.n, this.hist);
    this.values = null;
  }

  get exact(): boolean {
    return this.values !== null;
  }

  /**
   * The summary of the values so far. Kept until the next value arrives: one distribution can
   * appear in two sections (the causality margin is also the delivery's latency by source).
   */
  summarize(): Distribution {
    this.summary ??= this.summarizeNow();
    return this.summary;
  }

  private summarizeNow(): Distribution {
    const n = this.n;
    if (n === 0) return emptyDistribution(this.unit);
    const ranks = QUANTILES.map((p) => nearestRank(p, n));
    const qs = new Array<number>(QUANTILES.length);
    let histogramOf: (lo: number, hi: number) => Distribution['histogram'];
    if (this.values) {
      // The ranks' values as a sort would place them (order statistics, not a sort: per-worker
      // distributions are many), then one pass for the histogram, whose counts need no order.
      const values = this.values.subarray(0, n);
      const at = valuesAtRanks(
        values,
        n,
        this.lo,
        this.hi,
        ranks.map((r) => r - 1),
      );
      for (let k = 0; k < ranks.length; k++) qs[k] = at[k]!;
      if (qs.includes(0)) {
        let below = 0;
        let negativeZeros = 0;
        for (let i = 0; i < n; i++) {
          const v = values[i]!;
          if (v < 0) below++;
          else if (v === 0 && Object.is(v, -0)) negativeZeros++;
        }
        for (let k = 0; k < ranks.length; k++) if (qs[k] === 0) qs[k] = sortedZeroSign(ranks[k]!, below, negativeZeros);
      }
      histogramOf = (lo, hi) => valuesHistogram(lo, hi, values);
    } else {
      // Every quantile in one pass (ranks rise with p): a histogram walk per quantile was the
      // summary's main cost (≈ 96K buckets × 8 quantiles × every distribution).
      const hist = this.hist!;
      const lo = this.lo;
      const hi = this.hi;
      let first = -1;
      let last = -1;
      let acc = 0;
      let k = 0;
      for (let i = bucketOf(lo), top = bucketOf(hi); i <= top; i++) {
        // the buckets of lo and hi bound every value's
        const c = hist[i]!;
        if (c === 0) continue;
        if (first < 0) first = i;
        last = i;
        acc += c;
        while (k < ranks.length && acc >= ranks[k]!) qs[k++] = Math.min(hi, Math.max(lo, representative(i)));
      }
      for (; k < ranks.length; k++) qs[k] = hi;
      histogramOf = (a, b) =>
        histogram(a, b, (fn) => {
          for (let i = first; i >= 0 && i <= last; i++) if (hist[i]) fn(Math.min(hi, Math.max(lo, representative(i))), hist[i]!);
        });
    }
    const [p01, p05, p25, p50, p75, p95, p99, p999] = qs as [number, number, number, number, number, number, number, number];
    return {
      unit: this.unit,
      n,
      exact: this.exact,
      relative_error: this.exact ? 0 : HISTOGRAM_RELATIVE_ERROR,
      min: this.lo,
      max: this.hi,
      mean: this.sum / n,
      p01,
      p05,
      p25,
      p50,
      p75,
      p95,
      p99,
      p999,
      histogram: histogramOf(p01 < p99 ? p01 : this.lo, p01 < p99 ? p99 : this.hi),
    };
  }
}

/** Nearest rank: the smallest rank k (1-based) with k ≥ p·n; rank 1 for p = 0. */
export function nearestRank(p: number, n: number): number {
  return Math.min(n, Math.max(1, Math.ceil(p * n - 1e-9)));
}

/** Nearest-rank quantile of an array (the reference the accumulator must agree with). */
export function quantileNearestRank(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[nearestRank(p, sorted.length) - 1]!;
}

function histogramEdges(lo: number, hi: number): { bins: number; width: number; edges: number[] } {
  const bins = lo === hi ? 1 : HISTOGRAM_BINS;
  const width = (hi - lo) / bins;
  return { bins, width, edges: Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width)) };
}

function histogram(lo: number, hi: number, forEach: (fn: (v: number, c: number) => void) => void): Distribution['histogram'] {
  const { bins, width, edges } = histogramEdges(lo, hi);
  const counts = new Array<number>(bins).fill(0);
  let below = 0;
  let above = 0;
  forEach((v, c) => {
    if (v < lo) below += c;
    else if (v > hi) above += c;
    else counts[width === 0 ? 0 : Math.min(bins - 1, Math.floor((v - lo) / width))]! += c;
  });
  return { edges, counts, below, above };
}

/** `histogram` over stored values, one count each, in a plain loop (values in any order). */
function valuesHistogram(lo: number, hi: number, values: Float64Array): Distribution['histogram'] {
  const { bins, width, edges } = histogramEdges(lo, hi);
  const counts = new Array<number>(bins).fill(0);
  let below = 0;
  let above = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) below++;
    else if (v > hi) above++;
    else counts[width === 0 ? 0 : Math.min(bins - 1, Math.floor((v - lo) / width))]!++;
  }
  return { edges, counts, below, above };
}
