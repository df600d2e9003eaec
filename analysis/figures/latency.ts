// One-way latency distribution per worker, from the histograms in stats.json (true latency when
// the run has ground truth, otherwise the local-clock difference, labelled as such).
import { asSpec, type FigureDef } from './types.js';
import { baseConfig, colourScale, dashScale } from './style.js';

export const latency: FigureDef = {
  name: 'latency',
  title: 'Latency distribution',
  howToRead:
    'For each worker, the share of its received events per latency bin (step lines; the range is the 1st to 99th percentile, values outside are counted in the subtitle). ' +
    'Without ground truth the latency is the difference of two local clocks and so includes their offset.',
  build({ stats }) {
    const truth = stats.delivery.workers.some((w) => w.latency_true?.histogram);
    const pick = (w: (typeof stats.delivery.workers)[number]) => (truth ? w.latency_true : w.latency_local);
    const rows: { node: string; x_ms: number; share: number }[] = [];
    const outside: string[] = [];
    const medians: { node: string; p50_ms: number }[] = [];
    for (const w of stats.delivery.workers) {
      const d = pick(w);
      if (!d?.histogram || d.n === 0) continue;
      const h = d.histogram;
      h.counts.forEach((c, i) => rows.push({ node: w.node, x_ms: h.edges[i]! / 1e6, share: (100 * c) / d.n }));
      rows.push({ node: w.node, x_ms: h.edges[h.edges.length - 1]! / 1e6, share: 0 });
      if (h.below + h.above > 0) outside.push(`${w.node}: ${h.below} below, ${h.above} above`);
      if (d.p50 !== null) medians.push({ node: w.node, p50_ms: d.p50 / 1e6 });
    }
    if (rows.length === 0) return { skip: 'no worker has a latency distribution (no received events, or neither truth nor local stamps).' };
    const nodes = [...new Set(rows.map((r) => r.node))];
    return {
      spec: asSpec({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: {
          text: truth ? 'One-way latency (true receive − true send)' : 'Apparent latency (local receive − local send)',
          subtitle: outside.length ? `outside the drawn range: ${outside.join('; ')}` : 'every event inside the drawn range',
        },
        width: 480,
        height: 200,
        layer: [
          {
            data: { values: rows },
            mark: { type: 'line', interpolate: 'step-after' },
            encoding: {
              x: {
                field: 'x_ms',
                type: 'quantitative',
                scale: { zero: false, nice: false },
                title: truth ? 'latency (ms)' : 'local receive − local send (ms)',
              },
              y: { field: 'share', type: 'quantitative', title: 'events per bin (%)' },
              color: { field: 'node', type: 'nominal', scale: colourScale(nodes), title: 'worker' },
              strokeDash: { field: 'node', type: 'nominal', scale: dashScale(nodes), title: 'worker' },
            },
          },
          {
            data: { values: medians },
            // Each worker's median in its own colour and dash, like its line (thinner, so it reads as a marker).
            mark: { type: 'rule', strokeWidth: 0.8 },
            encoding: {
              x: { field: 'p50_ms', type: 'quantitative' },
              color: { field: 'node', type: 'nominal', scale: colourScale(nodes), title: 'worker' },
              strokeDash: { field: 'node', type: 'nominal', scale: dashScale(nodes), title: 'worker' },
            },
          },
        ],
        config: baseConfig(),
      }),
      notes: ["Thin dotted vertical lines: each worker's median."],
    };
  },
};
