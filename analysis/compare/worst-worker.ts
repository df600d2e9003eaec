// The worst worker of a cell's pooled number, so that a pooled figure never hides one worker's
// breach: per cell × source × headline metric, the worker whose estimate is worst (lowest
// coverage or availability, most violations, largest error). Rows that are per-worker counts
// (wrong interval orders charged to a worker) are compared by their mean count.
import type { CellStat } from './cell-stats.js';
import { HEADLINE_METRICS } from './figures.js';

const key = (s: Pick<CellStat, 'cell' | 'source' | 'metric'>): string => `${s.cell}\u0000${s.source}\u0000${s.metric}`;

/** key(cell, source, metric) → the worst worker's statistic (workers with an estimate only). */
export function worstWorkers(stats: readonly CellStat[]): Map<string, CellStat> {
  const better = new Map(HEADLINE_METRICS.map((m) => [m.metric, m.better]));
  const out = new Map<string, CellStat>();
  for (const s of stats) {
    const way = better.get(s.metric);
    if (s.node === '' || s.estimate === null || way === undefined) continue;
    const cur = out.get(key(s));
    if (!cur || (way === 'high' ? s.estimate < cur.estimate! : s.estimate > cur.estimate!)) out.set(key(s), s);
  }
  return out;
}

export const worstKey = key;
