// Weighted least-squares drift estimate with one intercept per segment and a slope shared by all
// segments. A segment is a run of samples with no detected step between them: a step moves the
// offset but not the frequency, so samples on both sides of a step still inform the slope.

export interface FitPoint {
  /** Local instant (ns, relative to an anchor). */
  x: number;
  /** Offset true − local (ns) at x. */
  y: number;
  /** Weight (1 / variance scale); must be > 0. */
  w: number;
  /** Segment id. */
  seg: number;
}

export interface DriftFit {
  /** d(offset)/d(local), dimensionless (1e-6 = 1 ppm). */
  slope: number;
  /** Standard error of the slope, dimensionless. */
  slopeErr: number;
  /** Points used. */
  n: number;
  /** Number of segments with at least one point. */
  segments: number;
  /** Per segment: weighted mean x and y, so that offset(x) = yMean + slope·(x − xMean). */
  means: Map<number, { x: number; y: number }>;
  /** Largest x range inside one segment (ns): how much time actually constrains the slope. */
  maxSpan: number;
}

/**
 * Fit offset = a_seg + slope·x. Null when the slope is not identifiable: fewer than
 * (segments + 2) points or no segment spanning a positive time.
 */
export function fitSharedSlope(points: readonly FitPoint[]): DriftFit | null {
  const acc = new Map<number, { sw: number; sx: number; sy: number; min: number; max: number }>();
  for (const p of points) {
    let a = acc.get(p.seg);
    if (!a) {
      a = { sw: 0, sx: 0, sy: 0, min: p.x, max: p.x };
      acc.set(p.seg, a);
    }
    a.sw += p.w;
    a.sx += p.w * p.x;
    a.sy += p.w * p.y;
    if (p.x < a.min) a.min = p.x;
    if (p.x > a.max) a.max = p.x;
  }
  const means = new Map<number, { x: number; y: number }>();
  let maxSpan = 0;
  for (const [seg, a] of acc) {
    means.set(seg, { x: a.sx / a.sw, y: a.sy / a.sw });
    maxSpan = Math.max(maxSpan, a.max - a.min);
  }
  const dof = points.length - acc.size - 1;
  if (dof < 1 || maxSpan <= 0) return null;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    const m = means.get(p.seg)!;
    const dx = p.x - m.x;
    sxx += p.w * dx * dx;
    sxy += p.w * dx * (p.y - m.y);
  }
  if (!(sxx > 0)) return null;
  const slope = sxy / sxx;
  let ssr = 0;
  for (const p of points) {
    const m = means.get(p.seg)!;
    const r = p.y - m.y - slope * (p.x - m.x);
    ssr += p.w * r * r;
  }
  // Weights are relative (1/e²): scale the residual variance back to the data's units.
  const sigma2 = ssr / dof;
  const slopeErr = Math.sqrt(sigma2 / sxx);
  return { slope, slopeErr, n: points.length, segments: acc.size, means, maxSpan };
}

export interface BoundedPoint {
  x: number;
  y: number;
  /** Hard half-width: the true y at x lies within y ± e. */
  e: number;
  seg: number;
}

/**
 * The slopes every pair of points in one segment allows: true values within y ± e at both ends,
 * and the offset between them off a straight line by at most `bend(dx)` (frequency wander). This
 * bounds the error of any slope estimate however the points' errors are distributed, where the
 * fit's residual scatter only estimates it (and can be small by chance with few, wide points).
 * O(n²) over the fitted points (at most a few dozen, once per sample). Null when the points admit
 * no common slope (their bounds or the bend allowance contradict each other), or no pair spans time.
 */
export function feasibleSlope(points: readonly BoundedPoint[], bend: (dx: number) => number): { lo: number; hi: number } | null {
  let lo = -Infinity;
  let hi = Infinity;
  for (let i = 0; i < points.length; i++) {
    const a = points[i]!;
    for (let j = i + 1; j < points.length; j++) {
      const b = points[j]!;
      if (b.seg !== a.seg || b.x === a.x) continue;
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const slack = a.e + b.e + bend(Math.abs(dx));
      const s0 = (dy - slack) / dx;
      const s1 = (dy + slack) / dx;
      lo = Math.max(lo, Math.min(s0, s1));
      hi = Math.min(hi, Math.max(s0, s1));
    }
  }
  return lo <= hi && Number.isFinite(lo) && Number.isFinite(hi) ? { lo, hi } : null;
}
