import type { NtpSample, NtpSampleListener } from '../ntp-sample.js';
import type { ClockSource, LocalClock, Readiness, Reading, SourceStatus, SyncSink } from '../types.js';
import { EMPTY_READING } from '../types.js';
import type { Logger } from '../../cli/logger.js';
import { feasibleSlope, fitSharedSlope, type DriftFit } from '../drift-fit.js';
import { hull, intersect, shift, type Interval } from '../interval-math.js';
import { marzullo } from '../marzullo.js';
import { ConvergenceDetector, type ConvergenceThresholds } from '../warmup.js';
import { LocalStepWatch, type StepEvent } from '../step-watch.js';
import { ceilNs, emit, floorNs, syncRowBase, withReading, type SourceWiring } from './source-util.js';

/** What the bounded source needs from the NTP client: a sample feed (and optionally history). */
export interface NtpFeed {
  onSample(listener: NtpSampleListener): void;
  samples?(): readonly NtpSample[];
}

export interface BoundedTuning {
  /** Floor of the error growth rate since a sample, ppm (RFC 5905 PHI). */
  phiPpm: number;
  /** Assumed worst frequency error before the drift is known, ppm (also bounds a step's slope error). */
  maxDriftPpm: number;
  /** Growth rate = phi + k · (standard error of the drift estimate). */
  driftSigmaK: number;
  /** Samples older than this are dropped from the model (ms). */
  windowMs: number;
  maxSamplesPerServer: number;
  /** read(): intersect the projections of this many most recent samples per server. */
  projectSamples: number;
  /** The drift estimate is trusted once one segment's samples span this long (ms). */
  minFitSpanMs: number;
  /** A server whose newest sample is older than this no longer counts (ms). */
  staleAfterMs: number;
  /** Added to every sample's half-width: server timestamp resolution and rounding (ns). */
  serverPrecisionNs: number;
  /** Local-vs-monotonic jump (ns) above which the local clock is taken to have stepped (plus maxDriftPpm × gap). */
  stepToleranceNs: number;
  /** How often local − monotonic is checked for steps besides every reading and sample (ms). */
  stepCheckMs: number;
  /**
   * Safety factor on the learnt wander term: the largest excess of a new sample over earlier
   * samples' projections, per second^1.5 of age (a frequency random walk), is added as
   * wanderK · (W · age^1.5 + Wfar · age · √(fit span)) to every projection (docs/sources.md).
   */
  wanderK: number;
  /** Samples per server the drift fit uses once wander has been seen (default 5). */
  wanderFitSamples: number;
  /**
   * Prior wander term W (ns per s^1.5) for clocks known to wander, before any is learnt (default 0).
   * A frequency random walk of σ ppm/√s moves the offset by about σ·1000·age^1.5/√3 ns.
   */
  wanderPriorNsPerS15: number;
  /**
   * Wander assumed for a new model until samples show otherwise (ns per s^1.5, default 200000):
   * it decays as 1/n over the first consecutive-sample checks, so a stable clock soon pays
   * nothing, while a wandering one is covered before its wander has been seen.
   */
  wanderInitialNsPerS15: number;
  warmup: Partial<ConvergenceThresholds>;
}

/** Baseline of the far second difference (farCurvature), as between sparse polls. */
const WANDER_BASELINE_NS = 2e9;
/** Proven curvature is the oscillator's, not the moment's: it is remembered this long. */
const WANDER_MEMORY_NS = 60e9;

export const DEFAULT_BOUNDED_TUNING: BoundedTuning = {
  phiPpm: 15,
  maxDriftPpm: 500,
  driftSigmaK: 3,
  windowMs: 60_000,
  maxSamplesPerServer: 64,
  projectSamples: 16,
  minFitSpanMs: 2000,
  staleAfterMs: 30_000,
  serverPrecisionNs: 1000,
  stepToleranceNs: 100_000,
  stepCheckMs: 100,
  wanderK: 2,
  wanderFitSamples: 5,
  wanderPriorNsPerS15: 0,
  wanderInitialNsPerS15: 200_000,
  warmup: { maxSpreadNs: 100_000, maxDriftErrPpm: 5, minSamples: 3, minSpanMs: 3000, spreadPerHalfWidth: 2, driftErrHorizonMs: 3000 },
};

export interface BoundedSourceOptions extends Partial<BoundedTuning>, SourceWiring {
  ntp: NtpFeed;
  /** Monotonic clock for step detection (default process.hrtime.bigint); replaceable in simulations. */
  monoNs?: () => bigint;
}

/** One usable exchange: offset θ at local instant m with half-width e (all ns, m relative to the anchor). */
interface Obs {
  m: number;
  theta: number;
  e: number;
  seg: number;
}

interface ServerModel {
  obs: Obs[];
  seg: number;
  fit: DriftFit | null;
  trusted: boolean;
  slope: number;
  /** Error growth rate since a sample (dimensionless). */
  g: number;
  /**
   * The growth the fit's residuals alone call for (phi + k·σ): wander is measured against this,
   * so a wide slope bound from few or noisy samples does not hide the wander a projection needs.
   */
  gFit: number;
  /** Recent excesses per s^1.5 (ns), newest last; W is their maximum. */
  wanderRing: number[];
  /** Curvature over long baselines (farCurvature) per s^1.5, and the local instant (m) of each. */
  farRing: number[];
  farAt: number[];
  /** The walk statistic's estimates (walkEstimate) and when each was made. */
  walkRing: number[];
  walkAt: number[];
  /** The wander shown over long baselines (farRing's and walkRing's maximum), or the prior. */
  Wfar: number;
  W: number;
  /** Consecutive-sample checks made (decays the initial wander assumption). */
  checks: number;
}

interface ServerEstimate {
  iv: Interval;
  center: number;
  doubtful: boolean;
}

/**
 * Interval estimator over NTP samples. Each sample bounds the offset (true − local) at the
 * exchange's midpoint by θ ± (δ/2 + root delay/2 + root dispersion + precision); projected to
 * another instant it grows by (PHI + k·σ_drift)·age around the drift line. A server's interval is
 * the intersection of its recent samples' projections; servers are combined with Marzullo's
 * algorithm (disagreement → `degraded`). Steps of the local clock are caught two ways: a jump of
 * local − monotonic time (seen at read time too, before any new sample), and a sample
 * inconsistent with the model (the server's model then restarts; the drift estimate survives).
 */
export class BoundedSource implements ClockSource {
  readonly name: string;
  readonly bounded = true;
  readonly tuning: BoundedTuning;
  private readonly clock: LocalClock;
  private readonly sink?: SyncSink;
  private readonly logger?: Logger;
  private readonly nodeId?: string;
  private readonly runId?: string;
  private readonly servers = new Map<string, ServerModel>();
  private anchor: bigint | null = null;
  private nextSeg = 1;
  private stopped = false;
  private readonly detector: ConvergenceDetector;
  /** The last combination had no majority (only the hull of disagreeing servers): its center is no estimate. */
  private lastCombinationHull = false;
  /** The servers (bit k: the k-th model made) whose centers the last combination averaged. */
  private lastMembers = 0;
  /** The servers the last combination's majority outvoted (trusted, with an estimate, outside it). */
  private lastOutvoted = 0;
  /** The servers whose centers went into the convergence detector since it was last reset. */
  private fedMembers = 0;
  /** offsetAt's scratch: each estimate's server bit (reused: read() runs for every event). */
  private readonly estimateBits: number[] = [];
  private readonly watch: LocalStepWatch;
  private watchTimer: NodeJS.Timeout | null = null;
  /** Servers without a sample since the last detected step: readings say `degraded` meanwhile. */
  private unsettled = new Set<string>();
  private steps = 0;
  private restarts = 0;
  private used = 0;
  private ignored = 0;

  constructor(opts: BoundedSourceOptions) {
    this.name = opts.name ?? 'bounded';
    this.clock = opts.clock;
    this.sink = opts.sink;
    this.logger = opts.logger;
    this.nodeId = opts.nodeId;
    this.runId = opts.runId;
    const { ntp: _n, clock: _c, sink: _s, logger: _l, nodeId: _i, runId: _r, name: _m, monoNs: _o, warmup, ...rest } = opts;
    this.tuning = { ...DEFAULT_BOUNDED_TUNING, ...stripUndefined(rest), warmup: { ...DEFAULT_BOUNDED_TUNING.warmup, ...warmup } };
    validateTuning(this.tuning);
    this.detector = new ConvergenceDetector(this.tuning.warmup, 64);
    this.watch = new LocalStepWatch(
      this.clock,
      { toleranceNs: this.tuning.stepToleranceNs, maxRatePpm: this.tuning.maxDriftPpm, monoNs: opts.monoNs },
      (e) => this.onStep(e),
    );
    this.watch.observe();
    for (const s of opts.ntp.samples?.() ?? []) this.ingest(s);
    opts.ntp.onSample((s) => {
      if (!this.stopped) this.ingest(s);
    });
  }

  async start(): Promise<void> {
    this.stopped = false;
    if (!this.watchTimer) {
      this.watchTimer = setInterval(() => this.watch.observe(), this.tuning.stepCheckMs);
      this.watchTimer.unref?.();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = null;
  }

  /**
   * The interval at a local instant: `monoNs` is that instant on CLOCK_MONOTONIC (a datagram's
   * kernel arrival), so a clock step detected between the instant and this call is placed on the
   * right side of it (the instant may be from before the step while the model is already in the
   * new frame). Without it, the instant is taken in the current frame (a stamp of the present).
   */
  read(localNs: bigint, monoNs?: bigint): Reading {
    const now = this.watch.observe();
    // The present, as a monotonic instant whose local − monotonic is the current frame's.
    const mono = monoNs ?? now.mono - (now.local - localNs);
    return this.combine(localNs, this.watch.shiftsFor(localNs, mono), false);
  }

  /**
   * The interval at a past local instant, using samples taken before and after it. `monoNs`
   * (process.hrtime at the instant) places it exactly relative to detected clock steps; without
   * it, an instant that could lie on either side of a step gets the hull of both.
   */
  reestimate(localNs: bigint, monoNs?: bigint): Reading | null {
    this.watch.observe();
    return this.combine(localNs, this.watch.shiftsFor(localNs, monoNs), true);
  }

  readiness(): Readiness {
    const c = this.detector.assess();
    if (!c.ready) return { ready: false, detail: c.detail };
    const r = this.read(this.clock.nowNs());
    if (r.status === 'degraded')
      return { ready: true, detail: `${c.detail}; degraded: servers disagree or a clock step is being absorbed` };
    if (r.status !== 'ok') return { ready: false, detail: `model status ${r.status}` };
    return { ready: true, detail: c.detail };
  }

  summary(): Record<string, unknown> {
    const servers: Record<string, unknown> = {};
    for (const [name, s] of this.servers) {
      servers[name] = {
        samples: s.obs.length,
        trusted: s.trusted,
        drift_ppm: s.trusted ? round3(s.slope * 1e6) : null,
        growth_ppm: round3(s.g * 1e6),
        wander_ns_per_s15: Math.round(s.W),
      };
    }
    return {
      used: this.used,
      ignored: this.ignored,
      steps_detected: this.steps,
      model_restarts: this.restarts,
      servers,
      convergence: this.detector.assess(),
    };
  }

  /** Fused drift estimate (ppm, offset true − local per local time; positive = local clock slow). */
  driftPpm(): number | null {
    const t = [...this.servers.values()].filter((s) => s.trusted);
    return t.length ? (t.reduce((a, s) => a + s.slope, 0) / t.length) * 1e6 : null;
  }

  // ---- sample path (off the hot path: runs when the NTP client delivers a sample) ----

  private ingest(s: NtpSample): void {
    const now = this.watch.observe();
    if (!s.accepted) return; // burst losers: the NTP client already logs them
    const row = syncRowBase(this.runId, this.nodeId, this.name, s.t4_ns);
    Object.assign(row, {
      server: s.server,
      t1_ns: s.t1_ns,
      t2_ns: s.t2_ns,
      t3_ns: s.t3_ns,
      t4_ns: s.t4_ns,
      offset_ns: s.offset_ns,
      delay_ns: s.delay_ns,
      root_delay_ns: s.root_delay_ns,
      root_dispersion_ns: s.root_dispersion_ns,
      stratum: s.stratum,
      leap: s.leap,
      true_offset_ns:
        s.true_t1_ns !== undefined && s.true_t4_ns !== undefined ? (s.true_t1_ns + s.true_t4_ns) / 2n - (s.t1_ns + s.t4_ns) / 2n : null,
    });
    // The exchange's monotonic start, estimated from how long ago t1 was on the local clock.
    const t1Mono = now.mono - (now.local - s.t1_ns);
    const step = this.watch.steps().find((e) => e.detMono + BigInt(Math.round(Math.abs(e.stepNs))) + 50_000_000n >= t1Mono);
    const bad = step
      ? `local clock stepped ${(step.stepNs / 1e6).toFixed(3)} ms around this exchange: before or after is unknown`
      : invalidSample(s);
    if (bad) {
      this.ignored++;
      row.accepted = 0;
      emit(this.sink, withReading(row, this.read(s.t4_ns), `ignored: ${bad}`), this.logger);
      return;
    }
    if (this.anchor === null) this.anchor = s.t1_ns;
    const t = this.tuning;
    const delay = Number(s.delay_ns);
    const obs: Obs = {
      m: Number((s.t1_ns + s.t4_ns) / 2n - this.anchor),
      theta: Number(s.offset_ns),
      e: delay / 2 + Number(s.root_delay_ns) / 2 + Number(s.root_dispersion_ns) + t.serverPrecisionNs + t.maxDriftPpm * 1e-6 * delay,
      seg: 0,
    };
    let model = this.servers.get(s.server);
    if (!model) {
      model = {
        obs: [],
        seg: this.nextSeg++,
        fit: null,
        trusted: false,
        slope: 0,
        g: t.maxDriftPpm * 1e-6,
        gFit: t.maxDriftPpm * 1e-6,
        wanderRing: [],
        farRing: [],
        farAt: [],
        walkRing: [],
        walkAt: [],
        Wfar: t.wanderPriorNsPerS15,
        W: Math.max(t.wanderPriorNsPerS15, t.wanderInitialNsPerS15),
        checks: 0,
      };
      this.servers.set(s.server, model);
    }
    let reason = 'used';
    this.learnWander(model, obs);
    const predicted = this.projectTail(model, obs.m);
    if (predicted && !intersect(predicted.iv, { lo: obs.theta - obs.e, hi: obs.theta + obs.e })) {
      const gap = obs.theta < predicted.iv.lo ? predicted.iv.lo - obs.theta : obs.theta - predicted.iv.hi;
      reason = `used; model restarted: sample ${(gap / 1e6).toFixed(3)} ms outside the model's interval (local or server clock step)`;
      this.logger?.warn(`${this.name}: ${s.server} sample inconsistent with its model; restarting that server's model`, { gap_ns: gap });
      model.seg = this.nextSeg++;
      this.restarts++;
      this.detector.reset('model restarted after an inconsistent sample');
    }
    obs.seg = model.seg;
    model.obs.push(obs);
    this.unsettled.delete(s.server);
    this.prune(model, obs.m);
    this.refit(model);
    this.used++;
    row.accepted = 1;
    row.drift_ppm = model.trusted ? round3(model.slope * 1e6) : null;
    const r = this.read(s.t4_ns);
    // A hull of disagreeing servers (e.g. one honest, one liar, before a third answers) is not an estimate
    // to converge on: feeding its center would hold warmup back for a whole detector window.
    if (r.point_ns !== null && !this.lastCombinationHull) {
      // A server whose centers were fed and that the majority now outvotes (a falseticker that
      // answered alone at first): what was fed is its offset, e.g. 30 ms from the majority's,
      // and would hold warmup back for a whole detector window. Converge anew. A server that
      // only goes stale or untrusted leaves no such trace (it agreed while it was fed).
      if ((this.fedMembers & this.lastOutvoted) !== 0) {
        this.detector.reset('a server fed so far is outvoted by the majority');
        this.fedMembers = 0;
      }
      this.fedMembers |= this.lastMembers;
      this.detector.add(Number(s.t4_ns - this.anchor), Number(r.point_ns - s.t4_ns), Number(r.hi_ns! - r.lo_ns!) / 2);
    }
    emit(this.sink, withReading(row, r, reason), this.logger);
  }

  /**
   * A step of the local clock (seen as a jump of local − monotonic): move every sample into the
   * new frame (instant +D, offset −D) with the step's uncertainty added, so the model keeps its
   * history and the very next reading is right. Until each server answers again, readings are
   * `degraded`.
   */
  private onStep(e: StepEvent): void {
    const t = this.tuning;
    const d = e.stepNs;
    const extra = e.uncNs + t.maxDriftPpm * 1e-6 * Math.abs(d);
    for (const m of this.servers.values()) {
      for (const o of m.obs) {
        o.m += d;
        o.theta -= d;
        o.e += extra;
      }
      if (m.fit)
        for (const mean of m.fit.means.values()) {
          mean.x += d;
          mean.y -= d;
        }
    }
    this.steps++;
    this.unsettled = new Set(this.servers.keys());
    // A step can be found inside read() on the receive path: log after it (stderr writes block on pipes).
    const msg = `${this.name}: local clock step of ${(d / 1e6).toFixed(3)} ms detected (local vs monotonic); model moved into the new frame`;
    if (this.logger) setImmediate(() => this.logger?.warn(msg));
    emit(
      this.sink,
      withReading(
        syncRowBase(this.runId, this.nodeId, this.name, e.detLocal),
        EMPTY_READING('degraded'),
        `local clock step ${Math.round(d)} ns detected (± ${Math.round(e.uncNs)} ns)`,
      ),
      this.logger,
    );
  }

  /**
   * Compare a new sample with the previous one's projection. Whatever their intervals and the
   * linear growth do not explain is wander: remember it per s^1.5 of age, so projections widen
   * for the frequency changes this clock has shown (honesty under a random-walk frequency).
   */
  private learnWander(model: ServerModel, o: Obs): void {
    const prev = model.obs[model.obs.length - 1];
    if (!prev || !model.trusted || prev.seg !== model.seg) return;
    const dx = o.m - prev.m;
    if (dx <= 0) return;
    const a = dx / 1e9;
    // The new sample's centre against the projection's allowance for readings (e_prev + growth).
    const miss = Math.abs(o.theta - (prev.theta + model.slope * dx)) - prev.e - model.gFit * dx;
    // More than any frequency error could do in that time is a step, not wander: the consistency
    // check restarts the model instead.
    if (miss > this.tuning.maxDriftPpm * 1e-6 * dx) return;
    // The frequency change between the last two intervals (second difference of the offsets,
    // beyond what the samples' own errors explain) shows wander even when the fitted slope has
    // caught up with it at the endpoints.
    let curv = 0;
    const pp = model.obs[model.obs.length - 2];
    if (pp && pp.seg === model.seg && prev.m > pp.m) {
      const f1 = (prev.theta - pp.theta) / (prev.m - pp.m);
      const f2 = (o.theta - prev.theta) / dx;
      curv = Math.abs(f2 - f1) * dx - (o.e + prev.e) - (pp.e + prev.e) * (dx / (prev.m - pp.m));
    }
    model.wanderRing.push(Math.max(0, miss, curv) / a ** 1.5);
    if (model.wanderRing.length > 32) model.wanderRing.shift();
    // Dense samples (channel: several a second) differ by less than their errors, so the checks
    // above never see a walk that a sparse poll would; over long baselines it outgrows them.
    keepFor(model.farRing, model.farAt, farCurvature(model.obs, model.seg, o), o.m, WANDER_MEMORY_NS);
    // Wide samples hide a walk from all three checks above, never from its statistics: a walk's second
    // differences grow as τ^1.5 with the baseline τ, the samples' own noise does not.
    keepFor(model.walkRing, model.walkAt, walkEstimate(model.obs, model.seg, o), o.m, WALK_MEMORY_NS);
    model.checks++;
    model.Wfar = Math.max(this.tuning.wanderPriorNsPerS15, ...model.farRing, ...model.walkRing);
    model.W = Math.max(model.Wfar, this.tuning.wanderInitialNsPerS15 / model.checks, ...model.wanderRing);
  }

  private prune(model: ServerModel, newest: number): void {
    const t = this.tuning;
    const cutoff = newest - t.windowMs * 1e6;
    let drop = 0;
    while (drop < model.obs.length - 1 && (model.obs[drop]!.m < cutoff || model.obs.length - drop > t.maxSamplesPerServer)) drop++;
    if (drop) model.obs.splice(0, drop);
  }

  private refit(model: ServerModel): void {
    const t = this.tuning;
    // Once wander has shown, a long window only averages old frequencies: fit the recent samples
    // (fewer points → a larger slope error → faster growth, which is what wander calls for). The
    // window is sized by time as well as by count: at least wanderFitSamples samples and at least
    // minFitSpanMs of them, or short polls would leave a fit too short to trust, for good.
    const pts =
      model.wanderRing.some((w) => w > 0) || model.Wfar > 0 ? recentSpan(model.obs, t.wanderFitSamples, t.minFitSpanMs * 1e6) : model.obs;
    const fit = fitSharedSlope(pts.map((o) => ({ x: o.m, y: o.theta, w: 1 / (o.e * o.e), seg: o.seg })));
    model.fit = fit;
    model.trusted = fit !== null && fit.maxSpan >= t.minFitSpanMs * 1e6 && Number.isFinite(fit.slopeErr);
    if (model.trusted) {
      // Never more than the worst plausible frequency error around the estimate.
      const cap = (t.maxDriftPpm + Math.abs(fit!.slope) * 1e6) * 1e-6;
      // The samples' hard bounds limit the slope whatever their error distribution, where the
      // residual scatter only estimates it (and can be small by chance with few, noisy samples):
      // the growth covers the estimate's distance to either end of what they allow. The bend
      // between samples is the wander this clock has shown (not the initial assumption, which
      // would make every long pair useless). Samples that contradict each other even so leave
      // the slope unbounded but for the worst plausible rate.
      const bendW = Math.max(model.Wfar, ...model.wanderRing);
      const feasible = feasibleSlope(
        pts.map((o) => ({ x: o.m, y: o.theta, e: o.e, seg: o.seg })),
        bendW > 0 ? (dx) => t.wanderK * bendW * (dx / 1e9) ** 1.5 : () => 0,
      );
      const hard = feasible ? Math.max(fit!.slope - feasible.lo, feasible.hi - fit!.slope) : cap;
      model.slope = fit!.slope;
      model.gFit = Math.min(t.phiPpm * 1e-6 + t.driftSigmaK * fit!.slopeErr, cap);
      model.g = Math.min(t.phiPpm * 1e-6 + Math.max(t.driftSigmaK * fit!.slopeErr, hard), cap);
    } else {
      model.slope = 0;
      model.g = t.maxDriftPpm * 1e-6;
      model.gFit = model.g;
    }
  }

  // ---- estimates (hot path for read: a few dozen float operations per server, no I/O) ----

  /** Intersect the projections to x of the samples of segment `seg` among obs[from, to). */
  private projectSegment(model: ServerModel, seg: number, x: number, from: number, to: number): ServerEstimate | null {
    const obs = model.obs;
    let iv: Interval | null = null;
    let all: Interval | null = null;
    let doubtful = false;
    let nearest: Obs | null = null;
    for (let i = Math.max(0, from); i < Math.min(obs.length, to); i++) {
      const o = obs[i]!;
      if (o.seg !== seg) continue;
      if (!nearest || Math.abs(x - o.m) < Math.abs(x - nearest.m)) nearest = o;
      const c = o.theta + model.slope * (x - o.m);
      const ad = Math.abs(x - o.m);
      const h = o.e + model.g * ad + this.wanderTerm(model, ad / 1e9);
      const p = { lo: c - h, hi: c + h };
      all = all ? hull(all, p) : p;
      if (!doubtful) {
        iv = iv ? intersect(iv, p) : p;
        if (!iv) doubtful = true;
      }
    }
    if (!all || !nearest) return null;
    const mean = model.fit?.means.get(seg);
    const center = mean ? mean.y + model.slope * (x - mean.x) : nearest.theta + model.slope * (x - nearest.m);
    // Inconsistent projections (the model is wrong somewhere): fall back to their hull, flagged.
    return { iv: iv ?? all, center, doubtful };
  }

  /**
   * A frequency random walk's share of a projection over `age` seconds: the walk from now on
   * (W·age^1.5), and the fitted slope's lag behind the current frequency, which the fit averages
   * over its span T while it walks (Wfar·age·√T; only once a walk is proven, stands out of the
   * samples' noise in the walk statistic, or is declared: the consecutive-sample checks measure
   * against a statistical growth and can show noise).
   */
  private wanderTerm(model: ServerModel, age: number): number {
    if (model.W <= 0) return 0;
    const lag = model.Wfar > 0 && model.fit ? model.Wfar * age * Math.sqrt(model.fit.maxSpan / 1e9) : 0;
    return this.tuning.wanderK * (model.W * age ** 1.5 + lag);
  }

  /** The current segment's tail: read() and the consistency check of a new sample. */
  private projectTail(model: ServerModel, x: number): ServerEstimate | null {
    const n = model.obs.length;
    return this.projectSegment(model, model.seg, x, n - this.tuning.projectSamples, n);
  }

  /** A server's estimate at x: from its current segment (read) or bracketing samples (reestimate). */
  private serverEstimate(model: ServerModel, x: number, bracket: boolean): ServerEstimate | 'stale' | null {
    const obs = model.obs;
    if (obs.length === 0) return null;
    const t = this.tuning;
    let after = -1;
    if (bracket) {
      for (let i = 0; i < obs.length; i++)
        if (obs[i]!.m > x) {
          after = i;
          break;
        }
    }
    if (after < 0) {
      if (x - obs[obs.length - 1]!.m > t.staleAfterMs * 1e6) return 'stale';
      return this.projectTail(model, x);
    }
    const half = Math.max(1, t.projectSamples >> 1);
    const a = obs[after]!;
    const b = after > 0 ? obs[after - 1]! : null;
    if (!b || b.seg === a.seg) return this.projectSegment(model, a.seg, x, after - half, after + half);
    // A step between the two samples bracketing x: x may be on either side of it.
    const pb = this.projectSegment(model, b.seg, x, after - half, after);
    const pa = this.projectSegment(model, a.seg, x, after, after + half);
    if (!pb || !pa) return pb ?? pa;
    return { iv: hull(pb.iv, pa.iv), center: (pb.center + pa.center) / 2, doubtful: true };
  }

  /**
   * Reading at a local instant, for each hypothesis about which clock steps came after it
   * (`shifts` carry the instant into the current frame); several hypotheses give their hull.
   */
  private combine(localNs: bigint, shifts: readonly number[], bracket: boolean): Reading {
    if (this.anchor === null) return EMPTY_READING('warming');
    const x = Number(localNs - this.anchor);
    let iv: Interval | null = null;
    let center = 0;
    let status: SourceStatus = shifts.length > 1 ? 'degraded' : 'ok';
    for (const sh of shifts) {
      const est = this.offsetAt(x + sh, bracket);
      if ('empty' in est) return EMPTY_READING(est.empty);
      // true = (local + shift) + offset(x + shift): relative to `localNs` that is shift + offset.
      const rel = shift(est.iv, sh);
      iv = iv ? hull(iv, rel) : rel;
      center += (est.center + sh) / shifts.length;
      if (est.status !== 'ok') status = est.status;
    }
    if (!bracket && this.unsettled.size > 0) status = 'degraded';
    center = Math.min(iv!.hi, Math.max(iv!.lo, center));
    return {
      point_ns: localNs + BigInt(Math.round(center)),
      lo_ns: localNs + floorNs(iv!.lo),
      hi_ns: localNs + ceilNs(iv!.hi),
      status,
    };
  }

  /** Offset interval (true − local) at x in the current frame, servers combined by Marzullo. */
  private offsetAt(x: number, bracket: boolean): { iv: Interval; center: number; status: SourceStatus } | { empty: SourceStatus } {
    const ivs: Interval[] = [];
    const centers: number[] = [];
    const bits = this.estimateBits;
    bits.length = 0;
    let doubtful = false;
    let anyStale = false;
    let k = 0;
    for (const model of this.servers.values()) {
      const bit = 2 ** Math.min(k++, 30);
      if (!model.trusted) continue;
      const est = this.serverEstimate(model, x, bracket);
      if (est === 'stale') {
        anyStale = true;
        continue;
      }
      if (!est) continue;
      ivs.push(est.iv);
      centers.push(est.center);
      bits.push(bit);
      doubtful ||= est.doubtful;
    }
    const agree = marzullo(ivs);
    if (!agree) return { empty: anyStale ? 'stale' : 'warming' };
    let status: SourceStatus = 'ok';
    let iv: Interval;
    let members = agree.members;
    if (agree.count === agree.total) {
      iv = agree;
    } else if (agree.count * 2 > agree.total) {
      iv = agree; // a majority agrees: trust it, but say servers disagree
      status = 'degraded';
    } else {
      iv = ivs.reduce(hull); // no majority: only the hull is honest
      members = ivs.map((_, i) => i);
      status = 'degraded';
    }
    this.lastCombinationHull = agree.count !== agree.total && agree.count * 2 <= agree.total;
    if (doubtful) status = 'degraded';
    let center = 0;
    this.lastMembers = 0;
    for (const i of members) {
      center += centers[i]!;
      this.lastMembers |= bits[i]!;
    }
    this.lastOutvoted = 0;
    if (members.length < ivs.length) for (let i = 0; i < bits.length; i++) this.lastOutvoted |= bits[i]!;
    this.lastOutvoted &= ~this.lastMembers;
    return { iv, center: center / members.length, status };
  }
}

/**
 * The newest samples: at least `minCount` of them, and enough that one segment among them spans
 * `minSpanNs` when the samples allow it (back to the oldest sample of the newest segment that does).
 */
function recentSpan(obs: readonly Obs[], minCount: number, minSpanNs: number): readonly Obs[] {
  const newest = new Map<number, number>();
  for (let i = obs.length - 1; i >= 0; i--) {
    const o = obs[i]!;
    const last = newest.get(o.seg);
    if (last === undefined) newest.set(o.seg, o.m);
    else if (last - o.m >= minSpanNs) return obs.slice(Math.min(i, Math.max(0, obs.length - minCount)));
  }
  return obs;
}

/** Why a sample cannot bound the offset, or null when it can. */
export function invalidSample(s: NtpSample): string | null {
  if (s.leap === 3) return 'server not synchronised (leap = 3)';
  if (!(s.stratum >= 1 && s.stratum <= 15)) return `server stratum ${s.stratum} not in 1..15`;
  if (s.delay_ns < 0n) return `negative delay ${s.delay_ns} ns (server timestamps inconsistent)`;
  if (s.t4_ns < s.t1_ns) return 't4 before t1 (local clock went back during the exchange)';
  if (s.root_delay_ns < 0n || s.root_dispersion_ns < 0n) return 'negative root delay or dispersion';
  return null;
}

function validateTuning(t: BoundedTuning): void {
  const positive: Array<keyof BoundedTuning> = [
    'phiPpm',
    'maxDriftPpm',
    'windowMs',
    'maxSamplesPerServer',
    'projectSamples',
    'staleAfterMs',
    'stepToleranceNs',
  ];
  for (const k of positive) {
    const v = t[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw new Error(
        `bounded source: option ${k} must be a positive number, got ${typeof v === 'number' ? String(v) : JSON.stringify(v)}`,
      );
  }
  for (const k of [
    'driftSigmaK',
    'minFitSpanMs',
    'serverPrecisionNs',
    'wanderK',
    'wanderPriorNsPerS15',
    'wanderInitialNsPerS15',
  ] as const) {
    if (!Number.isFinite(t[k]) || t[k] < 0) throw new Error(`bounded source: option ${k} must be >= 0, got ${String(t[k])}`);
  }
  if (t.phiPpm > t.maxDriftPpm) throw new Error('bounded source: phiPpm must not exceed maxDriftPpm');
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * Dense samples differ by less than their own errors, so consecutive ones never show a frequency
 * random walk; over longer baselines it outgrows them. The second difference of the new sample o,
 * the newest sample q at least WANDER_BASELINE_NS before it and the newest p as far before q,
 * beyond what their hard errors explain, per s^1.5 (0 when the segment is shorter). A clock of
 * constant frequency never shows any: its second differences lie within the errors.
 */
function farCurvature(obs: readonly Obs[], seg: number, o: Obs): number {
  let q: Obs | null = null;
  for (let i = obs.length - 1; i >= 0; i--) {
    const x = obs[i]!;
    if (x.seg !== seg) return 0;
    if (q === null) {
      if (o.m - x.m >= WANDER_BASELINE_NS) q = x;
    } else if (q.m - x.m >= WANDER_BASELINE_NS) {
      const d1 = q.m - x.m;
      const d2 = o.m - q.m;
      const bend = Math.abs((o.theta - q.theta) / d2 - (q.theta - x.theta) / d1) * d2 - (o.e + q.e) - (x.e + q.e) * (d2 / d1);
      return bend > 0 ? bend / (d2 / 1e9) ** 1.5 : 0;
    }
  }
  return 0;
}

/** Add evidence v > 0 seen at m to a timed memory (values with their instants); forget what is older than memoryNs. */
function keepFor(values: number[], at: number[], v: number, m: number, memoryNs: number): void {
  if (v > 0) {
    values.push(v);
    at.push(m);
  }
  while (at.length > 0 && m - at[0]! > memoryNs) {
    values.shift();
    at.shift();
  }
}

/** Baselines of the walk statistic: the long one at least this long (and 3 sample spacings). */
const WALK_LONG_NS = 6e9;
/** The long baseline's mean square must exceed the short one's this many times to count. */
const WALK_RATIO = 3;
/**
 * How long a walk the statistic found is remembered: a walk is the oscillator's, and a walk held
 * at the edge of its range for a minute shows no statistic there but leaves it as fast as before.
 */
const WALK_MEMORY_NS = 300e9;

/**
 * A frequency random walk (rate q, ns²/s³) told apart from the samples' noise by its scaling, as
 * in a Hadamard variance: the second difference of offsets over baseline τ, in offset units, has
 * mean square 6σ² + (2/3)·q·τ³ for white sample noise σ, so the excess of a long baseline over
 * the short one measures q wherever the samples' hard errors are too wide to prove anything.
 * Over the segment's samples and o; returns √(q/3), the walk's offset per s^1.5 per sigma, or 0
 * when the long baseline does not stand out (a constant-frequency clock, or too few samples).
 */
function walkEstimate(obs: readonly Obs[], seg: number, o: Obs): number {
  let first = obs.length;
  while (first > 0 && obs[first - 1]!.seg === seg) first--;
  const n = obs.length - first + 1;
  if (n < 7) return 0;
  const at = (i: number): Obs => (first + i < obs.length ? obs[first + i]! : o);
  const spacing = (o.m - at(0).m) / (n - 1);
  const long = Math.max(3, Math.ceil(WALK_LONG_NS / spacing));
  if (2 * long >= n) return 0;
  const ms = (stride: number): { v: number; tau: number } => {
    let v = 0;
    let tau = 0;
    let k = 0;
    for (let i = 0; i + 2 * stride < n; i++) {
      const a = at(i);
      const b = at(i + stride);
      const c = at(i + 2 * stride);
      const t = (c.m - a.m) / 2;
      const q = ((c.theta - b.theta) / (c.m - b.m) - (b.theta - a.theta) / (b.m - a.m)) * t;
      v += q * q;
      tau += t;
      k++;
    }
    return { v: v / k, tau: tau / k / 1e9 };
  };
  const s = ms(1);
  const l = ms(long);
  if (!(l.v > WALK_RATIO * s.v)) return 0;
  const q = (l.v - s.v) / ((2 / 3) * (l.tau ** 3 - s.tau ** 3));
  return q > 0 ? Math.sqrt(q / 3) : 0;
}
