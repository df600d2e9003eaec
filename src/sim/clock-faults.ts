import { Prng, deriveSeed } from './prng.js';
import { expectArray, expectNumber, expectObject, optionalNumber, SpecError } from '../validate/index.js';

/** A step of the local clock `step_ms` (signed) at `at_s` seconds of true time after the clock starts. */
export interface ClockStepSpec {
  at_s: number;
  step_ms: number;
}

/**
 * Random-walk frequency wander: every `interval_s` the frequency error changes by a normal
 * draw with sd `sd_ppm_per_sqrt_s`·√interval_s, clamped to ±`max_abs_ppm` when given.
 */
export interface WanderSpec {
  sd_ppm_per_sqrt_s: number;
  interval_s?: number;
  max_abs_ppm?: number;
}

/**
 * A simulated clock's faults: local = true + offset + drift·elapsed + Σ steps + wander.
 * All fields optional; `{}` is a perfect clock that still carries ground truth.
 */
export interface ClockFaultSpec {
  offset_ms?: number;
  drift_ppm?: number;
  steps?: ClockStepSpec[];
  wander?: WanderSpec;
  /** Seed for the random parts (wander). Set by the scenario planner; default 1. */
  seed?: number;
  /**
   * Shared true timeline (set by run-local, not by hand): true = real_ns + (CLOCK_MONOTONIC now −
   * mono_ns). CLOCK_MONOTONIC is one clock for every process on the host, so all processes of a
   * run agree on true time to the nanosecond, and `at_s` of steps counts from real_ns (run start).
   */
  truth_anchor?: TruthAnchor;
}

/** A (realtime, monotonic) pair taken once; decimal strings of ns (JSON has no bigint). */
export interface TruthAnchor {
  real_ns: string;
  mono_ns: string;
}

const CLOCK_FIELDS = ['offset_ms', 'drift_ppm', 'steps', 'wander', 'seed', 'truth_anchor'] as const;

/** Validate a clock-fault spec from JSON; errors name the field (prefixed by `field`). */
export function validateClockFaultSpec(v: unknown, field = 'clock_faults'): ClockFaultSpec {
  const o = expectObject(v, field, CLOCK_FIELDS);
  const out: ClockFaultSpec = {};
  const offset = optionalNumber(o.offset_ms, `${field}.offset_ms`);
  if (offset !== undefined) out.offset_ms = offset;
  const drift = optionalNumber(o.drift_ppm, `${field}.drift_ppm`, { min: -100_000, max: 100_000 });
  if (drift !== undefined) out.drift_ppm = drift;
  if (o.steps !== undefined) {
    out.steps = expectArray(o.steps, `${field}.steps`).map((s, i) => {
      const f = `${field}.steps[${i}]`;
      const so = expectObject(s, f, ['at_s', 'step_ms']);
      return { at_s: expectNumber(so.at_s, `${f}.at_s`, { min: 0 }), step_ms: expectNumber(so.step_ms, `${f}.step_ms`) };
    });
  }
  if (o.wander !== undefined) {
    const f = `${field}.wander`;
    const w = expectObject(o.wander, f, ['sd_ppm_per_sqrt_s', 'interval_s', 'max_abs_ppm']);
    const wander: WanderSpec = { sd_ppm_per_sqrt_s: expectNumber(w.sd_ppm_per_sqrt_s, `${f}.sd_ppm_per_sqrt_s`, { min: 0 }) };
    const iv = optionalNumber(w.interval_s, `${f}.interval_s`, { min: 0.001 });
    if (iv !== undefined) wander.interval_s = iv;
    const cap = optionalNumber(w.max_abs_ppm, `${f}.max_abs_ppm`, { min: 0 });
    if (cap !== undefined) wander.max_abs_ppm = cap;
    out.wander = wander;
  }
  const seed = optionalNumber(o.seed, `${field}.seed`, { integer: true, min: 0, max: 2 ** 32 - 1 });
  if (seed !== undefined) out.seed = seed;
  if (o.truth_anchor !== undefined) {
    const f = `${field}.truth_anchor`;
    const a = expectObject(o.truth_anchor, f, ['real_ns', 'mono_ns']);
    for (const k of ['real_ns', 'mono_ns'] as const) {
      if (typeof a[k] !== 'string' || !/^[0-9]{1,19}$/.test(a[k] as string))
        throw new SpecError(`${f}.${k}`, 'must be a decimal string of nanoseconds');
    }
    out.truth_anchor = { real_ns: a.real_ns as string, mono_ns: a.mono_ns as string };
  }
  return out;
}

/** True when the spec changes nothing (a perfect simulated clock). */
export function isPerfectClock(spec: ClockFaultSpec): boolean {
  return (
    !spec.offset_ms && !spec.drift_ppm && !spec.steps?.some((s) => s.step_ms !== 0) && !(spec.wander && spec.wander.sd_ppm_per_sqrt_s > 0)
  );
}

const WANDER_CHUNK = 256;

/**
 * The pure model: offset (local − true, ns) as a function of true elapsed ns since the clock
 * started. Steps are pre-sorted; wander is a piecewise-constant frequency table extended in
 * chunks from a seeded PRNG, so its offset is piecewise linear and cheap to evaluate.
 */
export class ClockFaultModel {
  readonly spec: ClockFaultSpec;
  readonly seed: number;
  private readonly offsetNs: number;
  private readonly driftPerNs: number;
  readonly stepAtNs: Float64Array;
  private readonly stepCumNs: Float64Array; // offset after step i (sum of steps 0..i)
  private stepIdx = 0; // steps [0, stepIdx) are at or before the last query
  private readonly wanderIntervalNs: number;
  private readonly wanderSd: number; // ppm per interval
  private readonly wanderCap: number;
  private wanderFreqPpm: number[] = []; // frequency during interval k
  private wanderCumNs: number[] = []; // wander offset at start of interval k
  private readonly wanderRng: Prng | null;

  constructor(spec: ClockFaultSpec, seed = spec.seed ?? 1) {
    this.spec = spec;
    this.seed = seed;
    this.offsetNs = (spec.offset_ms ?? 0) * 1e6;
    this.driftPerNs = (spec.drift_ppm ?? 0) * 1e-6;
    const steps = [...(spec.steps ?? [])].sort((a, b) => a.at_s - b.at_s);
    this.stepAtNs = Float64Array.from(steps, (s) => s.at_s * 1e9);
    this.stepCumNs = new Float64Array(steps.length);
    let cum = 0;
    steps.forEach((s, i) => {
      cum += s.step_ms * 1e6;
      this.stepCumNs[i] = cum;
    });
    const w = spec.wander;
    const on = w !== undefined && w.sd_ppm_per_sqrt_s > 0;
    this.wanderIntervalNs = (w?.interval_s ?? 1) * 1e9;
    this.wanderSd = on ? w!.sd_ppm_per_sqrt_s * Math.sqrt(w!.interval_s ?? 1) : 0;
    this.wanderCap = w?.max_abs_ppm ?? Infinity;
    this.wanderRng = on ? new Prng(deriveSeed(seed, 'clock/wander')) : null;
    if (on) {
      this.wanderFreqPpm.push(0);
      this.wanderCumNs.push(0);
    }
  }

  /** local − true in ns at `elapsedNs` of true time since the clock started. */
  offsetNsAt(elapsedNs: number): number {
    let off = this.offsetNs + this.driftPerNs * elapsedNs;
    if (elapsedNs <= 0) return off;
    off += this.stepsUpTo(elapsedNs);
    if (this.wanderRng) off += this.wanderAt(elapsedNs);
    return off;
  }

  /** Sum of steps at or before `elapsedNs` (amortised O(1) for non-decreasing queries). */
  private stepsUpTo(elapsedNs: number): number {
    const at = this.stepAtNs;
    if (at.length === 0) return 0;
    let i = this.stepIdx;
    if (i > 0 && at[i - 1]! > elapsedNs) i = 0; // query went back in time: rescan
    while (i < at.length && at[i]! <= elapsedNs) i++;
    this.stepIdx = i;
    return i === 0 ? 0 : this.stepCumNs[i - 1]!;
  }

  private wanderAt(elapsedNs: number): number {
    const k = Math.floor(elapsedNs / this.wanderIntervalNs);
    if (k >= this.wanderFreqPpm.length) this.extendWander(k);
    return this.wanderCumNs[k]! + this.wanderFreqPpm[k]! * 1e-6 * (elapsedNs - k * this.wanderIntervalNs);
  }

  /** Extend the wander table past interval k, a chunk at a time (rare; deterministic order). */
  private extendWander(k: number): void {
    const rng = this.wanderRng!;
    const f = this.wanderFreqPpm;
    const c = this.wanderCumNs;
    const target = (Math.floor(k / WANDER_CHUNK) + 1) * WANDER_CHUNK;
    while (f.length <= target) {
      const prev = f.length - 1;
      const next = Math.max(-this.wanderCap, Math.min(this.wanderCap, f[prev]! + rng.normal(0, this.wanderSd)));
      c.push(c[prev]! + f[prev]! * 1e-6 * this.wanderIntervalNs);
      f.push(next);
    }
  }

  /** Wander knots up to `elapsedNs` (at most `limit`, evenly thinned), for the manifest. */
  wanderKnots(elapsedNs: number, limit = 2000): Array<{ at_s: number; freq_ppm: number; offset_ns: number }> {
    if (!this.wanderRng || elapsedNs < 0) return [];
    const k = Math.floor(elapsedNs / this.wanderIntervalNs);
    if (k >= this.wanderFreqPpm.length) this.extendWander(k);
    const stride = Math.max(1, Math.ceil((k + 1) / limit));
    const out = [];
    for (let i = 0; i <= k; i += stride) {
      out.push({ at_s: (i * this.wanderIntervalNs) / 1e9, freq_ppm: this.wanderFreqPpm[i]!, offset_ns: Math.round(this.wanderCumNs[i]!) });
    }
    return out;
  }

  /** Total frequency error (ppm) at `elapsedNs`: drift plus wander. */
  frequencyPpmAt(elapsedNs: number): number {
    let f = this.spec.drift_ppm ?? 0;
    if (this.wanderRng && elapsedNs > 0) {
      const k = Math.floor(elapsedNs / this.wanderIntervalNs);
      if (k >= this.wanderFreqPpm.length) this.extendWander(k);
      f += this.wanderFreqPpm[k]!;
    }
    return f;
  }
}
