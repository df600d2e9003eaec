// Folds joined events, one at a time, into every metric of docs/metrics.md. Memory depends on
// the number of sources, workers, window sizes and delays — never on the number of events
// (distributions are bounded, see distribution.ts). The classification of each event is done by
// the pure functions in metrics/*; this file only counts their answers.
import { DistAcc, ratio } from './distribution.js';
import type { JoinedEvent, ReestStamp, SourceDef, WorkerStamp } from './joined.js';
import { intervalCausality, pointCausality } from './metrics/causality.js';
import { intervalOrder, judgeIntervalOrder, judgePointOrder, pointOrder, type Order } from './metrics/ordering.js';
import {
  classifyIntervalEvent, conflictIsTrueSplit, intervalWindow, pointWindowsAgree, windowIndex, type WindowSize,
} from './metrics/windows.js';
import { CALIBRATION_SCALES, covers, coversScaled, halfWidth, normalizedError, trueTimeWait } from './metrics/bounds.js';
import type {
  BoundQualityEntry, CausalityEntry, CommitWaitEntry, CoordinationEntry, EventSamples, OrderingEntry,
  Timeline, WindowAccuracy, WindowEntry,
} from './stats-types.js';

export interface TimelineConfig {
  /** Relative ns of the first bin's start. */
  start: number;
  binNs: number;
  bins: number;
}

export interface AccumulatorConfig {
  sources: SourceDef[];
  workers: string[];
  windows: WindowSize[];
  timeline: TimelineConfig | null;
  /** Keep every `sampleStride`-th event (by seq − firstSeq) as a scatter-plot sample. */
  sampleStride: number;
  firstSeq: number;
}

class CausalityCounts {
  ptCompared = 0; ptMissing = 0; ptViol = 0; margin = new DistAcc();
  ivCompared = 0; ivMissing = 0; proven = 0; amb = 0; viol = 0;
}

class OrderingCounts {
  compared = 0; aFirst = 0; bFirst = 0; ties = 0;
  pvt = 0; pvtCorrect = 0; pvtWrong = 0; pvtTie = 0;
  iv = 0; ivProven = 0; ivA = 0; ivB = 0;
  ivt = 0; ivtCorrect = 0; ivtWrong = 0; ivtAmb = 0;
}

class AccuracyCounts {
  pt = 0; ptCorrect = 0; iv = 0; ivConfCorrect = 0; ivConfWrong = 0; ivAmb = 0;
}

class ReestWindowCounts { events = 0; amb = 0; conflict = 0; agree = 0; }

class WindowCounts {
  ptEvents = 0; ptAgree = 0;
  ivEvents = 0; ivAgree = 0; ivConflict = 0; ivAmb = 0; splitTrue = 0; splitFalse = 0;
  ivReadings = 0; ivConfident = 0;
  acc = new AccuracyCounts();
  perWorker: AccuracyCounts[];
  reest: ReestWindowCounts[] = [];
  constructor(workers: number) { this.perWorker = Array.from({ length: workers }, () => new AccuracyCounts()); }
}

class BoundCounts {
  readings = 0; covered = 0; coverOf = 0;
  halfWidth = new DistAcc(); error = new DistAcc(); absError = new DistAcc(); norm = new DistAcc('ratio');
  calib = new Array<number>(CALIBRATION_SCALES.length).fill(0);
}

class ReestCounts { rows = 0; width = new DistAcc(); shrink = new DistAcc('ratio'); covered = 0; coverOf = 0; }
class CommitWaitCounts { wait = new DistAcc(); reest: ReestCounts[] = []; }

/** Per-bin sums for one series; mins/maxes start as NaN (no data). */
class BinSeries {
  n: Float64Array; sum: Float64Array; min: Float64Array; max: Float64Array;
  constructor(bins: number) {
    this.n = new Float64Array(bins); this.sum = new Float64Array(bins);
    this.min = new Float64Array(bins).fill(NaN); this.max = new Float64Array(bins).fill(NaN);
  }
  add(b: number, v: number): void {
    if (Number.isNaN(v)) return;
    this.n[b]!++; this.sum[b]! += v;
    if (!(this.min[b]! <= v)) this.min[b] = v;
    if (!(this.max[b]! >= v)) this.max[b] = v;
  }
  mean(): (number | null)[] { return Array.from(this.n, (n, i) => (n > 0 ? this.sum[i]! / n : null)); }
  mins(): (number | null)[] { return Array.from(this.min, (v) => (Number.isNaN(v) ? null : v)); }
  maxs(): (number | null)[] { return Array.from(this.max, (v) => (Number.isNaN(v) ? null : v)); }
}

class TimelineCausality {
  compared: Float64Array; viol: Float64Array; ivCompared: Float64Array; ivViol: Float64Array; ivAmb: Float64Array;
  constructor(bins: number) {
    this.compared = new Float64Array(bins); this.viol = new Float64Array(bins);
    this.ivCompared = new Float64Array(bins); this.ivViol = new Float64Array(bins); this.ivAmb = new Float64Array(bins);
  }
}

class TimelineClock {
  n: Float64Array; offset: BinSeries; hw: BinSeries; err: BinSeries; covered: Float64Array; coveredOf: Float64Array;
  constructor(bins: number) {
    this.n = new Float64Array(bins); this.offset = new BinSeries(bins); this.hw = new BinSeries(bins); this.err = new BinSeries(bins);
    this.covered = new Float64Array(bins); this.coveredOf = new Float64Array(bins);
  }
}

export class StatsAccumulator {
  readonly delays: number[] = [];
  private readonly scratchPoints: Float64Array;
  private readonly scratchAssigned: Float64Array;
  private readonly scratchTrue: Float64Array;
  private readonly trueWin: Float64Array;
  private readonly S: number;
  private readonly W: number;
  private readonly pairs: [number, number][] = [];
  private readonly latTrue: DistAcc[];
  private readonly latLocal: DistAcc[];
  private readonly causality: CausalityCounts[][]; // [s][w or W = pooled]
  private readonly ordering: OrderingCounts[][];   // [s][pair or P = pooled]
  private readonly windows: WindowCounts[][];      // [s][k]
  private readonly bounds: BoundCounts[][];        // [s][0 = coordinator, 1+w, W+1 = pooled workers]
  private readonly commitWait: CommitWaitCounts[][]; // [s][w or W = pooled]
  private readonly tlSent: Float64Array | null = null;
  private readonly tlCausality: TimelineCausality[][] = [];
  private readonly tlClock: TimelineClock[][] = [];
  private readonly tlLatency: { received: Float64Array; lat: BinSeries }[] = [];
  private readonly samples: EventSamples['events'] = [];
  truthSend = false;
  truthRecv = false;
  eventsFolded = 0;
  /** Events every joined worker has a row for / no worker has. */
  receivedByAll = 0;
  receivedByNone = 0;

  constructor(readonly cfg: AccumulatorConfig) {
    this.S = cfg.sources.length;
    this.W = cfg.workers.length;
    const S = this.S, W = this.W;
    this.scratchPoints = new Float64Array(W);
    this.scratchAssigned = new Float64Array(W);
    this.scratchTrue = new Float64Array(W);
    this.trueWin = new Float64Array(W * cfg.windows.length);
    for (let a = 0; a < W; a++) for (let b = a + 1; b < W; b++) this.pairs.push([a, b]);
    this.latTrue = Array.from({ length: W }, () => new DistAcc());
    this.latLocal = Array.from({ length: W }, () => new DistAcc());
    this.causality = grid(S, W + 1, () => new CausalityCounts());
    this.ordering = grid(S, this.pairs.length + 1, () => new OrderingCounts());
    this.windows = grid(S, cfg.windows.length, () => new WindowCounts(W));
    this.bounds = grid(S, W + 2, () => new BoundCounts());
    this.commitWait = grid(S, W + 1, () => new CommitWaitCounts());
    const tl = cfg.timeline;
    if (tl) {
      this.tlSent = new Float64Array(tl.bins);
      this.tlCausality = grid(S, W + 1, () => new TimelineCausality(tl.bins));
      this.tlClock = grid(S, W + 1, () => new TimelineClock(tl.bins));
      this.tlLatency = Array.from({ length: W }, () => ({ received: new Float64Array(tl.bins), lat: new BinSeries(tl.bins) }));
    }
  }

  /** Index of a re-estimation delay (seconds), registering it on first sight. */
  delayIndex(delayS: number): number {
    let i = this.delays.indexOf(delayS);
    if (i === -1) {
      i = this.delays.length;
      this.delays.push(delayS);
      for (const row of this.windows) for (const wc of row) wc.reest.push(new ReestWindowCounts());
      for (const row of this.commitWait) for (const c of row) c.reest.push(new ReestCounts());
    }
    return i;
  }

  private bin(ev: JoinedEvent): number {
    const tl = this.cfg.timeline;
    if (!tl || Number.isNaN(ev.sendLocal)) return -1;
    const b = Math.floor((ev.sendLocal - tl.start) / tl.binNs);
    return b < 0 ? 0 : b >= tl.bins ? tl.bins - 1 : b;
  }

  add(ev: JoinedEvent): void {
    this.eventsFolded++;
    const { S, W } = this;
    const ws = ev.workers;
    const bin = this.bin(ev);
    if (bin >= 0) this.tlSent![bin]!++;
    if (!Number.isNaN(ev.trueSend)) this.truthSend = true;

    // Delivery latency, per worker.
    let present = 0;
    for (let w = 0; w < W; w++) {
      const st = ws[w];
      if (!st) continue;
      present++;
      if (!Number.isNaN(st.trueRecv)) this.truthRecv = true;
      const lt = st.trueRecv - ev.trueSend;
      this.latTrue[w]!.add(lt);
      this.latLocal[w]!.add(st.recvLocal - ev.sendLocal);
      if (bin >= 0) {
        this.tlLatency[w]!.received[bin]!++;
        this.tlLatency[w]!.lat.add(bin, lt);
      }
    }
    if (present === W) this.receivedByAll++;
    if (present === 0) this.receivedByNone++;

    // each worker's true window per size, once per event (shared by all sources)
    for (let k = 0; k < this.cfg.windows.length; k++) {
      const win = this.cfg.windows[k]!;
      for (let w = 0; w < W; w++) {
        const t = ws[w]?.trueRecv ?? NaN;
        this.trueWin[k * W + w] = Number.isNaN(t) ? NaN : windowIndex(t, win);
      }
    }
    for (let s = 0; s < S; s++) {
      const o = s * 3;
      const sp = ev.coord[o]!, sLo = ev.coord[o + 1]!, sHi = ev.coord[o + 2]!;
      const bounded = this.cfg.sources[s]!.bounded;
      this.boundReading(s, 0, sp, sLo, sHi, ev.trueSend, ev.sendLocal, bin, bounded);
      for (let w = 0; w < W; w++) {
        const st = ws[w];
        if (!st) continue;
        const rp = st.vals[o]!, rLo = st.vals[o + 1]!, rHi = st.vals[o + 2]!;
        // Causality
        const c = this.causality[s]![w]!;
        const pc = pointCausality(sp, rp);
        if (pc === null) c.ptMissing++; else {
          c.ptCompared++;
          if (pc === 'violation') c.ptViol++;
          c.margin.add(rp - sp);
        }
        if (bounded) {
          const ic = intervalCausality(sLo, sHi, rLo, rHi);
          if (ic === null) c.ivMissing++; else {
            c.ivCompared++;
            if (ic === 'proven_after') c.proven++; else if (ic === 'violation') c.viol++; else c.amb++;
          }
          if (bin >= 0) this.timelineCausality(s, w, bin, pc, ic);
        } else if (bin >= 0) this.timelineCausality(s, w, bin, pc, null);
        // Bound quality and commit wait
        this.boundReading(s, 1 + w, rp, rLo, rHi, st.trueRecv, st.recvLocal, bin, bounded);
        if (bounded) this.commitWaitReading(s, w, rLo, rHi, st);
      }
      this.orderingFor(s, ws);
      for (let k = 0; k < this.cfg.windows.length; k++) this.windowsFor(s, k, ws);
    }
    this.maybeSample(ev);
  }

  private timelineCausality(s: number, w: number, bin: number, pc: string | null, ic: string | null): void {
    foldTimelineCausality(this.tlCausality[s]![w]!, bin, pc, ic);
  }

  /** place: 0 = coordinator, 1 + w = worker w (pooled entries are summed at the end). */
  private boundReading(s: number, place: number, p: number, lo: number, hi: number, truth: number, local: number, bin: number, bounded: boolean): void {
    const hasIv = bounded && !Number.isNaN(lo) && !Number.isNaN(hi);
    const hasTruth = !Number.isNaN(truth);
    foldBound(this.bounds[s]![place]!, p, lo, hi, truth, hasIv, hasTruth, true);
    if (bin < 0 || Number.isNaN(p)) return;
    const tc = this.tlClock[s]![place === 0 ? this.W : place - 1]!;
    tc.n[bin]!++;
    tc.offset.add(bin, p - local);
    if (hasIv) tc.hw.add(bin, halfWidth(lo, hi));
    if (hasTruth) {
      tc.err.add(bin, p - truth);
      if (hasIv) { tc.coveredOf[bin]!++; if (covers(lo, hi, truth)) tc.covered[bin]!++; }
    }
  }

  private commitWaitReading(s: number, w: number, lo: number, hi: number, st: WorkerStamp): void {
    const mine = this.commitWait[s]![w]!;
    const wait = Number.isNaN(lo) || Number.isNaN(hi) ? NaN : trueTimeWait(lo, hi);
    mine.wait.add(wait);
    if (!st.reest) return;
    for (const r of st.reest) {
      if (r.source !== s) continue;
      const width = r.hi - r.lo;
      const truth = Number.isNaN(r.trueRecv) ? st.trueRecv : r.trueRecv;
      foldReest(mine.reest[r.delay]!, r, width, wait, truth, true);
    }
  }

  private orderingFor(s: number, ws: (WorkerStamp | undefined)[]): void {
    const o = s * 3;
    const bounded = this.cfg.sources[s]!.bounded;
    for (let i = 0; i < this.pairs.length; i++) {
      const [a, b] = this.pairs[i]!;
      const A = ws[a], B = ws[b];
      if (!A || !B) continue;
      const truth = pointOrder(A.trueRecv, B.trueRecv);
      const po = pointOrder(A.vals[o]!, B.vals[o]!);
      const io = bounded ? intervalOrder(A.vals[o + 1]!, A.vals[o + 2]!, B.vals[o + 1]!, B.vals[o + 2]!) : null;
      const c = this.ordering[s]![i]!;
      foldOrder(c, po, io, truth);
    }
  }

  private windowsFor(s: number, k: number, ws: (WorkerStamp | undefined)[]): void {
    const o = s * 3;
    const win = this.cfg.windows[k]!;
    const bounded = this.cfg.sources[s]!.bounded;
    const wc = this.windows[s]![k]!;
    const points = this.scratchPoints;
    const assigned = this.scratchAssigned;
    const trueOfConfident = this.scratchTrue;
    let np = 0, na = 0, nt = 0;
    let confidentAllTruth = true;
    for (let w = 0; w < this.W; w++) {
      const st = ws[w];
      if (!st) continue;
      const p = st.vals[o]!;
      const tw = this.trueWin[k * this.W + w]!;
      const hasTruth = !Number.isNaN(tw);
      if (!Number.isNaN(p)) {
        const pw = windowIndex(p, win);
        points[np++] = pw;
        if (hasTruth) foldPointAccuracy(wc.perWorker[w]!, pw === tw);
      }
      if (!bounded) continue;
      const lo = st.vals[o + 1]!, hi = st.vals[o + 2]!;
      if (Number.isNaN(lo) || Number.isNaN(hi)) continue;
      const iw = intervalWindow(lo, hi, win);
      assigned[na++] = iw === null ? NaN : iw;
      wc.ivReadings++;
      if (iw !== null) {
        wc.ivConfident++;
        if (hasTruth) trueOfConfident[nt++] = tw; else confidentAllTruth = false;
      }
      if (hasTruth) foldIntervalAccuracy(wc.perWorker[w]!, iw, tw);
    }
    const agree = pointWindowsAgree(points, np);
    if (agree !== null) { wc.ptEvents++; if (agree) wc.ptAgree++; }
    const verdict = classifyIntervalEvent(assigned, na);
    if (verdict !== null) {
      wc.ivEvents++;
      if (verdict === 'confident_agree') wc.ivAgree++;
      else if (verdict === 'ambiguous') wc.ivAmb++;
      else {
        wc.ivConflict++;
        if (confidentAllTruth && nt >= 2) {
          if (conflictIsTrueSplit(trueOfConfident, nt)) wc.splitTrue++; else wc.splitFalse++;
        }
      }
    }
    if (bounded && this.delays.length > 0) this.reestEvent(s, k, ws, win);
  }

  private reestEvent(s: number, k: number, ws: (WorkerStamp | undefined)[], win: WindowSize): void {
    const wc = this.windows[s]![k]!;
    const assigned = this.scratchAssigned;
    for (let d = 0; d < this.delays.length; d++) {
      let na = 0;
      for (let w = 0; w < this.W; w++) {
        const re = ws[w]?.reest;
        if (!re) continue;
        let r: ReestStamp | undefined;
        for (const x of re) if (x.source === s && x.delay === d) { r = x; break; }
        if (!r || Number.isNaN(r.lo) || Number.isNaN(r.hi)) continue;
        const iw = intervalWindow(r.lo, r.hi, win);
        assigned[na++] = iw === null ? NaN : iw;
      }
      const v = classifyIntervalEvent(assigned, na);
      if (v === null) continue;
      const c = wc.reest[d]!;
      c.events++;
      if (v === 'ambiguous') c.amb++; else if (v === 'confident_conflict') c.conflict++; else c.agree++;
    }
  }

  private maybeSample(ev: JoinedEvent): void {
    const stride = this.cfg.sampleStride;
    if (((ev.seq - this.cfg.firstSeq) % stride + stride) % stride !== 0 || this.samples.length >= 5000) return;
    const triple = (v: Float64Array, s: number): [number | null, number | null, number | null] =>
      [nn(v[s * 3]!), nn(v[s * 3 + 1]!), nn(v[s * 3 + 2]!)];
    const coordinator: Record<string, [number | null, number | null, number | null]> = {};
    this.cfg.sources.forEach((src, s) => { coordinator[src.name] = triple(ev.coord, s); });
    const workers: EventSamples['events'][number]['workers'] = {};
    const trueRecv: Record<string, number | null> = {};
    this.cfg.workers.forEach((node, w) => {
      const st = ev.workers[w];
      if (!st) return;
      const m: Record<string, [number | null, number | null, number | null]> = {};
      this.cfg.sources.forEach((src, s) => { m[src.name] = triple(st.vals, s); });
      workers[node] = m;
      trueRecv[node] = nn(st.trueRecv);
    });
    this.samples.push({
      seq: ev.seq, event_id: ev.eventId, send_rel_ns: nn(ev.sendLocal), coordinator, workers,
      true_send_rel_ns: nn(ev.trueSend), true_recv_rel_ns: trueRecv,
    });
  }

  // ---- results -------------------------------------------------------------------------------

  private pooledDone = false;
  /** Pooled entries are sums of the per-worker (per-pair) counters, formed once, at the end. */
  private pool(): void {
    if (this.pooledDone) return;
    this.pooledDone = true;
    const W = this.W;
    for (let s = 0; s < this.S; s++) {
      sumInto(this.causality[s]![W]!, this.causality[s]!.slice(0, W));
      sumInto(this.ordering[s]![this.pairs.length]!, this.ordering[s]!.slice(0, this.pairs.length));
      sumInto(this.bounds[s]![W + 1]!, this.bounds[s]!.slice(1, W + 1));
      const cw = this.commitWait[s]!;
      for (let d = 0; d < this.delays.length; d++) sumInto(cw[W]!.reest[d]!, cw.slice(0, W).map((c) => c.reest[d]!));
      if (this.cfg.timeline) sumInto(this.tlCausality[s]![W]!, this.tlCausality[s]!.slice(0, W));
      for (const wc of this.windows[s]!) sumInto(wc.acc, wc.perWorker);
    }
  }

  latencyTrue(w: number | null) { return (w === null ? DistAcc.merged(this.latTrue) : this.latTrue[w]!).summarize(); }
  latencyLocal(w: number) { return this.latLocal[w]!.summarize(); }

  causalityEntries(): CausalityEntry[] {
    this.pool();
    const out: CausalityEntry[] = [];
    this.cfg.sources.forEach((src, s) => {
      for (let w = 0; w <= this.W; w++) {
        const c = this.causality[s]![w]!;
        out.push({
          source: src.name, node: w === this.W ? null : this.cfg.workers[w]!,
          point: {
            compared: c.ptCompared, missing: c.ptMissing, violations: ratio(c.ptViol, c.ptCompared),
            margin: (w === this.W ? DistAcc.merged(this.causality[s]!.slice(0, this.W).map((x) => x.margin)) : c.margin).summarize(),
          },
          interval: src.bounded ? {
            compared: c.ivCompared, missing: c.ivMissing, proven_after: ratio(c.proven, c.ivCompared),
            ambiguous: ratio(c.amb, c.ivCompared), violation: ratio(c.viol, c.ivCompared),
          } : null,
        });
      }
    });
    return out;
  }

  /** The causality margin r − s per worker and source (the apparent latency in source S). */
  marginOf(s: number, w: number) { return this.causality[s]![w]!.margin.summarize(); }

  orderingEntries(): OrderingEntry[] {
    this.pool();
    const out: OrderingEntry[] = [];
    const truth = this.truthRecv;
    this.cfg.sources.forEach((src, s) => {
      for (let i = 0; i <= this.pairs.length; i++) {
        const c = this.ordering[s]![i]!;
        const pair = i === this.pairs.length ? null : [this.cfg.workers[this.pairs[i]![0]]!, this.cfg.workers[this.pairs[i]![1]]!] as [string, string];
        out.push({
          source: src.name, pair,
          point: { compared: c.compared, a_first: c.aFirst, b_first: c.bFirst, ties: c.ties },
          point_vs_truth: truth ? { compared: c.pvt, correct: ratio(c.pvtCorrect, c.pvt), wrong: ratio(c.pvtWrong, c.pvt), tie: ratio(c.pvtTie, c.pvt) } : null,
          interval: src.bounded ? {
            compared: c.iv, proven: ratio(c.ivProven, c.iv), ambiguous: ratio(c.iv - c.ivProven, c.iv), proven_a_first: c.ivA, proven_b_first: c.ivB,
          } : null,
          interval_vs_truth: src.bounded && truth ? {
            compared: c.ivt, correct: ratio(c.ivtCorrect, c.ivt), wrong: ratio(c.ivtWrong, c.ivt), ambiguous: ratio(c.ivtAmb, c.ivt),
          } : null,
        });
      }
    });
    return out;
  }

  private accuracy(a: AccuracyCounts, bounded: boolean): WindowAccuracy {
    return {
      point: { readings: a.pt, correct: ratio(a.ptCorrect, a.pt), wrong: ratio(a.pt - a.ptCorrect, a.pt) },
      interval: bounded ? {
        readings: a.iv, confident_correct: ratio(a.ivConfCorrect, a.iv), confident_wrong: ratio(a.ivConfWrong, a.iv), ambiguous: ratio(a.ivAmb, a.iv),
      } : null,
    };
  }

  windowEntries(): WindowEntry[] {
    this.pool();
    const out: WindowEntry[] = [];
    const truth = this.truthRecv;
    this.cfg.sources.forEach((src, s) => {
      this.cfg.windows.forEach((win, k) => {
        const c = this.windows[s]![k]!;
        out.push({
          source: src.name, window_ms: win.ms,
          point: { events: c.ptEvents, agree: ratio(c.ptAgree, c.ptEvents), disagree: ratio(c.ptEvents - c.ptAgree, c.ptEvents) },
          interval: src.bounded ? {
            events: c.ivEvents, confident_agree: ratio(c.ivAgree, c.ivEvents), confident_conflict: ratio(c.ivConflict, c.ivEvents),
            ambiguous: ratio(c.ivAmb, c.ivEvents),
            conflict_true_split: truth ? c.splitTrue : null, conflict_false: truth ? c.splitFalse : null,
            readings_confident: ratio(c.ivConfident, c.ivReadings),
          } : null,
          accuracy: truth ? this.accuracy(c.acc, src.bounded) : null,
          per_worker_accuracy: truth ? this.cfg.workers.map((node, w) => ({ node, accuracy: this.accuracy(c.perWorker[w]!, src.bounded) })) : null,
        });
      });
    });
    return out;
  }

  coordinationEntries(): CoordinationEntry[] {
    this.pool();
    const out: CoordinationEntry[] = [];
    const order = this.delayOrder();
    this.cfg.sources.forEach((src, s) => {
      this.cfg.windows.forEach((win, k) => {
        const c = this.windows[s]![k]!;
        out.push({
          source: src.name, window_ms: win.ms, events: c.ptEvents,
          point_repairs: ratio(c.ptEvents - c.ptAgree, c.ptEvents),
          interval_coordination: src.bounded ? ratio(c.ivAmb, c.ivEvents) : null,
          interval_conflicts: src.bounded ? ratio(c.ivConflict, c.ivEvents) : null,
          reestimated: src.bounded ? order.map((d) => {
            const r = c.reest[d]!;
            return {
              delay_s: this.delays[d]!, events: r.events, interval_coordination: ratio(r.amb, r.events),
              interval_conflicts: ratio(r.conflict, r.events), confident_agree: ratio(r.agree, r.events),
            };
          }) : [],
        });
      });
    });
    return out;
  }

  /** Delay indices sorted by delay value. */
  delayOrder(): number[] {
    return this.delays.map((_, i) => i).sort((a, b) => this.delays[a]! - this.delays[b]!);
  }

  commitWaitEntries(): CommitWaitEntry[] {
    this.pool();
    const out: CommitWaitEntry[] = [];
    const order = this.delayOrder();
    this.cfg.sources.forEach((src, s) => {
      if (!src.bounded) return;
      const parts = this.commitWait[s]!.slice(0, this.W);
      for (let w = 0; w <= this.W; w++) {
        const c = this.commitWait[s]![w]!;
        const pooled = w === this.W;
        out.push({
          source: src.name, node: pooled ? null : this.cfg.workers[w]!,
          wait: (pooled ? DistAcc.merged(parts.map((p) => p.wait)) : c.wait).summarize(),
          reestimated: order.map((d) => {
            const r = c.reest[d]!;
            const width = pooled ? DistAcc.merged(parts.map((p) => p.reest[d]!.width)) : r.width;
            const shrink = pooled ? DistAcc.merged(parts.map((p) => p.reest[d]!.shrink), 'ratio') : r.shrink;
            return {
              delay_s: this.delays[d]!, rows: r.rows, width: width.summarize(), shrink: shrink.summarize(),
              coverage: r.coverOf > 0 || this.truthRecv ? ratio(r.covered, r.coverOf) : null,
            };
          }),
        });
      }
    });
    return out;
  }

  boundEntries(): BoundQualityEntry[] {
    this.pool();
    const out: BoundQualityEntry[] = [];
    this.cfg.sources.forEach((src, s) => {
      for (let place = 0; place < this.W + 2; place++) {
        let b = this.bounds[s]![place]!;
        if (place === this.W + 1) b = this.pooledBound(s);
        out.push({
          source: src.name, role: place === 0 ? 'coordinator' : 'worker',
          node: place === 0 || place === this.W + 1 ? null : this.cfg.workers[place - 1]!,
          readings: b.readings,
          coverage: src.bounded ? ratio(b.covered, b.coverOf) : null,
          half_width: src.bounded ? b.halfWidth.summarize() : null,
          point_error: b.error.summarize(),
          abs_point_error: b.absError.summarize(),
          normalized_error: src.bounded ? b.norm.summarize() : null,
          calibration: src.bounded ? CALIBRATION_SCALES.map((scale, i) => ({ scale, coverage: ratio(b.calib[i]!, b.coverOf) })) : null,
        });
      }
    });
    return out;
  }

  /** The pooled-workers bound entry with its distributions merged from the per-worker ones. */
  private pooledBound(s: number): BoundCounts {
    const pooled = this.bounds[s]![this.W + 1]!;
    const parts = this.bounds[s]!.slice(1, this.W + 1);
    const out = new BoundCounts();
    out.readings = pooled.readings; out.covered = pooled.covered; out.coverOf = pooled.coverOf; out.calib = pooled.calib;
    out.halfWidth = DistAcc.merged(parts.map((p) => p.halfWidth));
    out.error = DistAcc.merged(parts.map((p) => p.error));
    out.absError = DistAcc.merged(parts.map((p) => p.absError));
    out.norm = DistAcc.merged(parts.map((p) => p.norm), 'ratio');
    return out;
  }

  timeline(): Timeline | null {
    this.pool();
    const tl = this.cfg.timeline;
    if (!tl) return null;
    const arr = (a: Float64Array) => Array.from(a);
    const truth = this.truthRecv || this.truthSend;
    const causality: Timeline['causality'] = [];
    const clock: Timeline['clock'] = [];
    this.cfg.sources.forEach((src, s) => {
      for (let w = 0; w <= this.W; w++) {
        const t = this.tlCausality[s]![w]!;
        causality.push({
          source: src.name, node: w === this.W ? null : this.cfg.workers[w]!, compared: arr(t.compared), point_violations: arr(t.viol),
          interval_compared: src.bounded ? arr(t.ivCompared) : null, interval_violations: src.bounded ? arr(t.ivViol) : null,
          interval_ambiguous: src.bounded ? arr(t.ivAmb) : null,
        });
        const c = this.tlClock[s]![w]!;
        clock.push({
          source: src.name, role: w === this.W ? 'coordinator' : 'worker', node: w === this.W ? null : this.cfg.workers[w]!,
          n: arr(c.n), offset_mean_ns: c.offset.mean(), offset_min_ns: c.offset.mins(), offset_max_ns: c.offset.maxs(),
          half_width_mean_ns: src.bounded ? c.hw.mean() : null, half_width_max_ns: src.bounded ? c.hw.maxs() : null,
          error_mean_ns: truth ? c.err.mean() : null, error_min_ns: truth ? c.err.mins() : null, error_max_ns: truth ? c.err.maxs() : null,
          covered: src.bounded && truth ? arr(c.covered) : null, covered_of: src.bounded && truth ? arr(c.coveredOf) : null,
        });
      }
    });
    return {
      bin_ns: tl.binNs,
      t_rel_ns: Array.from({ length: tl.bins }, (_, i) => tl.start + i * tl.binNs),
      events_sent: arr(this.tlSent!),
      causality,
      clock,
      latency: this.cfg.workers.map((node, w) => ({
        node, received: arr(this.tlLatency[w]!.received),
        true_mean_ns: this.truthRecv ? this.tlLatency[w]!.lat.mean() : null,
        true_max_ns: this.truthRecv ? this.tlLatency[w]!.lat.maxs() : null,
      })),
    };
  }

  sampleEvents(): EventSamples {
    return { stride: this.cfg.sampleStride, events: this.samples };
  }
}

/** `dists` false for pooled entries: their distributions are merged from the per-worker ones. */
function foldBound(b: BoundCounts, p: number, lo: number, hi: number, truth: number, hasIv: boolean, hasTruth: boolean, dists: boolean): void {
  if (hasIv && dists) b.halfWidth.add(halfWidth(lo, hi));
  if (Number.isNaN(p) || !hasTruth) return;
  b.readings++;
  if (dists) {
    b.error.add(p - truth);
    b.absError.add(Math.abs(p - truth));
  }
  if (!hasIv) return;
  b.coverOf++;
  if (covers(lo, hi, truth)) b.covered++;
  const z = normalizedError(p, lo, hi, truth);
  if (dists) b.norm.add(z);
  // covered at scale k ⇔ |z| ≤ k (coversScaled, without a multiplication per scale); NaN: never
  const az = Math.abs(z);
  for (let i = 0; i < CALIBRATION_SCALES.length; i++) if (az <= CALIBRATION_SCALES[i]!) b.calib[i]!++;
}

function foldOrder(t: OrderingCounts, po: Order | null, io: Order | null, truth: Order | null): void {
  if (po !== null) {
    t.compared++;
    if (po === -1) t.aFirst++; else if (po === 1) t.bFirst++; else t.ties++;
    if (truth !== null) {
      t.pvt++;
      const v = judgePointOrder(po, truth);
      if (v === 'correct') t.pvtCorrect++; else if (v === 'wrong') t.pvtWrong++; else t.pvtTie++;
    }
  }
  if (io === null) return;
  t.iv++;
  if (io !== 0) { t.ivProven++; if (io === -1) t.ivA++; else t.ivB++; }
  if (truth !== null) {
    t.ivt++;
    const v = judgeIntervalOrder(io, truth);
    if (v === 'correct') t.ivtCorrect++; else if (v === 'wrong') t.ivtWrong++; else t.ivtAmb++;
  }
}

function foldPointAccuracy(a: AccuracyCounts, correct: boolean): void {
  a.pt++;
  if (correct) a.ptCorrect++;
}

function foldIntervalAccuracy(a: AccuracyCounts, iw: number | null, tw: number): void {
  a.iv++;
  if (iw === null) a.ivAmb++; else if (iw === tw) a.ivConfCorrect++; else a.ivConfWrong++;
}

function foldTimelineCausality(t: TimelineCausality, bin: number, pc: string | null, ic: string | null): void {
  if (pc !== null) { t.compared[bin]!++; if (pc === 'violation') t.viol[bin]!++; }
  if (ic !== null) { t.ivCompared[bin]!++; if (ic === 'violation') t.ivViol[bin]!++; else if (ic === 'ambiguous') t.ivAmb[bin]!++; }
}

function foldReest(c: ReestCounts, r: ReestStamp, width: number, wait: number, truth: number, dists: boolean): void {
  c.rows++;
  if (dists) {
    c.width.add(width);
    if (wait > 0) c.shrink.add(width / wait);
  }
  if (!Number.isNaN(truth) && !Number.isNaN(r.lo) && !Number.isNaN(r.hi)) {
    c.coverOf++;
    if (covers(r.lo, r.hi, truth)) c.covered++;
  }
}

/** Add every numeric field (and numeric array) of `parts` into `target`; other fields are left alone. */
function sumInto<T extends object>(target: T, parts: readonly T[]): void {
  const t = target as Record<string, unknown>;
  for (const key of Object.keys(t)) {
    const v = t[key];
    if (typeof v === 'number') {
      let sum = 0;
      for (const p of parts) sum += (p as Record<string, number>)[key]!;
      t[key] = sum;
    } else if (v instanceof Float64Array || (Array.isArray(v) && typeof v[0] === 'number')) {
      const arr = v as number[] | Float64Array;
      for (let i = 0; i < arr.length; i++) {
        let sum = 0;
        for (const p of parts) sum += ((p as Record<string, number[]>)[key]!)[i]!;
        arr[i] = sum;
      }
    }
  }
}

function grid<T>(rows: number, cols: number, make: () => T): T[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, make));
}

function nn(v: number): number | null {
  return Number.isNaN(v) ? null : v;
}
