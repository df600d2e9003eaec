// A sweep's pending cells as one Slurm job array (deploy/slurm/sweep-cell.sbatch: one cell's
// run-local per array task, on its own node) and, unless --no-compare, a compare job that starts
// after the whole array has ended (afterany). sweep.json is written here once; the tasks write
// cells/<run_id>.json, which the manifest reader merges. Followed with scontrol like `slurm`.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../files/paths.js';
import { writeJsonAtomic } from '../files/atomic-json.js';
import { CELL_STATUS_DIR, SWEEP_MANIFEST, readSweepManifest, type SweepManifest } from '../files/sweep-manifest.js';
import { EXIT, STOP_SIGNALS } from '../cli/exit-codes.js';
import { sbatch, showJob, slurm } from '../slurm/client.js';
import { followJob, isActive, jobExitCode } from '../slurm/follow.js';
import { cellArgs, type RunSweepOptions } from './run.js';
import { cellRunId } from './matrix.js';
import { cellsForResume, pendingCells } from './resume.js';

const CELL_SCRIPT = path.join(PACKAGE_ROOT, 'deploy', 'slurm', 'sweep-cell.sbatch');
const COMPARE_SCRIPT = path.join(PACKAGE_ROOT, 'deploy', 'slurm', 'sweep-compare.sbatch');

export interface SlurmSweepOptions extends RunSweepOptions {
  /** sbatch options for every array task (partition, account, time). */
  sbatchArgs: string[];
  compare: boolean;
  nodeBin: string;
  wait: boolean;
  pollMs: number;
}

export interface SlurmSweepResult {
  /** The manifest as read back at the end, with the tasks' statuses merged; null with --no-wait. */
  manifest: SweepManifest | null;
  stoppedBy: NodeJS.Signals | null;
  /** The compare job's exit code, or null when there was none or it was not followed. */
  compareExit: number | null;
}

export async function runSweepOnSlurm(o: SlurmSweepOptions): Promise<SlurmSweepResult> {
  const m = o.manifest;
  m.cells = cellsForResume(m.cells);
  const todo = pendingCells(m.cells);
  const tasksDir = path.join(o.dir, 'slurm', 'tasks');
  mkdirSync(tasksDir, { recursive: true });
  mkdirSync(path.join(o.dir, 'logs'), { recursive: true });
  mkdirSync(path.join(o.dir, CELL_STATUS_DIR), { recursive: true });
  todo.forEach((ci, task) => {
    const cell = m.cells[ci]!;
    const runId = cellRunId(m.sweep_id, cell);
    cell.run_id = runId;
    cell.run_dir = path.resolve(o.resultsDir, runId);
    writeFileSync(
      path.join(tasksDir, `${task}.args`),
      cellArgs(o, cell, runId)
        .map((w) => `${w}\0`)
        .join(''),
    );
  });
  const env: NodeJS.ProcessEnv = { ...process.env, SWEEP_DIR: o.dir, CHRONOEVAL_ROOT: PACKAGE_ROOT, NODE_BIN: o.nodeBin, FIGURES: '1' };
  const save = (): Promise<void> => writeJsonAtomic(path.join(o.dir, SWEEP_MANIFEST), m);
  m['via'] = 'slurm';
  m['runner_pid'] = null;
  await save();
  if (todo.length === 0) {
    o.out('sweep: nothing left to run');
    return { manifest: m, stoppedBy: null, compareExit: null };
  }
  const arrayId = await sbatch(
    [
      ...o.sbatchArgs,
      `--array=0-${todo.length - 1}`,
      `--job-name=${m.sweep_id}`,
      `--output=${path.join(o.dir, 'logs', 'slurm-%A_%a.out')}`,
      CELL_SCRIPT,
    ],
    env,
  );
  let compareId: string | null = null;
  if (o.compare)
    compareId = await sbatch(
      [
        ...o.sbatchArgs.filter((a) => !a.startsWith('--time=')),
        `--dependency=afterany:${arrayId}`,
        `--job-name=${m.sweep_id}-compare`,
        `--output=${path.join(o.dir, 'logs', 'slurm-compare-%j.out')}`,
        COMPARE_SCRIPT,
      ],
      env,
    );
  m['slurm'] = { array_job: arrayId, compare_job: compareId, submitted_utc: new Date().toISOString() };
  await save();
  o.out(
    `sweep: job array ${arrayId} (${todo.length} task(s), one cell each)${compareId ? `, compare job ${compareId} after it (afterany)` : ''}; task output in ${path.join(o.dir, 'logs')}/`,
  );
  if (!o.wait) {
    o.out(
      `sweep: not following (--no-wait): scontrol show job ${arrayId}; chronoeval compare ${o.dir} reads the cells' status as they finish`,
    );
    return { manifest: null, stoppedBy: null, compareExit: null };
  }

  let stoppedBy: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stoppedBy) return;
    stoppedBy = sig;
    o.out(
      `sweep: ${sig}: cancelling the array${compareId ? ' and the compare job' : ''} (scancel ${arrayId}${compareId ? ` ${compareId}` : ''})`,
    );
    void slurm(['scancel', arrayId, ...(compareId ? [compareId] : [])]);
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  const finished = (): string => {
    const cells = readSweepManifest(o.dir).manifest?.cells ?? [];
    return `${cells.filter((c) => c.status === 'done' || c.status === 'failed').length}/${cells.length} cells finished`;
  };
  let compareExit: number | null = null;
  try {
    await followJob(arrayId, { pollMs: o.pollMs, everyS: 30, out: o.out, progress: finished });
    if (compareId) {
      const recs = await followJob(compareId, { pollMs: o.pollMs, everyS: 30, out: o.out });
      compareExit = recs ? jobExitCode(recs[0]!) : EXIT.failed;
    }
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
  const end = readSweepManifest(o.dir).manifest;
  const lost = readdirSync(tasksDir).length - readdirSync(path.join(o.dir, CELL_STATUS_DIR)).length;
  if (lost > 0) o.out(`sweep: ${lost} array task(s) never started (cancelled or refused); their cells stay pending: --resume runs them`);
  return { manifest: end, stoppedBy, compareExit };
}

/**
 * Whether a sweep's array job still has tasks pending or running: `state` names them (e.g.
 * "RUNNING×2 PENDING×1") or is null; `unknown` says why it could not be asked.
 */
export async function liveArray(id: string): Promise<{ state: string | null; unknown?: string }> {
  let recs: Record<string, string>[] | null;
  try {
    recs = await showJob(id);
  } catch (e) {
    return { state: null, unknown: `could not ask Slurm about array job ${id} (${(e as Error).message})` };
  }
  if (recs === null) return { state: null }; // purged: long over
  const active = recs.filter((r) => isActive(r['JobState']));
  if (active.length === 0) return { state: null };
  const n = new Map<string, number>();
  for (const r of active) n.set(r['JobState'] ?? '?', (n.get(r['JobState'] ?? '?') ?? 0) + 1);
  return { state: [...n].map(([st, k]) => `${st}×${k}`).join(' ') };
}
