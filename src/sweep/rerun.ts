// What `chronoeval rerun RUN_DIR` repeats: the resolved scenario, seed and run-local flags a
// run-local run recorded in its manifest. Pure: the command does the I/O.
import { isPlainObject } from '../files/json-shape.js';
import type { Provenance } from '../files/provenance.js';
import { UsageError } from '../validate/index.js';

/** run-local flags that change a run beyond its scenario and seed, carried into the rerun. */
const CARRIED_FLAGS = ['--figures', '--no-figures', '--reference', '--recv-stamp', '--max-freq-error-ppm'] as const;
const VALUED = new Set(['--reference', '--recv-stamp', '--max-freq-error-ppm']);

export interface RerunPlan {
  /** The scenario as the run resolved it (without `extends`: every field is already in it). */
  scenario: Record<string, unknown>;
  seed: number;
  /** run-local flags to pass again (e.g. --no-figures, --reference bounded). */
  flags: string[];
  /** Lines to warn with before running (code changed since, no provenance, …). */
  warnings: string[];
}

/** The carried flags in a recorded command line (`--flag value` and `--flag=value`). */
export function carriedFlags(commandLine: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < commandLine.length; i++) {
    const w = commandLine[i]!;
    const eq = w.indexOf('=');
    const name = eq > 0 ? w.slice(0, eq) : w;
    if (!(CARRIED_FLAGS as readonly string[]).includes(name)) continue;
    if (!VALUED.has(name)) out.push(name);
    else if (eq > 0) out.push(name, w.slice(eq + 1));
    else if (i + 1 < commandLine.length) out.push(name, commandLine[++i]!);
  }
  return out;
}

const commit = (p: unknown): string | null => (isPlainObject(p) && typeof p['git_commit'] === 'string' ? p['git_commit'] : null);

export function rerunPlan(runDir: string, manifest: unknown, now: Provenance): RerunPlan {
  if (!isPlainObject(manifest)) throw new UsageError(`${runDir}/manifest.json: not a JSON object; give a run directory run-local made`);
  const cmd = Array.isArray(manifest['command_line']) ? (manifest['command_line'] as unknown[]).map(String) : [];
  if (manifest['kind'] !== 'local')
    throw new UsageError(
      `${runDir}: a ${JSON.stringify(manifest['kind'] ?? 'unknown')} run; rerun repeats run-local runs only (a deploy depends on its hosts): run its command again${cmd.length ? `: chronoeval ${cmd.slice(1).join(' ')}` : ''}`,
    );
  const sc = manifest['scenario'];
  if (!isPlainObject(sc) || !isPlainObject(sc['resolved']) || !Number.isSafeInteger(sc['seed']))
    throw new UsageError(
      `${runDir}/manifest.json records no resolved scenario and seed (a run from an older chronoeval); run its command again${cmd.length ? `: chronoeval ${cmd.slice(1).join(' ')}` : ''}`,
    );
  const { extends: _e, ...scenario } = sc['resolved'];
  const warnings: string[] = [];
  const prov = manifest['provenance'];
  if (!isPlainObject(prov)) warnings.push('the run recorded no provenance: the code that made it is unknown');
  else {
    const was = commit(prov);
    if (was !== now.git_commit)
      warnings.push(
        `the run was made at git commit ${was ?? 'unknown'}, the code now is ${now.git_commit ?? 'unknown'}: results may differ by more than the run-to-run noise`,
      );
    if (prov['git_dirty'] === true) warnings.push('the run was made from a tree with uncommitted changes; they are not recorded');
    if (typeof prov['lockfile_sha256'] === 'string' && prov['lockfile_sha256'] !== now.lockfile_sha256)
      warnings.push("package-lock.json differs from the run's: dependencies changed");
  }
  return { scenario, seed: sc['seed'] as number, flags: carriedFlags(cmd), warnings };
}
