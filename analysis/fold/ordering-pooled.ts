// The pooled ordering counts of one source over all worker pairs of each event, without visiting
// the pairs (docs/metrics.md §Ordering at scale): O(W log W) per event instead of O(W²). Each
// count is the sum of what ordering.ts's per-pair fold gives for every pair (a, b), a < b:
//  - ties and equal pairs come from sorted runs;
//  - "a first" pairs and wrong point orders are inversions, counted with a Fenwick tree
//    (wrong = discordant with the true order, or strictly ordered where the truth ties);
//  - proven interval orders are pairs with hi_i < lo_j, counted by sorting endpoints; wrong proven
//    orders are those among them with t_i ≥ t_j, a dominance count (sweep over lo, tree over t),
//    which also gives each worker's number of wrong pairs, charged to it when its interval
//    missed its own true arrival.
// An event holding an interval with lo > hi (never written by a source, but a file could) is
// folded pair by pair, as ordering.ts does, so the numbers never differ.
import type { OrderingCounts } from './counters.js';
import type { EventBlock } from './event-block.js';
import { covers } from '../metrics/bounds.js';
import { intervalOrder, judgeIntervalOrder, judgePointOrder, pointOrder } from '../metrics/ordering.js';

const pairsOf = (n: number): number => (n * (n - 1)) / 2;

/** A Fenwick tree over ranks 1..n counting inserted ranks. */
class Counter {
  private t: Float64Array;
  private n = 0;
  constructor(capacity: number) {
    this.t = new Float64Array(capacity + 1);
  }
  reset(n: number): void {
    this.n = n;
    this.t.fill(0, 0, n + 1);
  }
  add(rank: number): void {
    for (let i = rank; i <= this.n; i += i & -i) this.t[i]!++;
  }
  /** How many inserted ranks are ≤ rank. */
  upTo(rank: number): number {
    let s = 0;
    for (let i = rank; i > 0; i -= i & -i) s += this.t[i]!;
    return s;
  }
}

/** One event's readings of one source at every worker (index = worker). NaN = no value. */
export interface EventReadings {
  W: number;
  has: Uint8Array;
  p: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
  t: Float64Array;
  deg: Uint8Array;
}

/** Scratch for one folder: index lists and rank arrays sized for W workers. */
export class PooledOrderingScratch {
  readonly idx: Int32Array;
  readonly idx2: Int32Array;
  readonly rank: Int32Array;
  readonly wrongPairs: Float64Array;
  readonly tree: Counter;
  readonly ev: EventReadings;
  constructor(readonly W: number) {
    this.idx = new Int32Array(W);
    this.idx2 = new Int32Array(W);
    this.rank = new Int32Array(W);
    this.wrongPairs = new Float64Array(W);
    this.tree = new Counter(W);
    this.ev = {
      W,
      has: new Uint8Array(W),
      p: new Float64Array(W),
      lo: new Float64Array(W),
      hi: new Float64Array(W),
      t: new Float64Array(W),
      deg: new Uint8Array(W),
    };
  }
}

/** Dense ranks (1-based, equal values equal rank) of `vals` over the members idx[0..n), into rank[member]. */
function denseRanks(idx: Int32Array, n: number, vals: Float64Array, rank: Int32Array, sorted: Int32Array): number {
  for (let k = 0; k < n; k++) sorted[k] = idx[k]!;
  sortBy(sorted, n, vals);
  let r = 0;
  for (let k = 0; k < n; k++) {
    const m = sorted[k]!;
    if (k === 0 || vals[m]! !== vals[sorted[k - 1]!]!) r++;
    rank[m] = r;
  }
  return r;
}

/**
 * Sort the first n members by vals ascending: quicksort with insertion sort below 16, in place,
 * with no comparator call per comparison (a typed sort with a comparator was most of a
 * 64-worker event's cost). Unstable: every count here depends on the values only, not on the
 * order of equal ones.
 */
function sortBy(a: Int32Array, n: number, vals: Float64Array): void {
  quicksort(a, 0, n - 1, vals);
}

function quicksort(a: Int32Array, lo: number, hi: number, vals: Float64Array): void {
  while (hi - lo >= 16) {
    const mid = (lo + hi) >>> 1;
    const x = vals[a[lo]!]!,
      y = vals[a[mid]!]!,
      z = vals[a[hi]!]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo,
      j = hi;
    while (i <= j) {
      while (vals[a[i]!]! < pivot) i++;
      while (vals[a[j]!]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    // recurse into the shorter side, loop on the longer: depth O(log n)
    if (j - lo < hi - i) {
      quicksort(a, lo, j, vals);
      lo = i;
    } else {
      quicksort(a, i, hi, vals);
      hi = j;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const m = a[i]!;
    const v = vals[m]!;
    let j = i - 1;
    while (j >= lo && vals[a[j]!]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = m;
  }
}

/** Σ C(k, 2) over runs of equal keys in members sorted[0..n) (sorted so equal keys are adjacent). */
function tiedPairs(sorted: Int32Array, n: number, same: (x: number, y: number) => boolean): number {
  let ties = 0,
    run = 1;
  for (let k = 1; k < n; k++) {
    if (same(sorted[k - 1]!, sorted[k]!)) run++;
    else {
      ties += pairsOf(run);
      run = 1;
    }
  }
  return n > 0 ? ties + pairsOf(run) : 0;
}

/** Count the pairs (i, j) of members with hi_i < lo_j and, when judging, how many have t_i ≥ t_j (wrong). */
function intervalPairs(
  x: EventReadings,
  members: Int32Array,
  n: number,
  sc: PooledOrderingScratch,
  judge: boolean,
  perWorker: Float64Array | null,
): { proven: number; wrong: number } {
  const { lo, hi, t } = x;
  const byHi = sc.idx2;
  for (let k = 0; k < n; k++) byHi[k] = members[k]!;
  sortBy(byHi, n, hi);
  // proven: Σ_j #{i : hi_i < lo_j} (lo ≤ hi, so i ≠ j)
  let proven = 0;
  for (let k = 0; k < n; k++) proven += lowerBound(byHi, n, hi, lo[members[k]!]!);
  if (!judge || proven === 0) return { proven, wrong: 0 };
  // wrong: sweep the members by lo ascending; the tree holds the t-ranks of those with hi < lo_j.
  const tRank = sc.rank;
  const byLo = new Int32Array(n);
  const nT = denseRanks(members, n, t, tRank, byLo);
  for (let k = 0; k < n; k++) byLo[k] = members[k]!;
  sortBy(byLo, n, lo);
  sc.tree.reset(nT);
  let wrong = 0,
    ins = 0;
  for (let k = 0; k < n; k++) {
    const j = byLo[k]!;
    while (ins < n && hi[byHi[ins]!]! < lo[j]!) sc.tree.add(tRank[byHi[ins++]!]!);
    const w = ins - sc.tree.upTo(tRank[j]! - 1); // inserted with t_i ≥ t_j
    wrong += w;
    if (perWorker) perWorker[j]! += w;
  }
  if (perWorker && wrong > 0) {
    // the other side: for each i, #{j : lo_j > hi_i, t_j ≤ t_i}, sweeping hi descending
    sc.tree.reset(nT);
    let ins2 = n - 1;
    for (let k = n - 1; k >= 0; k--) {
      const i = byHi[k]!;
      while (ins2 >= 0 && lo[byLo[ins2]!]! > hi[i]!) sc.tree.add(tRank[byLo[ins2--]!]!);
      perWorker[i]! += sc.tree.upTo(tRank[i]!);
    }
  }
  return { proven, wrong };
}

/** Number of members in sorted[0..n) (ascending by vals) with vals < x. */
function lowerBound(sorted: Int32Array, n: number, vals: Float64Array, x: number): number {
  let a = 0,
    b = n;
  while (a < b) {
    const m = (a + b) >> 1;
    if (vals[sorted[m]!]! < x) a = m + 1;
    else b = m;
  }
  return a;
}

/**
 * Add one event's pooled counts into `out` and each worker's wrong orders charged to it (its
 * interval missed its own truth) into `missed`. `bounded`: the source has intervals.
 */
export function foldPooledEvent(
  x: EventReadings,
  bounded: boolean,
  out: OrderingCounts,
  missed: Float64Array,
  sc: PooledOrderingScratch,
): void {
  const { W, has, p, lo, hi, t, deg } = x;
  if (bounded) {
    for (let w = 0; w < W; w++)
      if (has[w] === 1 && lo[w]! > hi[w]!) {
        foldEventPairwise(x, bounded, out, missed);
        return;
      }
  }
  const idx = sc.idx,
    rank = sc.rank,
    tmp = sc.idx2;
  // point orders
  let n = 0;
  for (let w = 0; w < W; w++) if (has[w] === 1 && !Number.isNaN(p[w]!)) idx[n++] = w;
  if (n >= 2) {
    const cmp = pairsOf(n);
    const nP = denseRanks(idx, n, p, rank, tmp);
    const ties = tiedPairs(tmp, n, (a, b) => p[a] === p[b]);
    // a first: pairs a < b (worker index) with p_a < p_b
    sc.tree.reset(nP);
    let aFirst = 0;
    for (let k = 0; k < n; k++) {
      aFirst += sc.tree.upTo(rank[idx[k]!]! - 1);
      sc.tree.add(rank[idx[k]!]!);
    }
    out.compared += cmp;
    out.aFirst += aFirst;
    out.bFirst += cmp - ties - aFirst;
    out.ties += ties;
    // against the truth
    let m = 0;
    for (let k = 0; k < n; k++) if (!Number.isNaN(t[idx[k]!]!)) idx[m++] = idx[k]!;
    if (m >= 2) {
      const N = pairsOf(m);
      const nP2 = denseRanks(idx, m, p, rank, tmp);
      const tP = tiedPairs(tmp, m, (a, b) => p[a] === p[b]);
      // members by (t, p): runs of equal t, and of equal (t, p), are adjacent
      for (let k = 0; k < m; k++) tmp[k] = idx[k]!;
      sortByTwo(tmp, m, t, p);
      const tT = tiedPairs(tmp, m, (a, b) => t[a] === t[b]);
      const tPT = tiedPairs(tmp, m, (a, b) => t[a] === t[b] && p[a] === p[b]);
      // discordant: t_i < t_j and p_i > p_j — strict inversions of p along the (t, p) order
      sc.tree.reset(nP2);
      let D = 0;
      for (let k = 0; k < m; k++) {
        const r = rank[tmp[k]!]!;
        D += k - sc.tree.upTo(r);
        sc.tree.add(r);
      }
      const C = N - D - (tP + tT - tPT);
      out.pvt += N;
      out.pvtCorrect += C + tPT;
      out.pvtTie += tP - tPT;
      out.pvtWrong += D + tT - tPT;
    }
  }
  if (!bounded) return;
  // interval orders
  n = 0;
  for (let w = 0; w < W; w++) if (has[w] === 1 && !Number.isNaN(lo[w]!) && !Number.isNaN(hi[w]!)) idx[n++] = w;
  if (n < 2) return;
  const all = intervalPairs(x, idx, n, sc, false, null);
  // proven with a first (a < b by worker index): hi_a < lo_b, counted along the worker order
  let ivA = 0;
  if (all.proven > 0) {
    const members = idx.slice(0, n);
    const nH = denseRanks(members, n, hi, rank, tmp);
    // tmp holds members by hi ascending; a lo's rank bound is the number of distinct his below it
    const his = new Float64Array(nH);
    let u = 0;
    for (let k = 0; k < n; k++) if (k === 0 || hi[tmp[k]!]! !== hi[tmp[k - 1]!]!) his[u++] = hi[tmp[k]!]!;
    sc.tree.reset(nH);
    for (let k = 0; k < n; k++) {
      const b = members[k]!;
      let a0 = 0,
        b0 = nH;
      while (a0 < b0) {
        const mid = (a0 + b0) >> 1;
        if (his[mid]! < lo[b]!) a0 = mid + 1;
        else b0 = mid;
      }
      ivA += sc.tree.upTo(a0);
      sc.tree.add(rank[b]!);
    }
  }
  out.iv += pairsOf(n);
  out.ivProven += all.proven;
  out.ivA += ivA;
  out.ivB += all.proven - ivA;
  // against the truth
  let m = 0;
  for (let k = 0; k < n; k++) if (!Number.isNaN(t[idx[k]!]!)) idx[m++] = idx[k]!;
  if (m < 2) return;
  const wp = sc.wrongPairs;
  wp.fill(0);
  const judged = intervalPairs(x, idx, m, sc, true, wp);
  const N = pairsOf(m);
  out.ivt += N;
  out.ivtCorrect += judged.proven - judged.wrong;
  out.ivtWrong += judged.wrong;
  out.ivtAmb += N - judged.proven;
  // degraded: pairs with either reading degraded = all − pairs of non-degraded readings
  let clean = 0;
  const members = idx.slice(0, m);
  for (let k = 0; k < m; k++) if (deg[members[k]!] === 0) idx[clean++] = members[k]!;
  const cleanWrong = clean >= 2 && judged.wrong > 0 ? intervalPairs(x, idx, clean, sc, true, null).wrong : 0;
  out.ivtDeg += N - pairsOf(clean);
  out.ivtWrongDeg += judged.wrong - cleanWrong;
  if (judged.wrong > 0) for (const w of members) if (wp[w]! > 0 && !covers(lo[w]!, hi[w]!, t[w]!)) missed[w]! += wp[w]!;
}

/** Sort members by a ascending, then b ascending (quicksort as sortBy's, on the pair). */
function sortByTwo(arr: Int32Array, n: number, a: Float64Array, b: Float64Array): void {
  quicksort2(arr, 0, n - 1, a, b);
}

function quicksort2(m: Int32Array, lo: number, hi: number, a: Float64Array, b: Float64Array): void {
  while (hi - lo >= 16) {
    const pm = m[(lo + hi) >>> 1]!;
    const pa = a[pm]!,
      pb = b[pm]!;
    let i = lo,
      j = hi;
    while (i <= j) {
      while (a[m[i]!]! < pa || (a[m[i]!]! === pa && b[m[i]!]! < pb)) i++;
      while (a[m[j]!]! > pa || (a[m[j]!]! === pa && b[m[j]!]! > pb)) j--;
      if (i <= j) {
        const t = m[i]!;
        m[i++] = m[j]!;
        m[j--] = t;
      }
    }
    if (j - lo < hi - i) {
      quicksort2(m, lo, j, a, b);
      lo = i;
    } else {
      quicksort2(m, i, hi, a, b);
      hi = j;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const x = m[i]!;
    const xa = a[x]!,
      xb = b[x]!;
    let j = i - 1;
    while (j >= lo && (a[m[j]!]! > xa || (a[m[j]!]! === xa && b[m[j]!]! > xb))) {
      m[j + 1] = m[j]!;
      j--;
    }
    m[j + 1] = x;
  }
}

/** The per-pair rule of ordering.ts, summed over the event's pairs (for malformed intervals only). */
function foldEventPairwise(x: EventReadings, bounded: boolean, out: OrderingCounts, missed: Float64Array): void {
  const { W, has, p, lo, hi, t, deg } = x;
  for (let a = 0; a < W; a++)
    for (let b = a + 1; b < W; b++) {
      if (has[a] === 0 || has[b] === 0) continue;
      const truth = pointOrder(t[a]!, t[b]!);
      const po = pointOrder(p[a]!, p[b]!);
      if (po !== null) {
        out.compared++;
        if (po === -1) out.aFirst++;
        else if (po === 1) out.bFirst++;
        else out.ties++;
        if (truth !== null) {
          out.pvt++;
          const v = judgePointOrder(po, truth);
          if (v === 'correct') out.pvtCorrect++;
          else if (v === 'wrong') out.pvtWrong++;
          else out.pvtTie++;
        }
      }
      if (!bounded) continue;
      const io = intervalOrder(lo[a]!, hi[a]!, lo[b]!, hi[b]!);
      if (io === null) continue;
      out.iv++;
      if (io !== 0) {
        out.ivProven++;
        if (io === -1) out.ivA++;
        else out.ivB++;
      }
      if (truth === null) continue;
      out.ivt++;
      const v = judgeIntervalOrder(io, truth);
      const dg = (deg[a]! | deg[b]!) !== 0;
      if (dg) out.ivtDeg++;
      if (v === 'correct') out.ivtCorrect++;
      else if (v === 'ambiguous') out.ivtAmb++;
      else {
        out.ivtWrong++;
        if (dg) out.ivtWrongDeg++;
        if (!covers(lo[a]!, hi[a]!, t[a]!)) missed[a]!++;
        if (!covers(lo[b]!, hi[b]!, t[b]!)) missed[b]!++;
      }
    }
}

/** Fold a block's events of source s into the pooled counts, without per-pair counters. */
export function foldOrderingPooled(
  blk: EventBlock,
  s: number,
  bounded: boolean,
  out: OrderingCounts,
  missed: Float64Array,
  sc: PooledOrderingScratch,
): void {
  const x = sc.ev;
  const W = x.W;
  for (let j = 0; j < blk.n; j++) {
    for (let w = 0; w < W; w++) {
      x.has[w] = blk.has[w]![j]!;
      const st = blk.stamps[w]![s]!;
      x.p[w] = st.p[j]!;
      x.lo[w] = st.lo[j]!;
      x.hi[w] = st.hi[j]!;
      x.t[w] = blk.trueRecv[w]![j]!;
      x.deg[w] = blk.degraded[w]![s]![j]!;
    }
    foldPooledEvent(x, bounded, out, missed, sc);
  }
}
