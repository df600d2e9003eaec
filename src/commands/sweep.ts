// `chronoeval sweep SWEEP.yaml`: a matrix of scenario fields × seeds, each cell a run-local run,
// resumable, ending with compare (docs/experiments.md).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import { runCommand } from '../cli/command-runner.js';
import { EXIT, signalExit } from '../cli/exit-codes.js';
import { UsageError } from '../validate/index.js';
import { newRunId } from '../files/run-id.js';
import { toJson } from '../files/atomic-json.js';
import { provenance } from '../files/provenance.js';
import { SWEEP_MANIFEST, readSweepManifest, type SweepManifest } from '../files/sweep-manifest.js';
import type { SweepPlan } from '../sweep/spec.js';
import type { RunSweepOptions } from '../sweep/run.js';
import { HELP_EPILOG, type ArgsOf } from './shared.js';
import { resolveCompareInputs } from '../../analysis/compare/inputs.js';
import { Logger } from '../cli/logger.js';
import { compareWithTable } from './compare.js';

export const command = 'sweep <spec>';
export const describe = 'Run a scenario over a matrix of field values × seeds (run-local per cell, resumable), then compare the runs';

export function builder(y: Argv) {
  return y
    .positional('spec', { type: 'string', demandOption: true, describe: 'The sweep file (YAML; docs/experiments.md)' })
    .option('resume', {
      type: 'string',
      describe: 'Continue the sweep in this directory (sweeps/<sweep_id>): finished cells are not run again',
    })
    .option('results-dir', { type: 'string', default: 'results', describe: "Where each cell's results/<run_id>/ is written" })
    .option('logs-dir', { type: 'string', default: 'logs', describe: "Where each cell's logs/<run_id>/ is written" })
    .option('sweeps-dir', { type: 'string', default: 'sweeps', describe: 'Where sweeps/<sweep_id>/ is written' })
    .option('compare', { type: 'boolean', default: true, describe: 'Compare the finished cells at the end (--no-compare skips it)' })
    .option('via', {
      choices: ['local', 'slurm'] as const,
      default: 'local' as const,
      describe:
        'local: cells one after another here; slurm: one Slurm job array, a cell per array task (run-local on its node), then a compare job (shared filesystem assumed)',
    })
    .option('partition', { type: 'string', describe: '--via slurm: sbatch --partition for the array and compare jobs' })
    .option('account', { type: 'string', describe: '--via slurm: sbatch --account' })
    .option('time', { type: 'string', describe: '--via slurm: sbatch --time of each array task (one cell)' })
    .option('node-bin', { type: 'string', describe: '--via slurm: node on the compute nodes (default: this node binary, same path)' })
    .option('wait', {
      type: 'boolean',
      default: true,
      describe: '--via slurm: follow the jobs to the end (--no-wait: submit, print the job ids, return)',
    })
    .example('$0 sweep scenarios/sweeps/asymmetry.yaml', 'every cell of the matrix × seeds; results in sweeps/<sweep_id>/')
    .example('$0 sweep scenarios/sweeps/asymmetry.yaml --via slurm --partition short', 'the cells as one Slurm job array, compare after it')
    .example('$0 sweep scenarios/sweeps/asymmetry.yaml --resume sweeps/20261203T010000Z-1a2b3c', 'continue a stopped sweep')
    .epilog(HELP_EPILOG);
}

interface SweepOptions {
  plan: SweepPlan;
  /** The sweep directory; exists when resuming. */
  dir: string;
  /** The manifest being resumed, or null for a new sweep. */
  resumed: SweepManifest | null;
  resultsDir: string;
  logsDir: string;
  compare: boolean;
  command: string[];
  /** Set for --via slurm. */
  slurm: { sbatchArgs: string[]; nodeBin: string; wait: boolean } | null;
}

async function parse(a: ArgsOf<typeof builder>): Promise<SweepOptions> {
  const { loadSweepFile } = await import('../sweep/spec.js');
  const plan = loadSweepFile(a.spec);
  let dir: string;
  let resumed: SweepManifest | null = null;
  if (a.via === 'slurm' && a.resume !== undefined)
    throw new UsageError(
      `--resume ${JSON.stringify(a.resume)} with --via slurm: resuming submits nothing; resume a Slurm sweep here (without --via slurm) once its array job has ended, or start a new one`,
    );
  const slurm = a.via === 'slurm' ? await slurmSubmitOptions(a) : null;
  if (a.resume !== undefined) {
    dir = path.resolve(a.resume);
    const { manifest, problems } = readSweepManifest(dir);
    if (!manifest)
      throw new UsageError(
        `--resume ${JSON.stringify(a.resume)}: not a sweep directory (${problems.join('; ')}); give the sweeps/<sweep_id> folder a sweep printed`,
      );
    if (manifest['spec_sha256'] !== plan.specSha256)
      throw new UsageError(
        `--resume ${JSON.stringify(a.resume)}: ${a.spec} is not the sweep file this sweep was started with (${manifest.spec_file}; its content differs); resume with the same file, or start a new sweep without --resume`,
      );
    const { liveRunner } = await import('../sweep/run.js');
    const pid = liveRunner(manifest);
    if (pid !== null)
      throw new UsageError(
        `--resume ${JSON.stringify(a.resume)}: another sweep process (pid ${pid}) is running this sweep; wait for it or stop it (kill -TERM ${pid}), then resume`,
      );
    const array = slurmArrayOf(manifest);
    if (array !== null) {
      const { liveArray } = await import('../sweep/slurm.js');
      const live = await liveArray(array);
      if (live.state !== null)
        throw new UsageError(
          `--resume ${JSON.stringify(a.resume)}: this sweep's Slurm array job ${array} is still ${live.state}; its tasks would run the same cells twice. Wait for it (scontrol show job ${array}) or cancel it (scancel ${array}), then resume`,
        );
      if (live.unknown) process.stderr.write(`chronoeval: warning: ${live.unknown}; resuming as if array job ${array} has ended\n`);
    }
    resumed = manifest;
  } else {
    dir = path.resolve(a['sweeps-dir'], newRunId());
  }
  return {
    plan,
    dir,
    resumed,
    resultsDir: path.resolve(a['results-dir']),
    logsDir: path.resolve(a['logs-dir']),
    compare: a.compare,
    command: process.argv.slice(1),
    slurm,
  };
}

/** sbatch options of a Slurm sweep, checked (commands on PATH, the partition) before anything is written. */
async function slurmSubmitOptions(a: ArgsOf<typeof builder>): Promise<NonNullable<SweepOptions['slurm']>> {
  const { requireSlurmCommands, checkPartition } = await import('../slurm/client.js');
  requireSlurmCommands(['sbatch', 'scontrol', 'sinfo', 'scancel']);
  const sbatchArgs: string[] = [];
  for (const k of ['partition', 'account', 'time'] as const) {
    const v = a[k];
    if (v === undefined) continue;
    if (v.trim() === '') throw new UsageError(`--${k} ${JSON.stringify(v)}: empty`);
    sbatchArgs.push(`--${k}=${v}`);
  }
  if (a.partition !== undefined) await checkPartition(a.partition);
  return { sbatchArgs, nodeBin: a['node-bin'] ?? process.execPath, wait: a.wait };
}

async function run(o: SweepOptions): Promise<number> {
  const { runSweep } = await import('../sweep/run.js');
  const { expandCells } = await import('../sweep/matrix.js');
  const { plan, dir } = o;
  const prov = provenance(o.command);
  const out = (line: string): void => void process.stdout.write(line + '\n');
  let manifest: SweepManifest;
  if (o.resumed) {
    manifest = o.resumed;
    const was = manifest.provenance?.git_commit ?? null;
    if (was !== prov.git_commit)
      out(
        `sweep: warning: this sweep started at git commit ${was ?? 'unknown'}, the code now is ${prov.git_commit ?? 'unknown'}: its cells may differ in more than their parameters`,
      );
    manifest['resumed'] = [
      ...(Array.isArray(manifest['resumed']) ? (manifest['resumed'] as unknown[]) : []),
      { utc: new Date().toISOString(), provenance: prov },
    ];
  } else {
    manifest = {
      sweep_id: path.basename(dir),
      created_utc: new Date().toISOString(),
      spec_file: plan.file,
      spec: plan.spec,
      spec_sha256: plan.specSha256,
      scenario: plan.scenarioArg,
      seeds: plan.seeds,
      parameters: plan.parameters,
      cells: expandCells(plan.combos, plan.seeds),
      provenance: prov,
    };
  }
  // Each combination's resolved scenario, as run-local reads it. A resumed sweep keeps the files
  // its finished cells ran with.
  const scenarioFile = (cell: string): string => path.join(dir, 'scenarios', `${cell}.json`);
  mkdirSync(path.join(dir, 'scenarios'), { recursive: true });
  for (const c of plan.combos) if (!existsSync(scenarioFile(c.cell))) writeFileSync(scenarioFile(c.cell), toJson(c.scenario) + '\n');
  const flags = new Map(
    plan.combos.map((c) => [
      c.cell,
      [
        c.flags.figures === true ? '--figures' : '--no-figures',
        ...(typeof c.flags.reference === 'string' ? ['--reference', c.flags.reference] : []),
        ...(typeof c.flags.figure_size === 'string' ? ['--figure-size', c.flags.figure_size] : []),
        ...(c.flags.titles === false ? ['--no-titles'] : []),
      ],
    ]),
  );
  out(
    `sweep ${manifest.sweep_id}: scenario ${plan.scenarioArg}, ${plan.combos.length} combination(s) × ${plan.seeds.length} seed(s) = ${manifest.cells.length} cells; ${dir}/${SWEEP_MANIFEST}`,
  );
  const common = {
    dir,
    manifest,
    scenarioFile,
    cellFlags: (cell: string) => flags.get(cell) ?? [],
    resultsDir: o.resultsDir,
    logsDir: o.logsDir,
    out,
  };
  if (o.slurm) return slurmSweep(o, common);
  const res = await runSweep(common);
  if (res.stoppedBy) return signalExit(res.stoppedBy);
  const cells = res.manifest.cells;
  const done = cells.filter((c) => c.status === 'done');
  const failed = cells.filter((c) => c.status === 'failed');
  const compared = o.compare && done.length > 0 ? await compareSweep(dir, out) : true;
  if (failed.length) {
    out(
      `sweep: ${failed.length} cell(s) failed (${failed.map((c) => `${c.cell} seed ${c.seed}`).join(', ')}); run again with --resume ${dir} to retry them`,
    );
    return EXIT.failed;
  }
  if (!compared) return EXIT.failed;
  if (done.some((c) => c.exit_code === EXIT.checkFailed)) return EXIT.checkFailed;
  if (done.some((c) => c.exit_code === EXIT.unjudged)) return EXIT.unjudged;
  return EXIT.ok;
}

/** --via slurm: submit, follow, and the same exit codes as a local sweep (compare ran as a job). */
async function slurmSweep(o: SweepOptions, common: RunSweepOptions): Promise<number> {
  const { runSweepOnSlurm } = await import('../sweep/slurm.js');
  const s = o.slurm!;
  const res = await runSweepOnSlurm({ ...common, ...s, compare: o.compare, pollMs: 2000 });
  if (res.stoppedBy) return signalExit(res.stoppedBy);
  if (!res.manifest) return EXIT.ok;
  const cells = res.manifest.cells;
  const done = cells.filter((c) => c.status === 'done');
  const notDone = cells.filter((c) => c.status !== 'done');
  if (res.compareExit !== null) {
    if (res.compareExit === EXIT.ok) common.out(`sweep: compared: ${path.join(o.dir, 'compare', 'compare.html')}`);
    else common.out(`sweep: the compare job exited ${res.compareExit} (see ${path.join(o.dir, 'logs')}/slurm-compare-*.out)`);
  }
  if (notDone.length) {
    common.out(
      `sweep: ${notDone.length} cell(s) not done (${notDone.map((c) => `${c.cell} seed ${c.seed}: ${c.status}${c.exit_code !== null ? ` exit ${c.exit_code}` : ''}`).join(', ')}); their output: ${path.join(o.dir, 'logs')}/; chronoeval sweep ${o.plan.file} --resume ${o.dir} runs them here`,
    );
    return EXIT.failed;
  }
  if (res.compareExit !== null && res.compareExit !== EXIT.ok) return EXIT.failed;
  if (done.some((c) => c.exit_code === EXIT.checkFailed)) return EXIT.checkFailed;
  if (done.some((c) => c.exit_code === EXIT.unjudged)) return EXIT.unjudged;
  return EXIT.ok;
}

/** Compare the sweep's analysed cells into <sweep>/compare, as `chronoeval compare DIR` does; false when compare failed. */
async function compareSweep(dir: string, out: (line: string) => void): Promise<boolean> {
  try {
    const inputs = resolveCompareInputs([dir]);
    for (const s of inputs.skipped) out(`sweep: compare leaves out ${s}`);
    const logger = new Logger('compare', null, 'info');
    const res = await compareWithTable({ runDirs: inputs.runDirs, params: inputs.params, outDir: inputs.defaultOutDir, logger });
    out(`sweep: compared ${inputs.runDirs.length} run(s): ${res.page}`);
    return true;
  } catch (e) {
    // The runs are made and recorded; only the comparison is missing.
    out(`sweep: compare failed (${(e as Error).message}); the runs are kept: run chronoeval compare ${dir}`);
    return false;
  }
}

export const handler = runCommand({ parse, run });

/** The job id of the Slurm array a `sweep --via slurm` recorded, or null. */
function slurmArrayOf(m: SweepManifest): string | null {
  const s = m['slurm'];
  if (typeof s !== 'object' || s === null) return null;
  const id = (s as Record<string, unknown>)['array_job'];
  return typeof id === 'string' && /^\d+$/.test(id) ? id : null;
}
