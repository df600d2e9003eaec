// Folds window assignment of one source and one window size over a block of events
// (docs/metrics.md §Windows, §Coordination cost): point agreement, interval verdicts, conflicts
// split against truth, accuracy per worker, and the same verdicts with re-estimated intervals.
import type { AccuracyCounts, WindowCounts } from './counters.js';
import type { EventBlock } from './event-block.js';
import type { ReestStamp } from '../join/joined.js';
import {
  classifyIntervalEvent,
  conflictIsTrueSplit,
  intervalWindow,
  pointWindowsAgree,
  windowIndex,
  type WindowSize,
} from '../metrics/windows.js';

/** Per-event scratch (one slot per worker) and each worker's true window for the block. */
export class WindowScratch {
  readonly points: Float64Array;
  readonly assigned: Float64Array;
  readonly trueOfConfident: Float64Array;
  /** For the confident readings with truth: their window and their worker. */
  readonly confidentWin: Float64Array;
  readonly confidentWorker: Int32Array;
  /** [k][w][j]: worker w's true window of size k for event j (NaN without truth or row). */
  readonly trueWin: Float64Array[][];
  /**
   * The same in the coordinator's clock (the window its clock puts the true receive in), for
   * coordinator-frame sources (analysis/metrics/frames.ts); null when no source is one.
   */
  readonly frameWin: Float64Array[][] | null;
  /** Per worker: the point, lo and hi columns of the source being folded. */
  readonly p: Float64Array[] = [];
  readonly lo: Float64Array[] = [];
  readonly hi: Float64Array[] = [];
  readonly deg: Uint8Array[] = [];
  constructor(capacity: number, workers: number, sizes: number, frames = false) {
    this.points = new Float64Array(workers);
    this.assigned = new Float64Array(workers);
    this.trueOfConfident = new Float64Array(workers);
    this.confidentWin = new Float64Array(workers);
    this.confidentWorker = new Int32Array(workers);
    this.trueWin = Array.from({ length: sizes }, () => Array.from({ length: workers }, () => new Float64Array(capacity)));
    this.frameWin = frames ? Array.from({ length: sizes }, () => Array.from({ length: workers }, () => new Float64Array(capacity))) : null;
  }
}

/**
 * Each worker's true window per size, once per block (shared by all sources); with `frameTruth`
 * (per worker, the coordinator's clock at the true receive) also the windows of that clock.
 */
export function computeTrueWindows(
  blk: EventBlock,
  windows: readonly WindowSize[],
  x: WindowScratch,
  frameTruth: readonly Float64Array[] | null = null,
): void {
  for (let k = 0; k < windows.length; k++) {
    const win = windows[k]!;
    for (let w = 0; w < blk.workers; w++) {
      const out = x.trueWin[k]![w]!;
      const t = blk.trueRecv[w]!; // NaN where the worker has no row (EventBlock.push)
      for (let j = 0; j < blk.n; j++) out[j] = Number.isNaN(t[j]!) ? NaN : windowIndex(t[j]!, win);
    }
  }
  if (!x.frameWin || !frameTruth) return;
  for (let w = 0; w < blk.workers; w++) {
    const t = frameTruth[w]!;
    for (let k = 0; k < windows.length; k++) {
      const win = windows[k]!;
      const out = x.frameWin[k]![w]!;
      for (let j = 0; j < blk.n; j++) out[j] = Number.isNaN(t[j]!) ? NaN : windowIndex(t[j]!, win);
    }
  }
}

export function foldWindows(
  blk: EventBlock,
  s: number,
  k: number,
  win: WindowSize,
  bounded: boolean,
  delays: number,
  wc: WindowCounts,
  x: WindowScratch,
  /** The source reads the coordinator's clock: judged by the windows of that clock. */
  coordinatorFrame = false,
): void {
  const W = blk.workers;
  const points = x.points;
  const assigned = x.assigned;
  const trueOfConfident = x.trueOfConfident;
  const confidentWin = x.confidentWin,
    confidentWorker = x.confidentWorker;
  const trueWin = coordinatorFrame && x.frameWin ? x.frameWin[k]! : x.trueWin[k]!;
  // this source's columns and counters per worker, looked up once per block
  const has = blk.has,
    P = x.p,
    LO = x.lo,
    HI = x.hi,
    DEG = x.deg;
  for (let w = 0; w < W; w++) {
    const st = blk.stamps[w]![s]!;
    P[w] = st.p;
    LO[w] = st.lo;
    HI[w] = st.hi;
    DEG[w] = blk.degraded[w]![s]!;
  }
  const acc = wc.perWorker;
  const falseBy = wc.falseBy;
  for (let j = 0; j < blk.n; j++) {
    let np = 0,
      na = 0,
      nt = 0,
      anyDeg = 0;
    let confidentAllTruth = true;
    for (let w = 0; w < W; w++) {
      if (has[w]![j] === 0) continue;
      const p = P[w]![j]!;
      const tw = trueWin[w]![j]!;
      const hasTruth = !Number.isNaN(tw);
      if (!Number.isNaN(p)) {
        const pw = windowIndex(p, win);
        points[np++] = pw;
        if (hasTruth) foldPointAccuracy(acc[w]!, pw === tw);
      }
      if (!bounded) continue;
      const lo = LO[w]![j]!,
        hi = HI[w]![j]!;
      if (Number.isNaN(lo) || Number.isNaN(hi)) continue;
      const iw = intervalWindow(lo, hi, win);
      assigned[na++] = iw === null ? NaN : iw;
      anyDeg |= DEG[w]![j]!;
      wc.ivReadings++;
      if (iw !== null) {
        wc.ivConfident++;
        if (hasTruth) {
          confidentWin[nt] = iw;
          confidentWorker[nt] = w;
          trueOfConfident[nt++] = tw;
        } else confidentAllTruth = false;
      }
      if (hasTruth) foldIntervalAccuracy(acc[w]!, iw, tw);
    }
    const agree = pointWindowsAgree(points, np);
    if (agree !== null) {
      wc.ptEvents++;
      if (agree) wc.ptAgree++;
    }
    const verdict = classifyIntervalEvent(assigned, na);
    if (verdict !== null) {
      wc.ivEvents++;
      if (anyDeg !== 0) wc.ivEventsDeg++;
      if (verdict === 'confident_agree') wc.ivAgree++;
      else if (verdict === 'ambiguous') wc.ivAmb++;
      else {
        wc.ivConflict++;
        if (anyDeg !== 0) wc.ivConflictDeg++;
        if (confidentAllTruth && nt >= 2) {
          if (conflictIsTrueSplit(trueOfConfident, nt)) wc.splitTrue++;
          else {
            wc.splitFalse++;
            if (anyDeg !== 0) wc.splitFalseDeg++;
            // charged to the workers whose confident window is not their true one (their bound failed)
            for (let c = 0; c < nt; c++) if (confidentWin[c] !== trueOfConfident[c]) falseBy[confidentWorker[c]!]!++;
          }
        }
      }
    }
    if (bounded && delays > 0) reestEvent(blk, j, s, win, delays, wc, assigned);
  }
}

function foldPointAccuracy(a: AccuracyCounts, correct: boolean): void {
  a.pt++;
  if (correct) a.ptCorrect++;
}

function foldIntervalAccuracy(a: AccuracyCounts, iw: number | null, tw: number): void {
  a.iv++;
  if (iw === null) a.ivAmb++;
  else if (iw === tw) a.ivConfCorrect++;
  else a.ivConfWrong++;
}

/** The interval verdict of event j with each worker's re-estimated interval, per delay. */
function reestEvent(
  blk: EventBlock,
  j: number,
  s: number,
  win: WindowSize,
  delays: number,
  wc: WindowCounts,
  assigned: Float64Array,
): void {
  for (let d = 0; d < delays; d++) {
    let na = 0;
    for (let w = 0; w < blk.workers; w++) {
      const re = blk.has[w]![j] === 1 ? blk.reest[w]![j] : null;
      if (!re) continue;
      let r: ReestStamp | undefined;
      for (const x of re)
        if (x.source === s && x.delay === d) {
          r = x;
          break;
        }
      if (!r || Number.isNaN(r.lo) || Number.isNaN(r.hi)) continue;
      const iw = intervalWindow(r.lo, r.hi, win);
      assigned[na++] = iw === null ? NaN : iw;
    }
    const v = classifyIntervalEvent(assigned, na);
    if (v === null) continue;
    const c = wc.reest[d]!;
    c.events++;
    if (v === 'ambiguous') c.amb++;
    else if (v === 'confident_conflict') c.conflict++;
    else c.agree++;
  }
}
