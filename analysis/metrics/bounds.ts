// Bound quality against ground truth (docs/metrics.md §Bound quality) and the TrueTime wait.

/** Truth inside the closed interval [lo, hi]. */
export function covers(lo: number, hi: number, truth: number): boolean {
  return lo <= truth && truth <= hi;
}

export function halfWidth(lo: number, hi: number): number {
  return (hi - lo) / 2;
}

/**
 * (truth − point) divided by the interval's extent on the side where truth lies:
 * |z| ≤ 1 ⇔ covered. NaN when that side has zero width and truth is not the point.
 */
export function normalizedError(point: number, lo: number, hi: number, truth: number): number {
  const d = truth - point;
  if (d === 0) return 0;
  const side = d > 0 ? hi - point : point - lo;
  return side > 0 ? d / side : NaN;
}

/** Truth inside the interval scaled by `scale` about the point: [p − s(p − lo), p + s(hi − p)]. */
export function coversScaled(point: number, lo: number, hi: number, truth: number, scale: number): boolean {
  return point - scale * (point - lo) <= truth && truth <= point + scale * (hi - point);
}

/**
 * TrueTime commit wait for an event stamped [lo, hi]: the time until the local clock's earliest
 * bound passes the event's latest bound, with the uncertainty unchanged meanwhile: hi − lo.
 */
export function trueTimeWait(lo: number, hi: number): number {
  return hi - lo;
}

export const CALIBRATION_SCALES = [0.25, 0.5, 0.75, 1, 1.5, 2, 3] as const;
