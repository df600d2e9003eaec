// The argv of every remote chronoeval process, as pure functions: what the deploy sets itself
// (identity, addresses, directories, key), then the host's options from the inventory (HostPlan.args).
import { hostForUrl, type HostPlan, type Inventory } from './inventory.js';
import { remoteLayout } from './remote-scripts.js';

export interface RemoteCtx {
  runId: string;
  absWorkDir: string;
  keyFile: string | null;
}

const security = (c: RemoteCtx) => (c.keyFile ? ['--key-file', c.keyFile] : ['--insecure']);
const dirs = (c: RemoteCtx) => ['--results-dir', remoteLayout.results(c.absWorkDir), '--logs-dir', remoteLayout.logs(c.absWorkDir)];

/** Remote process names: they name pid/out/err/rc files in runs/<run_id>/. */
export const procName = {
  worker: (h: HostPlan) => `worker-${h.name}`,
  coordinator: (h: HostPlan) => `coordinator-${h.name}`,
  ntp: 'ntp-server',
};

export function ntpServerArgv(inv: Inventory, c: RemoteCtx): string[] {
  const e = inv.embeddedNtp!;
  return [
    inv.coordinator.node,
    remoteLayout.cli(c.absWorkDir),
    'ntp-server',
    '--bind',
    e.bind,
    '--port',
    String(e.port),
    '--run-id',
    c.runId,
    '--logs-dir',
    remoteLayout.logs(c.absWorkDir),
  ];
}

export function workerArgv(inv: Inventory, h: HostPlan, c: RemoteCtx): string[] {
  const a = [
    h.node,
    remoteLayout.cli(c.absWorkDir),
    'worker',
    '--run-id',
    c.runId,
    '--node',
    h.name,
    '--bind',
    h.bind,
    '--port',
    String(h.port),
    '--sources',
    h.sources.join(','),
  ];
  for (const s of h.ntpServers) a.push('--ntp-server', s);
  a.push(...dirs(c), ...security(c), ...h.args);
  return a;
}

/** A worker as the coordinator names it (its `--workers` entry, and its label in the summary's `silent_workers`). */
export function workerTarget(w: Inventory['workers'][number], workerPorts: Map<string, number>): string {
  return `${hostForUrl(w.address)}:${workerPorts.get(w.name) ?? w.port}`;
}

/** `workerPorts`: node name → the port each worker reported in its `listening` line. */
export function coordinatorArgv(inv: Inventory, c: RemoteCtx, workerPorts: Map<string, number>): string[] {
  const h = inv.coordinator;
  const targets = inv.workers.map((w) => workerTarget(w, workerPorts));
  const a = [
    h.node,
    remoteLayout.cli(c.absWorkDir),
    'coordinator',
    '--run-id',
    c.runId,
    '--workers',
    targets.join(','),
    '--sources',
    h.sources.join(','),
  ];
  if (h.ntpServers[0]) a.push('--ntp-server', h.ntpServers[0]);
  a.push(...dirs(c), ...security(c), ...h.args);
  return a;
}
