// The values a sort would put at a few ranks, without sorting: summarizing an exact distribution
// needs eight quantiles, and sorting every per-worker distribution was most of a 64-worker run's
// summary cost. valuesAtRanks counts the values into equal-width buckets between min and max
// (a monotone map, so the rank's bucket is known from the counts), then sorts only the values of
// the buckets holding a rank; selectRanks is the fallback when those are too many.

const BUCKETS = 1024;
/** Below this many values, selection on a copy is as fast. */
const BUCKETED_MIN = 512;
const bucketCounts = new Int32Array(BUCKETS + 1);
/** Per bucket: 1 + the slot of gathered values it feeds, 0 when it holds no rank. */
const bucketSlot = new Int32Array(BUCKETS);

/**
 * The values a numeric sort of a[0..n) puts at 0-based `ranks` (non-decreasing), a left as it is.
 * `min`, `max`: the least and greatest of those values. Signed zeros compare equal here: see
 * `sortedZeroSign`.
 */
export function valuesAtRanks(a: Float64Array, n: number, min: number, max: number, ranks: readonly number[]): number[] {
  const scale = BUCKETS / (max - min);
  if (n < BUCKETED_MIN || !(Number.isFinite(scale) && scale > 0)) return selectedCopy(a, n, ranks);
  const bucket = (v: number): number => {
    const b = Math.floor((v - min) * scale); // ≥ 0, at most BUCKETS once rounding is counted
    return b < BUCKETS ? b : BUCKETS - 1;
  };
  const counts = bucketCounts;
  counts.fill(0);
  for (let i = 0; i < n; i++) counts[bucket(a[i]!) + 1]!++;
  for (let b = 1; b <= BUCKETS; b++) counts[b]! += counts[b - 1]!; // counts[b]: values in buckets < b
  // the bucket of each rank, and the gathered slots (one per distinct bucket)
  const rankBucket = new Array<number>(ranks.length);
  const slotBucket: number[] = [];
  const slotStart: number[] = [];
  let gathered = 0;
  let b = 0;
  for (let k = 0; k < ranks.length; k++) {
    while (counts[b + 1]! <= ranks[k]!) b++;
    rankBucket[k] = b;
    if (bucketSlot[b] === 0) {
      slotBucket.push(b);
      slotStart.push(gathered);
      bucketSlot[b] = slotBucket.length;
      gathered += counts[b + 1]! - counts[b]!;
    }
  }
  let out: number[];
  if (gathered > n / 4)
    out = selectedCopy(a, n, ranks); // values crowd a few buckets (outliers stretch the range)
  else {
    const buf = new Float64Array(gathered);
    const fill = slotStart.slice();
    for (let i = 0; i < n; i++) {
      const v = a[i]!;
      const s = bucketSlot[bucket(v)]!;
      if (s !== 0) buf[fill[s - 1]!++] = v;
    }
    for (let s = 0; s < slotBucket.length; s++) buf.subarray(slotStart[s]!, fill[s]!).sort();
    out = ranks.map((r, k) => {
      const rb = rankBucket[k]!;
      return buf[slotStart[bucketSlot[rb]! - 1]! + r - counts[rb]!]!;
    });
  }
  for (const sb of slotBucket) bucketSlot[sb] = 0;
  return out;
}

function selectedCopy(a: Float64Array, n: number, ranks: readonly number[]): number[] {
  const work = a.slice(0, n);
  selectRanks(work, ranks);
  return ranks.map((r) => work[r]!);
}

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
