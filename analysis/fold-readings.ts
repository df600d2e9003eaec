// Folds one source's readings at one place (the coordinator, or one worker) over a block of
// events: causality (worker against coordinator), bound quality, commit wait and their timeline
// bins (docs/metrics.md §Causality, §Bound quality, §Commit wait, §Timeline). Each reading is
// classified by the pure functions in metrics/*; distribution values are collected per block and
// added in event order (DistAcc.addAll), so every counter sees exactly the per-event sequence.
import type { BoundCounts, CausalityCounts, CommitWaitCounts, ReestCounts, TimelineCausality, TimelineClock } from './counters.js';
import type { EventBlock, StampColumns } from './event-block.js';
import type { ReestStamp } from './joined.js';
import { intervalCausality, pointCausality } from './metrics/causality.js';
import { CALIBRATION_SCALES, covers, halfWidth, normalizedError, trueTimeWait } from './metrics/bounds.js';

/** Value columns one block long, reused by every fold. */
export class FoldScratch {
  readonly margin: Float64Array;
  readonly halfWidth: Float64Array;
  readonly error: Float64Array;
  readonly absError: Float64Array;
  readonly norm: Float64Array;
  readonly wait: Float64Array;
  constructor(capacity: number) {
    this.margin = new Float64Array(capacity);
    this.halfWidth = new Float64Array(capacity);
    this.error = new Float64Array(capacity);
    this.absError = new Float64Array(capacity);
    this.norm = new Float64Array(capacity);
    this.wait = new Float64Array(capacity);
  }
}

/** Bound quality distributions and the timeline clock series of one place. */
interface ReadingSink {
  b: BoundCounts;
  tc: TimelineClock | null;
}

/** Where each collected value goes: counts of values per column (added at the end of the block). */
class Collected {
  hw = 0; err = 0; norm = 0;
}

/** The coordinator's readings of one source (bound quality and timeline; place 0). */
export function foldCoordinatorReadings(blk: EventBlock, s: number, bounded: boolean, sink: ReadingSink, x: FoldScratch): void {
  const c = blk.coord[s]!;
  const got = new Collected();
  for (let j = 0; j < blk.n; j++) {
    boundReading(sink, c, j, blk.trueSend[j]!, blk.sendLocal[j]!, blk.bin[j]!, bounded, x, got);
  }
  addBoundDists(sink.b, x, got);
}

export interface WorkerSinks extends ReadingSink {
  c: CausalityCounts;
  cw: CommitWaitCounts;
  tlc: TimelineCausality | null;
}

/** Worker w's readings of source s: causality against the coordinator, bound quality, commit wait. */
export function foldWorkerReadings(blk: EventBlock, s: number, w: number, bounded: boolean, k: WorkerSinks, x: FoldScratch): void {
  const has = blk.has[w]!;
  const cs = blk.coord[s]!;
  const r = blk.stamps[w]![s]!;
  const trueRecv = blk.trueRecv[w]!;
  const recvLocal = blk.recvLocal[w]!;
  const reest = blk.reest[w]!;
  const c = k.c;
  const got = new Collected();
  let nMargin = 0;
  let nWait = 0;
  for (let j = 0; j < blk.n; j++) {
    if (has[j] === 0) continue;
    const sp = cs.p[j]!, sLo = cs.lo[j]!, sHi = cs.hi[j]!;
    const rp = r.p[j]!, rLo = r.lo[j]!, rHi = r.hi[j]!;
    const bin = blk.bin[j]!;
    // Causality
    const pc = pointCausality(sp, rp);
    if (pc === null) c.ptMissing++; else {
      c.ptCompared++;
      if (pc === 'violation') c.ptViol++;
      x.margin[nMargin++] = rp - sp;
    }
    let ic: ReturnType<typeof intervalCausality> = null;
    if (bounded) {
      ic = intervalCausality(sLo, sHi, rLo, rHi);
      if (ic === null) c.ivMissing++; else {
        c.ivCompared++;
        if (ic === 'proven_after') c.proven++; else if (ic === 'violation') c.viol++; else c.amb++;
      }
    }
    if (bin >= 0 && k.tlc) foldTimelineCausality(k.tlc, bin, pc, ic);
    // Bound quality and commit wait
    boundReading(k, r, j, trueRecv[j]!, recvLocal[j]!, bin, bounded, x, got);
    if (bounded) {
      const wait = Number.isNaN(rLo) || Number.isNaN(rHi) ? NaN : trueTimeWait(rLo, rHi);
      x.wait[nWait++] = wait;
      const re = reest[j];
      if (re) foldReestList(k.cw.reest, re, s, wait, trueRecv[j]!);
    }
  }
  c.margin.addAll(x.margin, nMargin);
  addBoundDists(k.b, x, got);
  k.cw.wait.addAll(x.wait, nWait);
}

/** One reading's bound quality (foldBound) and timeline clock bins. */
function boundReading(k: ReadingSink, col: StampColumns, j: number, truth: number, local: number, bin: number, bounded: boolean, x: FoldScratch, got: Collected): void {
  const p = col.p[j]!, lo = col.lo[j]!, hi = col.hi[j]!;
  const hasIv = bounded && !Number.isNaN(lo) && !Number.isNaN(hi);
  const hasTruth = !Number.isNaN(truth);
  const b = k.b;
  if (hasIv) x.halfWidth[got.hw++] = halfWidth(lo, hi);
  if (!Number.isNaN(p) && hasTruth) {
    b.readings++;
    x.error[got.err] = p - truth;
    x.absError[got.err++] = Math.abs(p - truth);
    if (hasIv) {
      b.coverOf++;
      if (covers(lo, hi, truth)) b.covered++;
      const z = normalizedError(p, lo, hi, truth);
      x.norm[got.norm++] = z;
      // covered at scale k ⇔ |z| ≤ k (coversScaled, without a multiplication per scale); NaN: never
      const az = Math.abs(z);
      for (let i = 0; i < CALIBRATION_SCALES.length; i++) if (az <= CALIBRATION_SCALES[i]!) b.calib[i]!++;
    }
  }
  const tc = k.tc;
  if (!tc || bin < 0 || Number.isNaN(p)) return;
  tc.n[bin]!++;
  tc.offset.add(bin, p - local);
  if (hasIv) tc.hw.add(bin, halfWidth(lo, hi));
  if (hasTruth) {
    tc.err.add(bin, p - truth);
    if (hasIv) { tc.coveredOf[bin]!++; if (covers(lo, hi, truth)) tc.covered[bin]!++; }
  }
}

function addBoundDists(b: BoundCounts, x: FoldScratch, got: Collected): void {
  b.halfWidth.addAll(x.halfWidth, got.hw);
  b.error.addAll(x.error, got.err);
  b.absError.addAll(x.absError, got.err);
  b.norm.addAll(x.norm, got.norm);
}

function foldTimelineCausality(t: TimelineCausality, bin: number, pc: string | null, ic: string | null): void {
  if (pc !== null) { t.compared[bin]!++; if (pc === 'violation') t.viol[bin]!++; }
  if (ic !== null) { t.ivCompared[bin]!++; if (ic === 'violation') t.ivViol[bin]!++; else if (ic === 'ambiguous') t.ivAmb[bin]!++; }
}

/** The event's re-estimates of source s (docs/metrics.md §Commit wait, reestimated[]). */
function foldReestList(byDelay: ReestCounts[], list: readonly ReestStamp[], s: number, wait: number, trueRecv: number): void {
  for (const r of list) {
    if (r.source !== s) continue;
    const c = byDelay[r.delay]!;
    const width = r.hi - r.lo;
    const truth = Number.isNaN(r.trueRecv) ? trueRecv : r.trueRecv;
    c.rows++;
    c.width.add(width);
    if (wait > 0) c.shrink.add(width / wait);
    if (!Number.isNaN(truth) && !Number.isNaN(r.lo) && !Number.isNaN(r.hi)) {
      c.coverOf++;
      if (covers(r.lo, r.hi, truth)) c.covered++;
    }
  }
}
