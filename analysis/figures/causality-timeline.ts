// Causality timeline: per source, the apparent one-way latency r − s of sampled events against
// send time (× = violation), interval sources with their range of possible latencies
// [r_lo − s_hi, r_hi − s_lo] as bars, and below, the share of violations per time bin.
import { asSpec, type FigureDef } from './types.js';
import { baseConfig, colourScale, dashScale, markerStride, shapeScale } from './style.js';

export const causalityTimeline: FigureDef = {
  name: 'causality-timeline',
  title: 'Causality timeline',
  howToRead:
    'Each dot is one sampled (event, worker) pair: its apparent one-way latency r − s in that clock source, against the time the coordinator sent it. ' +
    'Below the dashed zero line the worker stamped the arrival before the send (a causality violation, marked ×). ' +
    'For interval sources the vertical bar spans every latency the two intervals allow; a bar entirely above zero proves the order. The bottom panel shows, per time bin, the share of all pairs that violated causality or were ambiguous.',
  build({ stats, causality }) {
    if (!causality)
      return {
        skip: 'no event was joined (coordinator.csv or the worker CSVs missing, or no figures-data.json and no sample in stats.json).',
      };
    if (causality.samples.length === 0) return { skip: 'no event has a value in the same source at both the coordinator and a worker.' };
    const nodes = stats.workers;
    const sources = causality.sources.map((s) => s.name);
    const colour = colourScale(nodes);
    const shape = shapeScale(nodes);
    let anySymlog = false;
    const panels = causality.sources.map((src) => {
      const values = causality.samples.filter((s) => s.source === src.name);
      const y = yScaleFor(values.map((v) => v.margin_ms));
      if (y.type === 'symlog') anySymlog = true;
      const layers: Record<string, unknown>[] = [
        { mark: { type: 'rule', strokeDash: [4, 3], color: '#555555' }, encoding: { y: { datum: 0 } } },
      ];
      if (src.bounded) {
        layers.push({
          transform: [{ filter: 'datum.lo_ms !== null && datum.hi_ms !== null' }],
          mark: { type: 'rule', strokeOpacity: 0.35, strokeWidth: 1 },
          encoding: {
            x: { field: 't_s', type: 'quantitative' },
            y: { field: 'lo_ms', type: 'quantitative', scale: y },
            y2: { field: 'hi_ms' },
            color: { field: 'node', type: 'nominal', scale: colour, title: 'worker' },
          },
        });
      }
      layers.push({
        mark: { type: 'point', filled: true, fillOpacity: 0.6, size: 16 },
        encoding: {
          x: { field: 't_s', type: 'quantitative', title: 'coordinator send time since first send (s)' },
          y: {
            field: 'margin_ms',
            type: 'quantitative',
            title: `r − s (ms${y.type === 'symlog' ? ', symlog' : ''})`,
            scale: y,
            axis:
              y.type === 'symlog'
                ? {
                    values: symlogTicks(
                      values.flatMap((v) => [v.margin_ms, v.lo_ms ?? 0, v.hi_ms ?? 0]),
                      y.constant,
                    ),
                    format: '~g',
                  }
                : {},
          },
          color: { field: 'node', type: 'nominal', scale: colour, title: 'worker' },
          shape: { field: 'node', type: 'nominal', scale: shape, title: 'worker' },
        },
      });
      layers.push({
        transform: [{ filter: 'datum.violation' }],
        mark: { type: 'point', shape: 'cross', filled: false, size: 40, stroke: '#000000', strokeWidth: 0.9 },
        encoding: {
          x: { field: 't_s', type: 'quantitative' },
          y: { field: 'margin_ms', type: 'quantitative', scale: y },
        },
      });
      const v = causality.violations[src.name]!;
      return {
        title: {
          text: `${src.name}${src.bounded ? ' (interval source)' : ''}`,
          subtitle: `${v.total ?? 'no count of'} ${src.bounded ? 'interval ' : ''}violation(s) among all pairs; ${v.drawn} drawn as ×${y.type === 'symlog' ? `; symlog y axis (linear within ±${y.constant.toPrecision(2)} ms)` : ''}`,
        },
        width: 520,
        height: 150,
        data: { values },
        layer: layers,
      };
    });
    const perSource = new Map<string, number>();
    for (const b of causality.bins) perSource.set(b.source, (perSource.get(b.source) ?? 0) + 1);
    const seen = new Map<string, number>();
    const shares = causality.bins.flatMap((b) => {
      const i = seen.get(b.source) ?? 0;
      seen.set(b.source, i + 1);
      const marker = i % markerStride(perSource.get(b.source)!) === 0;
      const row = (kind: string, share: number) => ({ source: b.source, t_s: b.t_s, kind, share, marker });
      const rows = [row('point violation', (100 * b.point_violations) / b.compared)];
      if (b.interval_compared > 0)
        rows.push(
          row('interval violation', (100 * b.interval_violations) / b.interval_compared),
          row('interval ambiguous', (100 * b.interval_ambiguous) / b.interval_compared),
        );
      return rows;
    });
    const kinds = ['point violation', 'interval violation', 'interval ambiguous'].filter((k) => shares.some((r) => r.kind === k));
    // The source panels share one worker legend; the bin panel has its own (source and outcome).
    const views: Record<string, unknown>[] = [{ vconcat: panels }];
    if (shares.length > 0)
      views.push({
        title: { text: `Share per time bin (bin = ${causality.bin_s.toPrecision(3)} s, all pairs counted)`, subtitle: '' },
        width: 520,
        height: 130,
        data: { values: shares },
        layer: [
          {
            mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.4 },
            encoding: {
              x: { field: 't_s', type: 'quantitative', title: 'coordinator send time since first send (s)' },
              y: { field: 'share', type: 'quantitative', title: 'share of pairs (%)' },
              color: { field: 'source', type: 'nominal', scale: colourScale(sources), title: 'source' },
              strokeDash: { field: 'kind', type: 'nominal', scale: dashScale(kinds), title: 'outcome' },
            },
          },
          {
            // The source in shape as well as colour (the dash is the outcome); open, small, at a bin's start,
            // spaced along the line.
            transform: [{ filter: 'datum.marker' }],
            mark: { type: 'point', filled: false, size: 12, strokeWidth: 0.8 },
            encoding: {
              x: { field: 't_s', type: 'quantitative' },
              y: { field: 'share', type: 'quantitative' },
              color: { field: 'source', type: 'nominal', scale: colourScale(sources), title: 'source' },
              shape: { field: 'source', type: 'nominal', scale: shapeScale(sources), title: 'source' },
            },
          },
        ],
      });
    const notes = [
      ...(causality.droppedBin ? [causality.droppedBin] : []),
      ...(anySymlog
        ? [
            'Panels with latency spikes use a symmetric-log y axis: linear near zero, logarithmic beyond, so spikes and sub-millisecond detail both show.',
          ]
        : []),
      causality.fromStats
        ? `Drawn from stats.json (no figures-data.json from this analysis pass): dots are the analysis' sample of every ${causality.stride}th event; the shares below are its time bins over every pair.`
        : `Dots: every ${causality.stride}th event (by seq) at each worker, plus up to ${causality.violationCap} further violations per source and kind, spread over the run (× counts interval violations for interval sources, point violations otherwise); shares below count every joined pair, from the analysis' time bins.`,
    ];
    return {
      spec: asSpec({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: { text: 'Causality: apparent one-way latency r − s per source' },
        vconcat: views,
        resolve: { scale: { color: 'independent', strokeDash: 'independent', shape: 'independent' } },
        config: baseConfig(),
      }),
      notes,
    };
  },
};

/**
 * Latency spikes (tens of ms on a busy host) would flatten the sub-millisecond structure that
 * decides causality, so a wide spread gets a symmetric-log axis (linear within ±c of zero).
 */
function yScaleFor(ms: number[]): { type: 'linear' } | { type: 'symlog'; constant: number } {
  const abs = ms
    .map(Math.abs)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (abs.length < 10) return { type: 'linear' };
  const q = (p: number): number => abs[Math.min(abs.length - 1, Math.floor(p * abs.length))]!;
  const mid = q(0.5);
  if (mid <= 0 || q(0.999) / mid < 30) return { type: 'linear' };
  return { type: 'symlog', constant: Math.max(mid / 2, 0.001) };
}

/** 0 and ± each decade, from the linear part's edge out to the data (symlog axes otherwise get crowded or sparse ticks). */
function symlogTicks(ms: number[], constant: number): number[] {
  const lo = Math.min(0, ...ms);
  const hi = Math.max(0, ...ms);
  const ticks = [0];
  for (let e = -3; e <= 5; e++) {
    for (const m of [1]) {
      const v = m * 10 ** e;
      if (v < constant) continue; // inside the linear part: would pile up on the 0 label
      if (v <= hi * 1.05) ticks.push(v);
      if (-v >= lo * 1.05) ticks.push(-v);
    }
  }
  return ticks.sort((a, b) => a - b);
}
