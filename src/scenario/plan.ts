import type { EchoMode } from '../files/echo-summary.js';
import type { TransportSpec } from '../net/multicast.js';
import type { ClockFaultSpec, TruthAnchor } from '../sim/clock-faults.js';
import type { NtpFaultSpec } from '../sim/ntp-faults.js';
import type { EventPathFaultSpec } from '../sim/event-faults.js';
import { deriveSeed } from '../sim/prng.js';
import { deepMerge } from './load.js';
import type { Scenario, WorkerSpec } from './types.js';
import type { ScheduleKind, ScheduleSpec } from '../coordinator/schedule.js';

/** One NTP server process of a local run. Specs carry their derived seeds (pass them as JSON). */
export interface ServerPlan {
  name: string;
  faults: NtpFaultSpec;
  clockFaults: ClockFaultSpec;
}

export interface WorkerPlan {
  /** 0-based index: the position in the coordinator's --workers list and in event-fault decisions. */
  index: number;
  /** Node id "w<index+1>", as run-local names workers; checks and per_worker use it. */
  node: string;
  clockFaults: ClockFaultSpec;
  /** Server names (keys of plan.servers) the worker's ntp/bounded sources poll, in order. */
  ntpServers: string[];
  sources: string[];
  pollMs: number;
  warmupMaxS: number;
  /** Re-estimation delays (worker --commit-wait-s). */
  commitWaitS: number[];
  /** --source-options (empty: none). */
  sourceOptions: Record<string, Record<string, unknown>>;
  /** --transport and its group (the same for the coordinator and every worker). */
  transport: TransportSpec;
}

export interface CoordinatorPlan {
  clockFaults: ClockFaultSpec;
  eventFaults: EventPathFaultSpec;
  ntpServers: string[];
  sources: string[];
  rate: number;
  durationS: number | null;
  count: number | null;
  pattern: number[] | null;
  /** The schedule's kind and seed (derived from the run's seed: `coordinator/schedule`). */
  schedule: { kind: ScheduleKind; seed: number };
  pollMs: number;
  /** How long the coordinator waits for every worker's `ready` (warmup plus slack). */
  readyTimeoutS: number;
  /** How long it waits for `bye`: workers first finish re-estimations (longest commit wait plus slack). */
  endTimeoutS: number;
  /** --echo */
  echo: EchoMode;
  /** --source-options (empty: none). */
  sourceOptions: Record<string, Record<string, unknown>>;
  /** --transport and its group (the same for the coordinator and every worker). */
  transport: TransportSpec;
}

/** Everything run-local needs to start the processes of one seed of a scenario. */
export interface LocalRunPlan {
  scenario: Scenario;
  seed: number;
  servers: ServerPlan[];
  coordinator: CoordinatorPlan;
  workers: WorkerPlan[];
}

/** Fill in a derived seed unless the spec pins its own. */
function seeded<T extends { seed?: number }>(spec: T, seed: number, label: string): T {
  return spec.seed !== undefined ? { ...spec } : { ...spec, seed: deriveSeed(seed, label) };
}

export const nodeName = (index: number): string => `w${index + 1}`;

/**
 * A worker's spec: `per_worker` over `worker_defaults`, its clock faults merged field by field
 * (objects such as `wander` key by key, `steps` replaced), as scenario layers merge: a
 * per-worker step does not drop the default drift.
 */
function workerSpec(s: Scenario, index: number): WorkerSpec {
  const o = s.per_worker[nodeName(index)] ?? {};
  return {
    clock_faults:
      o.clock_faults === undefined
        ? s.worker_defaults.clock_faults
        : (deepMerge(s.worker_defaults.clock_faults, o.clock_faults) as ClockFaultSpec),
    ntp_servers: o.ntp_servers ?? s.worker_defaults.ntp_servers,
  };
}

/**
 * Resolve a scenario and a seed (default the scenario's) into per-process configs. Pure: the
 * same scenario and seed give the same plan, and each component gets its own derived seed so
 * adding a worker does not change the faults of the others.
 */
export function planScenario(s: Scenario, seed: number = s.seed): LocalRunPlan {
  const used = new Set<string>(s.coordinator.ntp_servers);
  const workers: WorkerPlan[] = [];
  for (let i = 0; i < s.workers; i++) {
    const w = workerSpec(s, i);
    w.ntp_servers.forEach((n) => used.add(n));
    workers.push({
      index: i,
      node: nodeName(i),
      clockFaults: seeded(w.clock_faults, seed, `worker/${nodeName(i)}/clock`),
      ntpServers: [...w.ntp_servers],
      sources: [...s.sources],
      pollMs: s.poll_ms,
      warmupMaxS: s.warmup_max_s,
      commitWaitS: [...s.commit_wait_s],
      sourceOptions: s.source_options,
      transport: s.transport,
    });
  }
  // Only servers somebody polls are started ("main" is always kept: it is the reference).
  const servers: ServerPlan[] = Object.entries(s.servers)
    .filter(([name]) => name === 'main' || used.has(name))
    .map(([name, sv]) => ({
      name,
      faults: seeded(sv.faults, seed, `server/${name}/faults`),
      clockFaults: seeded(sv.clock_faults, seed, `server/${name}/clock`),
    }));
  return {
    scenario: s,
    seed,
    servers,
    workers,
    coordinator: {
      clockFaults: seeded(s.coordinator.clock_faults, seed, 'coordinator/clock'),
      eventFaults: seeded(s.event_faults, seed, 'event-path'),
      ntpServers: [...s.coordinator.ntp_servers],
      sources: [...s.sources],
      rate: s.rate,
      durationS: s.duration_s,
      count: s.count,
      pattern: s.pattern ? [...s.pattern] : null,
      schedule: { kind: s.schedule, seed: deriveSeed(seed, 'coordinator/schedule') },
      pollMs: s.poll_ms,
      readyTimeoutS: s.warmup_max_s + 30,
      endTimeoutS: Math.max(0, ...s.commit_wait_s) + 30,
      echo: s.echo,
      sourceOptions: s.source_options,
      transport: s.transport,
    },
  };
}

/**
 * The same plan with one truth anchor in every clock spec (workers, coordinator, servers), so
 * all processes of the run share true time exactly and steps' `at_s` count from the anchor.
 * Every process of a simulated run then gets `--clock-faults` (a perfect clock is `{truth_anchor}`).
 */
export function withTruthAnchor(plan: LocalRunPlan, anchor: TruthAnchor): LocalRunPlan {
  const a = (c: ClockFaultSpec): ClockFaultSpec => ({ ...c, truth_anchor: { ...anchor } });
  return {
    ...plan,
    servers: plan.servers.map((s) => ({ ...s, clockFaults: a(s.clockFaults) })),
    coordinator: { ...plan.coordinator, clockFaults: a(plan.coordinator.clockFaults) },
    workers: plan.workers.map((w) => ({ ...w, clockFaults: a(w.clockFaults) })),
  };
}

/** The coordinator's schedule as the coordinator will build it from its arguments. */
export function coordinatorSchedule(c: CoordinatorPlan): ScheduleSpec {
  return {
    kind: c.schedule.kind,
    seed: c.schedule.seed,
    rate: c.rate,
    patternMs: c.pattern ?? undefined,
    count: c.count ?? undefined,
    durationS: c.count === null ? (c.durationS ?? undefined) : undefined,
  };
}

/** Expected run time in seconds (events only, without warmup): for timeouts and docs. */
export function expectedRunSeconds(s: Scenario): number {
  return s.duration_s ?? (s.count ?? 0) / s.rate;
}

/** The manifest's `scenario` section: what was asked for (realised faults are added by each process). */
export function scenarioManifest(plan: LocalRunPlan, file: string | null): Record<string, unknown> {
  return {
    name: plan.scenario.name,
    file,
    seed: plan.seed,
    expected_verdict: plan.scenario.expected_verdict,
    resolved: plan.scenario,
    planned_faults: {
      servers: Object.fromEntries(plan.servers.map((s) => [s.name, { faults: s.faults, clock_faults: s.clockFaults }])),
      coordinator: {
        clock_faults: plan.coordinator.clockFaults,
        event_faults: plan.coordinator.eventFaults,
        schedule: plan.coordinator.schedule,
      },
      workers: Object.fromEntries(plan.workers.map((w) => [w.node, { clock_faults: w.clockFaults, ntp_servers: w.ntpServers }])),
    },
    replay: `chronoeval run-local --scenario ${file ?? plan.scenario.name} --seed ${plan.seed}`,
  };
}
