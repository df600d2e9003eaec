// The causality timeline of a run analysed before figures-data.json existed: stats.json's own thin
// event sample (classified by the analysis' metrics/causality.ts) and its time bins.
import type { Stats } from '../stats/types.js';
import { intervalCausality, pointCausality } from '../metrics/causality.js';
import { comparedSources, firstSendRel, pooledViolations, timelineBins, type CausalityData, type CausalityMark } from './inputs.js';

const num = (v: number | null | undefined): number => (v === null || v === undefined ? NaN : v);

export function causalityFromStats(stats: Stats): CausalityData | null {
  const sources = comparedSources(stats);
  if (sources.length === 0 || stats.samples.events.length === 0) return null;
  const t0 = firstSendRel(stats);
  const samples: CausalityMark[] = [];
  const violations: CausalityData['violations'] = {};
  for (const src of sources) {
    violations[src.name] = { total: pooledViolations(stats, src.name, src.bounded), drawn: 0 };
  }
  for (const e of stats.samples.events) {
    if (e.send_rel_ns === null) continue;
    for (const [node, bySource] of Object.entries(e.workers)) {
      for (const src of sources) {
        const s = e.coordinator[src.name];
        const r = bySource[src.name];
        if (!s || !r) continue;
        const point = pointCausality(num(s[0]), num(r[0]));
        if (point === null) continue;
        const interval = src.bounded ? intervalCausality(num(s[1]), num(s[2]), num(r[1]), num(r[2])) : null;
        const violation = src.bounded ? interval === 'violation' : point === 'violation';
        const outcome: CausalityMark['outcome'] =
          interval !== null
            ? interval === 'violation'
              ? 'interval violation'
              : interval === 'ambiguous'
                ? 'interval ambiguous'
                : 'ok'
            : point === 'violation'
              ? 'point violation'
              : 'ok';
        if (violation) violations[src.name]!.drawn++;
        samples.push({
          source: src.name,
          node,
          seq: e.seq,
          t_s: (e.send_rel_ns - t0) / 1e9,
          margin_ms: (r[0]! - s[0]!) / 1e6,
          lo_ms: interval === null ? null : (r[1]! - s[2]!) / 1e6,
          hi_ms: interval === null ? null : (r[2]! - s[1]!) / 1e6,
          outcome,
          violation,
        });
      }
    }
  }
  return { sources, samples, ...timelineBins(stats, t0), stride: stats.samples.stride, violations, violationCap: 0, fromStats: true };
}
