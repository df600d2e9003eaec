// Commit-wait decay: how re-estimating a past event's interval after a delay shrinks both the
// ambiguous share of window assignments and the half-width (the TrueTime commit wait / 2).
import type { Distribution } from '../stats/types.js';
import { asSpec, type FigureDef } from './types.js';
import { baseConfig, colourScale, dashScale, shapeScale } from './style.js';

export const commitWaitDecay: FigureDef = {
  name: 'commit-wait-decay',
  title: 'Commit-wait decay',
  howToRead:
    'x is how long after an event its interval was re-estimated (0 = as stamped). Left: the share of events whose window is still ambiguous at each window size. ' +
    'Right: the median half-width of the interval (half the TrueTime commit wait) with a band from the 5th to the 95th percentile. Falling lines mean waiting buys certainty.',
  build({ stats }) {
    if (stats.reestimation_delays_s.length === 0) return { skip: 'the run has no re-estimation (commit_wait/*.csv absent or empty).' };
    const amb: { source: string; window: string; delay_s: number; share: number }[] = [];
    for (const c of stats.coordination) {
      if (!c.interval_coordination || c.interval_coordination.share === null) continue;
      amb.push({ source: c.source, window: `${c.window_ms} ms`, delay_s: 0, share: 100 * c.interval_coordination.share });
      for (const r of c.reestimated) {
        if (r.interval_coordination.share !== null)
          amb.push({ source: c.source, window: `${c.window_ms} ms`, delay_s: r.delay_s, share: 100 * r.interval_coordination.share });
      }
    }
    const hw: { source: string; delay_s: number; p50: number; p05: number; p95: number }[] = [];
    const push = (source: string, delay: number, d: Distribution, halve: boolean): void => {
      if (d.p50 === null || d.p05 === null || d.p95 === null) return;
      const k = halve ? 2e6 : 1e6;
      hw.push({ source, delay_s: delay, p50: d.p50 / k, p05: d.p05 / k, p95: d.p95 / k });
    };
    for (const e of stats.commit_wait.filter((x) => x.node === null)) {
      push(e.source, 0, e.wait, true);
      for (const r of e.reestimated) push(e.source, r.delay_s, r.width, true);
    }
    if (amb.length === 0 && hw.length === 0) return { skip: 'no interval source has re-estimated intervals.' };
    const sources = [...new Set([...amb.map((a) => a.source), ...hw.map((h) => h.source)])];
    // One series per window size (and source, when several): colour, shape and dash all differ, and
    // open markers keep coinciding series visible.
    const multiSource = new Set(amb.map((a) => a.source)).size > 1;
    const ambRows = amb.map((a) => ({ ...a, series: multiSource ? `${a.source}, ${a.window}` : a.window }));
    const series = [...new Set(ambRows.map((a) => a.series))];
    const seriesTitle = multiSource ? 'source, window' : 'window';
    const panels: Record<string, unknown>[] = [];
    const x = {
      field: 'delay_s',
      type: 'quantitative',
      title: 're-estimation delay (s)',
      axis: { values: [0, ...stats.reestimation_delays_s] },
    };
    const enc = (scale: (d: string[]) => unknown, d: string[], field: string, title: string) => ({
      field,
      type: 'nominal',
      sort: d,
      scale: scale(d),
      title,
    });
    if (amb.length > 0) {
      panels.push({
        title: { text: 'Ambiguous window assignments' },
        width: 250,
        height: 180,
        data: { values: ambRows },
        layer: [
          // invisible: an all-zero panel still gets a 0–1 % axis, not one tick
          { mark: { type: 'rule', strokeOpacity: 0 }, encoding: { y: { datum: 1, type: 'quantitative' } } },
          {
            mark: { type: 'line' },
            encoding: {
              x,
              y: { field: 'share', type: 'quantitative', title: 'events ambiguous (%)', axis: { format: '~g' } },
              color: enc(colourScale, series, 'series', seriesTitle),
              strokeDash: enc(dashScale, series, 'series', seriesTitle),
            },
          },
          {
            // Markers drawn apart from the lines, so their outlines are solid whatever the line's dash.
            mark: { type: 'point', filled: false, size: 36, strokeWidth: 1.1 },
            encoding: {
              x,
              y: { field: 'share', type: 'quantitative' },
              color: enc(colourScale, series, 'series', seriesTitle),
              shape: enc(shapeScale, series, 'series', seriesTitle),
            },
          },
        ],
      });
    }
    // An all-zero band would leave a one-tick axis; its labels use as many digits as the values need.
    const hwMax = Math.max(0, ...hw.map((h) => h.p95));
    if (hw.length > 0) {
      panels.push({
        title: { text: 'Interval half-width (median, 5–95 % band)' },
        width: 250,
        height: 180,
        data: { values: hw },
        layer: [
          {
            mark: { type: 'area', fillOpacity: 0.18 },
            encoding: {
              x,
              y: {
                field: 'p05',
                type: 'quantitative',
                title: 'half-width (ms)',
                axis: { format: '~g' },
                scale: { zero: true, ...(hwMax > 0 ? {} : { domainMax: 0.001 }) },
              },
              y2: { field: 'p95' },
              color: { field: 'source', type: 'nominal', scale: colourScale(sources), title: 'source' },
            },
          },
          {
            mark: { type: 'line' },
            encoding: {
              x,
              y: { field: 'p50', type: 'quantitative' },
              color: { field: 'source', type: 'nominal', scale: colourScale(sources), title: 'source' },
              strokeDash: { field: 'source', type: 'nominal', scale: dashScale(sources), title: 'source' },
            },
          },
          {
            mark: { type: 'point', filled: false, size: 36, strokeWidth: 1.1 },
            encoding: {
              x,
              y: { field: 'p50', type: 'quantitative' },
              color: { field: 'source', type: 'nominal', scale: colourScale(sources) },
              shape: { field: 'source', type: 'nominal', scale: shapeScale(sources), title: 'source' },
            },
          },
        ],
      });
    }
    return {
      spec: asSpec({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: { text: 'What waiting for re-estimation buys' },
        hconcat: panels,
        // Each panel keeps its own colours and its own legend: the right one's colours are sources.
        resolve: {
          scale: { color: 'independent', strokeDash: 'independent', shape: 'independent' },
          legend: { color: 'independent', strokeDash: 'independent', shape: 'independent' },
        },
        config: baseConfig(),
      }),
      notes: [],
    };
  },
};
