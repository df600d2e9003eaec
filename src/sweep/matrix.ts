// The cells of a sweep: the product of the matrix's value lists (first key slowest) × the seeds.
// Pure: the ids depend only on the sweep file, so a resumed sweep finds the same cells.
import type { SweepCell, SweepParamValue } from '../files/sweep-manifest.js';

/** One combination of the matrix's values, before seeds. */
export interface Combination {
  cell: string;
  /** The raw values (objects kept, e.g. a delay distribution). */
  values: Record<string, unknown>;
}

/** The value as a sweep.json / summary.csv column holds it: objects and arrays become their JSON. */
export function paramValue(v: unknown): SweepParamValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v;
  return JSON.stringify(v);
}

/** Every combination of `matrix` (key order kept, first key slowest); ids c01, c02, … (width grows with the count). */
export function combinations(matrix: ReadonlyArray<[string, readonly unknown[]]>): Combination[] {
  let rows: Record<string, unknown>[] = [{}];
  for (const [key, values] of matrix) rows = rows.flatMap((r) => values.map((v) => ({ ...r, [key]: v })));
  const width = Math.max(2, String(rows.length).length);
  return rows.map((values, i) => ({ cell: `c${String(i + 1).padStart(width, '0')}`, values }));
}

/** The cells: each combination × each seed, combination-major; all pending. */
export function expandCells(combos: readonly Combination[], seeds: readonly number[]): SweepCell[] {
  return combos.flatMap((c) =>
    seeds.map((seed): SweepCell => ({
      cell: c.cell,
      params: Object.fromEntries(Object.entries(c.values).map(([k, v]) => [k, paramValue(v)])),
      seed,
      run_id: null,
      run_dir: null,
      status: 'pending',
      exit_code: null,
    })),
  );
}

/** `{a: {b: {c: v}}}` for "a.b.c" merged into `into` (objects created as needed). */
export function setDotted(into: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let o = into;
  for (const p of parts.slice(0, -1)) {
    const next = o[p];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) o[p] = {};
    o = o[p] as Record<string, unknown>;
  }
  o[parts[parts.length - 1]!] = value;
}

/** The run id of a cell's attempt: `<sweep_id>-<cell>-s<seed>`, `-r<n>` from the second attempt on. */
export function cellRunId(sweepId: string, cell: SweepCell): string {
  const attempt = (cell.abandoned_run_dirs?.length ?? 0) + 1;
  return `${sweepId}-${cell.cell}-s${cell.seed}${attempt > 1 ? `-r${attempt}` : ''}`;
}
