// Fallback for the causality timeline when the per-event CSVs cannot be streamed (a legacy-format
// import, or a run directory holding only stats.json): the analysis' own binned timeline and its
// thin event sample. Same shape as the streamed data, so the figure code is shared.
import type { Stats } from '../stats/types.js';
import type { CausalityBin, CausalityData, CausalitySample } from './event-stream.js';

export function causalityFromStats(stats: Stats): CausalityData | null {
  const tl = stats.timeline;
  const sources = stats.sources.filter((s) => s.in_coordinator && s.in_workers.length > 0).map((s) => ({ name: s.name, bounded: s.bounded }));
  if (sources.length === 0 || stats.samples.events.length === 0) return null;
  const t0 = stats.samples.events.reduce((m, e) => (e.send_rel_ns !== null && e.send_rel_ns < m ? e.send_rel_ns : m), Infinity);
  if (!Number.isFinite(t0)) return null;
  const samples: CausalitySample[] = [];
  const violations: CausalityData['violations'] = {};
  for (const src of sources) {
    const pooled = stats.causality.find((c) => c.source === src.name && c.node === null);
    const total = (src.bounded ? pooled?.interval?.violation.count : pooled?.point.violations.count) ?? null;
    violations[src.name] = { total, drawn: 0 };
  }
  for (const e of stats.samples.events) {
    if (e.send_rel_ns === null) continue;
    for (const [node, bySource] of Object.entries(e.workers)) {
      for (const src of sources) {
        const s = e.coordinator[src.name]; const r = bySource[src.name];
        if (!s || !r || s[0] === null || r[0] === null) continue;
        let lo: number | null = null; let hi: number | null = null;
        let outcome: CausalitySample['outcome'] = r[0] < s[0] ? 'point violation' : 'ok';
        if (src.bounded && s[1] !== null && s[2] !== null && r[1] !== null && r[2] !== null) {
          lo = (r[1] - s[2]) / 1e6; hi = (r[2] - s[1]) / 1e6;
          outcome = r[2] < s[1] ? 'interval violation' : r[1] < s[2] ? 'interval ambiguous' : 'ok';
        }
        if (outcome === 'point violation' || outcome === 'interval violation') violations[src.name]!.drawn++;
        samples.push({ source: src.name, node, t_s: (e.send_rel_ns - t0) / 1e9, margin_ms: (r[0] - s[0]) / 1e6, lo_ms: lo, hi_ms: hi, outcome });
      }
    }
  }
  const bins: CausalityBin[] = [];
  if (tl) {
    for (const c of tl.causality.filter((x) => x.node === null)) {
      c.compared.forEach((n, i) => {
        if (n === 0) return;
        bins.push({
          source: c.source, t_s: (tl.t_rel_ns[i]! - t0) / 1e9, compared: n, point_violations: c.point_violations[i]!,
          interval_compared: c.interval_compared?.[i] ?? 0, interval_violations: c.interval_violations?.[i] ?? 0, interval_ambiguous: c.interval_ambiguous?.[i] ?? 0,
        });
      });
    }
  }
  return {
    sources, samples, bins, bin_s: tl ? tl.bin_ns / 1e9 : 0, stride: stats.samples.stride, violations, violationCap: 0,
    rowsRead: 0, rowsSkipped: 0, badSeq: 0, warnings: [], missingFiles: [], fromStats: true,
  };
}
