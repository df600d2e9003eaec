// The second self-consistency bound (docs/metrics.md §Self-consistency): the truth, seen in offset
// space (o = true − t), is a path whose slope is at most ε. Each reading it misses is a miss, so
// misses ≥ n − (the most readings any such path passes through). A sweep over t keeps, for every
// offset o, g(o) = the most readings a path ending at o can have passed through: between readings
// g is dilated by ε·Δt (the path moves at most that far), at a reading g rises by 1 on [lo − t,
// hi − t]. Exact while g has at most `cap` breakpoints; beyond that neighbouring levels are merged
// upwards, so g only ever overestimates: the bound n − max g stays valid, only looser.
import { SELF_CONSISTENCY_TOLERANCE_NS } from './self-consistency.js';

export const PATH_BREAKPOINTS = 128;
/** Readings held back to be taken in time order (rows come in event order; arrivals may swap). */
export const PATH_REORDER = 32;

export class PathBound {
  /** Breakpoints x[0..m) ascending; v[k] is g left of x[k], v[m] right of the last (both ends 0). */
  private x: Float64Array;
  private v: Float64Array;
  private x2: Float64Array;
  private v2: Float64Array;
  private readonly levels: Float64Array;
  private m = 0;
  private tau = NaN;
  /** Readings passed through since the last cut. */
  private count = 0;
  /** Bound summed over the closed parts (between cuts). */
  private closed = 0;
  /** Held readings, sorted by t: t, lo, hi at 3k, 3k + 1, 3k + 2. */
  private readonly held = new Float64Array(3 * (PATH_REORDER + 1));
  private nHeld = 0;

  constructor(
    private readonly eps: number,
    private readonly cap = PATH_BREAKPOINTS,
  ) {
    const n = cap + 4;
    this.x = new Float64Array(n);
    this.v = new Float64Array(n + 1);
    this.x2 = new Float64Array(n);
    this.v2 = new Float64Array(n + 1);
    this.levels = new Float64Array(n + 1);
  }

  /** Readings that must miss: n − max g over every part. */
  get bound(): number {
    this.flush();
    return this.closed + this.open();
  }

  /** A clock step: paths do not continue across it. */
  cut(): void {
    this.flush();
    this.closed += this.open();
    this.m = 0;
    this.v[0] = 0;
    this.count = 0;
    this.tau = NaN;
  }

  /** Add a reading [lo, hi] at local instant t; up to PATH_REORDER readings wait to be taken in time order. */
  add(t: number, lo: number, hi: number): void {
    const h = this.held;
    let i = this.nHeld;
    while (i > 0 && h[3 * (i - 1)]! > t) i--;
    h.copyWithin(3 * (i + 1), 3 * i, 3 * this.nHeld);
    h[3 * i] = t;
    h[3 * i + 1] = lo;
    h[3 * i + 2] = hi;
    if (++this.nHeld > PATH_REORDER) {
      this.take(h[0]!, h[1]!, h[2]!);
      h.copyWithin(0, 3, 3 * this.nHeld);
      this.nHeld--;
    }
  }

  private flush(): void {
    const h = this.held;
    for (let i = 0; i < this.nHeld; i++) this.take(h[3 * i]!, h[3 * i + 1]!, h[3 * i + 2]!);
    this.nHeld = 0;
  }

  /** Take one reading. One earlier than the last taken (beyond the reorder buffer) is widened to the last one's instant. */
  private take(t: number, lo: number, hi: number): void {
    const tol = SELF_CONSISTENCY_TOLERANCE_NS / 2;
    let a = lo - t - tol,
      b = hi - t + tol;
    if (Number.isNaN(this.tau)) this.tau = t;
    else if (t >= this.tau) {
      this.dilate(this.eps * (t - this.tau));
      this.tau = t;
    } else {
      // the path at tau is within ε·(tau − t) of where it was at t
      const r = this.eps * (this.tau - t);
      a -= r;
      b += r;
    }
    this.raise(a, b);
    this.count++;
    if (this.m > this.cap) this.flatten();
    while (this.m > this.cap) this.coarsen();
  }

  private open(): number {
    let max = 0;
    for (let k = 0; k <= this.m; k++) if (this.v[k]! > max) max = this.v[k]!;
    return this.count - max;
  }

  /** g ← max of g over [o − r, o + r]: rising edges move left by r, falling ones right; valleys that close vanish. */
  private dilate(r: number): void {
    if (r <= 0 || this.m === 0) return;
    const X = this.x,
      V = this.v,
      OX = this.x2,
      OV = this.v2;
    let n = 0;
    OV[0] = V[0]!;
    for (let k = 0; k < this.m; k++) {
      const R = V[k + 1]!;
      let L = OV[n]!;
      let pos = R > V[k]! ? X[k]! - r : X[k]! + r;
      // a valley between the last output edge and this one closed: its value is gone
      while (n > 0 && pos <= OX[n - 1]!) {
        const Lp = OV[n - 1]!;
        const leftPos = OX[n - 1]!;
        n--;
        L = Lp;
        pos = R > Lp ? pos : leftPos;
      }
      if (R === L) continue;
      OX[n] = pos;
      OV[++n] = R;
    }
    this.m = n;
    this.x = OX;
    this.v = OV;
    this.x2 = X;
    this.v2 = V;
  }

  /** g ← g + 1 on [a, b]. */
  private raise(a: number, b: number): void {
    const X = this.x,
      V = this.v,
      m = this.m;
    // i: first edge ≥ a; j: first edge > b (edges i … j − 1 lie inside [a, b])
    let lo = 0,
      hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (X[mid]! < a) lo = mid + 1;
      else hi = mid;
    }
    const i = lo;
    hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (X[mid]! <= b) lo = mid + 1;
      else hi = mid;
    }
    const j = lo;
    // new edges: X[0..i), a, X[i..j), b, X[j..m); values inside [a, b] one higher
    const vj = V[j]!;
    V.copyWithin(j + 3, j + 1, m + 1);
    V[j + 2] = vj;
    for (let k = j; k > i; k--) V[k + 1] = V[k]! + 1;
    V[i + 1] = V[i]! + 1;
    X.copyWithin(j + 2, j, m);
    X[j + 1] = b;
    X.copyWithin(i + 1, i, j);
    X[i] = a;
    this.m = m + 2;
    // only the two new edges can separate equal values
    if (V[j + 1] === V[j + 2]) this.removeEdge(j + 1);
    if (V[i] === V[i + 1]) this.removeEdge(i);
  }

  private removeEdge(e: number): void {
    this.x.copyWithin(e, e + 1, this.m);
    this.v.copyWithin(e + 1, e + 2, this.m + 1);
    this.m--;
  }

  /**
   * Raise every finite segment below the median level of the finite segments to that level, in one
   * pass: about half the breakpoints go at once, so the cost stays O(cap) per reading on average.
   * Flanks far below the best path are flattened; raising only ever overestimates g.
   */
  private flatten(): void {
    const V = this.v,
      m = this.m;
    const levels = this.levels;
    for (let k = 1; k < m; k++) levels[k - 1] = V[k]!;
    const sorted = levels.subarray(0, m - 1).sort();
    const theta = sorted[(sorted.length - 1) >> 1]!;
    for (let k = 1; k < m; k++) if (V[k]! < theta) V[k] = theta;
    const X = this.x,
      OX = this.x2,
      OV = this.v2;
    let w = 0;
    OV[0] = V[0]!;
    for (let k = 0; k < m; k++) {
      if (V[k + 1] === OV[w]) continue;
      OX[w] = X[k]!;
      OV[++w] = V[k + 1]!;
    }
    this.m = w;
    this.x = OX;
    this.v = OV;
    this.x2 = X;
    this.v2 = V;
  }

  /**
   * Remove one breakpoint by raising the lower finite side to its neighbour's value: the one whose
   * raised value is lowest (far below the best path, where an overestimate is least likely to
   * matter), the narrower on ties.
   */
  private coarsen(): void {
    const X = this.x,
      V = this.v;
    let best = -1,
      bestLevel = Infinity,
      bestWidth = Infinity;
    for (let k = 0; k < this.m; k++) {
      const lower = V[k]! < V[k + 1]! ? k : k + 1; // the segment that would be raised
      if (lower === 0 || lower === this.m) continue; // never raise the infinite ends
      const level = Math.max(V[k]!, V[k + 1]!);
      const width = X[lower]! - X[lower - 1]!;
      if (level < bestLevel || (level === bestLevel && width < bestWidth)) {
        bestLevel = level;
        bestWidth = width;
        best = k;
      }
    }
    if (best < 0) best = V[1]! > V[this.m - 1]! ? this.m - 1 : 0; // only ends left: raise one end
    const hi = Math.max(V[best]!, V[best + 1]!);
    V[best] = hi;
    V[best + 1] = hi;
    // remove breakpoint `best`, then any breakpoint now between equal values
    let w = 0;
    const OX = this.x2,
      OV = this.v2;
    OV[0] = V[0]!;
    for (let k = 0; k < this.m; k++) {
      if (k === best || V[k + 1] === OV[w]) continue;
      OX[w] = X[k]!;
      OV[++w] = V[k + 1]!;
    }
    this.m = w;
    this.x = OX;
    this.v = OV;
    this.x2 = X;
    this.v2 = V;
  }
}
