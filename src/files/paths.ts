import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository / package root (this file is at <root>/dist/src/files/paths.js once built). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI_PATH = path.join(PACKAGE_ROOT, 'dist/src/cli.js');
export const SCENARIO_DIR = path.join(PACKAGE_ROOT, 'scenarios');

/** Names inside a run directory (DESIGN section 4); readers that list folders use these. */
export const RUN_LAYOUT = {
  coordinatorCsv: 'coordinator.csv',
  manifest: 'manifest.json',
  stats: 'stats.json',
  checks: 'checks.json',
  report: 'report.html',
  figuresDir: 'figures',
  workersDir: 'workers',
  syncDir: 'sync',
  commitWaitDir: 'commit_wait',
  /** echo/<node>.csv and echo/summary.json */
  echoDir: 'echo',
  /** workers/<node>.summary.json beside workers/<node>.csv */
  summarySuffix: '.summary.json',
} as const;

/** Every file of a run directory. */
export interface RunDirPaths {
  runDir: string;
  manifest: string;
  coordinatorCsv: string;
  workerCsv(node: string): string;
  syncCsv(node: string): string;
  commitWaitCsv(node: string): string;
  workerSummary(node: string): string;
  stats: string;
  checks: string;
  figuresDir: string;
  report: string;
  echoCsv(node: string): string;
  echoSummary: string;
}

export interface RunPaths extends RunDirPaths {
  logDir: string;
}

export function runDirPaths(runDir: string): RunDirPaths {
  const L = RUN_LAYOUT;
  return {
    runDir,
    manifest: path.join(runDir, L.manifest),
    coordinatorCsv: path.join(runDir, L.coordinatorCsv),
    workerCsv: (n) => path.join(runDir, L.workersDir, `${n}.csv`),
    syncCsv: (n) => path.join(runDir, L.syncDir, `${n}.csv`),
    commitWaitCsv: (n) => path.join(runDir, L.commitWaitDir, `${n}.csv`),
    workerSummary: (n) => path.join(runDir, L.workersDir, `${n}${L.summarySuffix}`),
    stats: path.join(runDir, L.stats),
    checks: path.join(runDir, L.checks),
    figuresDir: path.join(runDir, L.figuresDir),
    report: path.join(runDir, L.report),
    echoCsv: (n) => path.join(runDir, L.echoDir, `${n}.csv`),
    echoSummary: path.join(runDir, L.echoDir, 'summary.json'),
  };
}

/** Every file of a run, in one place (DESIGN section 4). */
export function runPaths(resultsRoot: string, logsRoot: string, runId: string): RunPaths {
  return { ...runDirPaths(path.join(resultsRoot, runId)), logDir: path.join(logsRoot, runId) };
}

/** Node ids become file names: letters, digits, dot, dash, underscore. */
export function isValidNodeId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id) && !id.includes('..');
}
