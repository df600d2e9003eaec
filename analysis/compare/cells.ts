// Runs → cells: a cell is the runs whose parameters are identical except the seed (the
// repetitions of one condition). Parameters come from a sweep manifest, or, for plain runs, from
// each run's manifest (resolved scenario, then config) flattened to dotted names, keeping the
// names whose values differ between the runs.
import { isPlainObject } from '../../src/files/json-shape.js';
import type { LoadedRun } from './load-runs.js';

export type ParamValue = string | number | boolean | null;
export type Params = Record<string, ParamValue>;

export interface Cell {
  /** Stable id and label: "name=value, name=value" in parameter order; 'all' when nothing varies. */
  id: string;
  params: Params;
  runs: LoadedRun[];
}

/** Names that say which repetition or which moment, not which condition. */
const NOT_A_PARAMETER = /(^|\.)(seed|run_id|started_utc|ended_utc|truth_anchor|replay)($|\.)/i;

/** Nested objects → dotted names; arrays and other values as one value (arrays as JSON text). */
export function flattenParams(v: unknown, prefix = '', out: Params = {}): Params {
  if (isPlainObject(v)) {
    for (const [k, x] of Object.entries(v)) flattenParams(x, prefix ? `${prefix}.${k}` : k, out);
    return out;
  }
  if (prefix === '' || NOT_A_PARAMETER.test(prefix)) return out;
  out[prefix] =
    v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))
      ? v
      : v === undefined
        ? null
        : JSON.stringify(v);
  return out;
}

/** A run's conditions from its manifest: kind, the resolved scenario, then config names the scenario does not have. */
export function manifestParams(manifest: Record<string, unknown> | null): Params {
  if (!manifest) return {};
  const scenario = isPlainObject(manifest['scenario']) ? manifest['scenario'] : null;
  const out: Params = {};
  if (typeof manifest['kind'] === 'string') out['kind'] = manifest['kind'];
  flattenParams(scenario?.['resolved'], '', out);
  const config = flattenParams(manifest['config']);
  for (const [k, v] of Object.entries(config)) if (!(k in out)) out[k] = v;
  return out;
}

const same = (a: ParamValue | undefined, b: ParamValue | undefined): boolean => (a ?? null) === (b ?? null);

/** The names (in first-seen order) whose value differs between some two of `all` (absent counts as null). */
export function varyingNames(all: readonly Params[]): string[] {
  const names: string[] = [];
  for (const p of all) for (const k of Object.keys(p)) if (!names.includes(k)) names.push(k);
  return names.filter((k) => all.some((p) => !same(p[k], all[0]![k])));
}

const valueText = (v: ParamValue): string => (v === null ? 'null' : String(v));

/**
 * Group runs into cells. `given` (from a sweep manifest, keyed by absolute run dir) names the
 * parameters; without it they are derived from the manifests. Cells keep the order of their first run.
 */
export function groupCells(runs: readonly LoadedRun[], given?: Map<string, Params>): { names: string[]; cells: Cell[] } {
  const all = runs.map((r) => (given ? (given.get(r.run_dir) ?? {}) : manifestParams(r.manifest)));
  // A run without a manifest has unknown parameters, not different ones: it does not make a name vary.
  const known = given ? all : all.filter((_, i) => runs[i]!.manifest !== null);
  const names = given ? varyingOrSwept(all) : varyingNames(known.length ? known : all);
  const cells = new Map<string, Cell>();
  runs.forEach((run, i) => {
    const params: Params = Object.fromEntries(names.map((k) => [k, all[i]![k] ?? null]));
    const base = names.length ? names.map((k) => `${k}=${valueText(params[k]!)}`).join(', ') : 'all';
    // Runs without a manifest are never pooled with runs whose conditions are known.
    const id = !given && run.manifest === null ? `${base} (no manifest: parameters unknown)` : base;
    const cell = cells.get(id) ?? { id, params, runs: [] };
    cell.runs.push(run);
    cells.set(id, cell);
  });
  return { names, cells: [...cells.values()] };
}

/** A sweep's parameters are all kept (a swept name with one value left is still a column). */
function varyingOrSwept(all: readonly Params[]): string[] {
  const names: string[] = [];
  for (const p of all) for (const k of Object.keys(p)) if (!names.includes(k)) names.push(k);
  return names;
}
