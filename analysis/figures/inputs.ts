// What the figures draw, as plot-ready rows: built from figures-data.json (the analysis pass's
// causality sample and binned sync log) and stats.json (the causality time bins). No CSV is read
// here or anywhere under analysis/figures: every count comes from the one analysis pass.
import type { Stats } from '../stats/types.js';
import type { FiguresData } from '../stats/figures-data.js';

export interface CausalityMark {
  source: string;
  node: string;
  /** The event's seq (shown by the report's tooltips). */
  seq: number;
  /** Coordinator send time, seconds since the first send. */
  t_s: number;
  /** r − s in ms (apparent one-way latency in the source). */
  margin_ms: number;
  /** Interval sources: r_lo − s_hi and r_hi − s_lo in ms (the range of possible latencies). */
  lo_ms: number | null;
  hi_ms: number | null;
  outcome: 'ok' | 'point violation' | 'interval violation' | 'interval ambiguous';
  /** Drawn as ×: an interval violation for interval sources, a point violation otherwise. */
  violation: boolean;
}

export interface CausalityBin {
  source: string;
  t_s: number;
  compared: number;
  point_violations: number;
  interval_compared: number;
  interval_violations: number;
  interval_ambiguous: number;
}

export interface CausalityData {
  sources: { name: string; bounded: boolean }[];
  samples: CausalityMark[];
  bins: CausalityBin[];
  bin_s: number;
  /** Why the last time bin is not drawn (it covers only part of its width); null when it is. */
  droppedBin: string | null;
  stride: number;
  /** Per source: the violations counted over every pair (null: no count) and how many are drawn as ×. */
  violations: Record<string, { total: number | null; drawn: number }>;
  /** Violations kept per source beyond the thinned sample (0: none kept). */
  violationCap: number;
  /** True when built from stats.json's own small event sample (no figures-data.json). */
  fromStats: boolean;
}

export interface SyncBinRow {
  node: string;
  source: string;
  /** Seconds since the run's first send (negative = warm-up before the first event). */
  t_s: number;
  n: number;
  offset_mean_ms: number | null;
  offset_min_ms: number | null;
  offset_max_ms: number | null;
  half_width_mean_ms: number | null;
  half_width_max_ms: number | null;
}

export interface SyncData {
  bins: SyncBinRow[];
  series: { node: string; source: string; samples: number; binned: boolean }[];
  /** Samples the sources rejected (accepted = 0), not drawn. */
  rejectedRows: number;
}

/** Sources compared like with like: in the coordinator and at a worker. */
/** A source's violations over every pair, as stats.json counts them (interval ones for a bounded source); null without a count. */
export function pooledViolations(stats: Stats, source: string, bounded: boolean): number | null {
  const pooled = stats.causality.find((c) => c.source === source && c.node === null);
  return (bounded ? pooled?.interval?.violation.count : pooled?.point.violations.count) ?? null;
}

export function comparedSources(stats: Stats): { name: string; bounded: boolean }[] {
  return stats.sources.filter((s) => s.in_coordinator && s.in_workers.length > 0).map((s) => ({ name: s.name, bounded: s.bounded }));
}

/** The first send relative to the anchor (the figures' time zero); 0 when unknown. */
export function firstSendRel(stats: Stats): number {
  const f = stats.run.first_send_ns_abs;
  return f === null ? 0 : Number(BigInt(f) - BigInt(stats.run.anchor_ns_abs));
}

const ms = (ns: number | null): number | null => (ns === null ? null : ns / 1e6);

/** A last bin with fewer events sent than this share of the median bin covers only part of its width. */
const SHORT_BIN = 0.5;

/**
 * The index of the last bin with events when it is short (the run ended inside it): its share would
 * rest on a handful of pairs and read as a jump at the end, so it is not drawn (said in the caption).
 */
function shortLastBin(sent: number[]): { index: number; events: number; median: number } | null {
  const used = sent.flatMap((n, i) => (n > 0 ? [i] : []));
  if (used.length < 3) return null;
  const last = used[used.length - 1]!;
  const others = used
    .slice(0, -1)
    .map((i) => sent[i]!)
    .sort((a, b) => a - b);
  const median = others[Math.floor(others.length / 2)]!;
  return sent[last]! < SHORT_BIN * median ? { index: last, events: sent[last]!, median } : null;
}

/** The analysis' causality time bins (all workers pooled), from stats.json, all of one width. */
export function timelineBins(stats: Stats, t0: number): { bins: CausalityBin[]; bin_s: number; droppedBin: string | null } {
  const tl = stats.timeline;
  if (!tl) return { bins: [], bin_s: 0, droppedBin: null };
  const short = shortLastBin(tl.events_sent);
  const bins: CausalityBin[] = [];
  for (const c of tl.causality.filter((x) => x.node === null)) {
    c.compared.forEach((n, i) => {
      if (n === 0 || i === short?.index) return;
      bins.push({
        source: c.source,
        t_s: (tl.t_rel_ns[i]! - t0) / 1e9,
        compared: n,
        point_violations: c.point_violations[i]!,
        interval_compared: c.interval_compared?.[i] ?? 0,
        interval_violations: c.interval_violations?.[i] ?? 0,
        interval_ambiguous: c.interval_ambiguous?.[i] ?? 0,
      });
    });
  }
  const droppedBin = short
    ? `The last time bin is not drawn: the run ended inside it (${short.events} event(s) sent, against a median of ${short.median} per bin), so its shares would rest on too few pairs; its pairs are in every count.`
    : null;
  return { bins, bin_s: tl.bin_ns / 1e9, droppedBin };
}

export function causalityFromFiguresData(stats: Stats, data: FiguresData): CausalityData | null {
  const sources = comparedSources(stats);
  if (sources.length === 0) return null;
  const t0 = firstSendRel(stats);
  const c = data.causality;
  const bounded = new Map(sources.map((s) => [s.name, s.bounded]));
  const samples: CausalityMark[] = [];
  const violations: CausalityData['violations'] = {};
  for (const v of c.violations) {
    if (!bounded.has(v.source)) continue;
    // The caption's total is the one stats.json reports, so the figure never states a second count.
    const b = bounded.get(v.source)!;
    violations[v.source] = { total: pooledViolations(stats, v.source, b) ?? (b ? v.interval.counted : v.point.counted), drawn: 0 };
  }
  for (const s of c.samples) {
    const b = bounded.get(s.source);
    if (b === undefined) continue;
    const violation = b ? s.interval === 'violation' : s.point === 'violation';
    // Beyond the thinned sample only the violations the × counts (a bounded source's point violations would skew its cloud).
    if (!s.thinned && !violation) continue;
    const outcome: CausalityMark['outcome'] =
      b && s.interval !== null
        ? s.interval === 'violation'
          ? 'interval violation'
          : s.interval === 'ambiguous'
            ? 'interval ambiguous'
            : 'ok'
        : s.point === 'violation'
          ? 'point violation'
          : 'ok';
    if (violation) violations[s.source]!.drawn++;
    samples.push({
      source: s.source,
      node: s.node,
      seq: s.seq,
      t_s: (s.send_rel_ns - t0) / 1e9,
      margin_ms: s.margin_ns / 1e6,
      lo_ms: ms(s.lo_ns),
      hi_ms: ms(s.hi_ns),
      outcome,
      violation,
    });
  }
  return { sources, samples, ...timelineBins(stats, t0), stride: c.stride, violations, violationCap: c.violation_cap, fromStats: false };
}

export function syncFromFiguresData(stats: Stats, data: FiguresData): SyncData | null {
  const t0 = firstSendRel(stats);
  const bins: SyncBinRow[] = [];
  const series: SyncData['series'] = [];
  let rejectedRows = 0;
  for (const s of data.sync) {
    rejectedRows += s.rejected;
    if (s.samples === 0) continue;
    series.push({ node: s.node, source: s.source, samples: s.samples, binned: s.binned });
    for (const b of s.bins) {
      bins.push({
        node: s.node,
        source: s.source,
        t_s: (b.t_rel_ns - t0) / 1e9,
        n: b.n,
        offset_mean_ms: ms(b.offset_mean_ns),
        offset_min_ms: ms(b.offset_min_ns),
        offset_max_ms: ms(b.offset_max_ns),
        half_width_mean_ms: ms(b.half_width_mean_ns),
        half_width_max_ms: ms(b.half_width_max_ns),
      });
    }
  }
  return bins.length === 0 ? null : { bins, series, rejectedRows };
}
