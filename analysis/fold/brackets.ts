// Folds the echo brackets (docs/metrics.md §Echo brackets) event by event, in seq order, into the
// `echo` and `bracketed` sections and the figure's binned series. The events come from
// analysis/join/echo-join.ts; every definition is a pure function of analysis/metrics/brackets.ts.
import { inCoordinatorFrame } from '../metrics/frames.js';
import { DistAcc, ratio } from '../stats/distribution.js';
import {
  bracketOf,
  bracketWindow,
  bracketedError,
  echoDelta,
  judgeInterval,
  provablyOffBy,
  truthInCoordinatorFrame,
  HOLD_RATE_ERROR,
} from '../metrics/brackets.js';
import { intervalOrder, judgeIntervalOrder, judgePointOrder, pointOrder, type Order } from '../metrics/ordering.js';
import { intervalWindow, windowIndex, type WindowSize } from '../metrics/windows.js';
import type { SourceDef } from '../join/joined.js';
import type { TimelineConfig } from './block-folder.js';
import type { BracketCounts, BracketedOrder, BracketedSection, BracketedSourceEntry, TruthCheck } from '../stats/bracket-types.js';
import type { BracketSeries } from '../stats/figures-data.js';
import type { EchoRow } from '../load/echo-files.js';

/** X of "provably off by more than X": 10 µs, 100 µs, 1 ms, 10 ms. */
export const OFF_BY_NS = [10e3, 100e3, 1e6, 10e6];

/** One worker's part of an event: its row (sources [point, lo, hi] × S, truth) and its echo row. */
export interface EchoJoinedNode {
  /** [point, lo, hi] per source (S·3), NaN where empty; null without a worker row. */
  vals: Float64Array | null;
  trueRecv: number;
  echo: EchoRow | null;
}

/** One coordinator event with every worker's part. */
export interface EchoJoinedEvent {
  seq: number;
  /** The coordinator's send stamp (coordinator.csv). */
  send: number;
  trueSend: number;
  /** The reference's lo at s and whether it is usable (coordinator.csv); NaN for the system reference. */
  refLoAtSend: number;
  nodes: EchoJoinedNode[];
}

export interface BracketFoldConfig {
  sources: SourceDef[];
  workers: string[];
  windows: WindowSize[];
  timeline: TimelineConfig | null;
  /** null: the coordinator's own clock ('system'). */
  reference: string | null;
  /** Was this seq asked for an echo? null when the mode is unknown. */
  asked: (seq: number) => boolean | null;
}

/** Statuses whose values a reference may be used with. */
const USABLE_STATUS = new Set(['', 'ok', 'degraded']);

class SourceAcc {
  compared = 0;
  missing = 0;
  mid = new DistAcc();
  half = new DistAcc();
  off = new Array<number>(OFF_BY_NS.length).fill(0);
  intJudged = 0;
  consistent = 0;
  tooEarly = 0;
  tooLate = 0;
  intUnjudged = 0;
  win: { judged: number; pc: number; pok: number; ic: number; iok: number; iwrong: number; iamb: number }[];
  /** Figure bins: midpoint values and provable misses per time bin. */
  bins: (DistAcc | undefined)[] = [];
  binMisses: number[] = [];
  binOff: number[] = [];
  constructor(windows: number) {
    this.win = Array.from({ length: windows }, () => ({ judged: 0, pc: 0, pok: 0, ic: 0, iok: 0, iwrong: 0, iamb: 0 }));
  }
  static sum(parts: SourceAcc[], windows: number): SourceAcc {
    const t = new SourceAcc(windows);
    for (const p of parts) {
      t.compared += p.compared;
      t.missing += p.missing;
      p.off.forEach((c, i) => (t.off[i]! += c));
      t.intJudged += p.intJudged;
      t.consistent += p.consistent;
      t.tooEarly += p.tooEarly;
      t.tooLate += p.tooLate;
      t.intUnjudged += p.intUnjudged;
      p.win.forEach((w, i) => {
        const o = t.win[i]!;
        for (const k of Object.keys(w) as (keyof typeof w)[]) o[k] += w[k];
      });
    }
    t.mid = DistAcc.merged(parts.map((p) => p.mid));
    t.half = DistAcc.merged(parts.map((p) => p.half));
    return t;
  }
}

class OrderAcc {
  pairs = 0;
  judged = 0;
  pc = 0;
  pok = 0;
  pwrong = 0;
  ptie = 0;
  ic = 0;
  iok = 0;
  iwrong = 0;
  iamb = 0;
  add(o: OrderAcc): void {
    this.pairs += o.pairs;
    this.judged += o.judged;
    this.pc += o.pc;
    this.pok += o.pok;
    this.pwrong += o.pwrong;
    this.ptie += o.ptie;
    this.ic += o.ic;
    this.iok += o.iok;
    this.iwrong += o.iwrong;
    this.iamb += o.iamb;
  }
}

class NodeAcc {
  echoes = 0;
  brackets = 0;
  unjudged = 0;
  inconsistent = 0;
  /** Echoes whose event has the kernel's send stamp (used as s). */
  kernelSend = 0;
  /** Echoes with the hold up to the echo's kernel transmit stamp (used as h). */
  kernelHold = 0;
  width = new DistAcc();
  delta = new DistAcc();
  missing = 0;
  // truth check
  tIn = 0;
  tOf = 0;
  missReal: number[];
  missTrueTime: number[];
  missOf: number[];
  constructor(readonly sources: SourceAcc[]) {
    this.missReal = sources.map(() => 0);
    this.missTrueTime = sources.map(() => 0);
    this.missOf = sources.map(() => 0);
  }
}

interface Placed {
  lo: number;
  hi: number;
  vals: Float64Array | null;
  truth: number;
}

export class BracketFolder {
  private readonly nodes: NodeAcc[];
  private readonly orders: OrderAcc[][]; // [pair][source]
  private readonly orderTruth: { ok: number; of: number }[];
  private readonly pairs: [number, number][] = [];
  private prev: (Placed | null)[] | null = null;
  private truthSeen = false;
  /** Per window size: the window the current bracket proves (null: it straddles an edge). */
  private readonly trueWin: (number | null)[];
  /** The same for the system bracket [s, e − h], which coordinator-frame sources are judged by. */
  private readonly sysWin: (number | null)[];
  /** Per source: its readings stand for the coordinator's clock (analysis/metrics/frames.ts). */
  private readonly coordFrame: boolean[];
  events = 0;

  constructor(private readonly cfg: BracketFoldConfig) {
    this.trueWin = cfg.windows.map(() => null);
    this.sysWin = cfg.windows.map(() => null);
    this.coordFrame = cfg.sources.map((src) => inCoordinatorFrame(src.name));
    this.nodes = cfg.workers.map(() => new NodeAcc(cfg.sources.map(() => new SourceAcc(cfg.windows.length))));
    for (let a = 0; a < cfg.workers.length; a++) for (let b = a + 1; b < cfg.workers.length; b++) this.pairs.push([a, b]);
    this.orders = this.pairs.map(() => cfg.sources.map(() => new OrderAcc()));
    this.orderTruth = this.pairs.map(() => ({ ok: 0, of: 0 }));
  }

  add(ev: EchoJoinedEvent): void {
    this.events++;
    const cur: (Placed | null)[] = new Array<Placed | null>(this.nodes.length).fill(null);
    const asked = this.cfg.asked(ev.seq);
    ev.nodes.forEach((n, w) => {
      const acc = this.nodes[w]!;
      if (!n.echo) {
        if (asked === true && n.vals) acc.missing++;
        return;
      }
      const echo = n.echo;
      acc.echoes++;
      // The kernel's transmit stamp, taken after the JavaScript one, is the later (tighter) lower
      // bound on when the datagram left; either is valid, so the later of the two is used.
      // Likewise the hold: up to the kernel's transmit stamp of the echo (the worker's follow-up),
      // when there is one, is the longer valid hold.
      const kernel = echo.sKernel > echo.s;
      if (!Number.isNaN(echo.sKernel)) acc.kernelSend++;
      const s = kernel ? echo.sKernel : echo.s;
      if (!Number.isNaN(echo.hKernel)) acc.kernelHold++;
      const h = echo.hKernel > echo.h ? echo.hKernel : echo.h;
      const delta = echoDelta(s, echo.e, h);
      const system = this.cfg.reference === null;
      const b = bracketOf({
        loAtSend: system ? s : ev.refLoAtSend,
        hiAtEcho: system ? echo.e : USABLE_STATUS.has(echo.refStatus) ? echo.refHi : NaN,
        heldNs: h,
        delta,
      });
      if (b.kind === 'inconsistent') {
        acc.inconsistent++;
        return;
      }
      acc.delta.add(delta);
      if (b.kind === 'unjudged') {
        acc.unjudged++;
        return;
      }
      acc.brackets++;
      acc.width.add(b.hi - b.lo);
      // The true receive instant in the bracket's frame (simulation only).
      const tw = n.vals ? n.trueRecv : NaN;
      const coordTruth = truthInCoordinatorFrame(tw, echo.s, ev.trueSend, echo.e, echo.trueE);
      const frameTruth = system ? coordTruth : tw;
      if (!Number.isNaN(frameTruth)) {
        this.truthSeen = true;
        acc.tOf++;
        if (frameTruth >= b.lo && frameTruth <= b.hi) acc.tIn++;
      }
      cur[w] = { lo: b.lo, hi: b.hi, vals: n.vals, truth: tw };
      // A coordinator-frame source (channel) reads the coordinator's clock: against a true-time
      // reference it is judged by the system bracket [s, e − h], in that clock's frame, or the
      // coordinator's own offset would count as its error.
      const sys = system ? b : bracketOf({ loAtSend: s, hiAtEcho: echo.e, heldNs: h, delta });
      const sysB = sys.kind === 'ok' ? sys : null;
      const bin = this.binOf(echo.s);
      const { sources, windows } = this.cfg;
      const trueWin = this.trueWin;
      const sysWin = this.sysWin;
      for (let i = 0; i < windows.length; i++) {
        trueWin[i] = bracketWindow(b.lo, b.hi, windows[i]!);
        sysWin[i] = sysB ? bracketWindow(sysB.lo, sysB.hi, windows[i]!) : null;
      }
      for (let k = 0; k < sources.length; k++) {
        const bounded = sources[k]!.bounded;
        const sa = acc.sources[k]!;
        const own = this.coordFrame[k]!;
        if (own && !sysB) continue;
        const bk = own ? sysB! : b;
        const kTruth = own ? coordTruth : frameTruth;
        const kWin = own ? sysWin : trueWin;
        const p = n.vals ? n.vals[k * 3]! : NaN;
        const lo = n.vals ? n.vals[k * 3 + 1]! : NaN;
        const hi = n.vals ? n.vals[k * 3 + 2]! : NaN;
        const err = bracketedError(p, bk.lo, bk.hi);
        if (!err) sa.missing++;
        else {
          sa.compared++;
          sa.mid.add(err.mid);
          sa.half.add(err.half);
          for (let i = 0; i < OFF_BY_NS.length; i++) if (provablyOffBy(err, OFF_BY_NS[i]!)) sa.off[i]!++;
          if (bin >= 0) {
            (sa.bins[bin] ??= new DistAcc()).add(err.mid);
            if (provablyOffBy(err, OFF_BY_NS[2]!)) sa.binOff[bin] = (sa.binOff[bin] ?? 0) + 1;
          }
        }
        if (bounded) {
          const v = judgeInterval(lo, hi, bk.lo, bk.hi);
          if (v === null) sa.intUnjudged++;
          else {
            sa.intJudged++;
            if (v === 'consistent') sa.consistent++;
            else {
              if (v === 'too_early') sa.tooEarly++;
              else sa.tooLate++;
              if (bin >= 0) sa.binMisses[bin] = (sa.binMisses[bin] ?? 0) + 1;
              if (!Number.isNaN(kTruth)) {
                acc.missOf[k]!++;
                if (kTruth < lo || kTruth > hi) acc.missReal[k]!++;
                if (tw < lo || tw > hi) acc.missTrueTime[k]!++;
              }
            }
          }
        }
        for (let i = 0; i < windows.length; i++) {
          const ws = windows[i]!;
          const t = kWin[i];
          if (t === null || t === undefined) continue;
          const wa = sa.win[i]!;
          wa.judged++;
          if (!Number.isNaN(p)) {
            wa.pc++;
            if (windowIndex(p, ws) === t) wa.pok++;
          }
          if (bounded && !Number.isNaN(lo) && !Number.isNaN(hi)) {
            wa.ic++;
            const c = intervalWindow(lo, hi, ws);
            if (c === null) wa.iamb++;
            else if (c === t) wa.iok++;
            else wa.iwrong++;
          }
        }
      }
    });
    if (cur.some((c) => c !== null)) {
      if (this.prev) this.foldOrders(this.prev, cur);
      this.prev = cur;
    }
  }

  /** Cross-event pairs (a@k, b@k') and (b@k, a@k') of the previous bracketed event k and this one k'. */
  private foldOrders(prev: (Placed | null)[], cur: (Placed | null)[]): void {
    this.pairs.forEach(([a, b], pi) => {
      for (let dir = 0; dir < 2; dir++) {
        const x = dir === 0 ? prev[a] : prev[b];
        const y = dir === 0 ? cur[b] : cur[a];
        if (!x || !y) continue;
        const proven = intervalOrder(x.lo, x.hi, y.lo, y.hi)!;
        if (proven !== 0 && !Number.isNaN(x.truth) && !Number.isNaN(y.truth)) {
          const t = this.orderTruth[pi]!;
          t.of++;
          if (pointOrder(x.truth, y.truth) === proven) t.ok++;
        }
        this.cfg.sources.forEach((src, k) => {
          const o = this.orders[pi]![k]!;
          o.pairs++;
          if (proven === 0) return;
          o.judged++;
          const po = x.vals && y.vals ? pointOrder(x.vals[k * 3]!, y.vals[k * 3]!) : null;
          if (po !== null) {
            o.pc++;
            const v = judgePointOrder(po, proven);
            if (v === 'correct') o.pok++;
            else if (v === 'wrong') o.pwrong++;
            else o.ptie++;
          }
          if (!src.bounded || !x.vals || !y.vals) return;
          const io = intervalOrder(x.vals[k * 3 + 1]!, x.vals[k * 3 + 2]!, y.vals[k * 3 + 1]!, y.vals[k * 3 + 2]!);
          if (io === null) return;
          o.ic++;
          const v = judgeIntervalOrder(io, proven as Order);
          if (v === 'correct') o.iok++;
          else if (v === 'wrong') o.iwrong++;
          else o.iamb++;
        });
      }
    });
  }

  private binOf(s: number): number {
    const t = this.cfg.timeline;
    if (!t || Number.isNaN(s)) return -1;
    return Math.min(t.bins - 1, Math.max(0, Math.floor((s - t.start) / t.binNs)));
  }

  nodeDelta(w: number): DistAcc {
    return this.nodes[w]!.delta;
  }

  nodeCounts(w: number): { echoes: number; inconsistent: number; missing: number } {
    const n = this.nodes[w]!;
    return { echoes: n.echoes, inconsistent: n.inconsistent, missing: n.missing };
  }

  section(referenceName: string): BracketedSection {
    const { sources, workers, windows } = this.cfg;
    const brackets: Record<string, BracketCounts> = {};
    const byWorker: Record<string, Record<string, BracketedSourceEntry>> = {};
    workers.forEach((node, w) => {
      const n = this.nodes[w]!;
      brackets[node] = {
        echoes: n.echoes,
        brackets: n.brackets,
        unjudged: n.unjudged,
        inconsistent: n.inconsistent,
        send_kernel: n.kernelSend,
        held_kernel: n.kernelHold,
        width: n.width.summarize(),
      };
      byWorker[node] = Object.fromEntries(sources.map((s, k) => [s.name, sourceEntry(n.sources[k]!, s.bounded, windows)]));
    });
    const pooled = Object.fromEntries(
      sources.map((s, k) => [
        s.name,
        sourceEntry(
          SourceAcc.sum(
            this.nodes.map((n) => n.sources[k]!),
            windows.length,
          ),
          s.bounded,
          windows,
        ),
      ]),
    );
    const pairName = ([a, b]: [number, number]) => `${workers[a]}|${workers[b]}`;
    const byPair: BracketedSection['ordering']['by_pair'] = {};
    this.pairs.forEach((p, pi) => {
      byPair[pairName(p)] = Object.fromEntries(sources.map((s, k) => [s.name, orderEntry(this.orders[pi]![k]!, s.bounded)]));
    });
    const pooledOrders: Record<string, BracketedOrder> = {};
    const worst: BracketedSection['ordering']['worst_pair'] = {};
    sources.forEach((s, k) => {
      const t = new OrderAcc();
      let pw: { pair: string; share: number } | null = null;
      let iw: { pair: string; count: number } | null = null;
      this.pairs.forEach((p, pi) => {
        const o = this.orders[pi]![k]!;
        t.add(o);
        if (o.pc > 0 && (pw === null || o.pwrong / o.pc > pw.share)) pw = { pair: pairName(p), share: o.pwrong / o.pc };
        if (s.bounded && o.ic > 0 && (iw === null || o.iwrong > iw.count)) iw = { pair: pairName(p), count: o.iwrong };
      });
      pooledOrders[s.name] = orderEntry(t, s.bounded);
      worst[s.name] = { point_wrong: pw, interval_wrong: iw };
    });
    return {
      reference: referenceName,
      assumption:
        this.cfg.reference === null
          ? "system: the coordinator's local clock is the frame (s and e as stamped); errors, misses and windows are relative to that clock, and are errors against true time only as far as the coordinator's clock is right"
          : `${referenceName}: the coordinator's ${referenceName} intervals contain true time, so each bracket [${referenceName}_lo at s, ${referenceName}_hi at e − h(1 − ε)] contains the true receive instant`,
      hold_rate_error: HOLD_RATE_ERROR,
      off_by_ns: OFF_BY_NS,
      brackets,
      by_worker: byWorker,
      pooled,
      ordering: { by_pair: byPair, pooled: pooledOrders, worst_pair: worst },
      truth_check: this.truthSeen ? this.truthCheck() : null,
    };
  }

  private truthCheck(): TruthCheck {
    const { sources, workers } = this.cfg;
    const byWorker: TruthCheck['by_worker'] = {};
    let tIn = 0,
      tOf = 0,
      real = 0,
      of = 0;
    workers.forEach((node, w) => {
      const n = this.nodes[w]!;
      tIn += n.tIn;
      tOf += n.tOf;
      const bounded = sources.map((s, k) => ({ s, k })).filter((x) => x.s.bounded);
      let falseMisses = 0;
      for (const { k } of bounded) {
        real += n.missReal[k]!;
        of += n.missOf[k]!;
        falseMisses += n.missOf[k]! - n.missReal[k]!;
      }
      byWorker[node] = {
        bracket_contains_truth: ratio(n.tIn, n.tOf),
        provable_misses_real: Object.fromEntries(bounded.map(({ s, k }) => [s.name, ratio(n.missReal[k]!, n.missOf[k]!)])),
        false_misses: falseMisses,
        provable_misses_real_true_time: Object.fromEntries(bounded.map(({ s, k }) => [s.name, ratio(n.missTrueTime[k]!, n.missOf[k]!)])),
      };
    });
    const byPair: TruthCheck['by_pair'] = {};
    let ok = 0,
      total = 0;
    this.pairs.forEach(([a, b], pi) => {
      const t = this.orderTruth[pi]!;
      ok += t.ok;
      total += t.of;
      byPair[`${workers[a]}|${workers[b]}`] = { proven_orders_true: ratio(t.ok, t.of), false_orders: t.of - t.ok };
    });
    return {
      frame: this.cfg.reference === null ? 'coordinator' : 'true_time',
      by_worker: byWorker,
      by_pair: byPair,
      pooled: {
        bracket_contains_truth: ratio(tIn, tOf),
        provable_misses_real: ratio(real, of),
        false_misses: of - real,
        proven_orders_true: ratio(ok, total),
        false_orders: total - ok,
      },
    };
  }

  /** The figure's series: per worker and source, min / median / max of m and the provable misses per time bin. */
  series(): BracketSeries[] {
    const t = this.cfg.timeline;
    if (!t) return [];
    const out: BracketSeries[] = [];
    this.cfg.workers.forEach((node, w) => {
      this.cfg.sources.forEach((src, k) => {
        const sa = this.nodes[w]!.sources[k]!;
        if (sa.compared === 0) return;
        const bins: BracketSeries['bins'] = [];
        for (let i = 0; i < t.bins; i++) {
          const d = sa.bins[i];
          const misses = sa.binMisses[i] ?? 0;
          if (!d && misses === 0) continue;
          const sum = d?.summarize();
          bins.push({
            t_rel_ns: t.start + i * t.binNs,
            n: sum?.n ?? 0,
            mid_min_ns: sum?.min ?? null,
            mid_p50_ns: sum?.p50 ?? null,
            mid_max_ns: sum?.max ?? null,
            provable_misses: src.bounded ? misses : null,
            off_by_1ms: sa.binOff[i] ?? 0,
          });
        }
        out.push({ node, source: src.name, bounded: src.bounded, bin_ns: t.binNs, bins });
      });
    });
    return out;
  }
}

function sourceEntry(a: SourceAcc, bounded: boolean, windows: WindowSize[]): BracketedSourceEntry {
  return {
    error: {
      compared: a.compared,
      missing: a.missing,
      midpoint: a.mid.summarize(),
      half_width: a.half.summarize(),
      provably_off: OFF_BY_NS.map((x, i) => ({ x_ns: x, count: ratio(a.off[i]!, a.compared) })),
    },
    interval: bounded
      ? {
          judged: a.intJudged,
          consistent: ratio(a.consistent, a.intJudged),
          provable_miss: ratio(a.tooEarly + a.tooLate, a.intJudged),
          too_early: a.tooEarly,
          too_late: a.tooLate,
          unjudged: a.intUnjudged,
        }
      : null,
    windows: windows.map((ws, i) => {
      const w = a.win[i]!;
      return {
        window_ms: ws.ms,
        judged: w.judged,
        point: { compared: w.pc, correct: ratio(w.pok, w.pc), wrong: w.pc - w.pok },
        interval: bounded
          ? {
              compared: w.ic,
              confident_correct: ratio(w.iok, w.ic),
              confident_wrong: ratio(w.iwrong, w.ic),
              ambiguous: ratio(w.iamb, w.ic),
            }
          : null,
      };
    }),
  };
}

function orderEntry(o: OrderAcc, bounded: boolean): BracketedOrder {
  return {
    pairs: o.pairs,
    judged: ratio(o.judged, o.pairs),
    point: { compared: o.pc, correct: o.pok, wrong: ratio(o.pwrong, o.pc), tie: o.ptie },
    interval: bounded ? { compared: o.ic, correct: o.iok, wrong: ratio(o.iwrong, o.ic), ambiguous: o.iamb } : null,
  };
}
