// Offset and half-width over time, per worker and source, from the sync logs (binned).
import { asSpec, type FigureDef } from './types.js';
import { baseConfig, colourScale, dashScale } from './style.js';

export const clockOffsets: FigureDef = {
  name: 'clock-offsets',
  title: 'Offset and half-width over time',
  howToRead:
    "One row per clock source, from the sync log (one row per sample). Left: the estimated offset of true time from the node's local clock (line = bin mean, band = bin min to max); a step or slope is the local clock stepping or drifting. " +
    'Right, for interval sources: the half-width the source claimed. Time is counted from the first event sent; negative times are warm-up.',
  build({ stats, sync, figuresDataMissing }) {
    if (!sync && figuresDataMissing) return { skip: `the binned sync log comes from figures-data.json: ${figuresDataMissing}.` };
    if (!sync) return { skip: 'no sync/*.csv files (or none with an accepted offset or half-width) in the run directory.' };
    const order = stats.sources.map((s) => s.name);
    const rank = (s: string): number => (order.includes(s) ? order.indexOf(s) : order.length);
    const sources = [...new Set(sync.bins.map((b) => b.source))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const nodes = [...new Set(sync.bins.map((b) => b.node))];
    const colour = colourScale(nodes);
    const x = { field: 't_s', type: 'quantitative', title: 'time since first send (s)', scale: { nice: false } };
    const rows = sources.map((src) => {
      const values = sync.bins.filter((b) => b.source === src);
      const off = {
        title: { text: `${src}: offset` },
        width: 300,
        height: 120,
        data: { values },
        transform: [{ filter: 'datum.offset_mean_ms !== null' }],
        layer: [
          {
            mark: { type: 'area', fillOpacity: 0.18 },
            encoding: {
              x,
              y: { field: 'offset_min_ms', type: 'quantitative', title: 'offset (ms)' },
              y2: { field: 'offset_max_ms' },
              color: { field: 'node', type: 'nominal', scale: colour, title: 'node' },
            },
          },
          {
            mark: { type: 'line', strokeWidth: 1.3 },
            encoding: {
              x,
              y: { field: 'offset_mean_ms', type: 'quantitative' },
              color: { field: 'node', type: 'nominal', scale: colour, title: 'node', legend: { symbolType: 'stroke' } },
              strokeDash: { field: 'node', type: 'nominal', scale: dashScale(nodes), title: 'node' },
            },
          },
        ],
      };
      const hasHw = values.some((b) => b.half_width_mean_ms !== null);
      if (!hasHw) return { hconcat: [off] };
      const hw = {
        title: { text: `${src}: half-width` },
        width: 220,
        height: 120,
        data: { values },
        transform: [{ filter: 'datum.half_width_mean_ms !== null' }],
        layer: [
          {
            mark: { type: 'line', strokeWidth: 1.3 },
            encoding: {
              x,
              y: { field: 'half_width_mean_ms', type: 'quantitative', title: 'half-width (ms)' },
              color: { field: 'node', type: 'nominal', scale: colour, title: 'node' },
              strokeDash: { field: 'node', type: 'nominal', scale: dashScale(nodes), title: 'node' },
            },
          },
        ],
      };
      return { hconcat: [off, hw] };
    });
    const binned = sync.series.filter((s) => s.binned).length;
    return {
      spec: asSpec({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: { text: 'Clock offset and claimed half-width over time (sync log)' },
        vconcat: rows,
        config: baseConfig(),
      }),
      notes: [
        ...(sync.rejectedRows > 0 ? [`${sync.rejectedRows} sample(s) the source itself rejected (accepted = 0) are not drawn.`] : []),
        binned > 0
          ? `${binned} of ${sync.series.length} series binned (mean and min–max per bin, at most 150 bins per series).`
          : 'Every sample drawn (no binning needed).',
      ],
    };
  },
};
