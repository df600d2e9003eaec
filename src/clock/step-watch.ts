// Watches a process's local clock for steps. A step of the realtime clock is a jump of
// local − monotonic time; a frequency error or wander only bends it slowly. Observing it often
// (every reading, every NTP sample, a timer) keeps the gap between observations short, so the
// tolerance (fixed part + worst frequency error × gap) stays far below any step worth noticing and
// far above what any plausible frequency change moves it. Only discontinuities are taken from
// the monotonic clock: rate information is not, so simulated drift and wander stay invisible here
// just as a real oscillator's are.
import type { LocalClock } from './types.js';

export interface RelSample {
  local: bigint;
  mono: bigint;
  rel: bigint;
  unc: number;
}

/** A detected step of size `stepNs` (local jumped by it) somewhere in (prevMono, detMono]. */
export interface StepEvent {
  prevMono: bigint;
  detMono: bigint;
  /** Last local reading before the step (old frame) and first after it (new frame). */
  prevLocal: bigint;
  detLocal: bigint;
  stepNs: number;
  /** How well the step size is known (ns). */
  uncNs: number;
  /** local − monotonic just before (old frame) and at detection (new frame), and its trend then (dimensionless). */
  prevRel: bigint;
  detRel: bigint;
  rate: number;
}

const NO_SHIFT: readonly number[] = [0];

export interface StepWatchOptions {
  /** Fixed part of the tolerance (ns, default 100 µs). */
  toleranceNs?: number;
  /** Worst frequency error between observations (ppm, default 500). */
  maxRatePpm?: number;
  /** Steps are remembered this long, for re-estimation of past instants (ms, default 10 min). */
  keepMs?: number;
  /** Monotonic clock (ns); default process.hrtime.bigint. Replaceable for simulations and tests. */
  monoNs?: () => bigint;
}

export class LocalStepWatch {
  private last: RelSample | null = null;
  private ring: Array<{ mono: bigint; rel: bigint }> = [];
  private log: StepEvent[] = [];
  private readonly tol: number;
  private readonly maxRate: number;
  private readonly keepNs: bigint;
  private readonly mono: () => bigint;

  constructor(
    private readonly clock: LocalClock,
    opts: StepWatchOptions,
    private readonly onStep: (e: StepEvent) => void,
  ) {
    this.tol = opts.toleranceNs ?? 100_000;
    this.maxRate = (opts.maxRatePpm ?? 500) * 1e-6;
    this.keepNs = BigInt(Math.round((opts.keepMs ?? 600_000) * 1e6));
    this.mono = opts.monoNs ?? (() => process.hrtime.bigint());
  }

  /** One bracketed reading of local − monotonic (a preemption cannot pass for a step). */
  sample(): RelSample {
    let best: RelSample | null = null;
    for (let i = 0; i < 3; i++) {
      const m0 = this.mono();
      const local = this.clock.nowNs();
      const m1 = this.mono();
      const mono = m0 + (m1 - m0) / 2n;
      const cur = { local, mono, rel: local - mono, unc: Number(m1 - m0) / 2 };
      if (!best || cur.unc < best.unc) best = cur;
      if (best.unc < 5000) break;
    }
    return best!;
  }

  /** Sample and compare with the prediction; a jump beyond tolerance is reported once. */
  observe(now: RelSample = this.sample()): RelSample {
    const prev = this.last;
    if (prev && now.mono > prev.mono) {
      const dt = Number(now.mono - prev.mono);
      const rate = this.rate();
      const dev = Number(now.rel - prev.rel) - rate * dt;
      const tol = this.tol + this.maxRate * dt + now.unc + prev.unc;
      if (Math.abs(dev) > tol) {
        const e: StepEvent = {
          prevMono: prev.mono,
          detMono: now.mono,
          prevLocal: prev.local,
          detLocal: now.local,
          stepNs: dev,
          uncNs: tol,
          prevRel: prev.rel,
          detRel: now.rel,
          rate,
        };
        this.log.push(e);
        while (this.log.length && this.log[0]!.detMono < now.mono - this.keepNs) this.log.shift();
        for (const r of this.ring) r.rel += BigInt(Math.round(dev));
        this.onStep(e);
      }
    }
    if (!prev || now.mono >= prev.mono) this.last = now;
    const lastRing = this.ring[this.ring.length - 1];
    if (!lastRing || now.mono - lastRing.mono >= 200_000_000n) {
      this.ring.push({ mono: now.mono, rel: now.rel });
      if (this.ring.length > 16) this.ring.shift();
    }
    return now;
  }

  /** Recent trend of local − monotonic (dimensionless); 0 until it spans half a second. */
  private rate(): number {
    const r = this.ring;
    if (r.length < 2) return 0;
    const span = Number(r[r.length - 1]!.mono - r[0]!.mono);
    return span >= 5e8 ? Number(r[r.length - 1]!.rel - r[0]!.rel) / span : 0;
  }

  steps(): readonly StepEvent[] {
    return this.log;
  }

  /**
   * Shifts that carry a past local instant into the current frame, one per hypothesis (more than
   * one when the instant may lie on either side of a step).
   *
   * With the instant's monotonic time, the frame of the local value is read off its own
   * local − monotonic: a clock that stamps a past instant in the frame of that instant
   * (FaultyClock) and one that stamps it in the frame of the moment it computes the stamp
   * (HostClock after a re-anchor) are both placed right. An instant after a step's detection is
   * after the step; one from before the previous step's detection is before it; otherwise the
   * value's local − monotonic must match the old frame's or the new one's (each extrapolated with
   * the trend and widened by the worst frequency error); when it matches both, an instant before
   * the step's bracket counts as before it and one inside the bracket gets both hypotheses; when it
   * matches neither, it gets both hypotheses wherever it lies.
   *
   * Without the monotonic time, local values that only one side of a step can produce decide,
   * and the rest count as both.
   */
  shiftsFor(localNs: bigint, monoNs?: bigint): readonly number[] {
    if (this.log.length === 0) return NO_SHIFT;
    let shifts: readonly number[] = NO_SHIFT;
    const rel = monoNs !== undefined ? localNs - monoNs : 0n;
    for (let k = this.log.length - 1; k >= 0; k--) {
      const s = this.log[k]!;
      let pre: boolean;
      let post: boolean;
      if (monoNs !== undefined) {
        if (monoNs > s.detMono) break; // after this step's detection, hence after every earlier step
        const earlier = k > 0 ? this.log[k - 1]! : null;
        if (earlier && monoNs <= earlier.detMono) {
          // Before the previous step was seen: two frames back or more, where local − monotonic
          // can coincide with a later frame's (steps that cancel); the order alone decides.
          shifts = shifts.map((x) => x + s.stepNs);
          continue;
        }
        const fromPrev = Number(monoNs - s.prevMono);
        const fromDet = Number(monoNs - s.detMono);
        const missBefore = Math.abs(Number(rel - s.prevRel) - s.rate * fromPrev);
        const missAfter = Math.abs(Number(rel - s.detRel) - s.rate * fromDet);
        const oldFrame = missBefore <= s.uncNs + this.maxRate * Math.abs(fromPrev);
        const newFrame = missAfter <= s.uncNs + this.maxRate * Math.abs(fromDet);
        if (oldFrame !== newFrame) {
          pre = oldFrame;
          post = newFrame;
        } else if (oldFrame) {
          // Both frames fit (a step within the frames' uncertainty): the order decides before the
          // bracket; inside it both hypotheses stand.
          pre = monoNs <= s.prevMono;
          post = false;
        } else {
          // Neither frame fits: the stamp's local and monotonic times disagree with everything the
          // watch saw (e.g. a monotonic time derived from a realtime stamp across the step), so its
          // frame is not known: both hypotheses, never a confident pick.
          pre = true;
          post = true;
        }
      } else {
        const d = BigInt(Math.round(s.stepNs));
        pre = localNs < s.prevLocal + d; // below every value the new frame can show
        post = localNs > s.detLocal - d; // above every value the old frame could show
      }
      if (post && !pre) break; // after this step, hence after every earlier one
      const shifted = shifts.map((x) => x + s.stepNs);
      shifts = pre && !post ? shifted : [...shifts, ...shifted].slice(0, 8);
    }
    return shifts;
  }
}
