// `chronoeval rerun RUN_DIR`: run a run-local run again from its manifest (resolved scenario,
// seed, flags) into a new run directory.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import { resolveRunId, withRunIdentity } from '../cli/options.js';
import { runCommand } from '../cli/command-runner.js';
import { EXIT, STOP_SIGNALS, signalExit } from '../cli/exit-codes.js';
import { UsageError } from '../validate/index.js';
import { CLI_PATH, runDirPaths } from '../files/paths.js';
import { toJson, writeJsonAtomic } from '../files/atomic-json.js';
import { provenance } from '../files/provenance.js';
import { rerunPlan, type RerunPlan } from '../sweep/rerun.js';
import { HELP_EPILOG, type ArgsOf } from './shared.js';

export const command = 'rerun <run_dir>';
export const describe = 'Run a run-local run again from its manifest (same resolved scenario, seed and flags) into a new run directory';

/** The file in the new run directory that holds the scenario it re-ran. */
const RERUN_SCENARIO = 'rerun-scenario.json';

export function builder(y: Argv) {
  return withRunIdentity(y)
    .positional('run_dir', { type: 'string', demandOption: true, describe: 'A run directory made by run-local (results/<run_id>)' })
    .option('results-dir', { type: 'string', describe: 'Where the new run goes (default: beside RUN_DIR)' })
    .option('logs-dir', { type: 'string', default: 'logs', describe: 'Where logs/<run_id>/ is written' })
    .example('$0 rerun results/20261203T010000Z-1a2b3c', 'the same scenario and seed again, as results/<new run_id>/')
    .epilog(HELP_EPILOG);
}

interface RerunOptions {
  runDir: string;
  plan: RerunPlan;
  resultsDir: string;
  logsDir: string;
  runId: string;
}

function parse(a: ArgsOf<typeof builder>): RerunOptions {
  const runDir = path.resolve(a.run_dir);
  const file = runDirPaths(runDir).manifest;
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${JSON.stringify(a.run_dir)}: ${code === 'ENOENT' ? 'no manifest.json there' : `cannot read manifest.json (${code ?? (e as Error).message})`}; give a run directory (results/<run_id>)`,
    );
  }
  return {
    runDir,
    plan: rerunPlan(runDir, manifest, provenance([])),
    resultsDir: path.resolve(a['results-dir'] ?? path.dirname(runDir)),
    logsDir: path.resolve(a['logs-dir']),
    runId: resolveRunId(a['run-id']),
  };
}

async function run(o: RerunOptions): Promise<number> {
  for (const w of o.plan.warnings) process.stderr.write(`chronoeval rerun: warning: ${w}\n`);
  const newDir = path.join(o.resultsDir, o.runId);
  mkdirSync(newDir, { recursive: true });
  const scenarioFile = path.join(newDir, RERUN_SCENARIO);
  writeFileSync(scenarioFile, toJson(o.plan.scenario) + '\n');
  const args = [
    'run-local',
    '--scenario',
    scenarioFile,
    '--seed',
    String(o.plan.seed),
    '--run-id',
    o.runId,
    '--results-dir',
    o.resultsDir,
    '--logs-dir',
    o.logsDir,
    ...o.plan.flags,
  ];
  process.stdout.write(`rerun of ${o.runDir} (seed ${o.plan.seed}) → ${newDir}\n`);
  // Its own process group: a stop signal reaches the run once, passed on here (a second one, again).
  const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: 'inherit', detached: true });
  const pass = (sig: NodeJS.Signals): void => void child.kill(sig);
  for (const sig of STOP_SIGNALS) process.on(sig, pass);
  const code = await new Promise<number>((resolve) => {
    child.on('error', () => resolve(EXIT.failed));
    child.on('close', (c, s) => resolve(c ?? (s ? signalExit(s) : EXIT.failed)));
  });
  for (const sig of STOP_SIGNALS) process.off(sig, pass);
  // Mark the new run as a rerun (its manifest otherwise names only the scenario file above).
  try {
    const mf = runDirPaths(newDir).manifest;
    const m = JSON.parse(readFileSync(mf, 'utf8')) as Record<string, unknown>;
    await writeJsonAtomic(mf, { ...m, rerun_of: o.runDir });
  } catch {
    process.stderr.write(`chronoeval rerun: the new run has no readable manifest.json; it is not marked as a rerun of ${o.runDir}\n`);
  }
  return code;
}

export const handler = runCommand({ parse, run });
