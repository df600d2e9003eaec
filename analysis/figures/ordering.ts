// Ordering between worker pairs: for each source and pair, the share of events whose order the
// source got right, got wrong (false confidence), or could not decide — counted in stats.json.
import type { OrderingEntry } from '../stats/types.js';
import { asSpec, type FigureDef } from './types.js';
import { OUTCOME, baseConfig } from './style.js';

const MAX_PAIRS = 8;
const CATS = ['correct order', 'wrong order', 'ambiguous / tie', 'ordered, truth unknown'] as const;
const COLOURS = [OUTCOME.good, OUTCOME.bad, OUTCOME.unsure, OUTCOME.unknown];

interface Row {
  source: string;
  row: string;
  category: string;
  share: number;
  count: number;
  compared: number;
  order: number;
}

function rowsOf(e: OrderingEntry): Row[] {
  const pair = e.pair ? `${e.pair[0]} vs ${e.pair[1]}` : 'all pairs';
  const out: Row[] = [];
  const push = (row: string, category: (typeof CATS)[number], count: number, compared: number): void => {
    if (compared > 0)
      out.push({ source: e.source, row, category, share: (100 * count) / compared, count, compared, order: CATS.indexOf(category) });
  };
  if (e.point_vs_truth) {
    const t = e.point_vs_truth;
    push(`point · ${pair}`, 'correct order', t.correct.count, t.compared);
    push(`point · ${pair}`, 'wrong order', t.wrong.count, t.compared);
    push(`point · ${pair}`, 'ambiguous / tie', t.tie.count, t.compared);
  } else if (e.point.compared > 0) {
    push(`point · ${pair}`, 'ordered, truth unknown', e.point.a_first + e.point.b_first, e.point.compared);
    push(`point · ${pair}`, 'ambiguous / tie', e.point.ties, e.point.compared);
  }
  if (e.interval_vs_truth) {
    const t = e.interval_vs_truth;
    push(`interval · ${pair}`, 'correct order', t.correct.count, t.compared);
    push(`interval · ${pair}`, 'wrong order', t.wrong.count, t.compared);
    push(`interval · ${pair}`, 'ambiguous / tie', t.ambiguous.count, t.compared);
  } else if (e.interval) {
    push(`interval · ${pair}`, 'ordered, truth unknown', e.interval.proven.count, e.interval.compared);
    push(`interval · ${pair}`, 'ambiguous / tie', e.interval.ambiguous.count, e.interval.compared);
  }
  return out;
}

export const ordering: FigureDef = {
  name: 'ordering',
  title: 'Ordering between workers',
  howToRead:
    'Each bar is one source and worker pair: the share of events both workers received, split into the order the timestamps prove correctly (dark blue), wrongly (orange-red, false confidence), or cannot decide (yellow: overlapping intervals or equal points). ' +
    'Point clocks always give an order, so their risk shows as wrong orders; interval clocks trade wrong orders for ambiguous ones.',
  build({ stats }) {
    if (stats.workers.length < 2) return { skip: 'ordering needs at least two workers.' };
    // Many workers make many pairs: keep every pooled row and, per source, the pairs with the
    // most wrong (then ambiguous) orders, so the figure stays readable; all pairs are in stats.json.
    const notes: string[] = [];
    const kept = stats.ordering.filter((e) => e.pair === null);
    for (const src of new Set(stats.ordering.map((e) => e.source))) {
      const pairs = stats.ordering.filter((e) => e.source === src && e.pair !== null);
      const risk = (e: OrderingEntry): number =>
        (e.point_vs_truth?.wrong.share ?? 0) + (e.interval_vs_truth?.wrong.share ?? 0) + 1e-3 * (e.interval?.ambiguous.share ?? 0);
      const top = pairs.length > MAX_PAIRS ? [...pairs].sort((a, b) => risk(b) - risk(a)).slice(0, MAX_PAIRS) : pairs;
      if (top.length < pairs.length)
        notes.push(
          `${src}: ${pairs.length - top.length} of ${pairs.length} pairs not drawn (the ${top.length} with the most wrong orders are).`,
        );
      kept.push(...top);
    }
    const rows = kept.flatMap(rowsOf);
    if (rows.length === 0) return { skip: 'no event was received by two workers with values in the same source.' };
    const labels = [...new Set(rows.map((r) => r.row))];
    const used = CATS.filter((c) => rows.some((r) => r.category === c));
    const sourceOrder = stats.sources.map((s) => s.name);
    return {
      spec: asSpec({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: {
          text: 'Ordering of the same event at two workers',
          subtitle: stats.truth.recv ? 'judged against true receive times' : 'no ground truth: only proven vs ambiguous can be shown',
        },
        data: { values: rows },
        facet: {
          row: {
            field: 'source',
            type: 'nominal',
            sort: sourceOrder,
            title: null,
            // Above each panel, not beside it: a column of names would cost the bars their width.
            header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelFontWeight: 'bold' },
          },
        },
        spec: {
          width: 430,
          height: { step: 18 },
          layer: [
            {
              mark: { type: 'bar', stroke: '#333333', strokeWidth: 0.4 },
              encoding: {
                y: { field: 'row', type: 'nominal', title: null, sort: labels },
                x: {
                  field: 'share',
                  type: 'quantitative',
                  stack: 'zero',
                  title: 'share of events compared (%)',
                  scale: { domain: [0, 100] },
                },
                color: {
                  field: 'category',
                  type: 'nominal',
                  title: 'outcome',
                  scale: { domain: used, range: used.map((c) => COLOURS[CATS.indexOf(c)]!) },
                  legend: { orient: 'bottom', columns: 2, labelLimit: 0 },
                },
                order: { field: 'order', type: 'quantitative' },
              },
            },
            {
              transform: [
                { stack: 'share', groupby: ['source', 'row'], sort: [{ field: 'order', order: 'ascending' }], as: ['x0', 'x1'] },
                { calculate: '(datum.x0 + datum.x1) / 2', as: 'mid' },
                { filter: 'datum.share >= 12' },
              ],
              mark: { type: 'text', color: '#000000' },
              encoding: {
                y: { field: 'row', type: 'nominal', sort: labels },
                x: { field: 'mid', type: 'quantitative' },
                text: { field: 'share', type: 'quantitative', format: '.1f' },
              },
            },
          ],
        },
        resolve: { scale: { y: 'independent' } },
        config: baseConfig(),
      }),
      notes,
    };
  },
};
