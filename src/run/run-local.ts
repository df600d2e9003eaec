import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { newRunId } from './run-id.js';
import { runPaths } from './paths.js';
import { writeNewKeyFile } from './key.js';
import { startRole, withTimeout, type RoleProcess } from './child.js';
import { baseVersions, writeManifest, type Manifest } from './manifest.js';
import type { Logger } from './logger.js';

export interface RunLocalOptions {
  workers: number;
  rate: number;
  durationS: number;
  sources: string[];
  pollMs: number;
  warmupMaxS: number;
  resultsDir: string;
  logsDir: string;
  runId?: string;
  logger: Logger;
  commandLine: string[];
}

export interface RunLocalResult { runId: string; runDir: string; exitCode: number }

/**
 * The main job on one machine: an SNTP server, N workers and a coordinator as real child
 * processes on loopback (OS-chosen ports), all under one run id; returns once every process ended.
 */
export async function runLocal(opts: RunLocalOptions): Promise<RunLocalResult> {
  const log = opts.logger;
  const runId = opts.runId ?? newRunId();
  const paths = runPaths(opts.resultsDir, opts.logsDir, runId);
  mkdirSync(paths.runDir, { recursive: true });
  mkdirSync(paths.logDir, { recursive: true });
  const keyFile = path.join(paths.logDir, 'run.key');
  await writeNewKeyFile(keyFile);
  const common = ['--run-id', runId, '--results-dir', opts.resultsDir, '--logs-dir', opts.logsDir];
  const manifest: Manifest = {
    run_id: runId, kind: 'local', started_utc: new Date().toISOString(), ended_utc: null,
    command_line: opts.commandLine,
    config: { workers: opts.workers, rate: opts.rate, duration_s: opts.durationS, sources: opts.sources, poll_ms: opts.pollMs, warmup_max_s: opts.warmupMaxS },
    hosts: [], versions: baseVersions(), security: { authenticated: true },
  };
  await writeManifest(paths.manifest, manifest);
  log.info(`run ${runId}: ${opts.workers} workers, ${opts.rate} events/s for ${opts.durationS} s, sources ${opts.sources.join(',')}`);

  const procs: RoleProcess[] = [];
  const stopAll = (): void => { for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGTERM'); };
  const onSignal = (): void => { log.warn('interrupted: stopping every process of the run'); stopAll(); };
  process.once('SIGINT', onSignal);
  try {
    const ntp = startRole('ntp-server', ['ntp-server', '--bind', '127.0.0.1', '--port', '0', ...common]);
    procs.push(ntp);
    const ntpPort = await withTimeout(ntp.listening, 15_000, 'ntp-server start');
    manifest.hosts.push({ role: 'ntp-server', node: 'ntp', host: '127.0.0.1', port: ntpPort });
    const ntpServer = `127.0.0.1:${ntpPort}`;

    const workerAddrs: string[] = [];
    const workers: RoleProcess[] = [];
    for (let i = 1; i <= opts.workers; i++) {
      const node = `w${i}`;
      const w = startRole(`worker ${node}`, ['worker', ...common, '--node', node, '--bind', '127.0.0.1', '--port', '0',
        '--sources', opts.sources.join(','), '--ntp-server', ntpServer, '--key-file', keyFile,
        '--poll-ms', String(opts.pollMs), '--warmup-max-s', String(opts.warmupMaxS), '--commit-wait-s', '2,5']);
      procs.push(w);
      workers.push(w);
    }
    for (const [i, w] of workers.entries()) {
      const port = await withTimeout(w.listening, 15_000, `${w.name} start`);
      workerAddrs.push(`127.0.0.1:${port}`);
      manifest.hosts.push({ role: 'worker', node: `w${i + 1}`, host: '127.0.0.1', port });
    }
    await writeManifest(paths.manifest, manifest);

    const coord = startRole('coordinator', ['coordinator', ...common, '--workers', workerAddrs.join(','),
      '--rate', String(opts.rate), '--duration-s', String(opts.durationS), '--sources', opts.sources.join(','),
      '--ntp-server', ntpServer, '--key-file', keyFile, '--poll-ms', String(opts.pollMs),
      '--ready-timeout-s', String(opts.warmupMaxS + 30)]);
    procs.push(coord);
    const coordExit = await coord.exited;
    const workerExits = await Promise.all(workers.map((w) => withTimeout(w.exited, 30_000, `${w.name} exit`).catch((e: Error) => {
      log.error(`${e.message}; stopping it`);
      w.child.kill('SIGTERM');
      return { code: null, signal: 'SIGTERM' as NodeJS.Signals };
    })));
    ntp.child.kill('SIGTERM');
    await withTimeout(ntp.exited, 5000, 'ntp-server exit').catch(() => ntp.child.kill('SIGKILL'));

    const failed = workerExits.map((e, i) => ({ e, i })).filter(({ e }) => e.code !== 0);
    for (const { e, i } of failed) log.error(`worker w${i + 1} ended with code ${e.code} signal ${e.signal}`);
    if (coordExit.code !== 0) log.error(`coordinator ended with code ${coordExit.code} signal ${coordExit.signal}`);
    manifest.ended_utc = new Date().toISOString();
    manifest.exit = { coordinator: coordExit.code, workers: workerExits.map((e) => e.code) };
    await writeManifest(paths.manifest, manifest);
    return { runId, runDir: paths.runDir, exitCode: coordExit.code === 0 && failed.length === 0 ? 0 : 1 };
  } finally {
    process.off('SIGINT', onSignal);
    stopAll();
  }
}
