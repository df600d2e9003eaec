import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository / package root (this file is at <root>/dist/src/files/paths.js once built). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI_PATH = path.join(PACKAGE_ROOT, 'dist/src/cli.js');
export const SCENARIO_DIR = path.join(PACKAGE_ROOT, 'scenarios');

export interface RunPaths {
  runDir: string;
  logDir: string;
  manifest: string;
  coordinatorCsv: string;
  workerCsv(node: string): string;
  syncCsv(node: string): string;
  commitWaitCsv(node: string): string;
  workerSummary(node: string): string;
  stats: string;
  figuresDir: string;
  report: string;
}

/** Every file of a run, in one place (DESIGN section 4). */
export function runPaths(resultsRoot: string, logsRoot: string, runId: string): RunPaths {
  const runDir = path.join(resultsRoot, runId);
  const logDir = path.join(logsRoot, runId);
  return {
    runDir,
    logDir,
    manifest: path.join(runDir, 'manifest.json'),
    coordinatorCsv: path.join(runDir, 'coordinator.csv'),
    workerCsv: (n) => path.join(runDir, 'workers', `${n}.csv`),
    syncCsv: (n) => path.join(runDir, 'sync', `${n}.csv`),
    commitWaitCsv: (n) => path.join(runDir, 'commit_wait', `${n}.csv`),
    workerSummary: (n) => path.join(runDir, 'workers', `${n}.summary.json`),
    stats: path.join(runDir, 'stats.json'),
    figuresDir: path.join(runDir, 'figures'),
    report: path.join(runDir, 'report.html'),
  };
}

/** Node ids become file names: letters, digits, dot, dash, underscore. */
export function isValidNodeId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id) && !id.includes('..');
}
