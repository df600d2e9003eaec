// stats.json's `echo` and `bracketed` sections (docs/metrics.md §Echo brackets, docs/stats-json.md).
// Same conventions as types.ts: ns numbers, null = no data (never 0), fields only ever added.
import type { Distribution, Ratio } from './types.js';

export type EchoMode = 'on' | 'off' | { every: number };

/** One worker's echoes. */
export interface EchoNodeEntry {
  node: string;
  /** Events that asked this worker for an echo (echo/summary.json's asked; every event goes to every worker); null without a summary. */
  asked: number | null;
  /** Echoes the coordinator accepted from this worker (summary received_by_node); null without a summary. */
  received: number | null;
  /** Rows in echo/<node>.csv joined to a coordinator event (the first row per event). */
  recorded: number;
  /** Asked events this worker recorded (workers/<node>.csv) without an echo row; null when the mode is unknown. */
  missing: number | null;
  /** Rows for an event already folded (a repeated row) or arriving after it left the join window. */
  late_or_repeated: number;
  /** Rows for events the coordinator never logged. */
  unknown_events: number;
  /** Rows with δ < 0 (or h < 0, or s, e, h missing): counted, not used. */
  inconsistent: number;
  /** δ = (e − s) − h of the consistent rows. */
  delta: Distribution;
}

export interface EchoSection {
  /** From echo/summary.json, else the manifest; null when neither says. */
  mode: EchoMode | null;
  /** 'kernel' or 'user' (how e was stamped); null without a summary. */
  stamp: string | null;
  asked: number | null;
  /** The coordinator's refused echoes by reason (echo/summary.json); null without a summary. */
  rejected: Record<string, number> | null;
  nodes: EchoNodeEntry[];
}

/** The brackets of one worker (every source shares them). */
export interface BracketCounts {
  /** Echo rows joined to a coordinator event. */
  echoes: number;
  /** Brackets formed (consistent, with reference values). */
  brackets: number;
  /** Echoes whose reference had no lo/hi (status not ok/degraded) at s or e: no bracket. */
  unjudged: number;
  /** Echoes that contradict themselves (δ < 0, or an empty bracket): not used. */
  inconsistent: number;
  /** Echoes whose s is the kernel's transmit stamp of the event (send_kernel_ns), not the JavaScript one. */
  send_kernel: number;
  /** Echoes whose h runs to the echo's kernel transmit stamp (held_kernel_ns, the worker's follow-up), not to its JavaScript read. */
  held_kernel: number;
  /** hi − lo of the brackets. */
  width: Distribution;
}

/** The counts "provably off by more than X": the whole error range lies outside [−X, X]. */
export interface ProvablyOff {
  x_ns: number;
  count: Ratio;
}

export interface BracketedPointError {
  /** Brackets where this worker recorded a point of this source. */
  compared: number;
  /** Brackets where the worker row is missing or the point is empty. */
  missing: number;
  /** m = S − (lo + hi)/2 */
  midpoint: Distribution;
  /** (hi − lo)/2: the ± of each m. */
  half_width: Distribution;
  provably_off: ProvablyOff[];
}

export interface BracketedInterval {
  /** Brackets with an interval reading of this source. */
  judged: number;
  consistent: Ratio;
  provable_miss: Ratio;
  /** The whole reading before the bracket (the clock reads early), after it (late). */
  too_early: number;
  too_late: number;
  /** Brackets without an interval reading (empty lo or hi, or no worker row). */
  unjudged: number;
}

export interface BracketedWindow {
  window_ms: number;
  /** Brackets inside one window (the true window known). */
  judged: number;
  /** Point windows on judged brackets (points present). */
  point: { compared: number; correct: Ratio; wrong: number };
  /** null for a source without intervals. */
  interval: { compared: number; confident_correct: Ratio; confident_wrong: Ratio; ambiguous: Ratio } | null;
}

export interface BracketedSourceEntry {
  error: BracketedPointError;
  interval: BracketedInterval | null;
  windows: BracketedWindow[];
}

/** Cross-event orders (a@k, b@k') judged by disjoint brackets, for one pair of workers or pooled. */
export interface BracketedOrder {
  /** Cross-event pairs where both brackets exist. */
  pairs: number;
  /** Pairs whose brackets are disjoint: the true order is proven. */
  judged: Ratio;
  point: { compared: number; correct: number; wrong: Ratio; tie: number };
  /** Interval order on judged pairs; null for a source without intervals. */
  interval: { compared: number; correct: number; wrong: Ratio; ambiguous: number } | null;
}

export interface BracketedOrdering {
  /** Key "a|b" (a < b by node id). */
  by_pair: Record<string, Record<string, BracketedOrder>>;
  pooled: Record<string, BracketedOrder>;
  /** Per source: the pair with the largest share of wrong point orders and the one with the most wrong interval orders. */
  worst_pair: Record<
    string,
    { point_wrong: { pair: string; share: number } | null; interval_wrong: { pair: string; count: number } | null }
  >;
}

export interface TruthCheckWorker {
  /** Brackets containing the true receive instant (in the bracket's frame). */
  bracket_contains_truth: Ratio;
  /** Per interval source: provable misses whose interval misses the true receive instant in the bracket's frame. */
  provable_misses_real: Record<string, Ratio>;
  /** Provable misses (all sources) whose interval contains that instant: each one a broken guarantee. */
  false_misses: number;
  /** Per interval source: provable misses whose interval misses true_recv_ns itself (true time, not the frame). */
  provable_misses_real_true_time: Record<string, Ratio>;
}

export interface TruthCheck {
  /**
   * 'coordinator': true_recv_ns mapped into the coordinator's clock (system reference);
   * 'true_time': compared directly (interval reference).
   */
  frame: 'coordinator' | 'true_time';
  by_worker: Record<string, TruthCheckWorker>;
  /** Key "a|b": bracket-proven orders equal to the order of the true receive instants. */
  by_pair: Record<string, { proven_orders_true: Ratio; false_orders: number }>;
  pooled: {
    bracket_contains_truth: Ratio;
    provable_misses_real: Ratio;
    false_misses: number;
    proven_orders_true: Ratio;
    false_orders: number;
  };
}

export interface BracketedSection {
  /** The reference frame: 'system' (the coordinator's local clock) or an interval source of the coordinator. */
  reference: string;
  /** What the numbers assume about the reference. */
  assumption: string;
  /** ε used to shrink h (the worker's monotonic clock rate error). */
  hold_rate_error: number;
  /** X of provably_off, ns. */
  off_by_ns: number[];
  brackets: Record<string, BracketCounts>;
  by_worker: Record<string, Record<string, BracketedSourceEntry>>;
  /** Per source, every worker together (a worker's breach stays visible in by_worker). */
  pooled: Record<string, BracketedSourceEntry>;
  ordering: BracketedOrdering;
  /** Simulated runs only (true_recv_ns present); null otherwise. */
  truth_check: TruthCheck | null;
}
