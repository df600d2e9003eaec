// `chronoeval slurm`'s work: the template's environment from the options (checked as the
// template checks it, before sbatch), submit, follow, then name the results and analyse them
// when the job did not. Results are written by the job on a filesystem the submitting host
// sees too, or (nodeDir) on each node's own disk and pulled back here while the job waits.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { CLI_PATH, PACKAGE_ROOT, runDirPaths } from '../files/paths.js';
import { EXIT, STOP_SIGNALS, signalExit } from '../cli/exit-codes.js';
import { loadRoleOptions } from '../deploy/role-options.js';
import { slurmRoleArgs } from '../deploy/slurm-args.js';
import { UsageError } from '../validate/index.js';
import { KNOWN_SOURCES } from '../clock/registry.js';
import { sbatch, slurm } from './client.js';
import { followJob, jobExitCode } from './follow.js';
import { answerCollected, COLLECT_ASK, collectRun, hostnames, nodeDirOf } from './collect.js';

export const SBATCH_TEMPLATE = path.join(PACKAGE_ROOT, 'deploy', 'slurm', 'chronoeval.sbatch');

/** Settings of the template that are not a worker/coordinator flag (deploy/slurm/chronoeval.sbatch). */
const TEMPLATE_VARS = [
  'NTP_SERVER',
  'NTP_PORT',
  'WORKER_PORT',
  'BIND',
  'SOURCES',
  'RATE',
  'DURATION_S',
  'WARMUP_MAX_S',
  'POLL_MS',
  'READY_TIMEOUT_S',
];

export interface SlurmRunOptions {
  sbatchArgs: string[];
  /** Template settings (RATE, DURATION_S, COMMIT_WAIT_S, …) as the job's environment gets them. */
  settings: Record<string, string>;
  resultsDir: string;
  logsDir: string;
  figures: boolean;
  nodeBin: string;
  wait: boolean;
  pollMs: number;
  progressS: number;
  /** Node-local directory pattern (%N = node name): no shared filesystem; rows are collected here. */
  nodeDir?: string;
  /** How long the job waits for the collection (s). */
  collectWaitS?: number;
}

/**
 * KEY=VALUE texts (and `named`, from the command's own flags) → settings; each KEY must be a
 * template setting or a role option's variable.
 */
export async function parseSettings(given: readonly string[], named: Record<string, string> = {}): Promise<Record<string, string>> {
  const specs = await loadRoleOptions();
  const known = new Set([...TEMPLATE_VARS, ...specs.worker.map((s) => s.env), ...specs.coordinator.map((s) => s.env)]);
  const out: Record<string, string> = {};
  for (const g of given) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/s.exec(g);
    if (!m) throw new UsageError(`--set ${JSON.stringify(g)}: expected NAME=VALUE with NAME in upper case, e.g. --set COMMIT_WAIT_S=30,60`);
    if (!known.has(m[1]!))
      throw new UsageError(
        `--set ${JSON.stringify(g)}: ${m[1]} is not a setting of deploy/slurm/chronoeval.sbatch (a worker or coordinator flag in upper case with _ for -, or one of ${TEMPLATE_VARS.join(', ')})`,
      );
    out[m[1]!] = m[2]!;
  }
  Object.assign(out, named);
  // The template passes SOURCES to each role itself, outside the role-option check below.
  const unknown = (out['SOURCES'] ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x && !(KNOWN_SOURCES as readonly string[]).includes(x));
  if (unknown.length)
    throw new UsageError(`sources ${JSON.stringify(out['SOURCES'])}: unknown ${unknown.join(', ')} (known: ${KNOWN_SOURCES.join(', ')})`);
  // The template's own check, here, so a bad value is refused before anything is submitted.
  const problems = [...slurmRoleArgs('worker', out, specs).problems, ...slurmRoleArgs('coordinator', out, specs).problems];
  if (problems.length) throw new UsageError(`invalid run settings: ${[...new Set(problems)].join('; ')}`);
  return out;
}

/** The run directory the job made (`<UTC start>-j<id>`), or null when it made none. */
function jobRunDir(resultsDir: string, id: string): string | null {
  if (!existsSync(resultsDir)) return null;
  const hit = readdirSync(resultsDir).find((d) => d.endsWith(`-j${id}`));
  return hit ? path.join(resultsDir, hit) : null;
}

function analyze(runDir: string, figures: boolean, nodeBin: string): Promise<number> {
  return new Promise((resolve) => {
    const c = spawn(nodeBin, [CLI_PATH, 'analyze', runDir, ...(figures ? [] : ['--no-figures'])], { stdio: 'inherit' });
    c.on('error', () => resolve(EXIT.failed));
    c.on('close', (code) => resolve(code ?? EXIT.failed));
  });
}

export async function runSlurmJob(o: SlurmRunOptions): Promise<number> {
  const out = (l: string): void => void process.stdout.write(l + '\n');
  mkdirSync(o.logsDir, { recursive: true });
  // Without a shared filesystem the script writes its own output into its node's directory (Slurm
  // would not create that directory), kept there until collected.
  const output = o.nodeDir ? '/dev/null' : path.join(o.logsDir, 'slurm-%j.out');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...o.settings,
    CHRONOEVAL_ROOT: PACKAGE_ROOT,
    NODE_BIN: o.nodeBin,
    RESULTS_DIR: o.resultsDir,
    LOGS_DIR: o.logsDir,
    FIGURES: o.figures ? '1' : '0',
    ...(o.nodeDir ? { NODE_DIR: o.nodeDir, COLLECT_WAIT_S: String(o.collectWaitS ?? 600), NODE_OUTPUT: '1' } : {}),
  };
  const id = await sbatch([...o.sbatchArgs, `--output=${output}`, SBATCH_TEMPLATE], env);
  const outFile = o.nodeDir ? `${nodeDirOf(o.nodeDir, '<batch node>')}/slurm-${id}.out (on that node)` : output.replace('%j', id);
  out(`submitted job ${id}: ${SBATCH_TEMPLATE}; its output: ${outFile}`);
  if (!o.wait) {
    out(`not following it (--no-wait): scontrol show job ${id}; results in ${o.resultsDir}/<UTC start>-j${id}/ when it ends`);
    return EXIT.ok;
  }

  // A stop signal cancels the job (it stops its steps and keeps what was recorded), then the
  // end is followed as usual.
  // With node-local rows, the first signal stops only the run's steps, so the job lives on to be
  // collected; a second one cancels it.
  let stoppedBy: NodeJS.Signals | null = null;
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    stoppedBy ??= sig;
    if (o.nodeDir && signals === 1) {
      out(`${sig}: stopping the run's steps of job ${id}; its rows are then collected (again to cancel the job: scancel ${id})`);
      void stopSteps(id);
    } else if (signals === (o.nodeDir ? 2 : 1)) {
      out(`${sig}: cancelling job ${id} (scancel ${id})`);
      void slurm(['scancel', id]);
    }
  };
  const collect = { state: 'no' as 'no' | 'busy' | 'done' };
  const onPoll = async (recs: Record<string, string>[]): Promise<void> => {
    const r = recs[0]!;
    const ask = r['Comment'] ?? '';
    if (!o.nodeDir || collect.state !== 'no' || !ask.startsWith(COLLECT_ASK)) return;
    collect.state = 'busy';
    const runId = ask.slice(COLLECT_ASK.length);
    const nodes = await hostnames(r['NodeList'] ?? '');
    const batch = r['BatchHost'];
    out(`job ${id}: run ${runId} ended; collecting its rows from ${nodes.join(', ')} (${o.nodeDir})`);
    const got = await collectRun({
      jobId: id,
      runId,
      nodes,
      nodeDir: o.nodeDir,
      resultsDir: o.resultsDir,
      logsDir: o.logsDir,
      jobOutput: batch ? { node: batch, file: `slurm-${id}.out` } : undefined,
      out,
    });
    const copied = got.filter((g) => g.ok).map((g) => g.node);
    const missing = got.filter((g) => !g.ok);
    if (missing.length)
      out(`collect: rows NOT collected from ${missing.map((m) => `${m.node} (${m.problem})`).join(', ')}: they stay on those nodes`);
    const err = await answerCollected(id, runId, copied);
    if (err) out(`collect: ${err}; the job ends after its wait and leaves the node copies`);
    collect.state = 'done';
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  let recs;
  try {
    recs = await followJob(id, { pollMs: o.pollMs, everyS: o.progressS, out, onPoll });
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
  if (!recs) {
    out(`job ${id}: Slurm no longer knows it (purged before it was seen to end); look in ${o.resultsDir} and ${outFile}`);
    return EXIT.failed;
  }
  const rec = recs[0]!;
  if (o.nodeDir && collect.state !== 'done')
    out(
      `job ${id} ended before its rows were collected: they stay on each node under ${nodeDirOf(o.nodeDir, '<node>')}/results and /logs, its output in ${nodeDirOf(o.nodeDir, rec['BatchHost'] ?? '<batch node>')}/slurm-${id}.out`,
    );
  let code = jobExitCode(rec);
  const runDir = jobRunDir(o.resultsDir, id);
  out(`job ${id}: ${rec['JobState']}, exit code ${rec['ExitCode']} (script:signal), elapsed ${rec['RunTime']}`);
  if (runDir === null) {
    out(`job ${id} made no run directory in ${o.resultsDir}; see ${outFile}`);
    return stoppedBy ? signalExit(stoppedBy) : code === EXIT.ok ? EXIT.failed : code;
  }
  if (!existsSync(runDirPaths(runDir).stats)) {
    out(`the job did not analyse its results: chronoeval analyze ${runDir}`);
    const a = await analyze(runDir, o.figures, process.execPath);
    if (a !== EXIT.ok && code === EXIT.ok) code = EXIT.failed;
  }
  out(`results: ${runDir}  logs: ${path.join(o.logsDir, path.basename(runDir))}  job output: ${outFile}`);
  return stoppedBy ? signalExit(stoppedBy) : code;
}

/**
 * SIGTERM to the run's coordinator step (it ends the workers, which say bye, as at a normal end),
 * or, before it has started, to every step of the run (found by name, as the template's stop does).
 */
async function stopSteps(id: string): Promise<void> {
  const q = await slurm(['squeue', '-h', '-s', '-j', id, '-o', '%i %j']);
  const steps = q.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([, name]) => /^(ntp-server|worker-w\d+|coordinator)$/.test(name ?? ''));
  const coord = steps.filter(([, name]) => name === 'coordinator');
  const ids = (coord.length ? coord : steps).map(([step]) => step!);
  if (ids.length) await slurm(['scancel', '--signal=TERM', ...ids]);
}
