// The short table `compare` (and run-local --repeat) prints: per cell and source, the headline
// metrics (workers pooled) with their 95 % intervals. The full set is in cells.csv.
import type { CellStat } from './cell-stats.js';
import { HEADLINE_METRICS } from './figures.js';
import { estimateText, worstText } from './page.js';
import { worstWorkers } from './worst-worker.js';

/** Metrics printed (a subset of the figures', to keep lines short). */
const PRINTED = ['coverage', 'point_violations', 'interval_violations', 'wrong_orders_interval', 'abs_point_error_p99'];

export function cellsTableText(stats: readonly CellStat[]): string[] {
  const metrics = HEADLINE_METRICS.map((m) => m.metric).filter((m) => PRINTED.includes(m));
  const cells = [...new Set(stats.map((s) => s.cell))];
  const sources = [...new Set(stats.map((s) => s.source))];
  const rows = stats
    .filter((s) => s.node === '' && metrics.includes(s.metric) && s.estimate !== null)
    .sort(
      (a, b) =>
        cells.indexOf(a.cell) - cells.indexOf(b.cell) ||
        sources.indexOf(a.source) - sources.indexOf(b.source) ||
        metrics.indexOf(a.metric) - metrics.indexOf(b.metric),
    );
  if (rows.length === 0) return ['(no headline metric has an estimate)'];
  const worst = worstWorkers(stats);
  const table: string[][] = [['cell', 'source', 'metric', 'runs', 'estimate [95 % CI]', 'worst worker']];
  for (const s of rows) table.push([s.cell, s.source, s.metric, String(s.n), estimateText(s) ?? '—', worstText(worst, s) ?? '—']);
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return table.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
}
