// The deploy over SSH (src/commands/deploy.ts is its command): a validated inventory → pre-flight,
// ship, start, run, stop, fetch, analyse; or a dry run; or a cleanup of earlier runs.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Logger } from '../cli/logger.js';
import { EXIT, STOP_SIGNALS, signalExit } from '../cli/exit-codes.js';
import { newRunId } from '../files/run-id.js';
import type { HostPlan, Inventory } from './inventory.js';
import { coordinatorArgv, ntpServerArgv, procName, workerArgv, type RemoteCtx } from './process-argv.js';
import {
  absDirCommand,
  fetchCommand,
  launchCommand,
  preflightCommand,
  putSecretCommand,
  remoteLayout,
  shipCommand,
  statusCommand,
  stopAllCommand,
  stopCommand,
} from './remote-scripts.js';
import { portsToCheck } from './preflight.js';
import { deployRun, shortTmp } from './run.js';
import { groupByPlace, SshClient } from './ssh.js';
import { shJoin } from './shell-quote.js';
import { makeDeployTmp, removeStaleDeployTmps } from './leftovers.js';

export { loadInventory } from './inventory.js';
export { loadRoleOptions } from './role-options.js';

export interface DeployOptions {
  /** Print every ssh command (with its remote command) and contact no host. */
  dryRun?: boolean;
  /** Stop leftover processes of earlier runs on every host, by pid file only. */
  cleanup?: boolean;
  logger?: Logger;
}

/**
 * Exit codes (src/cli/exit-codes.ts): 0 ok · 5 pre-flight failed (nothing started) · 6 run
 * finished but a worker died or a fetch failed (everything collected is kept and analysed) ·
 * 7 deploy failed (shipping, start, coordinator, analysis) · 128 + n stopped by signal n
 * (processes stopped, data fetched; a second signal quits at once).
 */
export async function runDeploy(inv: Inventory, opts: DeployOptions = {}): Promise<number> {
  if (opts.dryRun) return dryRun(inv, opts.cleanup ?? false);
  if (opts.cleanup) return cleanup(inv, opts.logger ?? new Logger('deploy', null));

  const runId = newRunId();
  const log = opts.logger ?? new Logger('deploy', path.join(inv.logsDir, runId, 'deploy.jsonl'));
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (!ac.signal.aborted) {
      log.warn(`${sig}: stopping remote processes by pid file and fetching what exists (again to quit at once)`);
      ac.abort(sig);
    } else process.exit(signalExit(sig));
  };
  for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  try {
    const r = await deployRun(inv, log, ac.signal, runId);
    if (r.runDir)
      log.info(`run ${runId} finished with exit code ${r.exitCode}: results in ${r.runDir}, logs in ${path.join(inv.logsDir, runId)}`);
    process.stdout.write(JSON.stringify({ event: 'summary', run_id: runId, exit_code: r.exitCode, results: r.runDir }) + '\n');
    return r.exitCode;
  } finally {
    for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
    if (!opts.logger) await log.close();
  }
}

/** Every command a real deploy would send, in order, with placeholders only where hosts answer. */
export function dryRunLines(inv: Inventory, cleanupMode: boolean, runId = 'RUN_ID'): string[] {
  const ssh = new SshClient('/tmp/ce-ssh-DRYRUN');
  const hosts = [inv.coordinator, ...inv.workers];
  const out: string[] = [];
  const show = (what: string, h: HostPlan, remote: string, note = '') => {
    out.push(`# ${what} on ${h.name} (${h.host})${note ? ` — ${note}` : ''}`);
    const argv = ssh.argv(h, remote);
    // The ssh line as typed locally, then the exact text the remote login shell receives.
    out.push(`${shJoin(argv.slice(0, -1))} "$REMOTE_COMMAND"`);
    out.push(...`REMOTE_COMMAND=${remote}`.split('\n').map((l) => `    ${l}`));
  };
  out.push(`# dry run: inventory ${inv.file}; run id ${runId}; work dirs shown as written (a real run uses \`pwd -P\` of each)`);
  if (cleanupMode) {
    out.push(
      `# locally: remove ${path.join(shortTmp(), 'ce-ssh-*')} of deploys no longer running (their bundle; \`ssh -O exit\` on their control sockets)`,
    );
    for (const h of hosts) {
      show('resolve work dir', h, absDirCommand(h.workDir));
      show(
        'stop leftovers (TERM, then KILL after 5 s)',
        h,
        stopAllCommand('TERM', remoteLayout.cli(h.workDir), remoteLayout.runsRoot(h.workDir)),
      );
    }
    return out;
  }
  for (const h of hosts)
    show('pre-flight', h, preflightCommand(h.workDir, h.node, portsToCheck(inv, h)), 'after `ssh -fNM` opens a master connection');
  for (const [h] of groupByPlace(
    hosts,
    (x) => x,
    (x) => x.workDir,
  )) {
    show(
      'ship build',
      h,
      shipCommand(h.workDir, 'BUNDLE_SHA256', inv.compress),
      `stdin: bundle.tar${inv.compress ? '.gz' : ''}; skipped if already there`,
    );
    if (!inv.run.insecure) show('write run key', h, putSecretCommand(remoteLayout.key(h.workDir, runId)), 'stdin: 64 hex digits');
  }
  const ctx = (h: HostPlan): RemoteCtx => ({
    runId,
    absWorkDir: h.workDir,
    keyFile: inv.run.insecure ? null : remoteLayout.key(h.workDir, runId),
  });
  const state = (h: HostPlan) => remoteLayout.state(h.workDir, runId);
  if (inv.embeddedNtp)
    show(
      'start ntp-server',
      inv.coordinator,
      launchCommand(state(inv.coordinator), procName.ntp, ntpServerArgv(inv, ctx(inv.coordinator))),
    );
  for (const w of inv.workers) show('start worker', w, launchCommand(state(w), procName.worker(w), workerArgv(inv, w, ctx(w))));
  for (const w of inv.workers) show('poll (until listening)', w, statusCommand(state(w), [procName.worker(w)]));
  const ports = new Map(inv.workers.map((w) => [w.name, w.port]));
  show(
    'start coordinator',
    inv.coordinator,
    launchCommand(state(inv.coordinator), procName.coordinator(inv.coordinator), coordinatorArgv(inv, ctx(inv.coordinator), ports)),
    'worker ports as reported by each worker',
  );
  show(
    'poll (every second until it exits)',
    inv.coordinator,
    statusCommand(state(inv.coordinator), [procName.coordinator(inv.coordinator)]),
  );
  for (const h of hosts) {
    const names = h.role === 'worker' ? [procName.worker(h)] : [procName.coordinator(h), ...(inv.embeddedNtp ? [procName.ntp] : [])];
    show(
      'stop leftovers (TERM, KILL after grace)',
      h,
      stopCommand(
        'TERM',
        remoteLayout.cli(h.workDir),
        names.map((n) => `${state(h)}/${n}.pid`),
      ),
    );
    show(
      'fetch results and logs',
      h,
      fetchCommand(h.workDir, runId),
      `stdout: tar → ${path.join(inv.resultsDir, runId)} and ${path.join(inv.logsDir, runId)}`,
    );
  }
  out.push(`# then locally: chronoeval analyze ${path.join(inv.resultsDir, runId)}`);
  return out;
}

function dryRun(inv: Inventory, cleanupMode: boolean): number {
  process.stdout.write(dryRunLines(inv, cleanupMode, cleanupMode ? 'RUN_ID' : newRunId()).join('\n') + '\n');
  return EXIT.ok;
}

/**
 * `--cleanup`: locally, the temp dirs and ssh masters of killed deploys; on every host, TERM then
 * KILL each process named by a pid file under <wd>/runs.
 */
async function cleanup(inv: Inventory, log: Logger): Promise<number> {
  // Local leftovers first: the temp dirs (bundle, ssh masters) of deploys that were killed.
  const n = await removeStaleDeployTmps(shortTmp(), (m) => log.warn(m));
  if (n === 0) log.info(`no leftover deploy temp dirs in ${shortTmp()}`);
  const controlDir = makeDeployTmp(shortTmp());
  const ssh = new SshClient(controlDir);
  const hosts = [inv.coordinator, ...inv.workers];
  let code: number = EXIT.ok;
  try {
    for (const [h] of groupByPlace(
      hosts,
      (x) => x,
      (x) => x.workDir,
    )) {
      const m = await ssh.openMaster(h);
      if (m.code !== 0) {
        log.error(`${h.name} (${h.host}) unreachable: ${m.stderr.trim().split('\n').pop() ?? ''}`);
        code = EXIT.failed;
        continue;
      }
      const a = await ssh.exec(h, absDirCommand(h.workDir), { timeoutMs: 30_000 });
      if (a.code === 4) {
        log.info(`${h.name}: no work dir ${h.workDir}, nothing to clean`);
        continue;
      }
      if (a.code !== 0) {
        log.error(`${h.name}: ${a.stderr.trim()}`);
        code = EXIT.failed;
        continue;
      }
      const abs = a.stdout.trim();
      const marker = remoteLayout.cli(abs);
      const term = await ssh.exec(h, stopAllCommand('TERM', marker, remoteLayout.runsRoot(abs)), { timeoutMs: 30_000 });
      const hits = term.stdout.split('\n').filter((l) => l.includes(' signalled '));
      for (const l of hits) log.warn(`${h.name}: SIGTERM ${l.split(' ').slice(1, 4).join(' ')}`);
      if (hits.length) {
        // up to 5 s for them to flush and exit, then SIGKILL whatever is still ours and alive
        for (let i = 0; i < 20; i++) {
          await new Promise((r) => setTimeout(r, 250));
          const check = await ssh.exec(h, stopAllCommand('0', marker, remoteLayout.runsRoot(abs)), { timeoutMs: 30_000 });
          if (!check.stdout.includes(' signalled ')) break;
        }
        const kill = await ssh.exec(h, stopAllCommand('KILL', marker, remoteLayout.runsRoot(abs)), { timeoutMs: 30_000 });
        for (const l of kill.stdout.split('\n').filter((x) => x.includes(' signalled ')))
          log.warn(`${h.name}: SIGKILL ${l.split(' ').slice(1, 4).join(' ')}`);
      } else log.info(`${h.name}: no leftover processes`);
    }
  } finally {
    await ssh.closeAll();
    rmSync(controlDir, { recursive: true, force: true });
  }
  return code;
}
