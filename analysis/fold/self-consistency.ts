// Folds each worker's interval readings into the two self-consistency bounds (docs/metrics.md
// §Self-consistency; analysis/metrics/self-consistency.ts, analysis/metrics/self-consistency-path.ts).
// Rows come in event order; the local instant of a reading is the worker's recv_local_ns. State
// per worker and source: the matcher's look-back and the path's breakpoints — never the readings.
import type { EventBlock } from './event-block.js';
import type { SourceDef } from '../join/joined.js';
import type { DistAcc } from '../stats/distribution.js';
import type { SelfConsistencyEntry, SelfConsistencySection } from '../stats/types.js';
import { ConsistencyMatcher, DEFAULT_MAX_FREQ_ERROR_PPM, SELF_CONSISTENCY_LOOK_BACK, maxFreqError } from '../metrics/self-consistency.js';
import { PathBound } from '../metrics/self-consistency-path.js';

/** A detected step of a node's local clock: detection instant (relative ns) and size (ns). */
export interface ClockStep {
  atNs: number;
  sizeNs: number;
}

export interface SelfConsistencyConfig {
  maxFreqErrorPpm: number;
  /** Steps per node (analysis/load/clock-steps.ts). */
  steps: Record<string, ClockStep[]>;
}

export const DEFAULT_SELF_CONSISTENCY: SelfConsistencyConfig = { maxFreqErrorPpm: DEFAULT_MAX_FREQ_ERROR_PPM, steps: {} };

/**
 * Readings this close to a step's detection (plus the step's size) are in an unknown frame and are
 * paired with nothing: steps are found within about a second of happening (the step check runs
 * every second; sources find them on their next read).
 */
export const STEP_GUARD_NS = 2e9;

export const SELF_CONSISTENCY_METHODS = 'max(greedy matching of incompatible pairs, n − most readings on one slope-≤ε path)';

class SourceState {
  readings = 0;
  skipped = 0;
  unpaired = 0;
  segment = 0;
  constructor(
    readonly matcher: ConsistencyMatcher,
    readonly path: PathBound,
  ) {}
}

export class SelfConsistencyFold {
  private readonly eps: number;
  private readonly state: (SourceState | null)[][]; // [s][w], null for point sources
  private readonly steps: ClockStep[][];

  constructor(
    private readonly cfg: SelfConsistencyConfig,
    sources: readonly SourceDef[],
    private readonly workers: readonly string[],
  ) {
    this.eps = maxFreqError(cfg.maxFreqErrorPpm);
    this.state = sources.map((s) =>
      workers.map(() => (s.bounded ? new SourceState(new ConsistencyMatcher(this.eps), new PathBound(this.eps)) : null)),
    );
    this.steps = workers.map((w) => cfg.steps[w] ?? []);
  }

  /** Worker w's readings of source s in this block. */
  fold(blk: EventBlock, s: number, w: number): void {
    const st = this.state[s]![w];
    if (!st) return;
    const has = blk.has[w]!,
      tCol = blk.recvLocal[w]!,
      col = blk.stamps[w]![s]!;
    const LO = col.lo,
      HI = col.hi;
    const steps = this.steps[w]!;
    for (let j = 0; j < blk.n; j++) {
      if (has[j] === 0) continue;
      const lo = LO[j]!,
        hi = HI[j]!,
        t = tCol[j]!;
      if (Number.isNaN(lo) || Number.isNaN(hi) || Number.isNaN(t)) {
        st.skipped++;
        continue;
      }
      st.readings++;
      if (steps.length > 0) {
        const seg = segmentOf(steps, t);
        if (seg < 0) {
          st.unpaired++;
          continue;
        }
        if (seg !== st.segment) {
          st.matcher.cut();
          st.path.cut();
          st.segment = seg;
        }
      }
      st.matcher.add(t, lo, hi);
      st.path.add(t, lo, hi);
    }
  }

  /** The stats.json section; `halfWidth(s, w)` is the worker's half-width distribution of source s (bound quality). */
  section(sources: readonly SourceDef[], halfWidth: (s: number, w: number) => DistAcc): SelfConsistencySection {
    const byWorker: SelfConsistencySection['by_worker'] = {};
    let worst: SelfConsistencySection['worst'] = null;
    const ppm = this.cfg.maxFreqErrorPpm;
    this.workers.forEach((node, w) => {
      const m: Record<string, SelfConsistencyEntry> = {};
      sources.forEach((src, s) => {
        const st = this.state[s]?.[w];
        if (!src.bounded || !st) return;
        const matching = st.matcher.matched,
          path = st.path.bound;
        const mustMiss = Math.max(matching, path);
        const e: SelfConsistencyEntry = {
          readings: st.readings,
          skipped: st.skipped,
          must_miss: mustMiss,
          fraction: st.readings > 0 ? mustMiss / st.readings : null,
          method: path > matching ? 'path' : 'matching',
          matching,
          path,
          unpaired_at_steps: st.unpaired,
          half_width_p50_ns: st.readings > 0 ? halfWidth(s, w).summarize().p50 : null,
          max_freq_error_ppm: ppm,
        };
        m[src.name] = e;
        if (
          e.fraction !== null &&
          (worst === null || e.fraction > worst.fraction! || (e.fraction === worst.fraction && e.must_miss > worst.must_miss))
        )
          worst = { node, source: src.name, ...e };
      });
      byWorker[node] = m;
    });
    return {
      max_freq_error_ppm: ppm,
      method: SELF_CONSISTENCY_METHODS,
      look_back: SELF_CONSISTENCY_LOOK_BACK,
      clock_steps: Object.fromEntries(this.workers.map((w, i) => [w, this.steps[i]!.length])),
      by_worker: byWorker,
      worst,
    };
  }
}

/** The frame a reading at t is in: the number of steps detected before it; −1 within a step's guard. */
function segmentOf(steps: readonly ClockStep[], t: number): number {
  let seg = 0;
  for (const st of steps) {
    const guard = STEP_GUARD_NS + Math.abs(st.sizeNs);
    if (Math.abs(t - st.atNs) <= guard) return -1;
    if (st.atNs < t) seg++;
  }
  return seg;
}
