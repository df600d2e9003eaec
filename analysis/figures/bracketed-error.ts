// Bracketed error over time per worker and source (docs/metrics.md §Echo brackets): each reading
// minus the midpoint of its echo bracket, binned over time (figures-data.json `brackets`), with the
// interval sources' provable misses per bin. Needs no truth: it is the real-run counterpart of the
// point-error figures.
import { asSpec, type FigureDef } from './types.js';
import { baseConfig, colourScale, dashScale, markerStride } from './style.js';

export const bracketedError: FigureDef = {
  name: 'bracketed-error',
  title: 'Bracketed error over time (no reference hardware)',
  howToRead:
    "One row per clock source. Left: each worker's reading minus the midpoint of its echo bracket (the range the true receive instant must lie in, " +
    "in the reference frame named in the title), per time bin: line = median, band = min to max; a reading's own uncertainty is ± half the bracket. " +
    'Right, for interval sources: readings whose interval is disjoint from the bracket — provable misses, counted without any truth. Time is counted from the first event sent.',
  build({ stats, brackets, figuresDataMissing }) {
    if (!stats.bracketed)
      return { skip: 'no echo brackets in stats.json (the run has no echo/ files, or was analysed before they existed).' };
    if (!brackets && figuresDataMissing) return { skip: `the binned bracketed error comes from figures-data.json: ${figuresDataMissing}.` };
    if (!brackets || brackets.length === 0) return { skip: 'no reading with a bracket and a point value.' };
    const t0 = stats.run.first_send_ns_abs === null ? 0 : Number(BigInt(stats.run.first_send_ns_abs) - BigInt(stats.run.anchor_ns_abs));
    const order = stats.sources.map((s) => s.name);
    const sources = [...new Set(brackets.map((b) => b.source))].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    const nodes = [...new Set(brackets.map((b) => b.node))];
    const colour = colourScale(nodes);
    const rowsOf = (src: string) =>
      brackets
        .filter((b) => b.source === src)
        .flatMap((b) =>
          b.bins.map((x) => ({
            node: b.node,
            t_s: (x.t_rel_ns + b.bin_ns / 2 - t0) / 1e9,
            n: x.n,
            min_ms: x.mid_min_ns === null ? null : x.mid_min_ns / 1e6,
            p50_ms: x.mid_p50_ns === null ? null : x.mid_p50_ns / 1e6,
            max_ms: x.mid_max_ns === null ? null : x.mid_max_ns / 1e6,
            misses: x.provable_misses,
          })),
        );
    const x = { field: 't_s', type: 'quantitative', title: 'time since first send (s)', scale: { nice: false } };
    // A marker per bin while bins are few; past that they would merge into a band over the dashes
    // that tell the workers apart.
    const line = {
      type: 'line',
      strokeWidth: 1.3,
      point: markerStride(Math.max(...brackets.map((b) => b.bins.length))) === 1 ? { size: 12 } : false,
    };
    const rows = sources.map((src) => {
      const values = rowsOf(src);
      const err = {
        title: { text: `${src}: reading − bracket midpoint` },
        width: 320,
        height: 130,
        data: { values },
        transform: [{ filter: 'datum.p50_ms !== null' }],
        layer: [
          {
            mark: { type: 'area', fillOpacity: 0.18 },
            encoding: {
              x,
              y: { field: 'min_ms', type: 'quantitative', title: 'bracketed error (ms)' },
              y2: { field: 'max_ms' },
              color: { field: 'node', type: 'nominal', scale: colour, title: 'worker' },
            },
          },
          {
            mark: line,
            encoding: {
              x,
              y: { field: 'p50_ms', type: 'quantitative' },
              color: { field: 'node', type: 'nominal', scale: colour, title: 'worker', legend: { symbolType: 'stroke' } },
              strokeDash: { field: 'node', type: 'nominal', scale: dashScale(nodes), title: 'worker' },
            },
          },
        ],
      };
      const bounded = brackets.some((b) => b.source === src && b.bounded);
      if (!bounded) return { hconcat: [err] };
      const miss = {
        title: { text: `${src}: provable misses per bin` },
        width: 200,
        height: 130,
        data: { values },
        transform: [{ filter: 'datum.misses !== null' }],
        mark: line,
        encoding: {
          x,
          y: {
            field: 'misses',
            type: 'quantitative',
            title: 'provable misses',
            axis: { format: 'd', tickMinStep: 1 },
            scale: { domainMin: 0 },
          },
          color: { field: 'node', type: 'nominal', scale: colour, title: 'worker' },
          strokeDash: { field: 'node', type: 'nominal', scale: dashScale(nodes), title: 'worker' },
        },
      };
      return { hconcat: [err, miss] };
    });
    const b = stats.bracketed;
    const misses = Object.entries(b.pooled)
      .filter(([, e]) => e.interval)
      .map(([s, e]) => `${s}: ${e.interval!.provable_miss.count} provable misses of ${e.interval!.judged} intervals`);
    return {
      spec: asSpec({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: { text: `Bracketed error over time (reference: ${b.reference})` },
        vconcat: rows,
        config: baseConfig(),
      }),
      notes: [
        `Bins of ${(brackets[0]!.bin_ns / 1e6).toPrecision(3)} ms (stats.json timeline).`,
        ...(misses.length > 0 ? [`Pooled: ${misses.join('; ')}.`] : []),
      ],
    };
  },
};
