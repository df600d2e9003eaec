// Window agreement: for each window size and source, how often workers put an event in the same
// window (point clocks) and how often interval clocks are confident and agree, ambiguous, or in conflict.
import { asSpec, type FigureDef } from './types.js';
import { baseConfig, colourScale, pct, shapeScale } from './style.js';

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
    'For each tumbling-window size (x, categories) and clock source (colour and shape, side by side): the share of events received by at least two workers that they put in one window. ' +
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
    // Window sizes are categories (50, 100, 500, 1000 ms are not evenly spaced, and no trend runs
    // between them): one column each, the sources side by side in it, points without joining lines.
    const x = { field: 'window', type: 'ordinal', sort: windows, title: 'window size (ms)', axis: { labelAngle: 0 } };
    const series = { field: 'source', type: 'nominal', sort: sources, title: 'source' };
    const panels = METRICS.filter((m) => rows.some((r) => r.metric === m.key)).map((m) => ({
      title: { text: m.key },
      width: 230,
      height: 140,
      data: { values: rows.filter((r) => r.metric === m.key) },
      layer: [
        // invisible rule: a panel whose values are all 0 still gets a 0–1 % axis
        { mark: { type: 'rule', strokeOpacity: 0 }, encoding: { y: { datum: m.full ? 100 : 1, type: 'quantitative' } } },
        {
          mark: { type: 'point', filled: true, size: 40 },
          encoding: {
            x,
            xOffset: series,
            y: { field: 'share', type: 'quantitative', title: m.y, scale: { zero: true } },
            color: { ...series, scale: colourScale(sources) },
            shape: { ...series, scale: shapeScale(sources) },
          },
        },
      ],
    }));
    return {
      spec: asSpec({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: { text: 'Do workers agree on the window of an event?' },
        // A grid (not rows of pairs) aligns every panel's plot area whatever its axis labels.
        concat: panels,
        columns: 2,
        config: baseConfig(),
      }),
      notes: [],
    };
  },
};
