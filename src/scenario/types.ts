import type { EchoMode } from '../files/echo-summary.js';
import type { ClockFaultSpec } from '../sim/clock-faults.js';
import type { NtpFaultSpec } from '../sim/ntp-faults.js';
import type { EventPathFaultSpec } from '../sim/event-faults.js';
import type { ScheduleKind } from '../coordinator/schedule.js';
import type { TransportSpec } from '../net/multicast.js';

/** An SNTP server of a local run: its network faults and its own (possibly wrong) clock. */
export interface ServerSpec {
  faults: NtpFaultSpec;
  clock_faults: ClockFaultSpec;
}

/** One worker: its clock's faults and the servers (by name, from `servers`) its `ntp` source polls. */
export interface WorkerSpec {
  clock_faults: ClockFaultSpec;
  ntp_servers: string[];
}

export type CheckOp = '<=' | '<' | '>=' | '>' | '==';

/**
 * A threshold a run must meet. `path` selects numbers in stats.json (see stats-path.ts):
 * e.g. `bound_quality[source=bounded,role=worker,node=*].coverage.share` (each worker; `node=null`
 * is the pooled entry). When the path matches several numbers, the worst one (by `op`) is judged
 * and named. `threshold` is a number in the
 * field's unit (ns for durations, 0..1 for shares) or a string with a unit: "2ms", "150us",
 * "99.9%".
 */
export interface CheckSpec {
  name: string;
  path: string;
  op: CheckOp;
  threshold: number | string;
  /** Why this check exists (shown in reports). */
  why?: string;
  /** "fail" in a negative control: the check that must fail for the fault to count as detected. */
  expect?: 'pass' | 'fail';
}

/**
 * A scenario: defaults + the file's overrides + a seed + checks. Every field here is resolved
 * (defaults filled in) after loading; in a file every field is optional except `name`.
 */
export interface Scenario {
  name: string;
  description: string;
  /** Name of another scenario whose fields this one overrides (resolved at load time). */
  extends?: string;
  seed: number;
  /** "fail" marks a negative control: its faults exceed what a source claims to bound, so a check should fail. */
  expected_verdict: 'pass' | 'fail';
  workers: number;
  /** Events per second. */
  rate: number;
  /** Exactly one of duration_s / count is set after resolution. */
  duration_s: number | null;
  count: number | null;
  /** Optional burst pattern (ms offsets) for the coordinator's --pattern. */
  pattern: number[] | null;
  /** When events are due (coordinator --schedule): jittered (default), poisson or fixed; seeded from `seed`. */
  schedule: ScheduleKind;
  sources: string[];
  poll_ms: number;
  warmup_max_s: number;
  /** Re-estimation (commit-wait) delays in seconds after each event; short so runs end quickly. */
  commit_wait_s: number[];
  /** Named NTP servers; "main" always exists. */
  servers: Record<string, ServerSpec>;
  coordinator: WorkerSpec;
  /** Applied to every worker, then `per_worker["w<i>"]` overrides field by field. */
  worker_defaults: WorkerSpec;
  per_worker: Record<string, Partial<WorkerSpec>>;
  event_faults: EventPathFaultSpec;
  checks: CheckSpec[];
  /** The coordinator's --echo: on (default), off, or { every: N }. */
  echo: EchoMode;
  /**
   * Per-source options for every process (`--source-options`), keyed by source name, e.g.
   * `{ "chronotick": { "path": "/dev/shm/chronotick_shm" } }` (docs/sources.md).
   */
  source_options: Record<string, Record<string, unknown>>;
  /** How events reach the workers: "unicast" (default) or a multicast group (src/net/multicast.ts). */
  transport: TransportSpec;
}

/** What the CLI can override on top of a scenario (flags beat the file). */
export interface ScenarioOverrides {
  seed?: number;
  workers?: number;
  rate?: number;
  schedule?: ScheduleKind;
  duration_s?: number;
  count?: number;
  sources?: string[];
  poll_ms?: number;
  warmup_max_s?: number;
  commit_wait_s?: number[];
  /** --clock-faults: merged into worker_defaults.clock_faults (per-worker entries still win). */
  clock_faults?: ClockFaultSpec;
  /** --faults: merged into servers.main.faults. */
  faults?: NtpFaultSpec;
  /** --event-faults: replaces event_faults. */
  event_faults?: EventPathFaultSpec;
  /** --echo */
  echo?: EchoMode;
}
