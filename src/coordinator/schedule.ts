/**
 * When each event is due, in ns after the start. Either a fixed rate or a repeating pattern of
 * spacings (ms); bounded by a count or a duration (whichever is given; count wins if both).
 */
export interface ScheduleSpec {
  rate?: number;          // events per second
  patternMs?: number[];   // spacings, repeated
  count?: number;
  durationS?: number;
}

export function validateSchedule(spec: ScheduleSpec): void {
  if (spec.patternMs && spec.patternMs.length > 0) {
    if (spec.patternMs.some((x) => !Number.isFinite(x) || x < 0)) throw new Error(`--pattern: spacings must be non-negative ms, got ${spec.patternMs.join(',')}`);
    if (spec.patternMs.every((x) => x === 0)) throw new Error('--pattern: at least one spacing must be > 0');
  } else if (!(typeof spec.rate === 'number' && Number.isFinite(spec.rate) && spec.rate > 0 && spec.rate <= 1_000_000)) {
    throw new Error(`--rate must be a number of events per second in (0, 1000000], got ${String(spec.rate)}`);
  }
  if (spec.count === undefined && spec.durationS === undefined) throw new Error('give --count N or --duration-s S');
  if (spec.count !== undefined && !(Number.isInteger(spec.count) && spec.count > 0)) throw new Error(`--count must be a positive integer, got ${spec.count}`);
  if (spec.durationS !== undefined && !(Number.isFinite(spec.durationS) && spec.durationS > 0)) throw new Error(`--duration-s must be > 0, got ${spec.durationS}`);
}

/** Iterate due times (ns after start) without materialising the whole schedule. */
export function* dueTimesNs(spec: ScheduleSpec): Generator<number> {
  validateSchedule(spec);
  const limitNs = spec.count === undefined && spec.durationS !== undefined ? spec.durationS * 1e9 : Infinity;
  const count = spec.count ?? Infinity;
  const spacings = spec.patternMs && spec.patternMs.length ? spec.patternMs.map((ms) => ms * 1e6) : [1e9 / spec.rate!];
  let t = 0;
  for (let i = 0; i < count; i++) {
    if (t >= limitNs) return;
    yield Math.round(t);
    t += spacings[i % spacings.length]!;
  }
}

/** Number of events the schedule will produce (for progress). */
export function scheduleLength(spec: ScheduleSpec): number {
  if (spec.count !== undefined) return spec.count;
  let n = 0;
  for (const _ of dueTimesNs(spec)) n++;
  return n;
}
