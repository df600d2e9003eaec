import type { Interval } from './interval-math.js';

/** The region most sources agree on, and how many agree (Marzullo's algorithm). */
export interface Agreement extends Interval {
  /** Number of intervals containing the whole region. */
  count: number;
  /** Number of intervals considered. */
  total: number;
  /** Indices of the intervals that contain the region. */
  members: number[];
}

/**
 * Marzullo's algorithm: sweep the sorted endpoints and keep the first region covered by the most
 * intervals. Closed intervals: at equal values a start counts before an end, so touching
 * intervals agree on one point. Returns null for an empty list.
 */
export function marzullo(intervals: readonly Interval[]): Agreement | null {
  const n = intervals.length;
  if (n === 0) return null;
  const edges: Array<{ x: number; start: boolean }> = [];
  for (const iv of intervals) {
    edges.push({ x: iv.lo, start: true }, { x: iv.hi, start: false });
  }
  edges.sort((a, b) => a.x - b.x || (a.start === b.start ? 0 : a.start ? -1 : 1));
  let best = 0;
  let cur = 0;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i]!;
    if (e.start) {
      cur++;
      if (cur > best) {
        best = cur;
        lo = e.x;
        // The region ends at the next edge, which must be an end (any start would raise cur).
        hi = edges[i + 1]!.x;
      }
    } else {
      cur--;
    }
  }
  const members: number[] = [];
  intervals.forEach((iv, i) => {
    if (iv.lo <= lo && hi <= iv.hi) members.push(i);
  });
  return { lo, hi, count: best, total: n, members };
}
