// The coordinator clock's offset (local − true) over a simulated run, gathered from the events'
// send stamps and their truth during the join: what a coordinator-frame source (`channel`) is
// judged against where no event row is at hand (its sync rows).
//
// Kept as a piecewise-linear track whose every gathered point lies within TOLERANCE_NS of it
// (swing-door compression): a clock with constant drift costs two points whatever the run's length,
// a wandering one a few per frequency change. A piece steeper than any clock drifts is a step:
// instants inside it have no value.

const TOLERANCE_NS = 10;
/** Steeper than this (ns per ns), a piece is a step, not drift: 0.1 % is beyond any oscillator. */
const MAX_RATE = 1e-3;

export class CoordinatorOffsetTrack {
  private readonly t: number[] = [];
  private readonly off: number[] = [];
  /** The open piece: from the last kept point, slopes within which every later point fits. */
  private lo = -Infinity;
  private hi = Infinity;
  private prevT = NaN;
  private prevOff = NaN;

  /** One event: its true send instant and the coordinator's local − true then (ns, relative). */
  add(trueNs: number, offNs: number): void {
    if (!Number.isFinite(trueNs) || !Number.isFinite(offNs)) return;
    const n = this.t.length;
    if (n === 0) {
      this.keep(trueNs, offNs);
      return;
    }
    const t0 = this.t[n - 1]!;
    const dt = trueNs - t0;
    if (!(trueNs > this.prevT)) return; // events arrive in send order; a repeat says nothing new
    const lo = Math.max(this.lo, (offNs - this.off[n - 1]! - TOLERANCE_NS) / dt);
    const hi = Math.min(this.hi, (offNs - this.off[n - 1]! + TOLERANCE_NS) / dt);
    if (lo <= hi) {
      this.lo = lo;
      this.hi = hi;
    } else {
      // The previous point ends the piece; this one starts the next (a step between them is the
      // steep piece from one to the other).
      this.keep(this.prevT, this.prevOff);
      this.lo = (offNs - this.prevOff - TOLERANCE_NS) / (trueNs - this.prevT);
      this.hi = (offNs - this.prevOff + TOLERANCE_NS) / (trueNs - this.prevT);
    }
    this.prevT = trueNs;
    this.prevOff = offNs;
  }

  /** The offset at a true instant (ns, relative), NaN outside the events' span or inside a step. */
  at(trueNs: number): number {
    const t = this.t;
    const n = t.length;
    if (n === 0 || !Number.isFinite(trueNs)) return NaN;
    // The open piece ends at the last point gathered.
    const endT = this.prevT;
    if (trueNs < t[0]! || trueNs > endT) return NaN;
    if (trueNs >= t[n - 1]!) {
      const a = t[n - 1]!;
      if (endT === a) return this.off[n - 1]!;
      const rate = (this.prevOff - this.off[n - 1]!) / (endT - a);
      return Math.abs(rate) > MAX_RATE ? NaN : this.off[n - 1]! + rate * (trueNs - a);
    }
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (t[mid]! <= trueNs) lo = mid;
      else hi = mid;
    }
    if (trueNs === t[lo]) return this.off[lo]!;
    const rate = (this.off[hi]! - this.off[lo]!) / (t[hi]! - t[lo]!);
    return Math.abs(rate) > MAX_RATE ? NaN : this.off[lo]! + rate * (trueNs - t[lo]!);
  }

  /** Points held, the open piece's end included (for tests and the memory bound). */
  get size(): number {
    const n = this.t.length;
    return n > 0 && this.prevT > this.t[n - 1]! ? n + 1 : n;
  }

  private keep(trueNs: number, offNs: number): void {
    this.t.push(trueNs);
    this.off.push(offNs);
    this.prevT = trueNs;
    this.prevOff = offNs;
    this.lo = -Infinity;
    this.hi = Infinity;
  }
}
