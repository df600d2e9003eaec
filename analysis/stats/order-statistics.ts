// The values a sort would put at a few ranks, without sorting: summarizing an exact distribution
// needs eight quantiles, and sorting every per-worker distribution was most of a 64-worker run's
// summary cost.

/** Ranges this short are finished by insertion sort. */
const SHORT = 16;

/**
 * Reorder `a` in place so that a[r] holds the value a numeric sort would put at index r, for every
 * r in `ranks` (0-based, non-decreasing). Quickselect with a median-of-three pivot and a three-way
 * partition (runs of equal values end a branch); past 2·log2(n) levels the range is sorted, so the
 * worst case stays O(n log n). Signed zeros compare equal here: see `sortedZeroSign`.
 */
export function selectRanks(a: Float64Array, ranks: readonly number[]): void {
  if (a.length < 2 || ranks.length === 0) return;
  select(a, 0, a.length - 1, ranks, 0, ranks.length - 1, 2 * Math.ceil(Math.log2(a.length)));
}

function select(a: Float64Array, lo: number, hi: number, ranks: readonly number[], rLo: number, rHi: number, depth: number): void {
  while (rLo <= rHi && hi - lo >= SHORT) {
    if (depth-- === 0) {
      a.subarray(lo, hi + 1).sort();
      return;
    }
    const x = a[lo]!;
    const y = a[(lo + hi) >>> 1]!;
    const z = a[hi]!;
    const p = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    // a[lo, lt) < p, a[lt, i) == p, a(gt, hi] > p
    let lt = lo;
    let i = lo;
    let gt = hi;
    while (i <= gt) {
      const v = a[i]!;
      if (v < p) {
        a[i++] = a[lt]!;
        a[lt++] = v;
      } else if (v > p) {
        a[i] = a[gt]!;
        a[gt--] = v;
      } else i++;
    }
    let k = rLo;
    while (k <= rHi && ranks[k]! < lt) k++;
    let m = k;
    while (m <= rHi && ranks[m]! <= gt) m++;
    select(a, lo, lt - 1, ranks, rLo, k - 1, depth);
    lo = gt + 1;
    rLo = m;
  }
  if (rLo <= rHi) insertionSort(a, lo, hi);
}

function insertionSort(a: Float64Array, lo: number, hi: number): void {
  for (let i = lo + 1; i <= hi; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= lo && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

/**
 * A zero found at 1-based `rank` with the sign a sort gives it: a numeric sort puts −0 before +0,
 * so the zeros at ranks up to (values below zero + negative zeros) are −0.
 */
export function sortedZeroSign(rank: number, belowZero: number, negativeZeros: number): number {
  return rank <= belowZero + negativeZeros ? -0 : 0;
}
