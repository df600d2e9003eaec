// What `compare` was given → the run directories, their swept parameters and the default out
// directory. A directory holding sweep.json is a sweep: its cells' run directories and params are
// used (cells without an analysed run are listed, not invented). Anything else must be an
// analysed run directory. Checked before anything is written.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { readSweepManifest, SWEEP_MANIFEST } from '../../src/files/sweep-manifest.js';
import { runDirPaths } from '../../src/files/paths.js';
import type { Params } from './cells.js';
import { CompareInputError, loadRun } from './load-runs.js';

export interface CompareInputs {
  runDirs: string[];
  /** Swept parameters per absolute run directory; undefined for plain runs. */
  params?: Map<string, Params>;
  /** Where the output goes unless --out says otherwise. */
  defaultOutDir: string;
  /** Sweep cells left out, each with why. */
  skipped: string[];
}

/** `YYYYMMDDTHHMMSSZ` of `now`. */
const stamp = (now: Date): string => now.toISOString().slice(0, 19).replace(/[-:]/g, '') + 'Z';

/**
 * Plain runs: `compare/<timestamp>/` beside the results directory holding the first run (the
 * results dir's parent), so that a results directory keeps only runs. A taken name gets -2, -3, ….
 */
export function plainOutDir(runDirs: readonly string[], now = new Date()): string {
  const base = path.join(path.dirname(path.dirname(path.resolve(runDirs[0]!))), 'compare', stamp(now));
  let dir = base;
  for (let i = 2; existsSync(dir); i++) dir = `${base}-${i}`;
  return dir;
}

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

export function resolveCompareInputs(given: readonly string[], now = new Date()): CompareInputs {
  if (given.length === 0) throw new CompareInputError('give run directories (results/<run_id> …) or one sweep directory');
  const sweeps = given.filter((d) => isDir(d) && existsSync(path.join(d, SWEEP_MANIFEST)));
  if (sweeps.length > 0 && given.length > 1)
    throw new CompareInputError(
      `${JSON.stringify(sweeps[0])} is a sweep directory (it holds ${SWEEP_MANIFEST}); compare one sweep on its own, or give run directories only`,
    );
  if (sweeps.length === 1) return sweepInputs(sweeps[0]!);
  const seen = new Set<string>();
  for (const d of given) {
    const abs = path.resolve(d);
    if (seen.has(abs)) throw new CompareInputError(`run directory ${JSON.stringify(d)} is given twice; give each run once`);
    seen.add(abs);
    loadRun(d); // throws CompareInputError naming what is wrong with it
  }
  return { runDirs: [...seen], defaultOutDir: plainOutDir(given, now), skipped: [] };
}

function sweepInputs(dir: string): CompareInputs {
  const { manifest, problems } = readSweepManifest(dir);
  if (!manifest) throw new CompareInputError(`${JSON.stringify(dir)}: sweep manifest unusable: ${problems.join('; ')}`);
  const params = new Map<string, Params>();
  const skipped: string[] = [];
  for (const c of manifest.cells) {
    const what = `cell ${c.cell} seed ${c.seed}`;
    if (c.run_dir === null) skipped.push(`${what}: not run (${c.status})`);
    else if (!existsSync(runDirPaths(c.run_dir).stats)) skipped.push(`${what}: ${c.run_dir} has no stats.json (${c.status})`);
    else params.set(path.resolve(c.run_dir), c.params);
  }
  if (params.size === 0)
    throw new CompareInputError(
      `sweep ${JSON.stringify(dir)} has no analysed run yet (${skipped.length} cell(s): ${skipped.slice(0, 3).join('; ')}${skipped.length > 3 ? '; …' : ''})`,
    );
  for (const d of params.keys()) loadRun(d);
  return { runDirs: [...params.keys()], params, defaultOutDir: path.join(path.resolve(dir), 'compare'), skipped };
}
