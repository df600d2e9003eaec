import { mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { newRunId } from '../files/run-id.js';
import { runPaths } from '../files/paths.js';
import { writeNewKeyFile } from '../protocol/key.js';
import { startRole, withTimeout, type RoleProcess } from './child.js';
import { baseVersions, writeManifest, type Manifest } from '../files/manifest.js';
import { provenance } from '../files/provenance.js';
import { readWorkerSummary } from '../files/worker-summary.js';
import type { Logger } from '../cli/logger.js';
import { STOP_SIGNALS, signalExit } from '../cli/exit-codes.js';
import { scheduleRecord } from '../coordinator/schedule.js';
import { resolveStampKind, type RecvStampMode } from '../net/stamped-socket.js';
import {
  coordinatorArgs,
  coordinatorSchedule,
  measureTruthAnchor,
  ntpServerArgs,
  scenarioManifest,
  withTruthAnchor,
  workerArgs,
  type LocalRunPlan,
} from './index.js';

/** How long a run whose child ended by a stop signal waits for run-local's own copy of it (ms). */
const STOP_GRACE_MS = 1500;

export interface RunLocalOptions {
  plan: LocalRunPlan;
  /** Scenario file the plan came from (null for the built-in defaults). */
  scenarioFile: string | null;
  resultsDir: string;
  logsDir: string;
  runId?: string;
  logger: Logger;
  commandLine: string[];
  /** Forward the children's log lines to stderr (default true). */
  verbose?: boolean;
  /** Workers' --recv-stamp (passed only when not the default, auto). */
  recvStamp?: RecvStampMode;
}

export interface RunLocalResult {
  runId: string;
  runDir: string;
  exitCode: number;
  /** The signal (SIGINT, SIGTERM, SIGHUP) that stopped the run early, or null. */
  interrupted: NodeJS.Signals | null;
}

/** Signals that stop a run: each one stops every child first, so nothing of the run is left running. */

/**
 * One seed of a scenario on one machine: an SNTP server per planned server, the workers and the
 * coordinator as real child processes on loopback (OS-chosen ports), all under one run id and
 * one truth anchor; returns once every process ended. Realised faults go into the manifest.
 */
export async function runLocal(opts: RunLocalOptions): Promise<RunLocalResult> {
  const log = opts.logger;
  // The workers run on this host: refuse --recv-stamp kernel here, before anything starts, if they would.
  if (opts.recvStamp) resolveStampKind(opts.recvStamp);
  const runId = opts.runId ?? newRunId();
  const plan = withTruthAnchor(opts.plan, measureTruthAnchor());
  const paths = runPaths(opts.resultsDir, opts.logsDir, runId);
  mkdirSync(paths.runDir, { recursive: true });
  mkdirSync(paths.logDir, { recursive: true });
  const keyFile = path.join(paths.logDir, 'run.key');
  await writeNewKeyFile(keyFile);
  const common = ['--run-id', runId, '--results-dir', opts.resultsDir, '--logs-dir', opts.logsDir];
  const s = plan.scenario;
  const manifest: Manifest = {
    run_id: runId,
    kind: 'local',
    started_utc: new Date().toISOString(),
    ended_utc: null,
    command_line: opts.commandLine,
    config: {
      workers: s.workers,
      rate: s.rate,
      duration_s: s.duration_s,
      count: s.count,
      sources: s.sources,
      poll_ms: s.poll_ms,
      warmup_max_s: s.warmup_max_s,
      commit_wait_s: s.commit_wait_s,
      echo: s.echo,
      transport: s.transport,
    },
    schedule: scheduleRecord(coordinatorSchedule(plan.coordinator)),
    scenario: scenarioManifest(plan, opts.scenarioFile),
    hosts: [],
    versions: baseVersions(),
    provenance: provenance(opts.commandLine),
    security: { authenticated: true },
  };
  await writeManifest(paths.manifest, manifest);
  const events = s.count ?? `${s.duration_s} s of`;
  log.info(
    `run ${runId}: scenario "${s.name}" seed ${plan.seed}, ${s.workers} workers, ${events} events at ${s.rate}/s, sources ${s.sources.join(',')}`,
  );

  const procs: RoleProcess[] = [];
  let interrupted: NodeJS.Signals | null = null;
  let coordinator: RoleProcess | null = null;
  // Read through a function: the signal handler sets it, which the compiler's narrowing cannot see.
  const stoppedBy = (): NodeJS.Signals | null => interrupted;
  const start = (name: string, args: string[]): RoleProcess => {
    if (interrupted) throw new Error(`not starting ${name}: the run was stopped (${interrupted})`);
    const p = startRole(name, args, { forwardStderr: opts.verbose !== false });
    procs.push(p);
    return p;
  };
  const running = (p: RoleProcess): boolean => p.child.exitCode === null && p.child.signalCode === null;
  const stopAll = (sig: NodeJS.Signals = 'SIGTERM'): void => {
    for (const p of procs) if (running(p)) p.child.kill(sig);
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupted) {
      // A second signal: no more waiting.
      log.warn(`${sig} again: killing every process of the run`);
      stopAll('SIGKILL');
      process.exit(signalExit(sig));
    }
    interrupted = sig;
    if (coordinator && running(coordinator)) {
      // The coordinator stops sending and ends its workers, which then write their summaries and
      // say bye; the rest stop below as in a normal end. Its events so far are received, not lost.
      log.warn(`interrupted (${sig}): stopping the coordinator, which ends the workers (${sig} again to kill everything now)`);
      coordinator.child.kill('SIGTERM');
    } else {
      log.warn(`interrupted (${sig}): stopping every process of the run`);
      stopAll();
    }
  };
  for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  // A stop signal sent to the whole process group (Slurm's scancel, a terminal's Ctrl-C, a
  // process-group kill) may reach a child before run-local: that child's end is then the stop's,
  // not a failure. When a child ended by a stop signal that run-local did not pass on, wait a
  // moment for run-local's own copy before calling the run failed.
  const stopExits = new Set(STOP_SIGNALS.map(signalExit));
  const endedByStopSignal = (): boolean =>
    procs.some(
      (p) =>
        (p.child.signalCode !== null && STOP_SIGNALS.includes(p.child.signalCode)) ||
        (p.child.exitCode !== null && stopExits.has(p.child.exitCode)),
    );
  const awaitOwnStop = async (): Promise<void> => {
    if (stoppedBy() || !endedByStopSignal()) return;
    const until = Date.now() + STOP_GRACE_MS;
    while (!stoppedBy() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  };
  try {
    const servers: Record<string, string> = {};
    const serverProcs: RoleProcess[] = [];
    for (const sv of plan.servers) {
      const p = start(`ntp-server ${sv.name}`, [
        'ntp-server',
        '--bind',
        '127.0.0.1',
        '--port',
        '0',
        '--run-id',
        runId,
        '--logs-dir',
        opts.logsDir,
        ...ntpServerArgs(sv),
      ]);
      serverProcs.push(p);
      const port = await withTimeout(p.listening, 15_000, `ntp-server ${sv.name} start`);
      servers[sv.name] = `127.0.0.1:${port}`;
      manifest.hosts.push({ role: 'ntp-server', node: sv.name, host: '127.0.0.1', port });
    }
    const recvStamp = opts.recvStamp && opts.recvStamp !== 'auto' ? ['--recv-stamp', opts.recvStamp] : [];
    const workers = plan.workers.map((w) =>
      start(`worker ${w.node}`, [
        'worker',
        ...common,
        '--bind',
        '127.0.0.1',
        '--port',
        '0',
        '--key-file',
        keyFile,
        ...recvStamp,
        ...workerArgs(w, servers),
      ]),
    );
    // The workers start at once and share the cores: one deadline for all of them, growing with
    // their number (64 Node processes take tens of seconds to load on 2 cores).
    const addrs: string[] = [];
    const startBudgetMs = workerStartBudgetMs(workers.length);
    const allListening = Promise.all(workers.map((w) => w.listening));
    const timedOut = Symbol('timed out');
    const first = await Promise.race([allListening, sleepMs(startBudgetMs).then(() => timedOut)]);
    if (first === timedOut) {
      const late = workers.filter((w) => !w.lastJson.some((j) => j.event === 'listening')).map((w) => w.name);
      throw new Error(
        `${late.length} of ${workers.length} worker(s) not listening after ${startBudgetMs / 1000} s (${late.slice(0, 8).join(', ')}${late.length > 8 ? ` and ${late.length - 8} more` : ''}): the machine may be too loaded to start ${workers.length} workers at once; try fewer workers or an idle machine`,
      );
    }
    const ports = await allListening;
    for (const [i] of workers.entries()) {
      const port = ports[i]!;
      addrs.push(`127.0.0.1:${port}`);
      manifest.hosts.push({ role: 'worker', node: plan.workers[i]!.node, host: '127.0.0.1', port });
    }
    await writeManifest(paths.manifest, manifest);

    const coord = (coordinator = start('coordinator', [
      'coordinator',
      ...common,
      '--key-file',
      keyFile,
      ...coordinatorArgs(plan.coordinator, addrs, servers),
    ]));
    const coordExit = await coord.exited;
    const workerExits = await Promise.all(
      workers.map((w) =>
        withTimeout(w.exited, 30_000, `${w.name} exit`).catch((e: Error) => {
          log.error(`${e.message}; stopping it`);
          w.child.kill('SIGTERM');
          return { code: null, signal: 'SIGTERM' as NodeJS.Signals };
        }),
      ),
    );
    for (const p of serverProcs) p.child.kill('SIGTERM');
    await Promise.all(serverProcs.map((p) => withTimeout(p.exited, 5000, `${p.name} exit`).catch(() => p.child.kill('SIGKILL'))));

    const failed = workerExits.map((e, i) => ({ e, node: plan.workers[i]!.node })).filter(({ e }) => e.code !== 0);
    for (const { e, node } of failed) log.error(`worker ${node} ended with code ${e.code} signal ${e.signal}`);
    if (coordExit.code !== 0) log.error(`coordinator ended with code ${coordExit.code} signal ${coordExit.signal}`);
    manifest.ended_utc = new Date().toISOString();
    manifest.exit = {
      coordinator: coordExit.code,
      workers: Object.fromEntries(workerExits.map((e, i) => [plan.workers[i]!.node, e.code])),
    };
    manifest.realised_faults = {
      servers: Object.fromEntries(
        plan.servers.map((sv, i) => [sv.name, serverProcs[i]!.lastJson.find((j) => j.event === 'realised_faults')?.ntp ?? null]),
      ),
      workers: Object.fromEntries(plan.workers.map((w) => [w.node, readClockFaults(paths.workerSummary(w.node))])),
    };
    await writeManifest(paths.manifest, manifest);
    if (coordExit.code !== 0 || failed.length) await awaitOwnStop();
    return { runId, runDir: paths.runDir, exitCode: coordExit.code === 0 && failed.length === 0 ? 0 : 1, interrupted: stoppedBy() };
  } catch (e) {
    // A stop signal while the processes start makes a start fail: that is the signal's exit (128 + n), not a failure.
    await awaitOwnStop();
    const sig = stoppedBy();
    if (sig) {
      throw Object.assign(new Error(`the run was stopped (${sig}) while starting: ${(e as Error).message}`, { cause: e }), {
        exitCode: signalExit(sig),
      });
    }
    throw e;
  } finally {
    for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
    stopAll();
  }
}

function readClockFaults(summaryFile: string): unknown {
  if (!existsSync(summaryFile)) return null;
  return readWorkerSummary(summaryFile).summary?.clock_faults ?? null;
}

const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/** How long run-local waits for all its workers to listen: 15 s, plus 0.5 s per worker. */
export function workerStartBudgetMs(workers: number): number {
  return 15_000 + 500 * workers;
}
