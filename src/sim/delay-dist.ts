import type { Prng } from './prng.js';
import { expectNumber, expectObject, expectString, SpecError, join, isPlainObject } from '../validate/index.js';

/**
 * An added delay, in milliseconds. A bare number is a constant. `normal` is truncated at 0;
 * `pareto` is the long tail (minimum `min_ms`, tail index `alpha`; smaller alpha = heavier tail),
 * optionally capped at `max_ms` so one sample cannot stall a short run.
 */
export type DelayDistSpec =
  | number
  | { dist: 'constant'; ms: number }
  | { dist: 'uniform'; min_ms: number; max_ms: number }
  | { dist: 'normal'; mean_ms: number; sd_ms: number }
  | { dist: 'pareto'; min_ms: number; alpha: number; max_ms?: number };

const KINDS = ['constant', 'uniform', 'normal', 'pareto'] as const;

export function validateDelayDist(v: unknown, field: string): DelayDistSpec {
  if (typeof v === 'number') return expectNumber(v, field, { min: 0 });
  if (!isPlainObject(v)) throw new SpecError(field, `must be a number of ms or an object with "dist" (${KINDS.join(', ')})`);
  const kind = expectString(v.dist, join(field, 'dist'), KINDS);
  const f = (k: string): string => join(field, k);
  switch (kind) {
    case 'constant':
      expectObject(v, field, ['dist', 'ms']);
      return { dist: 'constant', ms: expectNumber(v.ms, f('ms'), { min: 0 }) };
    case 'uniform': {
      expectObject(v, field, ['dist', 'min_ms', 'max_ms']);
      const min = expectNumber(v.min_ms, f('min_ms'), { min: 0 });
      const max = expectNumber(v.max_ms, f('max_ms'), { min: 0 });
      if (max < min) throw new SpecError(f('max_ms'), `must be ≥ min_ms (${min}), got ${max}`);
      return { dist: 'uniform', min_ms: min, max_ms: max };
    }
    case 'normal':
      expectObject(v, field, ['dist', 'mean_ms', 'sd_ms']);
      return {
        dist: 'normal',
        mean_ms: expectNumber(v.mean_ms, f('mean_ms'), { min: 0 }),
        sd_ms: expectNumber(v.sd_ms, f('sd_ms'), { min: 0 }),
      };
    default: {
      expectObject(v, field, ['dist', 'min_ms', 'alpha', 'max_ms']);
      const min = expectNumber(v.min_ms, f('min_ms'), { min: 0, exclusiveMin: true });
      const alpha = expectNumber(v.alpha, f('alpha'), { min: 0, exclusiveMin: true });
      if (v.max_ms === undefined) return { dist: 'pareto', min_ms: min, alpha };
      const max = expectNumber(v.max_ms, f('max_ms'), { min });
      return { dist: 'pareto', min_ms: min, alpha, max_ms: max };
    }
  }
}

/** One delay sample in ms (never negative). Consumes the PRNG only for random kinds. */
export function sampleDelayMs(d: DelayDistSpec, rng: Prng): number {
  if (typeof d === 'number') return d;
  switch (d.dist) {
    case 'constant':
      return d.ms;
    case 'uniform':
      return rng.uniform(d.min_ms, d.max_ms);
    case 'normal':
      return Math.max(0, rng.normal(d.mean_ms, d.sd_ms));
    case 'pareto': {
      const x = rng.pareto(d.min_ms, d.alpha);
      return d.max_ms === undefined ? x : Math.min(x, d.max_ms);
    }
  }
}
