// Which cells a (resumed) sweep runs: pure, on the manifest's cells.
import type { SweepCell } from '../files/sweep-manifest.js';

/**
 * Cells as a resumed sweep starts from them: `done` cells stay; a `running` cell (the sweep was
 * killed while it ran) and a `failed` one go back to `pending`, their run dir kept in
 * `abandoned_run_dirs` (partial data is never mixed with a fresh attempt).
 */
export function cellsForResume(cells: readonly SweepCell[]): SweepCell[] {
  return cells.map((c) => {
    if (c.status === 'done' || c.status === 'pending') return { ...c };
    return {
      ...c,
      status: 'pending',
      run_id: null,
      run_dir: null,
      exit_code: null,
      abandoned_run_dirs: [...(c.abandoned_run_dirs ?? []), ...(c.run_dir ? [c.run_dir] : [])],
    };
  });
}

/** Indexes of the cells still to run, in order. */
export function pendingCells(cells: readonly SweepCell[]): number[] {
  return cells.flatMap((c, i) => (c.status === 'pending' ? [i] : []));
}
