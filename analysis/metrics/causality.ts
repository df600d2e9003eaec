// Causality of one event at one worker, source S against source S (docs/metrics.md §Causality).
// Inputs are ns relative to the run anchor; NaN means "no value" and yields null (not compared).

export type PointCausality = 'ok' | 'violation';
export type IntervalCausality = 'proven_after' | 'ambiguous' | 'violation';

/** Point violation when the receive stamp r is before the send stamp s (r < s); equal is ok. */
export function pointCausality(s: number, r: number): PointCausality | null {
  if (Number.isNaN(s) || Number.isNaN(r)) return null;
  return r < s ? 'violation' : 'ok';
}

/** Proven after when r_lo ≥ s_hi; violation when r_hi < s_lo; otherwise ambiguous. */
export function intervalCausality(sLo: number, sHi: number, rLo: number, rHi: number): IntervalCausality | null {
  if (Number.isNaN(sLo) || Number.isNaN(sHi) || Number.isNaN(rLo) || Number.isNaN(rHi)) return null;
  if (rLo >= sHi) return 'proven_after';
  if (rHi < sLo) return 'violation';
  return 'ambiguous';
}
