import { deriveSeed, Prng } from '../sim/prng.js';

/**
 * How due instants are placed (docs/metrics.md §Schedules). Windows are aligned to the epoch, so
 * the schedule decides at which phases of a window events arrive:
 *  - fixed: every event exactly 1/rate (or the pattern's spacing) after the previous one. Every
 *    event lands at the same few phases of a window, chosen by the instant the run started.
 *  - jittered: the fixed schedule's slots [t_k, t_k + spacing_k), one event at a uniform random
 *    instant in each (events a zero spacing apart move together, in the slot after them). The
 *    slots tile the run, so the phases of a window are sampled uniformly
 *    whatever the rate, window size or start; the rate stays exact (one event per slot) and
 *    gaps are never longer than two spacings.
 *  - poisson: exponential gaps with mean 1/rate (a Poisson process): phases are uniform too,
 *    and so is the time since the previous event; short gaps come in bursts.
 */
export const SCHEDULE_KINDS = ['jittered', 'poisson', 'fixed'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];
/** The default samples window phases uniformly and keeps one event per 1/rate slot. */
export const DEFAULT_SCHEDULE: ScheduleKind = 'jittered';

/**
 * When each event is due, in ns after the start. A rate or a repeating pattern of spacings (ms);
 * bounded by a count or a duration (whichever is given; count wins if both). `kind` defaults to
 * DEFAULT_SCHEDULE; the random kinds need `seed` (the same seed gives the same due instants).
 */
export interface ScheduleSpec {
  kind?: ScheduleKind;
  /** Seed of the random kinds (32-bit unsigned integer). */
  seed?: number;
  rate?: number; // events per second
  patternMs?: number[]; // spacings, repeated
  count?: number;
  durationS?: number;
}

/** --help text of --schedule (coordinator and run-local). */
export const SCHEDULE_HELP =
  'When events are due. jittered (default): one event at a uniform random instant in each 1/rate slot; ' +
  'poisson: exponential gaps (mean 1/rate); both sample every phase of a window uniformly. fixed: exactly 1/rate apart, so every ' +
  'event lands at the same few phases of a window and window figures depend on when the run started (docs/metrics.md, Schedules)';

/** A hand-run coordinator's schedule seed when none is given: a function of the run id. */
export function defaultScheduleSeed(runId: string): number {
  return deriveSeed(0, `schedule/${runId}`);
}

export function scheduleKind(spec: ScheduleSpec): ScheduleKind {
  return spec.kind ?? DEFAULT_SCHEDULE;
}

/** True for the kinds whose events sample every phase of a window uniformly. */
export function samplesPhasesUniformly(kind: ScheduleKind): boolean {
  return kind !== 'fixed';
}

export function validateSchedule(spec: ScheduleSpec): void {
  const kind = scheduleKind(spec);
  if (!(SCHEDULE_KINDS as readonly string[]).includes(kind))
    throw new Error(`--schedule "${String(kind)}": use one of ${SCHEDULE_KINDS.join(', ')}`);
  const pattern = spec.patternMs && spec.patternMs.length > 0;
  if (pattern) {
    if (spec.patternMs!.some((x) => !Number.isFinite(x) || x < 0))
      throw new Error(`--pattern: spacings must be non-negative ms, got ${spec.patternMs!.join(',')}`);
    if (spec.patternMs!.every((x) => x === 0)) throw new Error('--pattern: at least one spacing must be > 0');
    if (kind === 'poisson')
      throw new Error('--schedule poisson draws its own gaps and takes no --pattern: use --schedule jittered or fixed with a pattern');
  } else if (!(typeof spec.rate === 'number' && Number.isFinite(spec.rate) && spec.rate > 0 && spec.rate <= 1_000_000)) {
    throw new Error(`--rate must be a number of events per second in (0, 1000000], got ${String(spec.rate)}`);
  }
  if (kind !== 'fixed' && !(Number.isInteger(spec.seed) && spec.seed! >= 0 && spec.seed! <= 0xffff_ffff)) {
    throw new Error(`--schedule ${kind} needs a seed (--schedule-seed): a whole number in [0, 4294967295], got ${String(spec.seed)}`);
  }
  if (spec.count === undefined && spec.durationS === undefined) throw new Error('give --count N or --duration-s S');
  if (spec.count !== undefined && !(Number.isInteger(spec.count) && spec.count > 0))
    throw new Error(`--count must be a positive integer, got ${spec.count}`);
  if (spec.durationS !== undefined && !(Number.isFinite(spec.durationS) && spec.durationS > 0))
    throw new Error(`--duration-s must be > 0, got ${spec.durationS}`);
}

/** Iterate due times (ns after start, non-decreasing) without materialising the whole schedule. */
export function* dueTimesNs(spec: ScheduleSpec): Generator<number> {
  validateSchedule(spec);
  const kind = scheduleKind(spec);
  const limitNs = spec.count === undefined && spec.durationS !== undefined ? spec.durationS * 1e9 : Infinity;
  const count = spec.count ?? Infinity;
  const spacings = spec.patternMs && spec.patternMs.length ? spec.patternMs.map((ms) => ms * 1e6) : [1e9 / spec.rate!];
  const rng = kind === 'fixed' ? null : new Prng(spec.seed!);
  if (kind === 'poisson') {
    const meanNs = spacings[0]!;
    let t = 0;
    for (let i = 0; i < count; i++) {
      t += -Math.log(1 - rng!.next()) * meanNs; // 1 − U is in (0, 1]: the gap is finite
      if (t >= limitNs) return;
      yield Math.round(t);
    }
    return;
  }
  // Events a zero spacing apart stay together (a burst): they share one slot, which ends at the
  // next positive spacing, and one offset in it.
  const n = spacings.length;
  const groupWidth = spacings.map((_, j) => {
    for (let k = 0; k < n; k++) if (spacings[(j + k) % n]! > 0) return spacings[(j + k) % n]!;
    return 0;
  });
  let slot = 0; // due instant of event i in the fixed schedule
  let offset = 0;
  for (let i = 0; i < count; i++) {
    if (rng !== null && (i === 0 || spacings[(i - 1) % n]! > 0)) offset = rng.next() * groupWidth[i % n]!;
    const t = slot + offset;
    if (t >= limitNs) return;
    yield Math.round(t);
    slot += spacings[i % n]!;
  }
}

/** Number of events the schedule will produce (for progress). */
export function scheduleLength(spec: ScheduleSpec): number {
  if (spec.count !== undefined) return spec.count;
  let n = 0;
  for (const _ of dueTimesNs(spec)) n++;
  return n;
}

/** What the manifest records about a schedule (`schedule` key): enough to regenerate it. */
export function scheduleRecord(spec: ScheduleSpec): Record<string, unknown> {
  const kind = scheduleKind(spec);
  return {
    kind,
    seed: kind === 'fixed' ? null : (spec.seed ?? null),
    rate: spec.patternMs && spec.patternMs.length ? null : (spec.rate ?? null),
    pattern_ms: spec.patternMs && spec.patternMs.length ? [...spec.patternMs] : null,
    count: spec.count ?? null,
    duration_s: spec.count === undefined ? (spec.durationS ?? null) : null,
    uniform_phases: samplesPhasesUniformly(kind),
  };
}
