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
import { inCoordinatorFrame } from '../metrics/frames.js';
import { COORDINATOR_NODE } from '../../src/files/export-columns.js';

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

const NO_STEPS: readonly ClockStep[] = [];

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
  /** Per source: ε, or for a coordinator-frame source the two oscillators' relative bound. */
  private readonly eps: number[];
  private readonly state: (SourceState | null)[][]; // [s][w], null for point sources
  private readonly steps: ClockStep[][];
  private readonly coordFrame: boolean[];
  private readonly coordSteps: ClockStep[];

  constructor(
    private readonly cfg: SelfConsistencyConfig,
    sources: readonly SourceDef[],
    private readonly workers: readonly string[],
  ) {
    const eps = maxFreqError(cfg.maxFreqErrorPpm);
    this.coordFrame = sources.map((s) => inCoordinatorFrame(s.name));
    // A coordinator-frame source (channel) tracks the coordinator's clock, read at the worker's
    // local instants: the two clocks' rates may differ by (1 + ε)/(1 − ε) − 1 = 2ε/(1 − ε).
    this.eps = this.coordFrame.map((c) => (c ? (2 * eps) / (1 - eps) : eps));
    this.state = sources.map((s, i) =>
      workers.map(() => (s.bounded ? new SourceState(new ConsistencyMatcher(this.eps[i]!), new PathBound(this.eps[i]!)) : null)),
    );
    this.steps = workers.map((w) => cfg.steps[w] ?? []);
    this.coordSteps = cfg.steps[COORDINATOR_NODE] ?? [];
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
    // Its target steps with the coordinator's clock: located by the reading's own value, which
    // estimates that clock.
    const coordSteps = this.coordFrame[s] ? this.coordSteps : NO_STEPS;
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
      if (steps.length > 0 || coordSteps.length > 0) {
        const own = segmentOf(steps, t);
        const coord = segmentOf(coordSteps, (lo + hi) / 2);
        if (own < 0 || coord < 0) {
          st.unpaired++;
          continue;
        }
        const seg = own * (coordSteps.length + 1) + coord;
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
          max_freq_error_ppm: this.coordFrame[s] ? this.eps[s]! * 1e6 : ppm,
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
