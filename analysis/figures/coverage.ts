// Bound quality where ground truth exists: coverage of true time by each interval source, and a
// calibration curve (coverage when the interval is scaled about its point).
import { asSpec, type FigureDef } from './types.js';
import { baseConfig, colourScale, dashScale, shapeScale } from './style.js';
import { truthLabel } from '../metrics/frames.js';

export const coverage: FigureDef = {
  name: 'coverage',
  title: 'Coverage and calibration',
  howToRead:
    'Left: for each interval source and place, the share of readings whose interval contained true time (for channel, which bounds the coordinator’s clock: that clock at the true arrival instant; the first number to check: an honest bound is near 100 %), with the count of misses. ' +
    'Right: the same share if every interval were scaled by a factor about its point; a curve that only reaches high coverage far right of 1 means the source claims too little uncertainty.',
  build({ stats }) {
    if (!stats.truth.recv) return { skip: 'no ground truth (true_recv_ns) in this run: coverage cannot be measured.' };
    const bq = stats.bound_quality.filter((b) => b.coverage && b.coverage.share !== null);
    if (bq.length === 0) return { skip: 'no interval source has readings with ground truth.' };
    const cov = bq.map((b) => ({
      source: b.source,
      place: b.role === 'coordinator' ? 'coordinator' : (b.node ?? 'all workers'),
      share: 100 * b.coverage!.share!,
      base: 0,
      misses: b.coverage!.total - b.coverage!.count,
      total: b.coverage!.total,
    }));
    const multi = new Set(bq.map((b) => b.source)).size > 1;
    const labelled = cov.map((c) => ({
      ...c,
      // Two lines (split at '|' by the axis): one long line would set the figure's width.
      row: `${multi ? `${c.source} · ` : ''}${c.place}|${c.share.toFixed(2)} %, ${c.misses} miss${c.misses === 1 ? '' : 'es'} of ${c.total}`,
    }));
    const cal = bq
      .filter((b) => b.calibration && (b.node === null || b.role === 'coordinator'))
      .flatMap((b) =>
        b
          .calibration!.filter((p) => p.coverage.share !== null)
          .map((p) => ({
            series: `${b.source} @ ${b.role === 'coordinator' ? 'coordinator' : 'all workers'}`,
            scale: p.scale,
            share: 100 * p.coverage.share!,
          })),
      );
    const sources = [...new Set(cov.map((c) => c.source))];
    const truth = truthLabel(sources);
    const minShare = Math.min(...cov.map((c) => c.share));
    const lo = Math.max(0, Math.floor(minShare / 5) * 5 - 5);
    for (const c of labelled) c.base = lo;
    const axisNote = lo > 0 ? `x axis starts at ${lo} %` : '';
    const panels: Record<string, unknown>[] = [
      {
        title: { text: `Coverage of ${truth.noun}`, subtitle: truth.note ? [truth.note, axisNote].filter(Boolean) : axisNote },
        width: 200,
        height: { step: 24 },
        data: { values: labelled },
        layer: [
          {
            mark: { type: 'rule', color: '#aaaaaa' },
            encoding: {
              y: { field: 'row', type: 'nominal', title: null, sort: null },
              x: { field: 'base', type: 'quantitative', scale: { domain: [lo, 100] } },
              x2: { field: 'share' },
            },
          },
          {
            mark: { type: 'point', filled: true, size: 60 },
            encoding: {
              y: { field: 'row', type: 'nominal', title: null, sort: null, axis: { labelExpr: "split(datum.label, '|')" } },
              x: { field: 'share', type: 'quantitative', title: 'readings covered (%)', scale: { domain: [lo, 100] } },
              color: { field: 'source', type: 'nominal', scale: colourScale(sources), title: 'source' },
              shape: { field: 'source', type: 'nominal', scale: shapeScale(sources), title: 'source' },
            },
          },
        ],
      },
    ];
    if (cal.length > 0) {
      const series = [...new Set(cal.map((c) => c.series))];
      panels.push({
        title: { text: 'Calibration: coverage vs interval scale' },
        width: 230,
        height: 160,
        data: { values: cal },
        layer: [
          { mark: { type: 'rule', strokeDash: [3, 3], color: '#777777' }, encoding: { x: { datum: 1 } } },
          {
            mark: { type: 'line', point: { filled: true, size: 30 } },
            encoding: {
              x: { field: 'scale', type: 'quantitative', title: 'interval scale (1 = as reported)', scale: { zero: false } },
              y: { field: 'share', type: 'quantitative', title: 'readings covered (%)', scale: { zero: false } },
              color: { field: 'series', type: 'nominal', scale: colourScale(series), title: 'source @ place' },
              strokeDash: { field: 'series', type: 'nominal', scale: dashScale(series), title: 'source @ place' },
            },
          },
        ],
      });
    }
    return {
      spec: asSpec({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: { text: `Do the intervals contain ${truth.noun}?` },
        hconcat: panels,
        resolve: { scale: { color: 'independent', shape: 'independent', strokeDash: 'independent' } },
        config: baseConfig(),
      }),
      notes: [],
    };
  },
};
