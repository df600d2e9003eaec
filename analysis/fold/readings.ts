// Folds one source's readings at one place (the coordinator, or one worker) over a block of
// events: causality (worker against coordinator), bound quality, commit wait and their timeline
// bins (docs/metrics.md §Causality, §Bound quality, §Commit wait, §Timeline). Each reading is
// classified by the pure functions in metrics/*; distribution values are collected per block and
// added in event order (DistAcc.addAll), so every counter sees exactly the per-event sequence.
import type { BoundCounts, CausalityCounts, CommitWaitCounts, ReestCounts, TimelineCausality, TimelineClock } from './counters.js';
import type { EventBlock, StampColumns } from './event-block.js';
import type { ReestStamp } from '../join/joined.js';
import { intervalCausality, pointCausality } from '../metrics/causality.js';
import { CALIBRATION_SCALES, covers, halfWidth, normalizedError, trueTimeWait } from '../metrics/bounds.js';

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
export interface ReadingSink {
  b: BoundCounts;
  tc: TimelineClock | null;
}

export interface WorkerSinks extends ReadingSink {
  c: CausalityCounts;
  cw: CommitWaitCounts;
  tlc: TimelineCausality | null;
}

/** The coordinator's readings of one source (bound quality and timeline). */
export function foldCoordinatorReadings(
  blk: EventBlock,
  s: number,
  bounded: boolean,
  sink: ReadingSink,
  x: FoldScratch,
  truth: Float64Array = blk.trueSend,
): void {
  foldBoundReadings(blk, blk.coord[s]!, blk.coordDegraded[s]!, null, truth, blk.sendLocal, bounded, sink, x);
}

/** Worker w's readings of source s: causality against the coordinator, commit wait, bound quality. */
/**
 * `truth`: the instants the source's readings claim to read (default the true receive instants;
 * the coordinator's clock at them for a coordinator-frame source, analysis/metrics/frames.ts).
 */
export function foldWorkerReadings(
  blk: EventBlock,
  s: number,
  w: number,
  bounded: boolean,
  k: WorkerSinks,
  x: FoldScratch,
  truth: Float64Array = blk.trueRecv[w]!,
): void {
  foldCausality(blk, s, w, bounded, k, x, truth, truth !== blk.trueRecv[w]);
  foldBoundReadings(blk, blk.stamps[w]![s]!, blk.degraded[w]![s]!, blk.has[w]!, truth, blk.recvLocal[w]!, bounded, k, x);
}

/** Causality of worker w's stamps against the coordinator's, and the commit wait of its intervals. */
function foldCausality(
  blk: EventBlock,
  s: number,
  w: number,
  bounded: boolean,
  k: WorkerSinks,
  x: FoldScratch,
  trueRecv: Float64Array,
  /** `trueRecv` is mapped into another frame: the re-estimate rows' own truth (true time) does not apply. */
  mapped: boolean,
): void {
  const has = blk.has[w]!;
  const cs = blk.coord[s]!;
  const r = blk.stamps[w]![s]!;
  const cDeg = blk.coordDegraded[s]!,
    rDeg = blk.degraded[w]![s]!;
  const reest = blk.reest[w]!;
  const c = k.c;
  const tlc = k.tlc;
  const margin = x.margin,
    waits = x.wait;
  let nMargin = 0,
    nWait = 0;
  let ptMissing = 0,
    ptCompared = 0,
    ptViol = 0,
    ivMissing = 0,
    ivCompared = 0,
    proven = 0,
    viol = 0,
    amb = 0;
  let degCompared = 0,
    degViol = 0;
  for (let j = 0; j < blk.n; j++) {
    if (has[j] === 0) continue;
    const sp = cs.p[j]!,
      rp = r.p[j]!;
    const pc = pointCausality(sp, rp);
    if (pc === null) ptMissing++;
    else {
      ptCompared++;
      if (pc === 'violation') ptViol++;
      margin[nMargin++] = rp - sp;
    }
    let ic: ReturnType<typeof intervalCausality> = null;
    if (bounded) {
      const rLo = r.lo[j]!,
        rHi = r.hi[j]!;
      ic = intervalCausality(cs.lo[j]!, cs.hi[j]!, rLo, rHi);
      if (ic === null) ivMissing++;
      else {
        ivCompared++;
        if (ic === 'proven_after') proven++;
        else if (ic === 'violation') viol++;
        else amb++;
        if ((cDeg[j]! | rDeg[j]!) !== 0) {
          degCompared++;
          if (ic === 'violation') degViol++;
        }
      }
      const wait = Number.isNaN(rLo) || Number.isNaN(rHi) ? NaN : trueTimeWait(rLo, rHi);
      waits[nWait++] = wait;
      const re = reest[j];
      if (re) foldReestList(k.cw.reest, re, s, wait, trueRecv[j]!, mapped);
    }
    const bin = blk.bin[j]!;
    if (bin >= 0 && tlc) foldTimelineCausality(tlc, bin, pc, ic);
  }
  c.ptMissing += ptMissing;
  c.ptCompared += ptCompared;
  c.ptViol += ptViol;
  c.ivMissing += ivMissing;
  c.ivCompared += ivCompared;
  c.proven += proven;
  c.viol += viol;
  c.amb += amb;
  c.ivDegCompared += degCompared;
  c.ivDegViol += degViol;
  c.margin.addAll(margin, nMargin);
  k.cw.wait.addAll(waits, nWait);
}

/** Bound quality of one place's readings (has = null: every event has one) and its timeline clock bins. */
function foldBoundReadings(
  blk: EventBlock,
  col: StampColumns,
  deg: Uint8Array,
  has: Uint8Array | null,
  truthCol: Float64Array,
  localCol: Float64Array,
  bounded: boolean,
  k: ReadingSink,
  x: FoldScratch,
): void {
  const P = col.p,
    LO = col.lo,
    HI = col.hi;
  const b = k.b;
  const tc = k.tc;
  const hws = x.halfWidth,
    errs = x.error,
    abss = x.absError,
    norms = x.norm;
  const calib = b.calib;
  let nHw = 0,
    nErr = 0,
    nNorm = 0;
  let readings = 0,
    coverOf = 0,
    covered = 0,
    coverOfDeg = 0,
    coveredDeg = 0;
  for (let j = 0; j < blk.n; j++) {
    if (has !== null && has[j] === 0) continue;
    const p = P[j]!,
      lo = LO[j]!,
      hi = HI[j]!,
      truth = truthCol[j]!;
    const hasIv = bounded && !Number.isNaN(lo) && !Number.isNaN(hi);
    const hasTruth = !Number.isNaN(truth);
    if (hasIv) hws[nHw++] = halfWidth(lo, hi);
    if (!Number.isNaN(p) && hasTruth) {
      readings++;
      errs[nErr] = p - truth;
      abss[nErr++] = Math.abs(p - truth);
      if (hasIv) {
        coverOf++;
        const cov = covers(lo, hi, truth);
        if (cov) covered++;
        if (deg[j] !== 0) {
          coverOfDeg++;
          if (cov) coveredDeg++;
        }
        const z = normalizedError(p, lo, hi, truth);
        norms[nNorm++] = z;
        // covered at scale k ⇔ |z| ≤ k (coversScaled, without a multiplication per scale); NaN: never
        const az = Math.abs(z);
        for (let i = 0; i < CALIBRATION_SCALES.length; i++) if (az <= CALIBRATION_SCALES[i]!) calib[i]!++;
      }
    }
    const bin = blk.bin[j]!;
    if (!tc || bin < 0 || Number.isNaN(p)) continue;
    tc.n[bin]!++;
    tc.offset.add(bin, p - localCol[j]!);
    if (hasIv) tc.hw.add(bin, halfWidth(lo, hi));
    if (hasTruth) {
      tc.err.add(bin, p - truth);
      if (hasIv) {
        tc.coveredOf[bin]!++;
        if (covers(lo, hi, truth)) tc.covered[bin]!++;
      }
    }
  }
  b.readings += readings;
  b.coverOf += coverOf;
  b.covered += covered;
  b.coverOfDeg += coverOfDeg;
  b.coveredDeg += coveredDeg;
  b.halfWidth.addAll(hws, nHw);
  b.error.addAll(errs, nErr);
  b.absError.addAll(abss, nErr);
  b.norm.addAll(norms, nNorm);
}

function foldTimelineCausality(t: TimelineCausality, bin: number, pc: string | null, ic: string | null): void {
  if (pc !== null) {
    t.compared[bin]!++;
    if (pc === 'violation') t.viol[bin]!++;
  }
  if (ic !== null) {
    t.ivCompared[bin]!++;
    if (ic === 'violation') t.ivViol[bin]!++;
    else if (ic === 'ambiguous') t.ivAmb[bin]!++;
  }
}

/** The event's re-estimates of source s (docs/metrics.md §Commit wait, reestimated[]). */
function foldReestList(
  byDelay: ReestCounts[],
  list: readonly ReestStamp[],
  s: number,
  wait: number,
  trueRecv: number,
  mapped: boolean,
): void {
  for (const r of list) {
    if (r.source !== s) continue;
    const c = byDelay[r.delay]!;
    const width = r.hi - r.lo;
    // A re-estimate claims the same instant as the reading; its row's own true_recv_ns is true
    // time, which only sources that read true time are judged against.
    const truth = mapped || Number.isNaN(r.trueRecv) ? trueRecv : r.trueRecv;
    c.rows++;
    c.width.add(width);
    if (wait > 0) c.shrink.add(width / wait);
    if (!Number.isNaN(truth) && !Number.isNaN(r.lo) && !Number.isNaN(r.hi)) {
      c.coverOf++;
      if (covers(r.lo, r.hi, truth)) c.covered++;
    }
  }
}
