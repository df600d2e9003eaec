// Runs a sweep's pending cells one after another, each as a `chronoeval run-local` child (the
// same path a user's run-local takes), and keeps sweep.json current after every state change.
// A stop signal is passed to the running cell (it stops and analyses what it recorded, as
// run-local does); the cell goes back to pending with its partial run dir noted, then the sweep
// exits 128 + n. A sweep killed outright leaves its cell `running`; resume treats it the same way.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { CLI_PATH } from '../files/paths.js';
import { writeJsonAtomic } from '../files/atomic-json.js';
import { CELL_DONE_CODES, SWEEP_MANIFEST, type SweepCell, type SweepManifest } from '../files/sweep-manifest.js';
import { EXIT, STOP_SIGNALS, signalExit } from '../cli/exit-codes.js';
import { cellRunId } from './matrix.js';
import { cellsForResume, pendingCells } from './resume.js';
import { formatDuration, paramsText, progressLine } from './progress.js';

export interface RunSweepOptions {
  dir: string;
  manifest: SweepManifest;
  /** Cell id → its scenario file (sweeps/<id>/scenarios/<cell>.json). */
  scenarioFile: (cell: string) => string;
  /** Extra run-local flags of a cell (e.g. --reference). */
  cellFlags: (cell: string) => string[];
  resultsDir: string;
  logsDir: string;
  out: (line: string) => void;
}

export interface RunSweepResult {
  manifest: SweepManifest;
  /** The signal that stopped the sweep, if any. */
  stoppedBy: NodeJS.Signals | null;
}

/** run-local's arguments for one cell. */
export function cellArgs(o: RunSweepOptions, cell: SweepCell, runId: string): string[] {
  return [
    'run-local',
    '--scenario',
    o.scenarioFile(cell.cell),
    '--seed',
    String(cell.seed),
    '--run-id',
    runId,
    '--results-dir',
    o.resultsDir,
    '--logs-dir',
    o.logsDir,
    ...o.cellFlags(cell.cell),
  ];
}

/** The pid of another live process running this sweep, or null. */
export function liveRunner(m: SweepManifest): number | null {
  const pid = m['runner_pid'];
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (e) {
    // EPERM: alive but another user's; ESRCH: gone.
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

export async function runSweep(o: RunSweepOptions): Promise<RunSweepResult> {
  const m = o.manifest;
  m.cells = cellsForResume(m.cells);
  // Who runs the sweep now: a second `--resume` of the same directory refuses while it lives.
  m['runner_pid'] = process.pid;
  const save = (): Promise<void> => writeJsonAtomic(path.join(o.dir, SWEEP_MANIFEST), m);
  await save();
  const logDir = path.join(o.dir, 'logs');
  mkdirSync(logDir, { recursive: true });

  let stoppedBy: NodeJS.Signals | null = null;
  let child: ReturnType<typeof spawn> | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    stoppedBy ??= sig;
    o.out(`sweep: ${sig}: stopping the running cell; resume with --resume ${o.dir}`);
    child?.kill(sig);
  };
  for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  const todo = pendingCells(m.cells);
  const total = m.cells.length;
  const started = Date.now();
  let ranMs = 0;
  let ran = 0;
  try {
    for (const i of todo) {
      if (stoppedBy) break;
      const cell = m.cells[i]!;
      const runId = cellRunId(m.sweep_id, cell);
      cell.run_id = runId;
      cell.run_dir = path.resolve(o.resultsDir, runId);
      cell.status = 'running';
      cell.exit_code = null;
      await save();
      const cellStart = Date.now();
      o.out(`  ${cell.cell} seed ${cell.seed} ${paramsText(cell.params)}: running → ${cell.run_dir}`);
      const logFile = path.join(logDir, `${runId}.log`);
      const code = await new Promise<number>((resolve) => {
        const log = createWriteStream(logFile);
        // Its own process group: a Ctrl-C reaches the cell once, through onSignal, not twice.
        child = spawn(process.execPath, [CLI_PATH, ...cellArgs(o, cell, runId)], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
        child.stdout!.pipe(log, { end: false });
        child.stderr!.pipe(log, { end: false });
        child.on('error', (e) => {
          log.end(`sweep: cannot start run-local: ${e.message}\n`);
          resolve(EXIT.failed);
        });
        child.on('close', (c, s) => {
          log.end();
          resolve(c ?? (s ? signalExit(s) : EXIT.failed));
        });
      });
      child = null;
      const ms = Date.now() - cellStart;
      if (stoppedBy) {
        // Stopped by us: partial data, never counted as the cell's result.
        cell.abandoned_run_dirs = [...(cell.abandoned_run_dirs ?? []), cell.run_dir];
        cell.status = 'pending';
        cell.run_id = null;
        cell.run_dir = null;
        cell.exit_code = null;
        await save();
        o.out(
          `  ${cell.cell} seed ${cell.seed}: stopped (exit ${code}); its partial run dir is kept and noted; the cell runs again on resume`,
        );
        break;
      }
      cell.exit_code = code;
      cell.status = CELL_DONE_CODES.includes(code) ? 'done' : 'failed';
      await save();
      ran++;
      ranMs += ms;
      const done = m.cells.filter((c) => c.status === 'done' || c.status === 'failed').length;
      const left = m.cells.filter((c) => c.status === 'pending').length;
      o.out(progressLine({ done, total, elapsedMs: Date.now() - started, leftMs: left * (ranMs / ran), cell, ms }));
      if (cell.status === 'failed') o.out(`    run-local failed (exit ${code}); its output: ${logFile}`);
    }
  } finally {
    for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
    m['runner_pid'] = null;
    await save();
  }
  if (!stoppedBy)
    o.out(`sweep: ${todo.length === 0 ? 'nothing left to run' : `ran ${ran} cell(s) in ${formatDuration(Date.now() - started)}`}`);
  return { manifest: m, stoppedBy };
}
