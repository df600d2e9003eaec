// Self-consistency of an interval source, with no truth and no echo (docs/metrics.md
// §Self-consistency). Readings i, j of one source at local instants t_i, t_j are incompatible when
// no clock whose frequency error is at most ε can pass through both intervals. Every incompatible
// pair holds at least one miss, so the size of any matching of incompatible pairs (pairs sharing no
// reading) is a lower bound on the readings that miss: each matched pair needs its own miss.

/** Default ε: the maximum frequency error of a local clock, in ppm. */
export const DEFAULT_MAX_FREQ_ERROR_PPM = 500;
/**
 * Unmatched readings kept as candidates for a later reading. An incompatibility ends once ε·Δ
 * covers the gap between two offsets, so only recent readings can be incompatible with a new one
 * unless the source is far off; older candidates are dropped (the bound stays valid, only looser).
 */
export const SELF_CONSISTENCY_LOOK_BACK = 128;
/** Slack below which a pair still counts as compatible: absorbs rounding of the relative ns doubles. */
export const SELF_CONSISTENCY_TOLERANCE_NS = 1;

/**
 * How far two readings are from being compatible (ns): > 0 means incompatible. In offset space
 * (o = value − t) both are intervals [lo − t, hi − t]; the truth's offset moves by at most ε·|Δ|
 * between them, so they are compatible when the gap between the two offset intervals is ≤ ε·|Δ|.
 * The same as the issue's [lo2, hi2] ∩ [lo1 + Δ(1 − ε), hi1 + Δ(1 + ε)] ≠ ∅ for Δ = t2 − t1 ≥ 0.
 */
export function incompatibility(t1: number, lo1: number, hi1: number, t2: number, lo2: number, hi2: number, eps: number): number {
  const a1 = lo1 - t1,
    b1 = hi1 - t1,
    a2 = lo2 - t2,
    b2 = hi2 - t2;
  return Math.max(a2 - b1, a1 - b2) - eps * Math.abs(t2 - t1);
}

/** The definition as stated: both readings can be right (tolerance included). */
export function compatible(t1: number, lo1: number, hi1: number, t2: number, lo2: number, hi2: number, eps: number): boolean {
  return incompatibility(t1, lo1, hi1, t2, lo2, hi2, eps) <= SELF_CONSISTENCY_TOLERANCE_NS;
}

/** ε (a fraction) from ppm; throws with the value typed when it is not a number ≥ 0 and < 1e6. */
export function maxFreqError(ppm: number): number {
  if (!(Number.isFinite(ppm) && ppm >= 0 && ppm < 1e6))
    throw new Error(`--max-freq-error-ppm must be a number of ppm ≥ 0 and below 1000000, got ${String(ppm)}`);
  return ppm * 1e-6;
}

/** Matched pairs kept for re-pairing, and how many of them a reading may try (bounds the work). */
const AUGMENT_PAIRS = 16;
const AUGMENT_TRIES = 4;

/**
 * A greedy matching of incompatible readings, fed one reading at a time in any order of t (rows
 * come in event order, which arrival order may differ from). A new reading j is matched with the
 * unmatched candidate it is incompatible with by the least slack — the incompatibility that would
 * expire soonest, so candidates that stay incompatible longer remain for later readings. With none,
 * it tries an augmenting path of length 3 over a recent pair (p, q): j incompatible with q and p with
 * a free candidate u become the pairs (q, j) and (p, u), one more pair. Failing that, j becomes a
 * candidate. Memory: at most `lookBack` candidates and AUGMENT_PAIRS pairs.
 */
export class ConsistencyMatcher {
  private readonly t: Float64Array;
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  /** Candidates held, oldest first, in [0, n). */
  private n = 0;
  /** Recent pairs: [t, a, b] of both readings, 6 numbers each, oldest first. */
  private readonly pairs = new Float64Array(AUGMENT_PAIRS * 6);
  private np = 0;
  /**
   * Bounds over the candidates of a − ε·t's mirror keys: max(a + ε·t) and min(b − ε·t). A new
   * reading at t ≥ every candidate's instant is incompatible with one only if max(a + ε·t_i) − ε·t
   * > b or min(b_i − ε·t_i) + ε·t < a; for t below an instant the keys overstate, so the test only
   * ever lets a scan happen. Removals leave them as bounds; a scan makes them exact again.
   */
  private maxKeyA = -Infinity;
  private minKeyB = Infinity;
  /** Pairs matched: the lower bound on readings that miss. */
  matched = 0;

  constructor(
    private readonly eps: number,
    private readonly lookBack = SELF_CONSISTENCY_LOOK_BACK,
  ) {
    this.t = new Float64Array(lookBack);
    this.a = new Float64Array(lookBack);
    this.b = new Float64Array(lookBack);
  }

  /** Add a reading [lo, hi] taken at local instant t (all finite). Returns true when it was matched. */
  add(t: number, lo: number, hi: number): boolean {
    const a = lo - t,
      b = hi - t;
    const eps = this.eps;
    const tol = SELF_CONSISTENCY_TOLERANCE_NS;
    const maybe = this.maxKeyA - eps * t > b + tol || this.minKeyB + eps * t < a - tol;
    const best = maybe ? this.bestFree(t, a, b) : -1;
    if (best >= 0) {
      this.pushPair(this.t[best]!, this.a[best]!, this.b[best]!, t, a, b);
      this.remove(best);
      this.matched++;
      return true;
    }
    if (this.augment(t, a, b)) {
      this.matched++;
      return true;
    }
    if (this.n === this.lookBack) this.remove(0);
    this.t[this.n] = t;
    this.a[this.n] = a;
    this.b[this.n++] = b;
    if (a + eps * t > this.maxKeyA) this.maxKeyA = a + eps * t;
    if (b - eps * t < this.minKeyB) this.minKeyB = b - eps * t;
    return false;
  }

  /** Forget every candidate and pair: readings on either side of a cut are never paired (a clock step). */
  cut(): void {
    this.n = 0;
    this.np = 0;
    this.maxKeyA = -Infinity;
    this.minKeyB = Infinity;
  }

  /** The free candidate incompatible with offset interval [a, b] at t by the least slack, or −1. */
  private bestFree(t: number, a: number, b: number): number {
    const T = this.t,
      A = this.a,
      B = this.b,
      eps = this.eps;
    let best = -1,
      bestSlack = Infinity,
      maxA = -Infinity,
      minB = Infinity;
    for (let i = 0; i < this.n; i++) {
      const ka = A[i]! + eps * T[i]!,
        kb = B[i]! - eps * T[i]!;
      if (ka > maxA) maxA = ka;
      if (kb < minB) minB = kb;
      const gap = a - B[i]! > A[i]! - b ? a - B[i]! : A[i]! - b;
      const dt = t - T[i]!;
      const slack = gap - eps * (dt < 0 ? -dt : dt);
      if (slack > SELF_CONSISTENCY_TOLERANCE_NS && slack < bestSlack) {
        bestSlack = slack;
        best = i;
      }
    }
    this.maxKeyA = maxA;
    this.minKeyB = minB;
    return best;
  }

  private augment(t: number, a: number, b: number): boolean {
    if (this.n === 0) return false;
    const P = this.pairs;
    let tries = 0;
    for (let k = this.np - 1; k >= 0 && tries < AUGMENT_TRIES; k--) {
      for (let side = 0; side < 2; side++) {
        const q = k * 6 + side * 3,
          p = k * 6 + (1 - side) * 3;
        if (!(offsetGap(P[q]!, P[q + 1]!, P[q + 2]!, t, a, b, this.eps) > SELF_CONSISTENCY_TOLERANCE_NS)) continue;
        tries++;
        const u = this.bestFree(P[p]!, P[p + 1]!, P[p + 2]!);
        if (u < 0) continue;
        const pt = P[p]!,
          pa = P[p + 1]!,
          pb = P[p + 2]!;
        // (q, j) stays where the pair was; (u, p) is the newest pair
        P[p] = t;
        P[p + 1] = a;
        P[p + 2] = b;
        this.pushPair(this.t[u]!, this.a[u]!, this.b[u]!, pt, pa, pb);
        this.remove(u);
        return true;
      }
    }
    return false;
  }

  private pushPair(t1: number, a1: number, b1: number, t2: number, a2: number, b2: number): void {
    const P = this.pairs;
    if (this.np === AUGMENT_PAIRS) {
      P.copyWithin(0, 6, AUGMENT_PAIRS * 6);
      this.np--;
    }
    P.set([t1, a1, b1, t2, a2, b2], this.np++ * 6);
  }

  private remove(i: number): void {
    this.t.copyWithin(i, i + 1, this.n);
    this.a.copyWithin(i, i + 1, this.n);
    this.b.copyWithin(i, i + 1, this.n);
    this.n--;
  }
}

/** incompatibility() for readings already in offset space (a = lo − t, b = hi − t). */
function offsetGap(t1: number, a1: number, b1: number, t2: number, a2: number, b2: number, eps: number): number {
  const dt = t2 - t1;
  return Math.max(a2 - b1, a1 - b2) - eps * (dt < 0 ? -dt : dt);
}
