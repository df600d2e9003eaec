// Order of one event's arrival at two workers a and b (docs/metrics.md §Ordering).
// Orders are -1 (a first), +1 (b first), 0 (tie / ambiguous); null = not comparable.

export type Order = -1 | 0 | 1;

/** sign(r_a − r_b) mapped so that −1 means a first. */
export function pointOrder(ra: number, rb: number): Order | null {
  if (Number.isNaN(ra) || Number.isNaN(rb)) return null;
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

/** Proven only when the closed intervals are disjoint; touching or overlapping → 0 (ambiguous). */
export function intervalOrder(aLo: number, aHi: number, bLo: number, bHi: number): Order | null {
  if (Number.isNaN(aLo) || Number.isNaN(aHi) || Number.isNaN(bLo) || Number.isNaN(bHi)) return null;
  if (aHi < bLo) return -1;
  if (bHi < aLo) return 1;
  return 0;
}

export type PointVerdict = 'correct' | 'wrong' | 'tie';
export type IntervalVerdict = 'correct' | 'wrong' | 'ambiguous';

/** Point order against the true order: equal signs are correct; a tie against distinct truths is a tie. */
export function judgePointOrder(order: Order, truth: Order): PointVerdict {
  if (order === truth) return 'correct';
  if (order === 0) return 'tie';
  return 'wrong';
}

/** A proven interval order is correct only if it is the true order (a true tie makes it wrong). */
export function judgeIntervalOrder(order: Order, truth: Order): IntervalVerdict {
  if (order === 0) return 'ambiguous';
  return order === truth ? 'correct' : 'wrong';
}
