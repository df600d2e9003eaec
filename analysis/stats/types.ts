// The shape of results/<run_id>/stats.json (docs/stats-json.md describes it in prose;
// docs/metrics.md defines every number). This file is a contract read by the figures and the
// HTML report: fields are only ever ADDED, never renamed or removed. Bump STATS_SCHEMA_VERSION
// only for an incompatible change.
//
// Conventions, everywhere in this file:
// - Durations and relative times are `number` nanoseconds (exact integers up to 2^53 ns ≈ 104 days).
// - Absolute instants are decimal strings of epoch nanoseconds (`*_ns_abs`), never floats.
// - Relative instants (`*_rel_ns`) are nanoseconds since `run.anchor_ns_abs`.
// - A statistic without data is `null` (or the entry is absent), never 0: a Ratio whose total is
//   0 has `share: null`; a Distribution with n = 0 has null quantiles.
// - `node: null` in an entry means "all workers pooled"; otherwise it is a worker's node id.
// - Sources are compared like with like: the coordinator's source S against the worker's source S.

import type { BracketedSection, EchoSection } from './bracket-types.js';

export const STATS_SCHEMA_VERSION = 1 as const;

/** A count out of a total. `share` = count / total in [0, 1], null when total is 0. */
export interface Ratio {
  count: number;
  total: number;
  share: number | null;
}

/**
 * Distribution of a set of values (ns unless `unit` says otherwise). Quantiles use the
 * nearest-rank method (docs/metrics.md §Quantiles): the p-quantile is the value at rank
 * ceil(p·n) of the sorted values (rank 1 for p = 0). Exact while n ≤ the exact-capacity
 * (`exact: true`); above it, taken from a log-bucketed histogram whose relative error is at most
 * `relative_error` (a value and its bucket's representative differ by at most that fraction).
 */
export interface Distribution {
  unit: 'ns' | 'ratio';
  n: number;
  exact: boolean;
  /** Upper bound of |reported − true| / |true| for quantiles when exact = false; 0 when exact. */
  relative_error: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  p01: number | null;
  p05: number | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
  p95: number | null;
  p99: number | null;
  p999: number | null;
  /**
   * Equal-width histogram for plotting: `edges` has counts.length + 1 entries spanning
   * [p01, p99] (or [min, max] when they coincide); values outside go to `below` / `above`.
   * null when n = 0.
   */
  histogram: { edges: number[]; counts: number[]; below: number; above: number } | null;
}

/** One input file as read. `path` is relative to the run directory. */
export interface InputFile {
  path: string;
  role: 'coordinator' | 'worker' | 'sync' | 'commit_wait' | 'worker_summary' | 'manifest' | 'echo' | 'echo_summary';
  node: string | null;
  /** Data rows parsed and used (header excluded). */
  rows: number;
  /** Rows skipped (torn last line, wrong column count, unparseable number), each with a warning. */
  skipped_rows: number;
  /** True when the file did not end with a newline and its last partial line was skipped. */
  torn_tail: boolean;
}

export interface SourceInfo {
  name: string;
  /** Has S_lo_ns / S_hi_ns columns (in legacy imports: lower/upper bounds) — interval metrics apply. */
  bounded: boolean;
  in_coordinator: boolean;
  /** Workers whose CSV has this source's columns. */
  in_workers: string[];
}

/**
 * How many readings of one source at one place had values, by status (never invented). One entry
 * for the coordinator (role coordinator, node null), one per worker, and all workers pooled
 * (role worker, node null).
 */
export interface ReadingAvailability {
  source: string;
  role: 'coordinator' | 'worker';
  /** Worker node id, or null for the coordinator or for all workers pooled (role = 'worker'). */
  node: string | null;
  rows: number;
  with_point: number;
  with_interval: number;
  /** Rows whose point value is empty (no estimate). */
  empty: number;
  /** Count per status string as written (e.g. ok, degraded, warming, unsynced, stale, error, absent; '' if blank). */
  status_counts: Record<string, number>;
  /**
   * Readings with the value the source's metrics use, out of `rows`: an interval (lo and hi) for
   * an interval source (SourceInfo.bounded), else a point. Readings without one (warming, stale,
   * ...) are in no other metric, so a low share means the other figures speak of a subset.
   */
  availability: Ratio;
  /** Readings with a point value, out of `rows` (with_point / rows). */
  point_availability: Ratio;
}

export interface WorkerDelivery {
  node: string;
  /** Distinct coordinator events this worker has a row for. */
  received: number;
  /** events_sent − received. */
  lost: number;
  lost_ratio: Ratio;
  /** Extra rows for an event this worker already had (first row is used). */
  duplicates: number;
  /** Rows for event ids the coordinator never logged (not used in metrics). */
  unknown_events: number;
  /** true_recv − true_send; null when truth is absent. */
  latency_true: Distribution | null;
  /** recv_local − send_local: one-way latency plus the two local clocks' offset difference. */
  latency_local: Distribution | null;
  /**
   * The same from the kernel's transmit stamp of each event's first datagram (coordinator.csv
   * send_kernel_ns) instead of the JavaScript stamp; null when no event has one (docs/metrics.md).
   */
  latency_from_kernel_send: KernelSendLatency | null;
  /** Per-source apparent latency S_recv − S_send (point values, like with like). */
  latency_by_source: { source: string; latency: Distribution }[];
  /** workers/<node>.summary.json as written (src/files/worker-summary.ts), when it is a JSON object. */
  summary: Record<string, unknown> | null;
  /** `rejected` object from the summary when present (kind → count), else null. */
  rejected: Record<string, number> | null;
  /** Datagrams the kernel dropped at this worker's socket (summary recv_kernel_drops); null: no counter. */
  kernel_drops: number | null;
  /** Which counter (SO_MEMINFO, SO_RXQ_OVFL, /proc/net/udp), or why it was unavailable; null: not in the summary. */
  kernel_drops_from: string | null;
  /** Lost events dropped at the worker's socket, min(lost, kernel_drops) (an upper bound); null without a counter. */
  lost_at_socket: number | null;
  /** lost − lost_at_socket: lost in the network (or while the worker was not running); null without a counter. */
  lost_in_network: number | null;
}

export interface KernelSendLatency {
  /** Coordinator events with a kernel send stamp (of all workers' events). */
  events: number;
  /** true_recv − true_send_kernel; null without truth. */
  true: Distribution | null;
  /** recv_local − send_kernel. */
  local: Distribution;
}

export interface DeliveryStats {
  events_sent: number;
  workers: WorkerDelivery[];
  /** Events every worker received. */
  received_by_all: Ratio;
  /** Events no worker received. */
  received_by_none: Ratio;
  /** true_recv − true_send over all workers; null when truth is absent. */
  latency_true: Distribution | null;
}

/** Causality of one source at one worker (or pooled: node = null). */
export interface CausalityEntry {
  source: string;
  node: string | null;
  point: {
    /** Joined (event, worker) pairs where both coordinator and worker have S points. */
    compared: number;
    /** Pairs where one side had no S value (excluded from `compared`). */
    missing: number;
    /** r < s. */
    violations: Ratio;
    /** r − s distribution (the apparent one-way latency in source S). */
    margin: Distribution;
  };
  /** null when the source has no bounds. */
  interval: {
    compared: number;
    missing: number;
    /** r_lo ≥ s_hi. */
    proven_after: Ratio;
    /** neither proven after nor a violation. */
    ambiguous: Ratio;
    /** r_hi < s_lo. */
    violation: Ratio;
    /** The comparisons where the worker's or the coordinator's reading has status `degraded`. */
    degraded: { compared: number; violation: Ratio };
  } | null;
}

export interface OrderingEntry {
  source: string;
  /** [a, b] with a < b (string order); null = all pairs pooled. */
  pair: [string, string] | null;
  point: {
    /** (event, pair) where both workers have S points. */
    compared: number;
    a_first: number;
    b_first: number;
    ties: number;
  };
  /** Where both true_recv values exist; null when truth is absent. */
  point_vs_truth: {
    compared: number;
    correct: Ratio;
    /** point order opposite to the true order, or a point order where the truths tie. */
    wrong: Ratio;
    /** points equal while the truths differ. */
    tie: Ratio;
  } | null;
  /** null when the source has no bounds. */
  interval: {
    compared: number;
    /** intervals disjoint (a_hi < b_lo or b_hi < a_lo). */
    proven: Ratio;
    ambiguous: Ratio;
    proven_a_first: number;
    proven_b_first: number;
  } | null;
  interval_vs_truth: {
    compared: number;
    /** proven, and the proven order is the true order. */
    correct: Ratio;
    /** proven, and the proven order is not the true order (false confidence). */
    wrong: Ratio;
    ambiguous: Ratio;
    /** The judged pairs where either worker's reading has status `degraded`, and the wrong orders among them. */
    degraded: { compared: number; wrong: Ratio };
    /**
     * Per worker of the pair (every worker for the pooled entry): wrong orders in which that
     * worker's interval missed its own true arrival. Every wrong order has at least one such
     * worker (both intervals true would prove the true order), so a breach is charged to the
     * worker whose bound failed; when both missed, to both.
     */
    wrong_by_worker: { node: string; count: number }[];
  } | null;
}

export interface WindowAccuracy {
  point: { readings: number; correct: Ratio; wrong: Ratio } | null;
  interval: {
    readings: number;
    confident_correct: Ratio;
    confident_wrong: Ratio;
    ambiguous: Ratio;
  } | null;
}

/** Window assignment of one source for one window size. */
export interface WindowEntry {
  source: string;
  window_ms: number;
  point: {
    /** Events where ≥ 2 workers have S points. */
    events: number;
    agree: Ratio;
    disagree: Ratio;
  };
  interval: {
    /** Events where ≥ 2 workers have S intervals. */
    events: number;
    /** Every worker confident, all in one window. */
    confident_agree: Ratio;
    /** At least two workers confident about different windows. */
    confident_conflict: Ratio;
    /** Not a conflict, and at least one worker not confident (coordination needed). */
    ambiguous: Ratio;
    /** Conflicts whose workers' true windows also differ (arrivals really straddle a boundary); null without truth. */
    conflict_true_split: number | null;
    /** Conflicts whose workers' true windows are one window (a bound failed); null without truth. */
    conflict_false: number | null;
    /** Per-reading share of confident intervals (defined for one worker too). */
    readings_confident: Ratio;
    /**
     * Events where at least one worker's interval reading has status `degraded`: their conflicts and
     * false conflicts (null without truth).
     */
    degraded: { events: number; confident_conflict: Ratio; conflict_false: number | null };
    /**
     * Per worker: false conflicts in which its confident window was not its true window (its
     * interval missed true time). Every false conflict has at least one; null without truth.
     */
    conflict_false_by_worker: { node: string; count: number }[] | null;
  } | null;
  /** Against each worker's true window; null without truth. */
  accuracy: WindowAccuracy | null;
  per_worker_accuracy: { node: string; accuracy: WindowAccuracy }[] | null;
}

export interface CoordinationEntry {
  source: string;
  window_ms: number;
  /** Events where ≥ 2 workers have S points (the denominator of point_repairs). */
  events: number;
  /** Point clocks: events whose workers' point windows disagree (repairs after the fact). */
  point_repairs: Ratio;
  /** Interval clocks: ambiguous events (coordination up front); null when the source has no bounds. */
  interval_coordination: Ratio | null;
  /** Interval clocks: confident conflicts (still need repair); null when unbounded. */
  interval_conflicts: Ratio | null;
  /** The same, with each worker's interval replaced by its re-estimate after `delay_s`. */
  reestimated: {
    delay_s: number;
    /** Events where ≥ 2 workers have a re-estimated interval at this delay. */
    events: number;
    interval_coordination: Ratio;
    interval_conflicts: Ratio;
    confident_agree: Ratio;
  }[];
}

export interface CommitWaitEntry {
  source: string;
  node: string | null;
  /** TrueTime commit wait per event = hi − lo at the stamp (wait until now.lo passes event.hi). */
  wait: Distribution;
  /** Per re-estimation delay: what the event's interval shrank to. */
  reestimated: {
    delay_s: number;
    rows: number;
    /** hi_d − lo_d: the commit wait had the event been committed with the re-estimated interval. */
    width: Distribution;
    /** (hi_d − lo_d) / (hi − lo) per event where both exist. */
    shrink: Distribution;
    /** true_recv in [lo_d, hi_d]; null without truth. */
    coverage: Ratio | null;
  }[];
}

export interface CalibrationPoint {
  /** Interval scaled about the point by this factor (1 = as reported). */
  scale: number;
  coverage: Ratio;
}

export interface BoundQualityEntry {
  source: string;
  role: 'coordinator' | 'worker';
  /** Worker node id; null for the coordinator or for all workers pooled (role = 'worker'). */
  node: string | null;
  /** Readings with both a value and truth. */
  readings: number;
  /** truth in [lo, hi]; null for unbounded sources. */
  coverage: Ratio | null;
  /** `coverage` split by the reading's status: `degraded` readings and all others; null for unbounded sources. */
  coverage_degraded: Ratio | null;
  coverage_not_degraded: Ratio | null;
  /** (hi − lo) / 2; null for unbounded sources. */
  half_width: Distribution | null;
  /** point − truth. */
  point_error: Distribution;
  /** |point − truth|. */
  abs_point_error: Distribution;
  /** (truth − point) / half-width on the side of truth; null for unbounded sources. */
  normalized_error: Distribution | null;
  calibration: CalibrationPoint[] | null;
}

export interface SyncEntry {
  node: string;
  source: string;
  samples: number;
  accepted: Ratio;
  status_counts: Record<string, number>;
  reasons: Record<string, number>;
  offset: Distribution;
  delay: Distribution;
  half_width: Distribution;
  /** offset − true_offset where the simulation recorded it; null otherwise. */
  offset_error: Distribution | null;
}

/**
 * One clock source at one place over the run: how its readings and its samples went, status by
 * status (docs/metrics.md §Source health). One entry per place × source that stamped or sampled it.
 */
export interface SourceHealthEntry {
  source: string;
  role: 'coordinator' | 'worker';
  /** The worker's node id, or `coordinator`. */
  node: string;
  /** The readings of the events this place recorded; null when its event file has no column for the source. */
  readings: HealthReadings | null;
  /** The source's rows in sync/<node>.csv; null when there are none. */
  sampling: HealthSampling | null;
  /**
   * True when the place recorded readings (else: samples) of the source and not one had status
   * `ok`; null when there are neither, or every status is blank or `legacy` (nothing to judge by).
   */
  never_ok: boolean | null;
}

/** The readings of one source at one place, in the order the place recorded them. */
export interface HealthReadings {
  rows: number;
  /** Count per status as written ('' when blank). */
  status_counts: Record<string, number>;
  /** count / rows per status. */
  status_shares: Record<string, number>;
  /** As readings[].availability: readings with the value the source's metrics use. */
  availability: Ratio;
  /** Local stamp (worker recv_local_ns, coordinator send_local_ns) of the first reading, relative; null when unparseable. */
  first_rel_ns: number | null;
  /** Local stamp of the first reading with status ok, relative; null when none was ok. */
  first_ok_rel_ns: number | null;
  /** first_ok_rel_ns − first_rel_ns; null when either is null. */
  time_to_first_ok_ns: number | null;
  /** Readings recorded before the first ok one (every reading when none was ok): the warm-up. */
  before_first_ok: number;
  /** From the first ok reading on (it included): the measuring part; null when none was ok. */
  after_first_ok: { rows: number; status_counts: Record<string, number>; availability: Ratio } | null;
}

/** One source's rows in one node's sync log. */
export interface HealthSampling {
  samples: number;
  status_counts: Record<string, number>;
  status_shares: Record<string, number>;
  /** sample_local_ns of the source's first row and of its first row with status ok, relative. */
  first_rel_ns: number | null;
  first_ok_rel_ns: number | null;
  /** first_ok_rel_ns − the node's first sync row of any source (when the worker began sampling); null without an ok row. */
  time_to_first_ok_ns: number | null;
  /** The most frequent (status, reason kind) pairs, most first; a kind is the reason with every number written `#`. */
  reasons: HealthReason[];
  /** Distinct (status, reason kind) pairs in all. */
  reason_kinds: number;
  /** Rows whose (status, reason kind) is not among `reasons`. */
  reasons_other: number;
  /** Rows with an empty reason (or no reason column). */
  without_reason: number;
}

export interface HealthReason {
  status: string;
  /** The reason with each number replaced by `#` (e.g. `timeout: no reply within # ms`). */
  reason: string;
  count: number;
  /** The first full reason of this kind, as written. */
  example: string;
}

/** Per-bin series over the coordinator's send time, for plots (large runs are binned). */
export interface Timeline {
  /** Bin width in ns; bins start at `t_rel_ns[i]` relative to run.anchor_ns_abs. */
  bin_ns: number;
  t_rel_ns: number[];
  events_sent: number[];
  causality: {
    source: string;
    node: string | null;
    compared: number[];
    point_violations: number[];
    /** null when unbounded. */
    interval_compared: number[] | null;
    interval_violations: number[] | null;
    interval_ambiguous: number[] | null;
  }[];
  /** Clock behaviour per place and source; offset = S point − local stamp. */
  clock: {
    source: string;
    role: 'coordinator' | 'worker';
    node: string | null;
    n: number[];
    offset_mean_ns: (number | null)[];
    offset_min_ns: (number | null)[];
    offset_max_ns: (number | null)[];
    half_width_mean_ns: (number | null)[] | null;
    half_width_max_ns: (number | null)[] | null;
    /** point − truth; null without truth. */
    error_mean_ns: (number | null)[] | null;
    error_min_ns: (number | null)[] | null;
    error_max_ns: (number | null)[] | null;
    /** truth in [lo, hi] per bin; null without truth or bounds. */
    covered: number[] | null;
    covered_of: number[] | null;
  }[];
  latency: {
    node: string;
    received: number[];
    true_mean_ns: (number | null)[] | null;
    true_max_ns: (number | null)[] | null;
  }[];
}

/** A deterministic thin sample of joined events (every `stride`-th seq) for scatter plots. */
export interface EventSamples {
  stride: number;
  events: {
    seq: number;
    event_id: string;
    send_rel_ns: number | null;
    /** source → [point, lo, hi] relative ns (null where empty). */
    coordinator: Record<string, [number | null, number | null, number | null]>;
    /** node → source → [point, lo, hi]. Missing node = the worker did not receive it. */
    workers: Record<string, Record<string, [number | null, number | null, number | null]>>;
    true_send_rel_ns: number | null;
    true_recv_rel_ns: Record<string, number | null>;
  }[];
}

/** One worker's (or, node = null, all workers') few numbers that matter, copied from the sections above. */
export interface HeadlineWorker {
  node: string | null;
  /** readings[].availability. */
  availability: Ratio | null;
  /** bound_quality[].coverage; null for point sources. */
  coverage: Ratio | null;
  /** causality[].point.violations. */
  point_violations: Ratio | null;
  /** causality[].interval.violation; null for point sources. */
  interval_violations: Ratio | null;
  /**
   * Pooled: ordering[pair=null].interval_vs_truth.wrong; per worker: its wrong_by_worker count
   * (charged to the worker whose interval missed).
   */
  interval_wrong_orders: number | null;
  /** The most false window conflicts at any window size (per worker: conflict_false_by_worker); null without truth or bounds. */
  window_false_conflicts: number | null;
}

/** The worker with the worst value of one headline number (ties: the first in worker order). */
export interface HeadlineWorst {
  node: string;
  value: number;
}

/** One line per source for dashboards; every field is copied from the sections above. */
export interface HeadlineEntry {
  source: string;
  bounded: boolean;
  point_violation_share: number | null;
  interval_violation_share: number | null;
  interval_proven_after_share: number | null;
  ordering_point_wrong_share: number | null;
  ordering_interval_proven_share: number | null;
  ordering_interval_wrong_share: number | null;
  /** window_ms → share. */
  window_point_agree_share: Record<string, number | null>;
  window_interval_confident_agree_share: Record<string, number | null>;
  window_interval_conflict_share: Record<string, number | null>;
  /** Workers pooled. */
  coverage_share: number | null;
  commit_wait_p50_ns: number | null;
  /** Workers pooled: readings with a value (readings[role=worker,node=null].availability). */
  availability_share: number | null;
  /** Counts, workers pooled: interval causality violations, wrong interval orders, the most false window conflicts at a window size. */
  interval_violations: number | null;
  interval_wrong_orders: number | null;
  window_false_conflicts: number | null;
  /** Pooled (node null) first, then each worker. */
  workers: HeadlineWorker[];
  /** The worst worker for each number (lowest share, highest count); null when no worker has it. */
  worst: {
    availability: HeadlineWorst | null;
    coverage: HeadlineWorst | null;
    interval_violations: HeadlineWorst | null;
    interval_wrong_orders: HeadlineWorst | null;
    window_false_conflicts: HeadlineWorst | null;
    /** The worker with the largest share of point causality violations (value: that share). */
    point_violations: HeadlineWorst | null;
  };
}

/** The event schedule of a run (manifest `schedule`; docs/metrics.md, Schedules). */
export interface RunSchedule {
  /** jittered | poisson | fixed. */
  kind: string;
  seed: number | null;
  /** True when events sample every phase of a window uniformly (jittered, poisson); null for an unknown kind. */
  uniform_phases: boolean | null;
}

export interface Stats {
  schema_version: typeof STATS_SCHEMA_VERSION;
  generated_at: string;
  generator: { name: 'chronoeval'; version: string };
  run: {
    run_id: string | null;
    format: 'native' | 'legacy';
    /** Absolute path of the analysed directory. */
    run_dir: string;
    /** Epoch ns (decimal string) that every *_rel_ns value counts from. */
    anchor_ns_abs: string;
    first_send_ns_abs: string | null;
    last_send_ns_abs: string | null;
    /** last − first coordinator send_local_ns. */
    duration_ns: number | null;
    /** manifest.json as read, or null when absent. */
    manifest: Record<string, unknown> | null;
    /** The event schedule the manifest records (null: not recorded). Window figures depend on it. */
    schedule?: RunSchedule | null;
  };
  inputs: {
    files: InputFile[];
    warnings: string[];
    /** How the streaming join went: memory follows max_events_in_flight, not the run length. */
    join: {
      /** Most events held at once. */
      max_events_in_flight: number;
      /** Sequence numbers a reader must pass before an event is folded. */
      reorder_window: number;
      /** Worker rows that arrived after their event was folded (counted as received, not in metrics). */
      late_rows: number;
      /** Duplicate coordinator rows ignored (first kept). */
      coordinator_duplicates: number;
      /** Commit-wait rows that arrived after their event was folded (a delay not known up front; not in metrics). */
      late_commit_wait_rows?: number;
    };
  };
  sources: SourceInfo[];
  workers: string[];
  windows_ms: number[];
  /** Re-estimation delays found in commit_wait files, ascending. */
  reestimation_delays_s: number[];
  truth: { send: boolean; recv: boolean };
  readings: ReadingAvailability[];
  delivery: DeliveryStats;
  causality: CausalityEntry[];
  ordering: OrderingEntry[];
  windows: WindowEntry[];
  coordination: CoordinationEntry[];
  commit_wait: CommitWaitEntry[];
  bound_quality: BoundQualityEntry[];
  sync: SyncEntry[];
  /** Per place × source: status shares, availability, time to first ok, sampling reasons; absent in older stats.json. */
  source_health?: SourceHealthEntry[];
  timeline: Timeline | null;
  samples: EventSamples;
  headline: HeadlineEntry[];
  /** Self-consistency of interval sources (docs/metrics.md §Self-consistency); absent in older stats.json. */
  self_consistency?: SelfConsistencySection;
  /**
   * Echo round trips per worker (docs/metrics.md §Echo brackets); null when the run has no echo/
   * directory (absent in stats.json written before echoes existed).
   */
  echo?: EchoSection | null;
  /** What the echo brackets prove without truth; null when the run has no echo rows. */
  bracketed?: BracketedSection | null;
}

/** One worker's interval source: how many of its readings must miss, with no truth (docs/metrics.md §Self-consistency). */
export interface SelfConsistencyEntry {
  /** Readings with both lo and hi (status ok/degraded, or legacy): the ones judged. */
  readings: number;
  /** Readings of the worker's rows without an interval (warming, stale, … or an empty bound). */
  skipped: number;
  /** Lower bound on the readings that miss the truth: the larger of the two bounds below. */
  must_miss: number;
  /** must_miss / readings; null without readings. */
  fraction: number | null;
  /** Which bound gave must_miss: 'matching' or 'path' (equal: 'matching'). */
  method: string;
  /** The size of the greedy matching of incompatible pairs. */
  matching: number;
  /** n − the most readings one slope-≤ε path passes through (upper-rounded when coarsened). */
  path: number;
  /** Readings within a clock step's guard, judged against nothing. */
  unpaired_at_steps: number;
  /** Median stated half-width (hi − lo)/2 of the judged readings, ns; null without readings. */
  half_width_p50_ns: number | null;
  max_freq_error_ppm: number;
}

export interface SelfConsistencySection {
  /** ε in ppm: the most the local clock's rate may be off. */
  max_freq_error_ppm: number;
  /** How must_miss is bounded (both bounds, the larger reported): see docs/metrics.md. */
  method: string;
  /** Unmatched readings a new one is compared with (the matching's look-back). */
  look_back: number;
  /** Clock steps per node that cut the readings (from sync/<node>.csv step rows). */
  clock_steps: Record<string, number>;
  by_worker: Record<string, Record<string, SelfConsistencyEntry>>;
  /** The worker and source with the largest fraction (ties: more must_miss); null without interval readings. */
  worst: ({ node: string; source: string } & SelfConsistencyEntry) | null;
}
