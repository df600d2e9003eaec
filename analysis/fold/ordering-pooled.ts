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

/** Set bits of a 32-bit word. */
function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Bits 0 … q − 1 of a 32-bit word (0 ≤ q ≤ 32). */
const lowBits = (q: number): number => (q >= 32 ? -1 : (1 << q) - 1);

/**
 * Counts inserted positions 0 … n − 1, each inserted at most once (members' places in a sorted
 * order; ties are told apart by where their run starts and ends, see runsOfSorted). Up to 64
 * positions it is a bit set (an insert sets a bit, a count is two popcounts), above a Fenwick tree.
 */
class Counter {
  private t: Int32Array;
  private n = 0;
  private lo = 0;
  private hi = 0;
  constructor(capacity: number) {
    this.t = new Int32Array(capacity + 1);
  }
  reset(n: number): void {
    this.n = n;
    this.lo = 0;
    this.hi = 0;
    if (n > 64) this.t.fill(0, 0, n + 1);
  }
  add(pos: number): void {
    if (this.n <= 64) {
      if (pos < 32) this.lo |= 1 << pos;
      else this.hi |= 1 << (pos - 32);
      return;
    }
    for (let i = pos + 1; i <= this.n; i += i & -i) this.t[i]!++;
  }
  /** How many inserted positions are below q (0 ≤ q ≤ n). */
  below(q: number): number {
    if (this.n <= 64) return q <= 32 ? popcount(this.lo & lowBits(q)) : popcount(this.lo) + popcount(this.hi & lowBits(q - 32));
    let s = 0;
    for (let i = q; i > 0; i -= i & -i) s += this.t[i]!;
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

/** Members of one interval set (count n), each order ascending: by hi, by lo and, to judge, by t. */
class SortedSet {
  n = 0;
  readonly byHi: Int32Array;
  readonly byLo: Int32Array;
  readonly byT: Int32Array;
  constructor(W: number) {
    this.byHi = new Int32Array(W);
    this.byLo = new Int32Array(W);
    this.byT = new Int32Array(W);
  }
}

/** Scratch for one folder: index lists and place arrays sized for W workers. */
export class PooledOrderingScratch {
  readonly idx: Int32Array;
  readonly idx2: Int32Array;
  /** Per member: its place in the last sorted order, and where its run of equal values starts and ends. */
  readonly pos: Int32Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly wrongPairs: Float64Array;
  readonly tree: Counter;
  readonly ev: EventReadings;
  /** Per member: how many members' his lie below its lo (interval orders with a first). */
  readonly below: Int32Array;
  /** The interval set, its members with a truth, and those of them not degraded. */
  readonly all: SortedSet;
  readonly judged: SortedSet;
  readonly clean: SortedSet;
  /** 1 for the members of the set being ordered by t. */
  readonly mark: Uint8Array;
  /**
   * Per event of the block (W slots each): its workers with a row and a true arrival, by that
   * ascending (truthOrders); tCount of them. The sources' subsets keep this order.
   */
  tOrder: Int32Array = new Int32Array(0);
  tCount: Int32Array = new Int32Array(0);
  /** The event foldPooledEvent is given: its slots in tOrder. */
  tBase = 0;
  /** The block's columns of the source being folded, per worker. */
  readonly cols: {
    has: Uint8Array[];
    t: Float64Array[];
    p: Float64Array[];
    lo: Float64Array[];
    hi: Float64Array[];
    deg: Uint8Array[];
  } = { has: [], t: [], p: [], lo: [], hi: [], deg: [] };
  constructor(readonly W: number) {
    this.idx = new Int32Array(W);
    this.idx2 = new Int32Array(W);
    this.pos = new Int32Array(W);
    this.start = new Int32Array(W);
    this.end = new Int32Array(W);
    this.wrongPairs = new Float64Array(W);
    this.tree = new Counter(W);
    this.below = new Int32Array(W);
    this.all = new SortedSet(W);
    this.judged = new SortedSet(W);
    this.clean = new SortedSet(W);
    this.mark = new Uint8Array(W);
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

/** The members idx[0..n) sorted by vals into sorted, and their places and runs (runsOfSorted). */
function sortedRuns(idx: Int32Array, n: number, vals: Float64Array, sc: PooledOrderingScratch, sorted: Int32Array): void {
  for (let k = 0; k < n; k++) sorted[k] = idx[k]!;
  sortBy(sorted, n, vals);
  runsOfSorted(sorted, n, vals, sc);
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

/**
 * Σ C(k, 2) over runs of equal vals in members sorted[0..n) (sorted so equal values are adjacent);
 * with `also`, runs equal in both. Typed arrays, no callback: this runs for every event and source.
 */
function tiedPairs(sorted: Int32Array, n: number, vals: Float64Array, also: Float64Array | null = null): number {
  if (n === 0) return 0;
  let ties = 0,
    run = 1;
  for (let k = 1; k < n; k++) {
    const a = sorted[k - 1]!,
      b = sorted[k]!;
    if (vals[a] === vals[b] && (also === null || also[a] === also[b])) run++;
    else {
      ties += pairsOf(run);
      run = 1;
    }
  }
  return ties + pairsOf(run);
}

/**
 * For members sorted[0..n) (sorted by vals): pos = place, start / end = the first place of its run
 * of equal values and one past the last. Members below it by value: the places < start; at most
 * its value: the places < end.
 */
function runsOfSorted(sorted: Int32Array, n: number, vals: Float64Array, sc: PooledOrderingScratch): void {
  const { pos, start, end } = sc;
  let s = 0;
  for (let k = 0; k < n; k++) {
    const m = sorted[k]!;
    if (k > 0 && vals[m]! !== vals[sorted[k - 1]!]!) {
      for (let j = s; j < k; j++) end[sorted[j]!] = k;
      s = k;
    }
    pos[m] = k;
    start[m] = s;
  }
  for (let j = s; j < n; j++) end[sorted[j]!] = n;
}

/** Keep the members of from[0..n) that have a value in vals (not NaN), in their order, into to; their count. */
function keepValued(from: Int32Array, n: number, to: Int32Array, vals: Float64Array): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (!Number.isNaN(vals[from[i]!]!)) to[k++] = from[i]!;
  return k;
}

/** Keep the members of from[0..n) whose reading is not degraded, in their order, into to; their count. */
function keepClean(from: Int32Array, n: number, to: Int32Array, deg: Uint8Array): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (deg[from[i]!] === 0) to[k++] = from[i]!;
  return k;
}

/**
 * The n members idx[0..n) (all with a truth) in t order, into out: the event's t order (tOrder)
 * kept to the members.
 */
function membersByT(idx: Int32Array, n: number, sc: PooledOrderingScratch, out: Int32Array): void {
  const all = sc.tCount[sc.tBase / sc.W]!;
  if (n === all) {
    // every worker with a truth is a member (the usual case): the event's t order as it is
    out.set(sc.tOrder.subarray(sc.tBase, sc.tBase + n));
    return;
  }
  const mark = sc.mark;
  for (let k = 0; k < n; k++) mark[idx[k]!] = 1;
  const end = sc.tBase + all;
  let m = 0;
  for (let k = sc.tBase; k < end; k++) {
    const w = sc.tOrder[k]!;
    if (mark[w] === 1) out[m++] = w;
  }
  for (let k = 0; k < n; k++) mark[idx[k]!] = 0;
}

/**
 * Pairs (i, j) of the set with hi_i < lo_j: Σ_j #{i : hi_i < lo_j}, the two orders walked together.
 * With `belowOf`, that count of each member j into belowOf[j].
 */
function provenPairs(x: EventReadings, set: SortedSet, belowOf: Int32Array | null = null): number {
  const { lo, hi } = x;
  const { n, byHi, byLo } = set;
  let proven = 0,
    below = 0;
  for (let k = 0; k < n; k++) {
    const j = byLo[k]!;
    const l = lo[j]!;
    while (below < n && hi[byHi[below]!]! < l) below++;
    proven += below;
    if (belowOf) belowOf[j] = below;
  }
  return proven;
}

/**
 * Of the set's proven pairs (hi_i < lo_j), how many have t_i ≥ t_j (wrong), and when asked each
 * worker's number of wrong pairs into perWorker. The order of equal values never matters: members
 * with equal lo see the same inserted set, and equal his are inserted together.
 */
function wrongPairs(x: EventReadings, set: SortedSet, sc: PooledOrderingScratch, perWorker: Float64Array | null): number {
  const { lo, hi, t } = x;
  const { n, byHi, byLo, byT } = set;
  runsOfSorted(byT, n, t, sc);
  const { pos, start, end } = sc;
  // sweep the members by lo ascending; the tree holds the t places of those with hi < lo_j
  sc.tree.reset(n);
  let wrong = 0,
    ins = 0;
  for (let k = 0; k < n; k++) {
    const j = byLo[k]!;
    while (ins < n && hi[byHi[ins]!]! < lo[j]!) sc.tree.add(pos[byHi[ins++]!]!);
    const w = ins - sc.tree.below(start[j]!); // inserted with t_i ≥ t_j
    wrong += w;
    if (perWorker) perWorker[j]! += w;
  }
  if (perWorker && wrong > 0) {
    // the other side: for each i, #{j : lo_j > hi_i, t_j ≤ t_i}, sweeping hi descending
    sc.tree.reset(n);
    let ins2 = n - 1;
    for (let k = n - 1; k >= 0; k--) {
      const i = byHi[k]!;
      while (ins2 >= 0 && lo[byLo[ins2]!]! > hi[i]!) sc.tree.add(pos[byLo[ins2--]!]!);
      perWorker[i]! += sc.tree.below(end[i]!);
    }
  }
  return wrong;
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
    { pos, start, end } = sc,
    tmp = sc.idx2;
  // point orders
  let n = 0;
  for (let w = 0; w < W; w++) if (has[w] === 1 && !Number.isNaN(p[w]!)) idx[n++] = w;
  if (n >= 2) {
    const cmp = pairsOf(n);
    sortedRuns(idx, n, p, sc, tmp);
    const ties = tiedPairs(tmp, n, p);
    // a first: pairs a < b (worker index) with p_a < p_b
    sc.tree.reset(n);
    let aFirst = 0;
    for (let k = 0; k < n; k++) {
      const w = idx[k]!;
      aFirst += sc.tree.below(start[w]!);
      sc.tree.add(pos[w]!);
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
      // tmp holds the n members by p: those with a truth, in that order, are the m by p (when
      // every member has a truth, the places and ties above are theirs)
      let tP = ties;
      if (m < n) {
        keepValued(tmp, n, tmp, t);
        runsOfSorted(tmp, m, p, sc);
        tP = tiedPairs(tmp, m, p);
      }
      // members by (t, p): runs of equal t, and of equal (t, p), are adjacent
      membersByT(idx, m, sc, tmp);
      byPWithinEqualT(tmp, m, t, p);
      const tT = tiedPairs(tmp, m, t);
      const tPT = tiedPairs(tmp, m, t, p);
      // discordant: t_i < t_j and p_i > p_j — strict inversions of p along the (t, p) order
      sc.tree.reset(m);
      let D = 0;
      for (let k = 0; k < m; k++) {
        const w = tmp[k]!;
        D += k - sc.tree.below(end[w]!);
        sc.tree.add(pos[w]!);
      }
      const C = N - D - (tP + tT - tPT);
      out.pvt += N;
      out.pvtCorrect += C + tPT;
      out.pvtTie += tP - tPT;
      out.pvtWrong += D + tT - tPT;
    }
  }
  if (!bounded) return;
  // interval orders: the set sorted by hi and by lo once; its subsets keep those orders
  n = 0;
  for (let w = 0; w < W; w++) if (has[w] === 1 && !Number.isNaN(lo[w]!) && !Number.isNaN(hi[w]!)) idx[n++] = w;
  if (n < 2) return;
  const all = sc.all;
  all.n = n;
  for (let k = 0; k < n; k++) all.byHi[k] = all.byLo[k] = idx[k]!;
  sortBy(all.byHi, n, hi);
  sortBy(all.byLo, n, lo);
  const below = sc.below;
  const proven = provenPairs(x, all, below);
  // proven with a first (a < b by worker index): hi_a < lo_b, counted along the worker order with
  // a tree over places in the hi order: the members with hi < lo_b are the first below[b] of it
  let ivA = 0;
  if (proven > 0) {
    for (let k = 0; k < n; k++) pos[all.byHi[k]!] = k;
    sc.tree.reset(n);
    for (let k = 0; k < n; k++) {
      const b = idx[k]!;
      ivA += sc.tree.below(below[b]!);
      sc.tree.add(pos[b]!);
    }
  }
  out.iv += pairsOf(n);
  out.ivProven += proven;
  out.ivA += ivA;
  out.ivB += proven - ivA;
  // against the truth
  const judged = sc.judged;
  const m = keepValued(all.byHi, n, judged.byHi, t);
  if (m < 2) return;
  judged.n = m;
  keepValued(all.byLo, n, judged.byLo, t);
  keepValued(idx, n, sc.idx2, t);
  membersByT(sc.idx2, m, sc, judged.byT);
  const wp = sc.wrongPairs;
  wp.fill(0);
  const judgedProven = m === n ? proven : provenPairs(x, judged);
  const wrong = judgedProven > 0 ? wrongPairs(x, judged, sc, wp) : 0;
  const N = pairsOf(m);
  out.ivt += N;
  out.ivtCorrect += judgedProven - wrong;
  out.ivtWrong += wrong;
  out.ivtAmb += N - judgedProven;
  // degraded: pairs with either reading degraded = all − pairs of non-degraded readings
  const clean = sc.clean;
  clean.n = keepClean(judged.byHi, m, clean.byHi, deg);
  let cleanWrong = 0;
  if (clean.n >= 2 && wrong > 0) {
    keepClean(judged.byLo, m, clean.byLo, deg);
    keepClean(judged.byT, m, clean.byT, deg);
    cleanWrong = wrongPairs(x, clean, sc, null);
  }
  out.ivtDeg += N - pairsOf(clean.n);
  out.ivtWrongDeg += wrong - cleanWrong;
  if (wrong > 0)
    for (let k = 0; k < m; k++) {
      const w = judged.byT[k]!;
      if (wp[w]! > 0 && !covers(lo[w]!, hi[w]!, t[w]!)) missed[w]! += wp[w]!;
    }
}

/** Members sorted by t: put each run of equal t in p order (insertion sort; runs are short). */
function byPWithinEqualT(m: Int32Array, n: number, t: Float64Array, p: Float64Array): void {
  for (let i = 1; i < n; i++) {
    const x = m[i]!;
    const xt = t[x]!,
      xp = p[x]!;
    let j = i - 1;
    while (j >= 0 && t[m[j]!]! === xt && p[m[j]!]! > xp) {
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

/**
 * Each event's workers with a row and a true arrival, by it ascending, into sc.tOrder: the same
 * for every source of the block, so sorted once (BlockFolder calls it before the sources).
 */
export function truthOrders(blk: EventBlock, sc: PooledOrderingScratch): void {
  const W = sc.W;
  if (sc.tOrder.length < blk.n * W) {
    sc.tOrder = new Int32Array(blk.capacity * W);
    sc.tCount = new Int32Array(blk.capacity);
  }
  const t = sc.ev.t;
  const members = sc.idx;
  for (let j = 0; j < blk.n; j++) {
    let n = 0;
    for (let w = 0; w < W; w++) {
      t[w] = blk.trueRecv[w]![j]!;
      if (blk.has[w]![j] === 1 && !Number.isNaN(t[w]!)) members[n++] = w;
    }
    sortBy(members, n, t);
    sc.tOrder.set(members.subarray(0, n), j * W);
    sc.tCount[j] = n;
  }
}

/**
 * Fold a block's events of source s into the pooled counts, without per-pair counters.
 * `truthOrdered`: truthOrders(blk, sc) was called for this block (else it is called here).
 */
export function foldOrderingPooled(
  blk: EventBlock,
  s: number,
  bounded: boolean,
  out: OrderingCounts,
  missed: Float64Array,
  sc: PooledOrderingScratch,
  truthOrdered = false,
): void {
  if (!truthOrdered) truthOrders(blk, sc);
  const x = sc.ev;
  const W = x.W;
  // the block's columns of this source, looked up once (not per event and worker)
  const cols = sc.cols;
  for (let w = 0; w < W; w++) {
    const st = blk.stamps[w]![s]!;
    cols.has[w] = blk.has[w]!;
    cols.t[w] = blk.trueRecv[w]!;
    cols.p[w] = st.p;
    cols.lo[w] = st.lo;
    cols.hi[w] = st.hi;
    cols.deg[w] = blk.degraded[w]![s]!;
  }
  for (let j = 0; j < blk.n; j++) {
    for (let w = 0; w < W; w++) {
      x.has[w] = cols.has[w]![j]!;
      x.p[w] = cols.p[w]![j]!;
      x.t[w] = cols.t[w]![j]!;
    }
    if (bounded)
      for (let w = 0; w < W; w++) {
        x.lo[w] = cols.lo[w]![j]!;
        x.hi[w] = cols.hi[w]![j]!;
        x.deg[w] = cols.deg[w]![j]!;
      }
    sc.tBase = j * W;
    foldPooledEvent(x, bounded, out, missed, sc);
  }
}
