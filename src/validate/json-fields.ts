// Checks of JSON specs (scenarios, fault specs, inventories): each names the field it is about,
// e.g. "workers.per_worker.1.clock_faults.steps[0].at_s: must be a number ≥ 0, got \"10\"".
// Each throws a SpecError on its field's first problem; wrap independent fields in
// Problems.attempt to collect them all.
import { SpecError } from './problems.js';
import { isPlainObject } from '../files/json-shape.js';

const show = (v: unknown): string => {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return String(v);
  }
};

// One definition for every JSON reader (files, messages, specs).
export { isPlainObject };

/** An object with only the allowed keys (a typo is an error, not a silently ignored field). */
export function expectObject(v: unknown, field: string, allowed: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(v)) throw new SpecError(field, `must be an object, got ${show(v)}`, v);
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) {
      throw new SpecError(join(field, k), `unknown field (allowed: ${allowed.join(', ')})`, v[k]);
    }
  }
  return v;
}

export interface NumberRule {
  min?: number;
  max?: number;
  integer?: boolean;
  exclusiveMin?: boolean;
}

export function expectNumber(v: unknown, field: string, rule: NumberRule = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SpecError(field, `must be a finite number, got ${show(v)}`, v);
  if (rule.integer && !Number.isSafeInteger(v)) throw new SpecError(field, `must be an integer, got ${show(v)}`, v);
  if (rule.min !== undefined) {
    if (rule.exclusiveMin ? v <= rule.min : v < rule.min) {
      throw new SpecError(field, `must be ${rule.exclusiveMin ? '>' : '≥'} ${rule.min}, got ${v}`, v);
    }
  }
  if (rule.max !== undefined && v > rule.max) throw new SpecError(field, `must be ≤ ${rule.max}, got ${v}`, v);
  return v;
}

export function optionalNumber(v: unknown, field: string, rule: NumberRule = {}): number | undefined {
  return v === undefined ? undefined : expectNumber(v, field, rule);
}

export function expectString(v: unknown, field: string, choices?: readonly string[]): string {
  if (typeof v !== 'string' || v.length === 0) throw new SpecError(field, `must be a non-empty string, got ${show(v)}`, v);
  if (choices && !choices.includes(v)) throw new SpecError(field, `must be one of ${choices.join(', ')}, got ${show(v)}`, v);
  return v;
}

export function expectArray(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) throw new SpecError(field, `must be an array, got ${show(v)}`, v);
  return v;
}

export function expectProbability(v: unknown, field: string): number {
  return expectNumber(v, field, { min: 0, max: 1 });
}

/** "a.b" + "c" → "a.b.c"; array indices are written by callers as `${field}[i]`. */
export function join(field: string, key: string): string {
  return field ? `${field}.${key}` : key;
}
