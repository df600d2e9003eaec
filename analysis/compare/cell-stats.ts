// Across the repetitions of a cell: per source × metric × node, a pooled proportion with its 95 %
// Wilson interval (counts summed over seeds) or a mean with its 95 % Student t interval, and the
// spread of the per-seed values beside it (docs/compare.md says why both). One run gives no
// interval: ci is null, never a made-up width.
import type { Cell, Params } from './cells.js';
import { meanWithT, wilson } from './intervals.js';
import type { TidyRow } from './tidy-rows.js';

export type CiMethod = 'wilson' | 't';

export interface CellStat {
  cell: string;
  params: Params;
  source: string;
  metric: string;
  node: string;
  unit: string;
  /** Runs of the cell with this number. */
  n: number;
  /** Runs of the cell without it (the source or section absent, or total 0). */
  n_missing: number;
  /** Proportions: counts summed over the runs. */
  count: number | null;
  total: number | null;
  /** Pooled share count/total, or the mean of the runs' values (counts, ns). */
  estimate: number | null;
  ci_lo: number | null;
  ci_hi: number | null;
  method: CiMethod;
  /** The per-run values (shares for proportions): mean, sample sd, min, max and their t interval. */
  seed_mean: number | null;
  seed_sd: number | null;
  seed_min: number | null;
  seed_max: number | null;
  seed_ci_lo: number | null;
  seed_ci_hi: number | null;
}

/** One run's number for a row: a share for proportions (null when total is 0), else the count or value. */
export function rowValue(r: TidyRow): number | null {
  if (r.total !== null) return r.count !== null && r.total > 0 ? r.count / r.total : null;
  return r.value ?? r.count;
}

const key = (r: Pick<TidyRow, 'source' | 'metric' | 'node'>): string => `${r.source}\u0000${r.metric}\u0000${r.node}`;

/** Every statistic of every cell; `rowsByRun` holds each run's tidy rows (keyed by run_dir). */
export function cellStats(cells: readonly Cell[], rowsByRun: ReadonlyMap<string, readonly TidyRow[]>): CellStat[] {
  const out: CellStat[] = [];
  for (const cell of cells) {
    const groups = new Map<string, TidyRow[]>();
    for (const run of cell.runs)
      for (const r of rowsByRun.get(run.run_dir) ?? []) {
        const g = groups.get(key(r)) ?? [];
        g.push(r);
        groups.set(key(r), g);
      }
    for (const rows of groups.values()) out.push(oneStat(cell, rows));
  }
  return out;
}

function oneStat(cell: Cell, rows: readonly TidyRow[]): CellStat {
  const first = rows[0]!;
  const values = rows.map(rowValue).filter((v): v is number => v !== null);
  const spread = meanWithT(values);
  const proportion = first.total !== null;
  let count: number | null = null;
  let total: number | null = null;
  let estimate: number | null;
  let ci: { lo: number; hi: number } | null;
  if (proportion) {
    count = rows.reduce((s, r) => s + (r.count ?? 0), 0);
    total = rows.reduce((s, r) => s + (r.total ?? 0), 0);
    estimate = total > 0 ? count / total : null;
    ci = values.length >= 2 ? wilson(count, total) : null;
  } else {
    estimate = spread?.mean ?? null;
    ci = spread?.ci ?? null;
  }
  return {
    cell: cell.id,
    params: cell.params,
    source: first.source,
    metric: first.metric,
    node: first.node,
    unit: first.unit,
    n: values.length,
    n_missing: cell.runs.length - values.length,
    count,
    total,
    estimate,
    ci_lo: ci?.lo ?? null,
    ci_hi: ci?.hi ?? null,
    method: proportion ? 'wilson' : 't',
    seed_mean: spread?.mean ?? null,
    seed_sd: spread?.sd ?? null,
    seed_min: spread?.min ?? null,
    seed_max: spread?.max ?? null,
    seed_ci_lo: spread?.ci?.lo ?? null,
    seed_ci_hi: spread?.ci?.hi ?? null,
  };
}
