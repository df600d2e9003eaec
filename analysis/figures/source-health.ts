// Source health over the run: one strip per place × source, one lane per status, a bar in a lane
// wherever readings had that status (its thickness the status's share of the bin's readings).
// The lane says the status (labelled on the axis), so colour only repeats it.
import { asSpec, type FigureDef } from './types.js';
import { OKABE_ITO, OUTCOME, baseConfig } from './style.js';
import { firstSendRel } from './inputs.js';
import type { HealthSeries } from '../stats/figures-data.js';
import type { SourceHealthEntry } from '../stats/types.js';

/** Lanes top to bottom: the good status first, then the ways a source can fail. */
const STATUS_ORDER = ['ok', 'degraded', 'warming', 'stale', 'unsynced', 'error', 'absent', 'legacy', ''];
const STATUS_COLOUR: Record<string, string> = {
  ok: OUTCOME.good,
  degraded: '#E69F00',
  warming: '#56B4E9',
  stale: '#CC79A7',
  unsynced: '#000000',
  error: OUTCOME.bad,
  absent: OUTCOME.unknown,
  legacy: '#009E73',
  '': OUTCOME.unknown,
};
/** Beyond this many strips, all-ok strips are left out (the note says how many). */
const MAX_PANELS = 24;
/** Lane height and the thinnest bar, in pt: one reading in a full bin stays visible. */
const LANE_PT = 10;
const MIN_BAR_PT = 1.2;
/** Room for the lane labels ("degraded", "unsynced" at 7 pt). */
const AXIS_PT = 40;
/** Bins without readings (fewer events than bins) that a run of one status bridges. */
const BRIDGE_BINS = 2;

const label = (s: string): string => (s === '' ? '(blank)' : s);

export const sourceHealth: FigureDef = {
  name: 'source-health',
  title: 'Source health over the run',
  howToRead:
    'One strip per node and clock source, one lane per status (labelled on the left); a bar in a lane marks the time bins in which readings of recorded events had that status, thicker the larger its share of the bin. ' +
    'A source that was really measuring sits in the ok lane from early on; one that never left warming, or sat in degraded, stale or error, says so in its strip title ("NEVER OK"). Time is counted from the first event sent. Why a source was not ok (the sync log statuses and reasons) is in the Source health table.',
  build({ stats, health, figuresDataMissing }) {
    if (!health && figuresDataMissing) return { skip: `the status timeline comes from figures-data.json: ${figuresDataMissing}.` };
    if (!health || health.length === 0) return { skip: 'no readings with a local stamp in any event file.' };
    const t0 = firstSendRel(stats);
    const entries = stats.source_health ?? [];
    const entryOf = (s: HealthSeries): SourceHealthEntry | undefined =>
      entries.find((e) => e.role === s.role && e.node === s.node && e.source === s.source);
    const allOk = (s: HealthSeries) => s.bins.every((b) => Object.keys(b.counts).every((k) => k === 'ok'));
    let shown = health;
    const notes: string[] = [];
    if (health.length > MAX_PANELS) {
      const unhealthy = health.filter((s) => !allOk(s));
      shown = [...unhealthy, ...health.filter(allOk)].slice(0, MAX_PANELS);
      notes.push(`${health.length - shown.length} of ${health.length} strips not drawn (only ok readings): see the Source health table.`);
    }
    const present = new Set(shown.flatMap((s) => s.bins.flatMap((b) => Object.keys(b.counts))));
    const lanes = [...STATUS_ORDER.filter((s) => present.has(s)), ...[...present].filter((s) => !STATUS_ORDER.includes(s)).sort()];
    const rows: Record<string, unknown>[] = [];
    const panels: string[] = [];
    for (const s of shown) {
      const e = entryOf(s);
      const panel = panelTitle(s, e, t0);
      panels.push(panel);
      rows.push(...bars(s, t0, panel));
    }
    // At full width, one column per source when every place has the same sources; one column at 3.5 in (print-layout).
    const places = new Set(shown.map((x) => `${x.role}|${x.node}`)).size;
    const perPlace = new Set(shown.map((x) => x.source)).size;
    const columns = shown.length === places * perPlace && perPlace <= 3 ? perPlace : 1;
    const colours = lanes.map((l, i) => STATUS_COLOUR[l] ?? OKABE_ITO[i % OKABE_ITO.length]!);
    const binS = health[0]!.bin_ns / 1e9;
    notes.push(
      `Bins of ${binS >= 1 ? `${binS} s` : `${binS * 1e3} ms`} (the run's timeline), by each reading's local receive (or send) stamp.`,
    );
    return {
      spec: asSpec({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: { text: 'Which source was really measuring? Reading status over the run' },
        data: { values: rows },
        facet: {
          field: 'panel',
          type: 'nominal',
          sort: panels,
          title: null,
          // Lines per strip title (split at '|'): where, then how it went.
          header: {
            labelAngle: 0,
            labelOrient: 'top',
            labelAnchor: 'start',
            labelAlign: 'left',
            labelPadding: 2,
            labelBaseline: 'top',
            labelLineHeight: 9.5,
            labelExpr: "split(datum.label, '|')",
          },
        },
        columns,
        spacing: { row: 4, column: 10 },
        spec: {
          width: columns > 1 ? 150 : 420,
          // A step, not a height: lanes keep their size (and their labels) at single-column width.
          height: { step: LANE_PT },
          mark: { type: 'bar', strokeWidth: 0 },
          encoding: {
            x: { field: 't0_s', type: 'quantitative', title: 'time since first send (s)', scale: { nice: false, zero: false } },
            x2: { field: 't1_s' },
            y: {
              field: 'status',
              type: 'nominal',
              title: null,
              sort: lanes.map(label),
              // One label width for every strip, so that the plots line up across columns.
              axis: { labelOverlap: false, grid: false, tickSize: 2, minExtent: AXIS_PT, maxExtent: AXIS_PT },
            },
            size: { field: 'share', type: 'quantitative', scale: { domain: [0, 1], range: [MIN_BAR_PT, LANE_PT - 2] }, legend: null },
            color: { field: 'status', type: 'nominal', scale: { domain: lanes.map(label), range: colours }, legend: null },
          },
        },
        // Each strip lists only the statuses it had: an all-ok strip is one lane high.
        resolve: { scale: { y: 'independent' } },
        config: baseConfig(),
      }),
      notes,
    };
  },
};

/**
 * "w3 · ntp|NEVER OK|0 % available" or "w1 · bounded|ok from +0.2 s|99.7 % available": three short
 * lines, so that three strips side by side fit the page (one long second line set the figure's width).
 */
function panelTitle(s: HealthSeries, e: SourceHealthEntry | undefined, t0: number): string {
  const where = `${s.node} · ${s.source}`;
  const r = e?.readings;
  if (!r) return where;
  const share = r.availability.share;
  const avail = share === null ? '' : `|${share === 0 || share === 1 ? 100 * share : (100 * share).toFixed(1)} % available`;
  if (r.first_ok_rel_ns === null) return `${where}|NEVER OK${avail}`;
  return `${where}|ok from ${fmtS((r.first_ok_rel_ns - t0) / 1e9)}${avail}`;
}

export function fmtS(s: number): string {
  // The sign of what is printed: a first ok 20 ms before the axis origin is "+0.0 s", not "−0.0 s".
  const t = Math.abs(s).toFixed(1);
  return `${s < 0 && Number(t) !== 0 ? '−' : '+'}${t} s`;
}

/**
 * One bar per (bin, status); runs of bins wholly of one status are one bar, bridging up to
 * BRIDGE_BINS empty bins (a slow event rate leaves bins without readings, not without a status).
 */
function bars(s: HealthSeries, t0: number, panel: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const binS = s.bin_ns / 1e9;
  const bar = (status: string, from: number, to: number, share: number) => {
    out.push({ panel, status: label(status), t0_s: from, t1_s: to, share });
  };
  const runs: { status: string; from: number; to: number }[] = [];
  const flush = () => {
    for (const r of runs.splice(0)) bar(r.status, r.from, r.to, 1);
  };
  for (const b of s.bins) {
    const from = (b.t_rel_ns - t0) / 1e9;
    const to = from + binS;
    const kinds = Object.entries(b.counts);
    const total = kinds.reduce((a, [, n]) => a + n, 0);
    if (kinds.length === 1) {
      const status = kinds[0]![0];
      const r = runs[0];
      if (r && r.status === status && from - r.to < binS * (BRIDGE_BINS + 1e-6)) r.to = to;
      else {
        flush();
        runs.push({ status, from, to });
      }
      continue;
    }
    flush();
    for (const [status, n] of kinds) bar(status, from, to, n / total);
  }
  flush();
  return out;
}
