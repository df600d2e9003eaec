// Summary dashboard: the headline numbers per source side by side (copied from stats.headline).
import { asSpec, type FigureDef } from './types.js';
import { baseConfig, colourScale } from './style.js';
import { headlineTruth } from '../stats/headline.js';

export const dashboard: FigureDef = {
  name: 'dashboard',
  title: 'Summary dashboard',
  howToRead:
    'Each small panel is one headline number per clock source, in percent, with its own x range (so small shares are visible; read the axis). ' +
    'Missing bars mean the number does not apply or had no data (e.g. interval metrics for point sources, coverage without ground truth) — they are never drawn as zero.',
  build({ stats }) {
    if (stats.headline.length === 0) return { skip: 'stats.json has no headline entries (no source found).' };
    const w = stats.windows_ms.includes(100) ? 100 : stats.windows_ms[0];
    const rows: { source: string; metric: string; value: number }[] = [];
    const missing: string[] = [];
    const metricNames: string[] = [];
    const truth = headlineTruth(stats);
    const add = (source: string, metric: string, share: number | null | undefined, applies: boolean): void => {
      if (!metricNames.includes(metric)) metricNames.push(metric);
      if (share === null || share === undefined) {
        if (applies) missing.push(`${metric} (${source})`);
        return;
      }
      rows.push({ source, metric, value: 100 * share });
    };
    for (const h of stats.headline) {
      add(h.source, 'causality violated (point)', h.point_violation_share, true);
      add(h.source, 'causality violated (interval)', h.interval_violation_share, h.bounded);
      add(h.source, 'send→receive proven (interval)', h.interval_proven_after_share, h.bounded);
      add(h.source, 'wrong order, worker pairs (point)', h.ordering_point_wrong_share, stats.truth.recv);
      add(h.source, 'order proven, worker pairs (interval)', h.ordering_interval_proven_share, h.bounded);
      add(h.source, 'wrong order, worker pairs (interval)', h.ordering_interval_wrong_share, h.bounded && stats.truth.recv);
      if (w !== undefined) {
        add(h.source, `${w} ms windows: points agree`, h.window_point_agree_share[String(w)], true);
        add(h.source, `${w} ms windows: confident & agree`, h.window_interval_confident_agree_share[String(w)], h.bounded);
      }
      add(h.source, `coverage of ${truth.noun} (interval)`, h.coverage_share, h.bounded && stats.truth.recv);
    }
    if (rows.length === 0) return { skip: 'every headline number is empty.' };
    const metrics = metricNames.filter((m) => rows.some((r) => r.metric === m));
    const sources = stats.headline.map((h) => h.source);
    const wait = stats.headline
      .filter((h) => h.commit_wait_p50_ns !== null)
      .map((h) => ({ source: h.source, ms: h.commit_wait_p50_ns! / 1e6 }));
    const panels: Record<string, unknown>[] = [
      {
        data: { values: rows },
        facet: {
          field: 'metric',
          type: 'nominal',
          title: null,
          sort: metrics,
          // Two lines at ': ' or ' (': a long name on one line would set the width of every column.
          header: {
            labelFontWeight: 'bold',
            labelLimit: 0,
            labelExpr: "split(replace(replace(datum.label, ': ', ':|'), ' (', '|('), '|')",
          },
        },
        columns: 3,
        spec: {
          width: 170,
          height: { step: 16 },
          layer: [
            // invisible: every panel's x range reaches at least 1 %, so all-zero panels get a readable axis
            { mark: { type: 'rule', strokeOpacity: 0 }, encoding: { x: { datum: 1, type: 'quantitative' } } },
            {
              mark: { type: 'bar', stroke: '#333333', strokeWidth: 0.4 },
              encoding: {
                y: { field: 'source', type: 'nominal', title: null, sort: sources },
                x: { field: 'value', type: 'quantitative', title: '%', scale: { zero: true } },
                color: { field: 'source', type: 'nominal', scale: colourScale(sources), legend: null },
              },
            },
            {
              mark: { type: 'text', align: 'left', dx: 3 },
              encoding: {
                y: { field: 'source', type: 'nominal', sort: sources },
                x: { field: 'value', type: 'quantitative' },
                text: { field: 'value', type: 'quantitative', format: '.3~f' },
              },
            },
          ],
        },
        resolve: { scale: { x: 'independent', y: 'independent' } },
      },
    ];
    if (wait.length > 0) {
      panels.push({
        title: { text: 'commit wait at the stamp, median (ms)' },
        width: 170,
        height: { step: 16 },
        data: { values: wait },
        layer: [
          {
            mark: { type: 'bar', stroke: '#333333', strokeWidth: 0.4 },
            encoding: {
              y: { field: 'source', type: 'nominal', title: null, sort: sources },
              x: { field: 'ms', type: 'quantitative', title: 'ms' },
              color: { field: 'source', type: 'nominal', scale: colourScale(sources), legend: null },
            },
          },
          {
            mark: { type: 'text', align: 'left', dx: 3 },
            encoding: {
              y: { field: 'source', type: 'nominal', sort: sources },
              x: { field: 'ms', type: 'quantitative' },
              text: { field: 'ms', type: 'quantitative', format: '.3~f' },
            },
          },
        ],
      });
    }
    const sent = stats.delivery.events_sent;
    const lost = stats.delivery.workers.reduce((a, x) => a + x.lost, 0);
    return {
      spec: asSpec({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: {
          text: `Summary: ${stats.run.run_id ?? 'run'}`,
          subtitle: [
            `${sent} events sent to ${stats.workers.length} worker(s); ${lost} (event, worker) deliveries lost; ground truth: ${stats.truth.recv ? 'yes' : 'no'}`,
            ...(truth.note && stats.truth.recv ? [truth.note] : []),
          ],
        },
        vconcat: panels,
        config: baseConfig(),
      }),
      notes: missing.length ? [`No data for: ${missing.join(', ')}.`] : [],
    };
  },
};
