// The summary export's rows: stats.json's headline in tidy form, one row per source × metric ×
// worker-or-pooled. A minimal local builder: the row shape is the compare table's TidyRow, so the
// two can become one function. Only numbers the headline holds are written; a missing one is a
// null value, never 0.
import type { HeadlineEntry, Ratio, Stats } from '../stats/types.js';

export interface SummaryRow {
  run_id: string;
  source: string;
  metric: string;
  /** '' = all workers pooled. */
  node: string;
  count: number | null;
  total: number | null;
  value: number | null;
  unit: string;
}

type RatioMetric = 'availability' | 'coverage' | 'point_violations' | 'interval_violations';
type CountMetric = 'interval_wrong_orders' | 'window_false_conflicts';

const RATIOS: readonly RatioMetric[] = ['availability', 'coverage', 'point_violations', 'interval_violations'];
const COUNTS: readonly CountMetric[] = ['interval_wrong_orders', 'window_false_conflicts'];
/** Pooled shares the headline gives without their counts. */
const POOLED_SHARES = [
  'interval_proven_after_share',
  'ordering_point_wrong_share',
  'ordering_interval_proven_share',
  'ordering_interval_wrong_share',
] as const satisfies readonly (keyof HeadlineEntry)[];
const WINDOW_SHARES = [
  'window_point_agree_share',
  'window_interval_confident_agree_share',
  'window_interval_conflict_share',
] as const satisfies readonly (keyof HeadlineEntry)[];

export function summaryRowsForExport(stats: Pick<Stats, 'run' | 'headline'>): SummaryRow[] {
  const run_id = stats.run.run_id ?? '';
  const rows: SummaryRow[] = [];
  const row = (
    source: string,
    metric: string,
    node: string | null,
    count: number | null,
    total: number | null,
    value: number | null,
    unit: string,
  ) => rows.push({ run_id, source, metric, node: node ?? '', count, total, value, unit });
  for (const h of stats.headline) {
    for (const w of h.workers) {
      for (const m of RATIOS) {
        const r: Ratio | null = w[m];
        if (r) row(h.source, m, w.node, r.count, r.total, r.share, 'share');
      }
      for (const m of COUNTS) {
        const n = w[m];
        if (n !== null) row(h.source, m, w.node, n, null, n, 'count');
      }
    }
    for (const m of POOLED_SHARES) {
      const v = h[m];
      if (v !== null) row(h.source, m, null, null, null, v, 'share');
    }
    for (const m of WINDOW_SHARES) {
      for (const [windowMs, v] of Object.entries(h[m])) {
        if (v !== null) row(h.source, `${m}_${windowMs}ms`, null, null, null, v, 'share');
      }
    }
    if (h.commit_wait_p50_ns !== null) row(h.source, 'commit_wait_p50', null, null, null, h.commit_wait_p50_ns, 'ns');
  }
  return rows;
}

/** The rows as text cells in src/files/export-columns.ts SUMMARY_COLUMNS order. */
export function summaryCells(rows: readonly SummaryRow[]): string[][] {
  const num = (v: number | null) => (v === null ? '' : String(v));
  return rows.map((r) => [r.run_id, r.source, r.metric, r.node, num(r.count), num(r.total), num(r.value), r.unit]);
}
