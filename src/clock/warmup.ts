import { fitSharedSlope } from './drift-fit.js';
import type { Readiness } from './types.js';

/** When a source's model counts as converged. */
export interface ConvergenceThresholds {
  /** At least this many samples since the last reset. */
  minSamples: number;
  /** Largest |residual| of the offsets around their fitted drift line (ns). */
  maxSpreadNs: number;
  /** Largest standard error of the drift estimate (ppm). */
  maxDriftErrPpm: number;
  /** The samples must span at least this long (ms), so the drift estimate means something. */
  minSpanMs: number;
  /**
   * Relative limits, used when estimates come with half-widths: the spread may reach this many
   * median half-widths (0 = off), since honest intervals of that width allow residuals that big.
   */
  spreadPerHalfWidth: number;
  /**
   * The drift uncertainty may reach (median half-width / horizon): over this horizon (ms) it adds
   * no more than one half-width of error (0 = off).
   */
  driftErrHorizonMs: number;
}

export const DEFAULT_CONVERGENCE: ConvergenceThresholds = {
  minSamples: 5,
  maxSpreadNs: 1_000_000,
  maxDriftErrPpm: 5,
  minSpanMs: 3000,
  spreadPerHalfWidth: 0,
  driftErrHorizonMs: 0,
};

export interface ConvergenceState extends Readiness {
  samples: number;
  span_ms: number;
  spread_ns: number | null;
  drift_ppm: number | null;
  drift_err_ppm: number | null;
}

/**
 * Convergence detector shared by every source: feed it (local instant, offset) pairs from the
 * source's own estimates; it answers ready or not and says why. Keeps only the last `window`
 * samples; `reset` after a step or restart, so readiness reflects the current model.
 */
export class ConvergenceDetector {
  readonly thresholds: ConvergenceThresholds;
  private xs: number[] = [];
  private ys: number[] = [];
  private hws: number[] = [];
  private lastReset = 'no samples yet';
  private cached: ConvergenceState | null = null;

  constructor(
    thresholds: Partial<ConvergenceThresholds> = {},
    private readonly window = 16,
  ) {
    this.thresholds = { ...DEFAULT_CONVERGENCE, ...thresholds };
    if (this.thresholds.minSamples < 3) throw new Error('ConvergenceDetector: minSamples must be >= 3 (a drift fit needs 3 points)');
    if (window < this.thresholds.minSamples) throw new Error('ConvergenceDetector: window must be >= minSamples');
  }

  /** Add one estimate: local instant (ns, any fixed anchor), offset true − local (ns), and its half-width if known. */
  add(localNs: number, offsetNs: number, halfWidthNs?: number): void {
    if (!Number.isFinite(localNs) || !Number.isFinite(offsetNs)) return;
    this.xs.push(localNs);
    this.ys.push(offsetNs);
    if (halfWidthNs !== undefined && Number.isFinite(halfWidthNs)) this.hws.push(halfWidthNs);
    if (this.xs.length > this.window) {
      this.xs.shift();
      this.ys.shift();
    }
    if (this.hws.length > this.window) this.hws.shift();
    this.cached = null;
  }

  reset(reason: string): void {
    this.xs = [];
    this.ys = [];
    this.hws = [];
    this.lastReset = reason;
    this.cached = null;
  }

  /** Cheap after the first call (cached until the next add/reset). */
  assess(): ConvergenceState {
    if (this.cached) return this.cached;
    const t = this.thresholds;
    const n = this.xs.length;
    const span = n ? (this.xs[n - 1]! - this.xs[0]!) / 1e6 : 0;
    const base = { samples: n, span_ms: span, spread_ns: null, drift_ppm: null, drift_err_ppm: null };
    const not = (detail: string, extra: Partial<ConvergenceState> = {}): ConvergenceState =>
      (this.cached = { ...base, ...extra, ready: false, detail });
    if (n < t.minSamples) {
      return not(`${n}/${t.minSamples} samples${n === 0 ? ` (${this.lastReset})` : ''}`);
    }
    if (span < t.minSpanMs) return not(`samples span ${span.toFixed(0)} ms < ${t.minSpanMs} ms`);
    const fit = fitSharedSlope(this.xs.map((x, i) => ({ x, y: this.ys[i]!, w: 1, seg: 0 })));
    if (!fit) return not('drift not identifiable yet');
    const m = fit.means.get(0)!;
    let spread = 0;
    for (let i = 0; i < n; i++) {
      spread = Math.max(spread, Math.abs(this.ys[i]! - m.y - fit.slope * (this.xs[i]! - m.x)));
    }
    const extra = { spread_ns: spread, drift_ppm: fit.slope * 1e6, drift_err_ppm: fit.slopeErr * 1e6 };
    const hw = this.hws.length ? [...this.hws].sort((a, b) => a - b)[this.hws.length >> 1]! : 0;
    const spreadLimit = Math.max(t.maxSpreadNs, t.spreadPerHalfWidth * hw);
    const driftLimit = Math.max(t.maxDriftErrPpm, t.driftErrHorizonMs > 0 ? (hw / (t.driftErrHorizonMs * 1e6)) * 1e6 : 0);
    if (spread > spreadLimit) {
      return not(`offset spread ${(spread / 1e6).toFixed(3)} ms > ${(spreadLimit / 1e6).toFixed(3)} ms`, extra);
    }
    if (extra.drift_err_ppm > driftLimit) {
      return not(`drift uncertainty ${extra.drift_err_ppm.toFixed(2)} ppm > ${driftLimit.toFixed(2)} ppm`, extra);
    }
    return (this.cached = {
      ...base,
      ...extra,
      ready: true,
      detail: `converged: ${n} samples over ${(span / 1000).toFixed(1)} s, spread ${(spread / 1e3).toFixed(1)} µs, drift ${extra.drift_ppm.toFixed(2)} ± ${extra.drift_err_ppm.toFixed(2)} ppm`,
    });
  }
}
