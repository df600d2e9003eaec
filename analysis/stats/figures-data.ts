// The shape of results/<run_id>/figures-data.json: what the analysis pass gathered for the figures
// beyond stats.json (a bounded causality sample that keeps every violation up to a cap, and the
// sync log binned per node and source). Written by analysis/analyze.ts beside stats.json, read by
// analysis/figures; docs/figures-data.md describes it. Same conventions as stats/types.ts: ns as
// numbers relative to run.anchor_ns_abs, null = no value (never 0), fields only ever ADDED.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const FIGURES_DATA_FILE = 'figures-data.json';
export const FIGURES_DATA_SCHEMA_VERSION = 1 as const;

/** Causality of one (event, worker, source), classified by analysis/metrics/causality.ts. */
export interface CausalitySample {
  source: string;
  node: string;
  seq: number;
  /** Coordinator send_local_ns, relative. */
  send_rel_ns: number;
  /** r − s of the points (the apparent one-way latency in the source). */
  margin_ns: number;
  /** r_lo − s_hi and r_hi − s_lo; null when either interval is incomplete. */
  lo_ns: number | null;
  hi_ns: number | null;
  point: 'ok' | 'violation';
  /** null when either interval is incomplete (or the source has none). */
  interval: 'proven_after' | 'ambiguous' | 'violation' | null;
  /** True when the event is in the thinned sample (seq − first seq is a multiple of `stride`); false = kept as a violation. */
  thinned: boolean;
}

/** Per source: violations counted over every joined pair, and how many of them the sample holds. */
export interface ViolationTally {
  source: string;
  point: { counted: number; kept: number };
  interval: { counted: number; kept: number };
}

export interface CausalitySampleSet {
  /** Every `stride`-th event (by seq − first seq), at every worker that received it. */
  stride: number;
  /** The thinned sample stops at this many pairs per source (a run whose seqs exceed the coordinator's range). */
  thinned_cap: number;
  /** Violations kept per source and kind (point, interval) beyond the thinned sample. */
  violation_cap: number;
  /** Coordinator first send, relative (the figures' time zero); null when unknown. */
  first_send_rel_ns: number | null;
  violations: ViolationTally[];
  samples: CausalitySample[];
}

/** One time bin of one (node, source) series of accepted sync samples. */
export interface SyncBin {
  /** Mean sample_local_ns of the bin's samples, relative. */
  t_rel_ns: number;
  n: number;
  offset_mean_ns: number | null;
  offset_min_ns: number | null;
  offset_max_ns: number | null;
  half_width_mean_ns: number | null;
  half_width_max_ns: number | null;
}

export interface SyncSeries {
  node: string;
  source: string;
  /** Accepted samples with an offset or a half-width (every one is in exactly one bin). */
  samples: number;
  /** Samples the source rejected (accepted = 0 / false), not binned. */
  rejected: number;
  /** Bin width in ns (a power of two times 1 ms); binned = some bin holds more than one sample. */
  bin_ns: number;
  binned: boolean;
  bins: SyncBin[];
}

/** One time bin of the bracketed error of one (worker, source): m = S − bracket midpoint. */
export interface BracketBin {
  /** Start of the bin (coordinator send time), relative. */
  t_rel_ns: number;
  /** Readings with a point in the bin. */
  n: number;
  mid_min_ns: number | null;
  mid_p50_ns: number | null;
  mid_max_ns: number | null;
  /** Interval readings disjoint from their bracket; null for a source without intervals. */
  provable_misses: number | null;
  /** Points whose whole error range lies outside ±1 ms. */
  off_by_1ms: number;
}

export interface BracketSeries {
  node: string;
  source: string;
  bounded: boolean;
  /** The bins of stats.json's timeline (only bins with readings are listed). */
  bin_ns: number;
  bins: BracketBin[];
}

/** Status counts of one (place, source) over run time (docs/metrics.md §Source health). */
export interface HealthSeries {
  role: 'coordinator' | 'worker';
  node: string;
  source: string;
  /** The bins of stats.json's timeline, by each reading's local stamp; only bins with readings are listed. */
  bin_ns: number;
  bins: HealthBin[];
}

export interface HealthBin {
  /** Start of the bin, relative. */
  t_rel_ns: number;
  /** Readings per status as written ('' when blank). */
  counts: Record<string, number>;
}

export interface FiguresData {
  schema_version: typeof FIGURES_DATA_SCHEMA_VERSION;
  /** stats.json's generated_at of the same pass: a figures-data.json from another pass is not used. */
  stats_generated_at: string;
  anchor_ns_abs: string;
  causality: CausalitySampleSet;
  /** Empty when the run has no sync/*.csv. */
  sync: SyncSeries[];
  /** The echo brackets' error over time (docs/metrics.md §Echo brackets); absent or empty without echo rows. */
  brackets?: BracketSeries[];
  /** Status counts over time per place and source; absent in figures-data.json from before it existed. */
  health?: HealthSeries[];
}

/** figures-data.json of a run directory; null with the reason when it is absent, unreadable or from another pass. */
export async function readFiguresData(
  runDir: string,
  statsGeneratedAt: string,
): Promise<{ data: FiguresData | null; reason: string | null }> {
  const file = path.join(runDir, FIGURES_DATA_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { data: null, reason: `no ${FIGURES_DATA_FILE} (analysed by an older version; run chronoeval analyze again for every figure)` };
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { data: null, reason: `${FIGURES_DATA_FILE} is not valid JSON (${(e as Error).message})` };
  }
  const d = v as Partial<FiguresData> | null;
  if (!d || typeof d !== 'object' || d.schema_version !== FIGURES_DATA_SCHEMA_VERSION || !d.causality || !Array.isArray(d.sync)) {
    return { data: null, reason: `${FIGURES_DATA_FILE} has an unknown layout (schema_version ${JSON.stringify(d?.schema_version)})` };
  }
  if (d.stats_generated_at !== statsGeneratedAt) {
    return {
      data: null,
      reason: `${FIGURES_DATA_FILE} is from another analysis pass than stats.json (generated ${d.stats_generated_at}, stats ${statsGeneratedAt})`,
    };
  }
  return { data: d as FiguresData, reason: null };
}
