// The runs compare reads: each run directory's stats.json (required: compare never analyses),
// manifest.json (kind, config, resolved scenario, seed) and checks.json when present. A legacy run
// (no manifest, an older stats.json) still loads: what is missing is named, never filled in.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readRunManifest, runIdOf } from '../load/run-manifest.js';
import { readChecksFile } from '../../src/files/checks-file.js';
import { isFiniteNumber, isPlainObject, isString } from '../../src/files/json-shape.js';
import { runDirPaths } from '../../src/files/paths.js';
import { STATS_SCHEMA_VERSION } from '../stats/types.js';

export interface LoadedRun {
  /** Absolute run directory. */
  run_dir: string;
  run_id: string;
  /** manifest.kind (local, deploy, manual, …); null without a manifest. */
  kind: string | null;
  /** The scenario seed (manifest, else checks.json); null when neither says. */
  seed: number | null;
  /** The parsed stats.json. */
  stats: Record<string, unknown>;
  manifest: Record<string, unknown> | null;
  /** Names of what this run lacks (manifest, checks.json, stats sections), for the page. */
  missing: string[];
}

/** Bad input: a directory that is not an analysed run. The command reports it and writes nothing. */
export class CompareInputError extends Error {}

/** stats.json sections compare reads; an older stats.json may lack the later ones. */
const SECTIONS = ['readings', 'bound_quality', 'causality', 'ordering', 'windows', 'commit_wait', 'self_consistency', 'bracketed'];

export function loadRun(runDir: string): LoadedRun {
  const dir = path.resolve(runDir);
  const files = runDirPaths(dir);
  if (!existsSync(dir))
    throw new CompareInputError(
      `run directory ${JSON.stringify(runDir)} does not exist; give results/<run_id> directories or a sweep directory`,
    );
  if (!existsSync(files.stats))
    throw new CompareInputError(`${JSON.stringify(runDir)} has no stats.json; analyse it first: chronoeval analyze ${runDir}`);
  let stats: unknown;
  try {
    stats = JSON.parse(readFileSync(files.stats, 'utf8'));
  } catch (e) {
    throw new CompareInputError(`${files.stats} is not valid JSON (${(e as Error).message}); re-run chronoeval analyze ${runDir}`);
  }
  if (!isPlainObject(stats)) throw new CompareInputError(`${files.stats} is not a JSON object; re-run chronoeval analyze ${runDir}`);
  if (stats['schema_version'] !== STATS_SCHEMA_VERSION)
    throw new CompareInputError(
      `${files.stats}: schema_version ${JSON.stringify(stats['schema_version'])} is not ${STATS_SCHEMA_VERSION}; re-run chronoeval analyze ${runDir} with this version`,
    );
  const missing: string[] = [];
  // The manifest: read from the run directory, else the copy stats.json carries.
  let manifest: Record<string, unknown> | null;
  if (existsSync(files.manifest)) {
    const m = readRunManifest(files.manifest);
    manifest = m.manifest;
    if (m.problem) missing.push(`manifest.json (${m.problem})`);
  } else {
    const run = stats['run'];
    manifest = isPlainObject(run) && isPlainObject(run['manifest']) ? run['manifest'] : null;
    if (!manifest) missing.push('manifest.json');
  }
  const checks = existsSync(files.checks) ? readChecksFile(files.checks) : null;
  if (!checks) missing.push('checks.json');
  else if (!checks.checks) missing.push(`checks.json (${checks.problems.join('; ')})`);
  for (const s of SECTIONS) if (!(s in stats)) missing.push(`stats.json ${s}`);
  const run = isPlainObject(stats['run']) ? stats['run'] : {};
  const legacy = run['format'] === 'legacy';
  const statsId = run['run_id'];
  const runId = runIdOf(manifest, dir, legacy) ?? (isString(statsId) ? statsId : path.basename(dir));
  const scenario = isPlainObject(manifest?.['scenario']) ? manifest['scenario'] : null;
  const seedOf = (v: unknown): number | null => (isFiniteNumber(v) ? v : null);
  const seed = seedOf(scenario?.['seed']) ?? seedOf(checks?.checks?.seed);
  const kind = manifest?.['kind'];
  return { run_dir: dir, run_id: runId, kind: isString(kind) ? kind : null, seed, stats, manifest, missing };
}
