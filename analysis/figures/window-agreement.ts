// Window agreement: for each window size and source, how often workers put an event in the same
// window (point clocks) and how often interval clocks are confident and agree, ambiguous, or in conflict.
import { asSpec, type FigureDef } from './types.js';
import { baseConfig, colourScale, dashScale, pct, shapeScale } from './style.js';

const METRICS = [
  { key: 'point: workers agree', y: 'share of events (%)', full: true },
  { key: 'interval: confident and agree', y: 'share of events (%)', full: true },
  { key: 'interval: ambiguous (coordination needed)', y: 'share of events (%)', full: false },
  { key: 'interval: confident but conflicting', y: 'share of events (%)', full: false },
];

export const windowAgreement: FigureDef = {
  name: 'window-agreement',
  title: 'Window agreement',
  howToRead:
    'For each tumbling-window size (x) and clock source (colour, shape, dash): the share of events received by at least two workers that they put in one window. ' +
    'Point clocks (first panel) silently disagree near window boundaries; interval clocks instead say "ambiguous" (third panel). A non-zero "confident but conflicting" share means a bound failed or arrivals really straddled a boundary.',
  build({ stats }) {
    const rows: { source: string; window: string; metric: string; share: number; events: number }[] = [];
    for (const w of stats.windows) {
      const add = (metric: string, share: number | null, events: number): void => {
        const p = pct(share);
        if (p !== null) rows.push({ source: w.source, window: `${w.window_ms}`, metric, share: p, events });
      };
      add(METRICS[0]!.key, w.point.agree.share, w.point.events);
      if (w.interval) {
        add(METRICS[1]!.key, w.interval.confident_agree.share, w.interval.events);
        add(METRICS[2]!.key, w.interval.ambiguous.share, w.interval.events);
        add(METRICS[3]!.key, w.interval.confident_conflict.share, w.interval.events);
      }
    }
    if (rows.length === 0)
      return {
        skip:
          stats.workers.length < 2
            ? 'window agreement needs at least two workers.'
            : 'no window statistic has data (no event with values at two workers).',
      };
    const sources = stats.sources.map((s) => s.name).filter((s) => rows.some((r) => r.source === s));
    const windows = [...stats.windows_ms].sort((a, b) => a - b).map(String);
    const x = { field: 'window', type: 'ordinal', sort: windows, title: 'window size (ms)', axis: { labelAngle: 0 } };
    const panels = METRICS.filter((m) => rows.some((r) => r.metric === m.key)).map((m) => ({
      title: { text: m.key },
      width: 230,
      height: 140,
      data: { values: rows.filter((r) => r.metric === m.key) },
      layer: [
        // invisible rule: a panel whose values are all 0 still gets a 0–1 % axis
        { mark: { type: 'rule', strokeOpacity: 0 }, encoding: { y: { datum: m.full ? 100 : 1, type: 'quantitative' } } },
        {
          mark: { type: 'line' },
          encoding: {
            x,
            y: { field: 'share', type: 'quantitative', title: m.y, scale: { zero: true } },
            color: { field: 'source', type: 'nominal', scale: colourScale(sources), title: 'source' },
            strokeDash: { field: 'source', type: 'nominal', scale: dashScale(sources), title: 'source' },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 40 },
          encoding: {
            x,
            y: { field: 'share', type: 'quantitative' },
            color: { field: 'source', type: 'nominal', scale: colourScale(sources), title: 'source' },
            shape: { field: 'source', type: 'nominal', scale: shapeScale(sources), title: 'source' },
          },
        },
      ],
    }));
    const grid: Record<string, unknown>[] = [];
    for (let i = 0; i < panels.length; i += 2) grid.push({ hconcat: panels.slice(i, i + 2) });
    return {
      spec: asSpec({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: { text: 'Do workers agree on the window of an event?' },
        vconcat: grid,
        config: baseConfig(),
      }),
      notes: [],
    };
  },
};
