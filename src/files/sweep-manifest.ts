// sweeps/<sweep_id>/sweep.json (docs/experiments.md): the cells of a sweep (parameter combination
// × seed), each with its run directory and status. Written by `chronoeval sweep` after every state
// change (atomically); read by `sweep --resume` and by `compare SWEEP_DIR`. Cells run as Slurm
// array tasks finish in parallel, so each writes its own cells/<run_id>.json instead of sweep.json;
// the reader merges those in.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isFiniteNumber, isPlainObject, isString, isStringArray } from './json-shape.js';
import type { Provenance } from './provenance.js';
import { EXIT } from '../cli/exit-codes.js';

export type SweepParamValue = string | number | boolean | null;

export interface SweepCell {
  /** Stable id of the parameter combination (the same for every seed of it). */
  cell: string;
  /** The swept values, keyed by the names as written in the sweep file. */
  params: Record<string, SweepParamValue>;
  seed: number;
  run_id: string | null;
  /** Absolute run directory; null until the cell has started. */
  run_dir: string | null;
  status: 'pending' | 'running' | 'done' | 'failed';
  exit_code: number | null;
  /** Run dirs of earlier attempts left partial by a killed sweep (kept, not analysed). */
  abandoned_run_dirs?: string[];
}

export interface SweepManifest {
  sweep_id: string;
  created_utc: string;
  /** The sweep file as given (absolute). */
  spec_file: string;
  /** The parsed sweep file. */
  spec: unknown;
  /** The scenario name or file as written in the sweep file. */
  scenario: string;
  seeds: number[];
  /** The swept names, in the sweep file's order. */
  parameters: string[];
  cells: SweepCell[];
  provenance: Provenance;
  [extra: string]: unknown;
}

export const SWEEP_MANIFEST = 'sweep.json';
/** Per-cell status files of a sweep run as a Slurm array: cells/<run_id>.json. */
export const CELL_STATUS_DIR = 'cells';

/** Cell exit codes that mean "the run was made and judged" (a failed check is a result, not a failure). */
export const CELL_DONE_CODES: readonly number[] = [EXIT.ok, EXIT.checkFailed, EXIT.unjudged];

const STATUSES: readonly SweepCell['status'][] = ['pending', 'running', 'done', 'failed'];

const isParamValue = (v: unknown): v is SweepParamValue =>
  v === null || typeof v === 'string' || typeof v === 'boolean' || isFiniteNumber(v);

function cellProblems(c: unknown, i: number): string[] {
  if (!isPlainObject(c)) return [`cells[${i}]: not an object`];
  const p: string[] = [];
  if (!isString(c['cell'])) p.push(`cells[${i}].cell: not a string`);
  if (!isPlainObject(c['params']) || !Object.values(c['params']).every(isParamValue))
    p.push(`cells[${i}].params: not an object of strings, numbers, booleans or null`);
  if (!Number.isSafeInteger(c['seed'])) p.push(`cells[${i}].seed: not an integer`);
  if (!(c['run_id'] === null || isString(c['run_id']))) p.push(`cells[${i}].run_id: not a string or null`);
  if (!(c['run_dir'] === null || isString(c['run_dir']))) p.push(`cells[${i}].run_dir: not a string or null`);
  if (!STATUSES.includes(c['status'] as SweepCell['status']))
    p.push(`cells[${i}].status: ${JSON.stringify(c['status'])} is not one of ${STATUSES.join(', ')}`);
  if (!(c['exit_code'] === null || Number.isSafeInteger(c['exit_code']))) p.push(`cells[${i}].exit_code: not an integer or null`);
  return p;
}

/**
 * Read `<dir>/sweep.json`. `manifest` is null when the file is missing, not JSON, or lacks a field
 * readers need (sweep_id, cells with their fields); `problems` says why, one line each.
 */
export function readSweepManifest(dir: string): { manifest: SweepManifest | null; problems: string[] } {
  const file = path.join(dir, SWEEP_MANIFEST);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code ? `${err.code}` : `not JSON (${err.message})`;
    return { manifest: null, problems: [`${file}: ${why}`] };
  }
  if (!isPlainObject(raw)) return { manifest: null, problems: [`${file}: not a JSON object`] };
  const problems: string[] = [];
  if (!isString(raw['sweep_id'])) problems.push('sweep_id: not a string');
  if (!Array.isArray(raw['cells'])) problems.push('cells: not an array');
  else raw['cells'].forEach((c, i) => problems.push(...cellProblems(c, i)));
  if (!isStringArray(raw['parameters'])) problems.push('parameters: not an array of strings');
  if (!Array.isArray(raw['seeds']) || !raw['seeds'].every((s) => Number.isSafeInteger(s))) problems.push('seeds: not an array of integers');
  if (!isString(raw['scenario'])) problems.push('scenario: not a string');
  if (problems.length > 0) return { manifest: null, problems: problems.map((p) => `${file}: ${p}`) };
  const manifest = raw as SweepManifest;
  mergeCellStatus(dir, manifest);
  return { manifest, problems: [] };
}

/**
 * A cell still pending or running in sweep.json takes the state its array task wrote in
 * cells/<run_id>.json: `exit_code` null while it runs, then its exit code. A file that is
 * unreadable or names another attempt's run id is ignored (the cell keeps its recorded state).
 */
function mergeCellStatus(dir: string, m: SweepManifest): void {
  const sdir = path.join(dir, CELL_STATUS_DIR);
  if (!existsSync(sdir)) return;
  const files = new Set(readdirSync(sdir));
  for (const c of m.cells) {
    if (c.run_id === null || (c.status !== 'pending' && c.status !== 'running') || !files.has(`${c.run_id}.json`)) continue;
    let st: unknown;
    try {
      st = JSON.parse(readFileSync(path.join(sdir, `${c.run_id}.json`), 'utf8'));
    } catch {
      continue;
    }
    if (!isPlainObject(st) || st['run_id'] !== c.run_id) continue;
    const code = st['exit_code'];
    if (code === null) c.status = 'running';
    else if (Number.isSafeInteger(code)) {
      c.exit_code = code as number;
      c.status = CELL_DONE_CODES.includes(code as number) ? 'done' : 'failed';
    }
  }
}
