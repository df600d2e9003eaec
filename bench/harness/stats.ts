/** Order statistics for bench figures: nearest-rank percentiles over a copy sorted ascending. */
import { nearestRank } from '../../analysis/index.js';

export interface Spread {
  n: number;
  min: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of values already sorted ascending (p in [0, 1]), the analysis' rank rule. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new Error('percentile of an empty sample');
  return sorted[nearestRank(p, sorted.length) - 1]!;
}

/** n, min, p50, p99, max of a sample; null when the sample is empty (nothing is invented). */
export function spread(values: ArrayLike<number>): Spread | null {
  if (values.length === 0) return null;
  const s = Float64Array.from(values as ArrayLike<number>).sort();
  return { n: s.length, min: s[0]!, p50: percentileSorted(s, 0.5), p99: percentileSorted(s, 0.99), max: s[s.length - 1]! };
}

/**
 * Send-time error of stamps taken at scheduled instants when the schedule's origin is unknown
 * (the coordinator does not record it): error_i = (stamp_i - stamp_0) - due_i, shifted so the
 * best-aligned event has error 0. A stamp is never early (the wait spins up to its target), so this
 * is the true error minus the smallest error of the run (a few µs at most: one hrtime read and a
 * promise resolution).
 */
export function relativeScheduleErrors(stampsNs: readonly bigint[], dueNs: readonly number[]): Float64Array {
  if (stampsNs.length !== dueNs.length) throw new Error(`stamps (${stampsNs.length}) and due times (${dueNs.length}) differ in length`);
  const out = new Float64Array(stampsNs.length);
  if (out.length === 0) return out;
  const s0 = stampsNs[0]!;
  let min = Infinity;
  for (let i = 0; i < out.length; i++) {
    out[i] = Number(stampsNs[i]! - s0) - dueNs[i]!;
    if (out[i]! < min) min = out[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i]! -= min;
  return out;
}
