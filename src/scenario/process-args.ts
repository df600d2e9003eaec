// Command-line arguments for each process of a planned local run (the role-specific part;
// run-local adds --run-id, --results-dir, --logs-dir, --key-file, --bind and --port).
import type { CoordinatorPlan, ServerPlan, WorkerPlan } from './plan.js';
import { echoModeArg } from '../coordinator/echo-mode.js';
import { transportArgs } from '../net/multicast.js';

/** Server name → "host:port" once the servers listen. */
export type ServerAddresses = Record<string, string>;

const addrs = (names: string[], at: ServerAddresses): string[] =>
  names.map((n) => {
    const a = at[n];
    if (a === undefined) throw new Error(`no address for NTP server "${n}" (started: ${Object.keys(at).join(', ') || 'none'})`);
    return a;
  });

/** `chronoeval ntp-server` arguments: its faults and its clock (with the run's truth anchor). */
export function ntpServerArgs(s: ServerPlan): string[] {
  return ['--faults', JSON.stringify(s.faults), '--clock-faults', JSON.stringify(s.clockFaults)];
}

/** `chronoeval worker` arguments for one worker of the plan. */
export function workerArgs(w: WorkerPlan, servers: ServerAddresses): string[] {
  const out = ['--node', w.node, '--sources', w.sources.join(',')];
  for (const a of addrs(w.ntpServers, servers)) out.push('--ntp-server', a);
  out.push('--poll-ms', String(w.pollMs), '--warmup-max-s', String(w.warmupMaxS), '--clock-faults', JSON.stringify(w.clockFaults));
  if (w.commitWaitS.length > 0) out.push('--commit-wait-s', w.commitWaitS.join(','));
  if (Object.keys(w.sourceOptions).length > 0) out.push('--source-options', JSON.stringify(w.sourceOptions));
  out.push(...transportArgs(w.transport));
  return out;
}

/** `chronoeval coordinator` arguments (workers' addresses in plan order: index i = worker i). */
export function coordinatorArgs(c: CoordinatorPlan, workerAddrs: string[], servers: ServerAddresses): string[] {
  const out = ['--workers', workerAddrs.join(','), '--sources', c.sources.join(',')];
  for (const a of addrs(c.ntpServers, servers)) out.push('--ntp-server', a);
  out.push('--rate', String(c.rate));
  if (c.count !== null) out.push('--count', String(c.count));
  else out.push('--duration-s', String(c.durationS));
  if (c.pattern) out.push('--pattern', c.pattern.join(','));
  out.push('--schedule', c.schedule.kind, '--schedule-seed', String(c.schedule.seed));
  out.push('--poll-ms', String(c.pollMs), '--ready-timeout-s', String(c.readyTimeoutS), '--end-timeout-s', String(c.endTimeoutS));
  out.push('--clock-faults', JSON.stringify(c.clockFaults));
  if (Object.keys(c.eventFaults).some((k) => k !== 'seed')) out.push('--event-faults', JSON.stringify(c.eventFaults));
  out.push('--echo', echoModeArg(c.echo));
  if (Object.keys(c.sourceOptions).length > 0) out.push('--source-options', JSON.stringify(c.sourceOptions));
  out.push(...transportArgs(c.transport));
  return out;
}
