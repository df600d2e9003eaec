// Closed intervals on a number line (ns, relative to some anchor) and the few operations the
// interval sources need. Numbers, not bigints: these are offsets and relative instants, far below
// 2^53 ns, and the hot path should not allocate bigints per operation.

export interface Interval {
  lo: number;
  hi: number;
}

export function intersect(a: Interval, b: Interval): Interval | null {
  const lo = Math.max(a.lo, b.lo);
  const hi = Math.min(a.hi, b.hi);
  return lo <= hi ? { lo, hi } : null;
}

export function hull(a: Interval, b: Interval): Interval {
  return { lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) };
}

export function shift(a: Interval, by: number): Interval {
  return { lo: a.lo + by, hi: a.hi + by };
}

/** Intersection of all intervals, or null when any two are disjoint (or the list is empty). */
export function intersectAll(list: readonly Interval[]): Interval | null {
  if (list.length === 0) return null;
  let acc: Interval | null = list[0]!;
  for (let i = 1; i < list.length && acc; i++) acc = intersect(acc, list[i]!);
  return acc;
}
