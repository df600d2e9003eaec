// summary.csv (one row per run × source × metric × node) and cells.csv (one row per cell ×
// source × metric × node), with the project's CSV conventions: RFC 4180 text from csvCells,
// integers written exactly, an empty cell = no data (never 0). Columns: docs/compare.md.
import { rowsToCsv, type Cell as CsvCell } from '../../src/files/csv-writer.js';
import type { CellStat } from './cell-stats.js';
import type { Cell, ParamValue } from './cells.js';
import type { TidyRow } from './tidy-rows.js';

export const SUMMARY_COLUMNS = [
  'run_id',
  'run_dir',
  'kind',
  'seed',
  'cell',
  'source',
  'metric',
  'node',
  'unit',
  'count',
  'total',
  'share',
  'value',
] as const;
export const CELLS_COLUMNS = [
  'cell',
  'source',
  'metric',
  'node',
  'unit',
  'n',
  'n_missing',
  'count',
  'total',
  'estimate',
  'ci_lo',
  'ci_hi',
  'method',
  'seed_mean',
  'seed_sd',
  'seed_min',
  'seed_max',
  'seed_ci_lo',
  'seed_ci_hi',
] as const;

/** Parameter columns are `param.<name>`, after the fixed identity columns. */
export const paramColumn = (name: string): string => `param.${name}`;

const paramCell = (v: ParamValue | undefined): CsvCell => (v === null || v === undefined ? null : typeof v === 'boolean' ? String(v) : v);

export function summaryCsv(cells: readonly Cell[], names: readonly string[], rowsByRun: ReadonlyMap<string, readonly TidyRow[]>): string {
  const head = [...SUMMARY_COLUMNS.slice(0, 5), ...names.map(paramColumn), ...SUMMARY_COLUMNS.slice(5)];
  const lines: CsvCell[][] = [head];
  for (const cell of cells)
    for (const run of cell.runs)
      for (const r of rowsByRun.get(run.run_dir) ?? []) {
        const share = r.total !== null && r.count !== null && r.total > 0 ? r.count / r.total : null;
        lines.push([
          r.run_id,
          run.run_dir,
          run.kind,
          run.seed,
          cell.id,
          ...names.map((k) => paramCell(cell.params[k])),
          r.source,
          r.metric,
          r.node,
          r.unit,
          r.count,
          r.total,
          share,
          r.value,
        ]);
      }
  return rowsToCsv(lines);
}

export function cellsCsv(stats: readonly CellStat[], names: readonly string[]): string {
  const head = [CELLS_COLUMNS[0], ...names.map(paramColumn), ...CELLS_COLUMNS.slice(1)];
  const lines: CsvCell[][] = [head];
  for (const s of stats)
    lines.push([
      s.cell,
      ...names.map((k) => paramCell(s.params[k])),
      s.source,
      s.metric,
      s.node,
      s.unit,
      s.n,
      s.n_missing,
      s.count,
      s.total,
      s.estimate,
      s.ci_lo,
      s.ci_hi,
      s.method,
      s.seed_mean,
      s.seed_sd,
      s.seed_min,
      s.seed_max,
      s.seed_ci_lo,
      s.seed_ci_hi,
    ]);
  return rowsToCsv(lines);
}
