// The summary export's rows: the compare stage's tidy rows of stats.json (one row per source ×
// metric × worker-or-pooled; docs/compare.md lists the metrics), so `analyze --export` and
// `compare`'s summary.csv name and count every number the same way.
import { tidyRows, type TidyRow } from '../compare/tidy-rows.js';
import type { Stats } from '../stats/types.js';

export function summaryRowsForExport(stats: Pick<Stats, 'run'>, runDir: string): TidyRow[] {
  return tidyRows(stats, { run_id: stats.run.run_id ?? '', run_dir: runDir });
}

/** The rows as text cells in src/files/export-columns.ts SUMMARY_COLUMNS order. */
export function summaryCells(rows: readonly TidyRow[]): string[][] {
  const num = (v: number | null) => (v === null ? '' : String(v));
  return rows.map((r) => [r.run_id, r.source, r.metric, r.node, num(r.count), num(r.total), num(r.value), r.unit]);
}
