import { HostClock } from '../clock/host-clock.js';
import { ClockFaultModel, validateClockFaultSpec, type ClockFaultSpec, type TruthAnchor } from './clock-faults.js';
import type { LocalClock } from '../clock/types.js';

/** What a simulated clock actually did, for the manifest (the scenario says what it should do). */
export interface RealisedClockFaults {
  spec: ClockFaultSpec;
  seed: number;
  start_true_ns: bigint;
  initial_offset_ns: number;
  drift_ppm: number;
  steps: Array<{ at_s: number; at_true_ns: bigint; step_ns: number; applied: boolean }>;
  wander: Array<{ at_s: number; freq_ppm: number; offset_ns: number }>;
  /** At the moment of the report: true time, local − true, and frequency error. */
  now_true_ns: bigint;
  offset_now_ns: number;
  freq_now_ppm: number;
}

export interface FaultyClockOptions {
  /** Seed for random parts; default spec.seed, else 1. */
  seed?: number;
  /** True time source (default: the spec's truth_anchor, else a HostClock). */
  host?: LocalClock;
  /** True time at which elapsed = 0 (default: the truth anchor's real_ns, else now). Steps' `at_s` count from here. */
  startTrueNs?: bigint;
}

/**
 * A process's local clock under simulated faults: local = true + offset(elapsed), true = host
 * clock. `nowNs()` costs one host read, one Number conversion and a table lookup; `lastTrueNs`
 * holds the true time behind the last `nowNs()`, so a caller can record both for one instant.
 */
export class FaultyClock implements LocalClock {
  readonly simulated = true;
  readonly model: ClockFaultModel;
  readonly startTrueNs: bigint;
  /** True time used by the most recent nowNs() (ground truth for that very stamp). */
  lastTrueNs: bigint;
  private readonly host: LocalClock;

  constructor(spec: ClockFaultSpec, opts: FaultyClockOptions = {}) {
    const valid = validateClockFaultSpec(spec);
    const anchored = valid.truth_anchor ? new AnchoredTrueClock(valid.truth_anchor) : null;
    this.host = opts.host ?? anchored ?? new HostClock();
    this.model = new ClockFaultModel(valid, opts.seed ?? valid.seed ?? 1);
    this.startTrueNs = opts.startTrueNs ?? (anchored && !opts.host ? anchored.realNs : this.host.nowNs());
    this.lastTrueNs = this.startTrueNs;
  }

  nowNs(): bigint {
    const t = this.host.nowNs();
    this.lastTrueNs = t;
    return t + BigInt(Math.round(this.model.offsetNsAt(Number(t - this.startTrueNs))));
  }

  /**
   * The local reading at a past monotonic instant; lastTrueNs becomes the true time at that instant.
   * A host without atMonoNs is stepped back by the instant's age (drift over it is negligible).
   */
  atMonoNs(monoNs: bigint): bigint {
    const t = this.host.atMonoNs ? this.host.atMonoNs(monoNs) : this.host.nowNs() - (process.hrtime.bigint() - monoNs);
    this.lastTrueNs = t;
    return t + BigInt(Math.round(this.model.offsetNsAt(Number(t - this.startTrueNs))));
  }

  trueNowNs(): bigint {
    return this.host.nowNs();
  }

  /** Ground-truth offset local − true (ns) at a true instant. */
  offsetNs(trueNs: bigint): bigint {
    return BigInt(Math.round(this.model.offsetNsAt(Number(trueNs - this.startTrueNs))));
  }

  /** The local reading this clock gives (or gave) at a true instant. */
  localAt(trueNs: bigint): bigint {
    return trueNs + this.offsetNs(trueNs);
  }

  realisedFaults(nowTrueNs: bigint = this.host.nowNs()): RealisedClockFaults {
    const spec = this.model.spec;
    const elapsed = Number(nowTrueNs - this.startTrueNs);
    const steps = [...(spec.steps ?? [])]
      .sort((a, b) => a.at_s - b.at_s)
      .map((s) => {
        const at = this.startTrueNs + BigInt(Math.round(s.at_s * 1e9));
        return { at_s: s.at_s, at_true_ns: at, step_ns: Math.round(s.step_ms * 1e6), applied: at <= nowTrueNs };
      });
    return {
      spec,
      seed: this.model.seed,
      start_true_ns: this.startTrueNs,
      initial_offset_ns: Math.round((spec.offset_ms ?? 0) * 1e6),
      drift_ppm: spec.drift_ppm ?? 0,
      steps,
      wander: this.model.wanderKnots(elapsed),
      now_true_ns: nowTrueNs,
      offset_now_ns: Math.round(this.model.offsetNsAt(elapsed)),
      freq_now_ppm: this.model.frequencyPpmAt(elapsed),
    };
  }
}

/** True time on a shared anchor: real_ns + (CLOCK_MONOTONIC − mono_ns), identical in every process. */
export class AnchoredTrueClock implements LocalClock {
  readonly simulated = false;
  readonly realNs: bigint;
  private readonly delta: bigint;

  constructor(a: TruthAnchor) {
    this.realNs = BigInt(a.real_ns);
    this.delta = this.realNs - BigInt(a.mono_ns);
  }

  nowNs(): bigint {
    return process.hrtime.bigint() + this.delta;
  }

  atMonoNs(monoNs: bigint): bigint {
    return monoNs + this.delta;
  }
}

/**
 * Take the run's truth anchor once (run-local, before starting children): a HostClock reading
 * paired with CLOCK_MONOTONIC. Every process given it shares one true timeline.
 */
export function measureTruthAnchor(host: LocalClock = new HostClock()): TruthAnchor {
  const mono = process.hrtime.bigint();
  const real = host.nowNs();
  return { real_ns: real.toString(), mono_ns: mono.toString() };
}
