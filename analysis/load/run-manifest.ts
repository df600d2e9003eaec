// A run's manifest.json as the analysis uses it: carried into stats.json as written, and read for
// the run id, the schedule (schedule-info.ts) and the re-estimation delays (reest-delays.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isPlainObject } from '../../src/files/json-shape.js';

export interface ManifestRead {
  /** The object as written; null when unreadable. */
  manifest: Record<string, unknown> | null;
  /** Why it could not be used ("not valid JSON (…)"); null when it could. */
  problem: string | null;
}

export function readRunManifest(file: string): ManifestRead {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { manifest: null, problem: `not valid JSON (${(err as Error).message})` };
  }
  return isPlainObject(v) ? { manifest: v, problem: null } : { manifest: null, problem: 'not a JSON object' };
}

/** The manifest's run id; without one, a native run's directory name, a legacy import's none. */
export function runIdOf(manifest: Record<string, unknown> | null, runDir: string, legacy: boolean): string | null {
  const id = manifest?.['run_id'];
  return typeof id === 'string' ? id : legacy ? null : path.basename(runDir);
}
