// Echo brackets (docs/metrics.md §Echo brackets): bounds on the true receive instant of an event at
// a worker, measured with no reference hardware, and what they prove about the worker's readings.
// Pure functions; times are ns relative to the run anchor, NaN = missing (never 0).

import { windowIndex, type WindowSize } from './windows.js';

/** The stated maximum rate error of the worker's monotonic clock that measured h (500 ppm). */
export const HOLD_RATE_ERROR = 500e-6;

/** The bracket's inputs in the reference frame: the lower end at s, the upper end at e, and the hold h. */
export interface BracketInput {
  /** The reference's lower end at the send instant (system: s itself). */
  loAtSend: number;
  /** The reference's upper end at the echo's arrival (system: e itself). */
  hiAtEcho: number;
  /** h = t − r on the worker's monotonic clock. */
  heldNs: number;
  /** δ = (e − s) − h in the coordinator's local clock (echoDelta). */
  delta: number;
}

export type Bracket = { kind: 'ok'; lo: number; hi: number } | { kind: 'unjudged' } | { kind: 'inconsistent' };

/** δ = (e − s) − h: the round trip minus the hold; the one-way delay lies in [0, δ]. */
export function echoDelta(s: number, e: number, h: number): number {
  return e - s - h;
}

/**
 * [lo, hi] = [R_lo(s), R_hi(e) − h·(1 − ε)]: the worker's true receive instant lies inside in the
 * reference frame. h is shrunk by the monotonic clock's rate error so the bracket is only ever wider.
 * An echo row that contradicts itself (δ < 0, h < 0, or s, e, h missing) is inconsistent whatever the
 * reference; missing reference values → unjudged; an empty bracket (hi < lo) → inconsistent.
 */
export function bracketOf(b: BracketInput, eps = HOLD_RATE_ERROR): Bracket {
  if (!(b.delta >= 0) || !(b.heldNs >= 0)) return { kind: 'inconsistent' };
  if (Number.isNaN(b.loAtSend) || Number.isNaN(b.hiAtEcho)) return { kind: 'unjudged' };
  const hi = b.hiAtEcho - b.heldNs * (1 - eps);
  if (hi < b.loAtSend) return { kind: 'inconsistent' };
  return { kind: 'ok', lo: b.loAtSend, hi };
}

/** The range of a point reading's error against a bracket: S − [lo, hi], as midpoint ± half. */
export interface BracketedError {
  /** S − hi … S − lo */
  min: number;
  max: number;
  /** m = S − (lo + hi)/2 */
  mid: number;
  half: number;
}

export function bracketedError(point: number, lo: number, hi: number): BracketedError | null {
  if (Number.isNaN(point)) return null;
  return { min: point - hi, max: point - lo, mid: point - (lo + hi) / 2, half: (hi - lo) / 2 };
}

/** True when the whole error range lies outside [−x, x]: the reading is provably off by more than x. */
export function provablyOffBy(err: BracketedError, x: number): boolean {
  return err.min > x || err.max < -x;
}

export type MissVerdict = 'consistent' | 'too_early' | 'too_late';

/**
 * An interval reading against a bracket: disjoint intervals prove a miss — too_early when the whole
 * reading lies before the bracket (the clock reads earlier than true), too_late after it. null: no interval.
 */
export function judgeInterval(sLo: number, sHi: number, lo: number, hi: number): MissVerdict | null {
  if (Number.isNaN(sLo) || Number.isNaN(sHi)) return null;
  if (sHi < lo) return 'too_early';
  if (sLo > hi) return 'too_late';
  return 'consistent';
}

/** The window the bracket proves (it lies inside one window), or null when it straddles an edge. */
export function bracketWindow(lo: number, hi: number, w: WindowSize): number | null {
  const a = windowIndex(lo, w);
  return a === windowIndex(hi, w) ? a : null;
}

/**
 * The simulation's true receive instant in the coordinator's clock: the coordinator's reading at
 * t_w, mapped linearly between the (true, local) pairs of the send and the echo's arrival; with
 * only the send pair, shifted by its offset; without truth of the coordinator, t_w itself.
 */
export function truthInCoordinatorFrame(tw: number, s: number, ts: number, e: number, te: number): number {
  if (Number.isNaN(tw)) return NaN;
  if (Number.isNaN(ts)) return tw;
  if (!Number.isNaN(te) && te > ts) return s + ((tw - ts) * (e - s)) / (te - ts);
  return tw + (s - ts);
}
