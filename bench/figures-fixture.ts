// A realistic synthetic run directory for the figure/report tests and the figure benchmark:
// coordinator.csv, workers/<node>.csv, sync/<node>.csv, commit_wait/<node>.csv (columns from
// src/run/columns.ts), manifest.json and a stats.json that satisfies analysis/stats/types.ts,
// with every statistic counted from the generated rows (a small stand-in for analysis/analyze.ts).
// Values are a pure function of (seed, seq, node), so 1,000,000 events need no per-event memory.
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { COMMIT_WAIT_COLUMNS, SYNC_COLUMNS, coordinatorColumns, workerColumns } from '../src/run/columns.js';
import { headline } from '../analysis/stats/headline.js';
import type {
  BoundQualityEntry, CausalityEntry, CommitWaitEntry, CoordinationEntry, Distribution,
  OrderingEntry, Ratio, ReadingAvailability, Stats, SyncEntry, WindowEntry, WorkerDelivery,
} from '../analysis/stats/types.js';

export interface FixtureOptions {
  events: number;
  rate?: number;
  workers?: string[];
  seed?: number;
  /** Compute stats.json from every k-th event (1 = all). Large benchmark runs use > 1. */
  statsEvery?: number;
  /** Leave the truth columns empty (a real cluster). */
  noTruth?: boolean;
  /** Only point sources (no interval source, no commit-wait files). */
  pointOnly?: boolean;
  /** Do not write commit_wait/*.csv (the figures read re-estimation from stats.json only). */
  noCommitWait?: boolean;
  /** Cut the last line of workers/<last>.csv in half, as a killed writer would. */
  tornTail?: boolean;
}

const ANCHOR_SEC = 1_763_740_800; // 2025-11-21T16:00:00Z
const SOURCES_ALL = [
  { name: 'system', bounded: false },
  { name: 'ntp', bounded: false },
  { name: 'bounded', bounded: true },
];
const DELAYS_S = [1, 5];
const WINDOWS_MS = [50, 100, 500, 1000];

/** Deterministic uniform [0, 1) from integers (a hash, so any (seq, node) is random access). */
function u(seed: number, a: number, b: number, c: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(a + 0x632be5ab, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 15), 0x27d4eb2f) ^ Math.imul(b + 0x165667b1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 13), 0x85ebca77) ^ Math.imul(c + 0x27d4eb2f, 0xc2b2ae3d);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Relative ns (number) → epoch ns decimal string, exactly. */
function abs(rel: number): string {
  const r = Math.round(rel);
  const sec = Math.floor(r / 1e9);
  const rem = r - sec * 1e9;
  return `${ANCHOR_SEC + sec}${String(rem).padStart(9, '0')}`;
}

interface Stamp { p: number; lo: number; hi: number; status: string }

class Model {
  readonly period: number;
  readonly t0 = 250_000_000; // first send 0.25 s after the anchor
  readonly duration: number;
  constructor(readonly o: Required<Pick<FixtureOptions, 'events' | 'rate' | 'workers' | 'seed' | 'statsEvery'>> & FixtureOptions) {
    this.period = 1e9 / o.rate;
    this.duration = o.events * this.period;
  }
  trueSend(seq: number): number { return this.t0 + seq * this.period; }
  /** Local clock offset of a place at true time t (ns): offset + drift + a step for the 3rd worker. */
  clockOffset(k: number, t: number): number {
    const s = (t - this.t0) / 1e9;
    if (k < 0) return 200_000 + 2_000 * s; // coordinator: 0.2 ms + 2 ppm
    const base = [1_500_000, -800_000, 300_000, -2_000_000, 900_000][k % 5]!;
    const drift = [20, -5, 8, -12, 3][k % 5]! * 1_000 * s;
    const step = k === 2 && t > this.t0 + 0.6 * this.duration ? 4_000_000 : 0;
    return base + drift + step;
  }
  /** NTP estimate error: slow wander plus noise; worse for a few seconds after a step. */
  ntpError(k: number, t: number): number {
    const s = (t - this.t0) / 1e9;
    const after = k === 2 ? (t - (this.t0 + 0.6 * this.duration)) / 1e9 : -1;
    const settle = after >= 0 && after < 3 ? 4_000_000 * (1 - after / 3) : 0;
    return 150_000 * Math.sin(s / 7 + k) + 40_000 * (u(this.o.seed, Math.floor(t / 1e8), k, 7) - 0.5) + settle;
  }
  halfWidth(k: number, t: number): number {
    const age = (t % 1e9) / 1e9; // time since the last 1 s sync sample
    const after = k === 2 ? (t - (this.t0 + 0.6 * this.duration)) / 1e9 : -1;
    const widen = after >= 0 && after < 3 ? 4_500_000 * (1 - after / 3) : 0;
    return 250_000 + 50_000 * u(this.o.seed, Math.floor(t / 1e9), k, 11) + 15_000 * age * 1e3 / 1e3 + widen;
  }
  stamp(k: number, t: number, source: string, seq: number): Stamp {
    const local = t + this.clockOffset(k, t);
    if (source === 'system') return { p: local, lo: NaN, hi: NaN, status: 'ok' };
    if (k === 2 && seq < 20 && source === 'bounded') return { p: NaN, lo: NaN, hi: NaN, status: 'warming' };
    const p = t + this.ntpError(k, t);
    if (source === 'ntp') return { p, lo: NaN, hi: NaN, status: 'ok' };
    let hw = this.halfWidth(k, t);
    if (k === 1 && u(this.o.seed, seq, k, 13) < 0.002) hw = 30_000; // a rare overconfident reading
    return { p, lo: p - hw, hi: p + hw, status: 'ok' };
  }
  latency(k: number, seq: number): number {
    const r = u(this.o.seed, seq, k, 3);
    const spike = u(this.o.seed, seq, k, 5) < 0.01 ? 2_000_000 : 0;
    return 150_000 - 100_000 * Math.log(1 - r) + spike;
  }
  lost(k: number, seq: number): boolean {
    if (k === 2 && seq > this.o.events * 0.3 && seq < this.o.events * 0.3 + 25) return true; // a burst
    return u(this.o.seed, seq, k, 9) < 0.003;
  }
}

async function writeLines(file: string, header: readonly string[], rows: (emit: (cells: (string | number)[]) => void) => void, tornTail = false): Promise<number> {
  mkdirSync(path.dirname(file), { recursive: true });
  const out = createWriteStream(file);
  let buf = header.join(',') + '\n';
  let n = 0;
  let last = '';
  const flush = async (): Promise<void> => { if (!out.write(buf)) await once(out, 'drain'); buf = ''; };
  const pending: string[] = [];
  rows((cells) => { last = cells.join(',') + '\n'; pending.push(last); n++; });
  for (let i = 0; i < pending.length; i++) {
    let line = pending[i]!;
    if (tornTail && i === pending.length - 1) line = line.slice(0, Math.floor(line.length / 2));
    buf += line;
    if (buf.length > 1 << 20) await flush();
  }
  await flush();
  out.end();
  await once(out, 'finish');
  return n;
}

const f = (x: number): string => (Number.isNaN(x) ? '' : abs(x));
const d = (x: number): string => (Number.isNaN(x) ? '' : String(Math.round(x)));

/** Generates the run directory and returns its stats (also written as stats.json). */
export async function makeFixtureRun(runDir: string, opts: FixtureOptions): Promise<Stats> {
  const o = { rate: 1000, workers: ['w1', 'w2', 'w3'], seed: 42, statsEvery: 1, ...opts };
  const m = new Model(o);
  const sources = o.pointOnly ? SOURCES_ALL.filter((s) => !s.bounded) : SOURCES_ALL;
  const names = sources.map((s) => s.name);
  const runId = '20251121T160000Z-fixture';
  const truth = !o.noTruth;
  mkdirSync(runDir, { recursive: true });

  // Large runs are written in chunks so memory stays flat.
  const chunk = 100_000;
  const writeChunked = async (file: string, header: readonly string[], rowFn: (seq: number, emit: (c: (string | number)[]) => void) => void, torn = false): Promise<void> => {
    mkdirSync(path.dirname(file), { recursive: true });
    const out = createWriteStream(file);
    out.write(header.join(',') + '\n');
    for (let start = 0; start < o.events; start += chunk) {
      const lines: string[] = [];
      const end = Math.min(o.events, start + chunk);
      for (let seq = start; seq < end; seq++) rowFn(seq, (c) => lines.push(c.join(',')));
      let text = lines.join('\n') + '\n';
      if (torn && end === o.events) text = text.slice(0, text.length - Math.floor(lines[lines.length - 1]!.length / 2) - 1);
      if (!out.write(text)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  };

  await writeChunked(path.join(runDir, 'coordinator.csv'), coordinatorColumns(names), (seq, emit) => {
    const t = m.trueSend(seq);
    const cells: (string | number)[] = [runId, `e${seq}`, seq, f(t + m.clockOffset(-1, t))];
    for (const s of names) { const st = m.stamp(-1, t, s, seq); cells.push(f(st.p), f(st.lo), f(st.hi), st.status); }
    cells.push(truth ? f(t) : '');
    emit(cells);
  });
  for (let k = 0; k < o.workers.length; k++) {
    const node = o.workers[k]!;
    await writeChunked(path.join(runDir, 'workers', `${node}.csv`), workerColumns(names), (seq, emit) => {
      if (m.lost(k, seq)) return;
      const t = m.trueSend(seq) + m.latency(k, seq);
      const cells: (string | number)[] = [runId, node, `e${seq}`, seq, f(t + m.clockOffset(k, t))];
      for (const s of names) { const st = m.stamp(k, t, s, seq); cells.push(f(st.p), f(st.lo), f(st.hi), st.status); }
      cells.push(truth ? f(t) : '');
      emit(cells);
    }, o.tornTail === true && k === o.workers.length - 1);
    // sync log: one ntp and one bounded sample per second, from 5 s before the first send (warm-up).
    const syncRows: (string | number)[][] = [];
    for (let t = m.t0 - 5e9; t <= m.t0 + m.duration; t += 1e9) {
      const local = t + m.clockOffset(k, t);
      for (const s of names.filter((x) => x !== 'system')) {
        const err = m.ntpError(k, t);
        const offset = -m.clockOffset(k, t) + err; // estimate of (true − local)
        const hw = s === 'bounded' ? m.halfWidth(k, t) : NaN;
        const warm = t < m.t0 - 3e9;
        syncRows.push([runId, node, s, abs(local), '127.0.0.1:123', '', '', '', '', d(offset), d(200_000 + 30_000 * u(o.seed, t / 1e9, k, 17)),
          d(20_000), d(15_000), 2, 0, f(t + err), f(s === 'bounded' ? t + err - hw : NaN), f(s === 'bounded' ? t + err + hw : NaN), d(hw), '',
          warm ? 'warming' : 'ok', 1, '', truth ? d(-m.clockOffset(k, t)) : '']);
      }
    }
    await writeLines(path.join(runDir, 'sync', `${node}.csv`), SYNC_COLUMNS, (emit) => syncRows.forEach(emit));
    if (!o.pointOnly && !o.noCommitWait) {
      await writeChunked(path.join(runDir, 'commit_wait', `${node}.csv`), COMMIT_WAIT_COLUMNS, (seq, emit) => {
        if (m.lost(k, seq)) return;
        const t = m.trueSend(seq) + m.latency(k, seq);
        const st = m.stamp(k, t, 'bounded', seq);
        if (Number.isNaN(st.p)) return;
        for (const ds of DELAYS_S) {
          const hw = reestimatedHalfWidth(m, k, t, ds);
          emit([runId, node, `e${seq}`, seq, 'bounded', ds, f(t + m.clockOffset(k, t)), f(t + ds * 1e9 + m.clockOffset(k, t + ds * 1e9)),
            f(st.p), f(st.p - hw), f(st.p + hw), 'ok', truth ? f(t) : '']);
        }
      });
    }
  }
  writeFileSync(path.join(runDir, 'manifest.json'), JSON.stringify({
    run_id: runId, kind: 'local', started_utc: new Date(ANCHOR_SEC * 1000).toISOString(),
    ended_utc: new Date(ANCHOR_SEC * 1000 + m.duration / 1e6 + 1000).toISOString(),
    command_line: ['chronoeval', 'run-local', '--workers', String(o.workers.length), '--rate', String(o.rate)],
    config: { scenario: 'fixture-drift-and-step', seed: o.seed, sources: names }, hosts: [],
    versions: { chronoeval: '0.1.0', node: process.version, platform: 'fixture', hostname: 'fixture' },
    security: { authenticated: false },
  }, null, 2));
  const stats = computeStats(m, o, runDir, runId, sources, truth);
  writeFileSync(path.join(runDir, 'stats.json'), JSON.stringify(stats));
  return stats;
}

function reestimatedHalfWidth(m: Model, k: number, t: number, delayS: number): number {
  return m.halfWidth(k, t) * (delayS >= 5 ? 0.35 : 0.6);
}

// ---- stats: counted from the same model, event by event ----

function ratio(count: number, total: number): Ratio { return { count, total, share: total ? count / total : null }; }

export function dist(values: number[], unit: 'ns' | 'ratio' = 'ns'): Distribution {
  const n = values.length;
  if (n === 0) {
    return { unit, n: 0, exact: true, relative_error: 0, min: null, max: null, mean: null, p01: null, p05: null, p25: null, p50: null, p75: null, p95: null, p99: null, p999: null, histogram: null };
  }
  const s = Float64Array.from(values).sort();
  const q = (p: number): number => s[Math.max(0, Math.ceil(p * n) - 1)]!;
  let sum = 0;
  for (const v of s) sum += v;
  const lo = q(0.01); const hi = q(0.99);
  const [a, b] = lo === hi ? [s[0]!, s[n - 1]!] : [lo, hi];
  const bins = 30;
  const edges = Array.from({ length: bins + 1 }, (_, i) => a + ((b - a) * i) / bins);
  const counts = new Array<number>(bins).fill(0);
  let below = 0; let above = 0;
  for (const v of s) {
    if (v < a) below++; else if (v > b) above++;
    else counts[Math.min(bins - 1, b === a ? 0 : Math.floor(((v - a) / (b - a)) * bins))]!++;
  }
  return { unit, n, exact: true, relative_error: 0, min: s[0]!, max: s[n - 1]!, mean: sum / n, p01: lo, p05: q(0.05), p25: q(0.25), p50: q(0.5), p75: q(0.75), p95: q(0.95), p99: hi, p999: q(0.999), histogram: { edges, counts, below, above } };
}

function computeStats(m: Model, o: Required<Pick<FixtureOptions, 'events' | 'rate' | 'workers' | 'seed' | 'statsEvery'>> & FixtureOptions,
  runDir: string, runId: string, sources: { name: string; bounded: boolean }[], truth: boolean): Stats {
  const W = o.workers;
  const every = o.statsEvery;
  const seqs: number[] = [];
  for (let seq = 0; seq < o.events; seq += every) seqs.push(seq);
  const lastWorker = W.length - 1;
  const tornSeq = o.tornTail ? [...Array(o.events).keys()].reverse().find((s) => !m.lost(lastWorker, s)) : undefined;
  const received = (k: number, seq: number): boolean => !m.lost(k, seq) && !(k === lastWorker && seq === tornSeq);
  const recvT = (k: number, seq: number): number => m.trueSend(seq) + m.latency(k, seq);

  const causality: CausalityEntry[] = [];
  const ordering: OrderingEntry[] = [];
  const windows: WindowEntry[] = [];
  const coordination: CoordinationEntry[] = [];
  const commitWait: CommitWaitEntry[] = [];
  const boundQuality: BoundQualityEntry[] = [];
  for (const src of sources) {
    // causality per node and pooled
    const pooled = { cmp: 0, viol: 0, margins: [] as number[], ic: 0, pa: 0, amb: 0, iv: 0 };
    for (let k = 0; k <= W.length; k++) {
      const nodes = k === W.length ? [...W.keys()] : [k];
      const c = { cmp: 0, miss: 0, viol: 0, margins: [] as number[], ic: 0, pa: 0, amb: 0, iv: 0 };
      for (const j of nodes) for (const seq of seqs) {
        if (!received(j, seq)) continue;
        const s = m.stamp(-1, m.trueSend(seq), src.name, seq); const r = m.stamp(j, recvT(j, seq), src.name, seq);
        if (Number.isNaN(s.p) || Number.isNaN(r.p)) { c.miss++; continue; }
        c.cmp++; c.margins.push(r.p - s.p); if (r.p < s.p) c.viol++;
        if (src.bounded) { c.ic++; if (r.lo >= s.hi) c.pa++; else if (r.hi < s.lo) c.iv++; else c.amb++; }
      }
      void pooled;
      causality.push({
        source: src.name, node: k === W.length ? null : W[k]!,
        point: { compared: c.cmp, missing: c.miss, violations: ratio(c.viol, c.cmp), margin: dist(c.margins) },
        // the fixture's model writes no degraded status: its degraded splits are empty
        interval: src.bounded ? { compared: c.ic, missing: c.miss, proven_after: ratio(c.pa, c.ic), ambiguous: ratio(c.amb, c.ic), violation: ratio(c.iv, c.ic), degraded: { compared: 0, violation: ratio(0, 0) } } : null,
      });
    }
    // ordering per pair and pooled
    const pairs: [number, number][] = [];
    for (let a = 0; a < W.length; a++) for (let b = a + 1; b < W.length; b++) pairs.push([a, b]);
    const ordOf = (ps: [number, number][], label: [string, string] | null): OrderingEntry => {
      let cmp = 0, af = 0, bf = 0, ties = 0, tc = 0, tw = 0, tt = 0, ic = 0, ip = 0, ipa = 0, ipb = 0, vc = 0, vw = 0;
      const missed = new Map<number, number>(ps.flat().map((k) => [k, 0]));
      for (const [a, b] of ps) for (const seq of seqs) {
        if (!received(a, seq) || !received(b, seq)) continue;
        const ta = recvT(a, seq); const tb = recvT(b, seq);
        const ra = m.stamp(a, ta, src.name, seq); const rb = m.stamp(b, tb, src.name, seq);
        if (Number.isNaN(ra.p) || Number.isNaN(rb.p)) continue;
        cmp++;
        const po = Math.sign(ra.p - rb.p); const to = Math.sign(ta - tb);
        if (po < 0) af++; else if (po > 0) bf++; else ties++;
        if (truth) { if (po === 0 && to !== 0) tt++; else if (po === to) tc++; else tw++; }
        if (src.bounded) {
          ic++;
          const aFirst = ra.hi < rb.lo; const bFirst = rb.hi < ra.lo;
          if (aFirst || bFirst) {
            ip++; if (aFirst) ipa++; else ipb++;
            if (truth) {
              if ((aFirst ? -1 : 1) === to) vc++; else {
                vw++;
                if (!(ra.lo <= ta && ta <= ra.hi)) missed.set(a, missed.get(a)! + 1);
                if (!(rb.lo <= tb && tb <= rb.hi)) missed.set(b, missed.get(b)! + 1);
              }
            }
          }
        }
      }
      return {
        source: src.name, pair: label, point: { compared: cmp, a_first: af, b_first: bf, ties },
        point_vs_truth: truth ? { compared: cmp, correct: ratio(tc, cmp), wrong: ratio(tw, cmp), tie: ratio(tt, cmp) } : null,
        interval: src.bounded ? { compared: ic, proven: ratio(ip, ic), ambiguous: ratio(ic - ip, ic), proven_a_first: ipa, proven_b_first: ipb } : null,
        interval_vs_truth: src.bounded && truth ? {
          compared: ic, correct: ratio(vc, ic), wrong: ratio(vw, ic), ambiguous: ratio(ic - ip, ic),
          degraded: { compared: 0, wrong: ratio(0, 0) }, wrong_by_worker: [...missed].map(([k, count]) => ({ node: W[k]!, count })),
        } : null,
      };
    };
    for (const p of pairs) ordering.push(ordOf([p], [W[p[0]]!, W[p[1]]!]));
    ordering.push(ordOf(pairs, null));
    // windows and coordination
    for (const wms of WINDOWS_MS) {
      const Wns = wms * 1e6;
      let pe = 0, pag = 0, ie = 0, ica = 0, icc = 0, iamb = 0, rc = 0, rt = 0;
      const re = DELAYS_S.map(() => ({ e: 0, amb: 0, conf: 0, agree: 0 }));
      for (const seq of seqs) {
        const ks = W.map((_, k) => k).filter((k) => received(k, seq));
        const st = ks.map((k) => m.stamp(k, recvT(k, seq), src.name, seq));
        const pts = st.filter((s) => !Number.isNaN(s.p)).map((s) => Math.floor(s.p / Wns));
        if (pts.length >= 2) { pe++; if (pts.every((x) => x === pts[0])) pag++; }
        if (!src.bounded) continue;
        const iv = st.filter((s) => !Number.isNaN(s.lo));
        for (const s of iv) { rt++; if (Math.floor(s.lo / Wns) === Math.floor(s.hi / Wns)) rc++; }
        const classify = (ivs: { lo: number; hi: number }[]): 'agree' | 'conflict' | 'ambiguous' => {
          const conf = ivs.filter((s) => Math.floor(s.lo / Wns) === Math.floor(s.hi / Wns)).map((s) => Math.floor(s.lo / Wns));
          if (new Set(conf).size > 1) return 'conflict';
          return conf.length === ivs.length ? 'agree' : 'ambiguous';
        };
        if (iv.length >= 2) {
          ie++;
          const c = classify(iv);
          if (c === 'agree') ica++; else if (c === 'conflict') icc++; else iamb++;
        }
        DELAYS_S.forEach((ds, di) => {
          const rs = ks.map((k) => { const s = m.stamp(k, recvT(k, seq), src.name, seq); const hw = reestimatedHalfWidth(m, k, recvT(k, seq), ds); return { lo: s.p - hw, hi: s.p + hw, ok: !Number.isNaN(s.p) }; }).filter((x) => x.ok);
          if (rs.length < 2) return;
          re[di]!.e++;
          const c = classify(rs);
          if (c === 'agree') re[di]!.agree++; else if (c === 'conflict') re[di]!.conf++; else re[di]!.amb++;
        });
      }
      windows.push({
        source: src.name, window_ms: wms, point: { events: pe, agree: ratio(pag, pe), disagree: ratio(pe - pag, pe) },
        interval: src.bounded ? { events: ie, confident_agree: ratio(ica, ie), confident_conflict: ratio(icc, ie), ambiguous: ratio(iamb, ie), conflict_true_split: truth ? icc : null, conflict_false: truth ? 0 : null, readings_confident: ratio(rc, rt),
          degraded: { events: 0, confident_conflict: ratio(0, 0), conflict_false: truth ? 0 : null }, conflict_false_by_worker: truth ? W.map((node) => ({ node, count: 0 })) : null } : null,
        accuracy: null, per_worker_accuracy: null,
      });
      coordination.push({
        source: src.name, window_ms: wms, events: pe, point_repairs: ratio(pe - pag, pe),
        interval_coordination: src.bounded ? ratio(iamb, ie) : null, interval_conflicts: src.bounded ? ratio(icc, ie) : null,
        reestimated: src.bounded ? DELAYS_S.map((ds, di) => ({ delay_s: ds, events: re[di]!.e, interval_coordination: ratio(re[di]!.amb, re[di]!.e), interval_conflicts: ratio(re[di]!.conf, re[di]!.e), confident_agree: ratio(re[di]!.agree, re[di]!.e) })) : [],
      });
    }
    // commit wait and bound quality
    for (let k = 0; k <= W.length; k++) {
      const nodes = k === W.length ? [...W.keys()] : [k];
      const waits: number[] = []; const hws: number[] = []; const perr: number[] = []; const aerr: number[] = []; const nerr: number[] = [];
      let cov = 0, readings = 0;
      const scales = [0.5, 1, 1.5, 2, 3];
      const calib = scales.map(() => 0);
      const reW = DELAYS_S.map(() => ({ w: [] as number[], sh: [] as number[], cov: 0 }));
      for (const j of nodes) for (const seq of seqs) {
        if (!received(j, seq)) continue;
        const t = recvT(j, seq); const s = m.stamp(j, t, src.name, seq);
        if (Number.isNaN(s.p)) continue;
        readings++; perr.push(s.p - t); aerr.push(Math.abs(s.p - t));
        if (!src.bounded) continue;
        const hw = (s.hi - s.lo) / 2;
        waits.push(s.hi - s.lo); hws.push(hw); nerr.push((t - s.p) / hw);
        if (t >= s.lo && t <= s.hi) cov++;
        scales.forEach((sc, i) => { if (Math.abs(t - s.p) <= hw * sc) calib[i]!++; });
        DELAYS_S.forEach((ds, di) => {
          const rh = reestimatedHalfWidth(m, j, t, ds);
          reW[di]!.w.push(2 * rh); reW[di]!.sh.push(rh / hw); if (Math.abs(t - s.p) <= rh) reW[di]!.cov++;
        });
      }
      const node = k === W.length ? null : W[k]!;
      if (src.bounded) {
        commitWait.push({
          source: src.name, node, wait: dist(waits),
          reestimated: DELAYS_S.map((ds, di) => ({ delay_s: ds, rows: reW[di]!.w.length, width: dist(reW[di]!.w), shrink: dist(reW[di]!.sh, 'ratio'), coverage: truth ? ratio(reW[di]!.cov, reW[di]!.w.length) : null })),
        });
      }
      if (truth) {
        boundQuality.push({
          source: src.name, role: 'worker', node, readings,
          coverage: src.bounded ? ratio(cov, readings) : null, half_width: src.bounded ? dist(hws) : null,
          coverage_degraded: src.bounded ? ratio(0, 0) : null, coverage_not_degraded: src.bounded ? ratio(cov, readings) : null,
          point_error: dist(perr), abs_point_error: dist(aerr), normalized_error: src.bounded ? dist(nerr, 'ratio') : null,
          calibration: src.bounded ? scales.map((sc, i) => ({ scale: sc, coverage: ratio(calib[i]!, readings) })) : null,
        });
      }
    }
  }
  const delivery: WorkerDelivery[] = W.map((node, k) => {
    let rec = 0; const lat: number[] = []; const local: number[] = [];
    for (let seq = 0; seq < o.events; seq++) {
      if (!received(k, seq)) continue;
      rec++;
      if (seq % every !== 0) continue;
      const ts = m.trueSend(seq); const tr = recvT(k, seq);
      lat.push(tr - ts); local.push(tr + m.clockOffset(k, tr) - (ts + m.clockOffset(-1, ts)));
    }
    return {
      node, received: rec, lost: o.events - rec, lost_ratio: ratio(o.events - rec, o.events), duplicates: 0, unknown_events: 0,
      latency_true: truth ? dist(lat) : null, latency_local: dist(local),
      latency_by_source: [], summary: null, rejected: { bad_tag: 0, wrong_run: 0 },
      kernel_drops: null, kernel_drops_from: null, lost_at_socket: null, lost_in_network: null,
    };
  });
  const pooledLatency = dist(W.flatMap((_, k) => seqs.filter((seq) => received(k, seq)).map((seq) => m.latency(k, seq))));
  let byAll = 0; let byNone = 0;
  for (let seq = 0; seq < o.events; seq++) {
    const n = W.filter((_, k) => received(k, seq)).length;
    if (n === W.length) byAll++; if (n === 0) byNone++;
  }
  const readings: ReadingAvailability[] = [];
  // place −1: the coordinator; W.length: all workers pooled
  for (const src of sources) for (let place = -1; place <= W.length; place++) {
    let rows = 0, wp = 0, wi = 0, empty = 0; const sc: Record<string, number> = {};
    const k = place;
    for (const j of place === W.length ? [...W.keys()] : [place]) for (let seq = 0; seq < o.events; seq++) {
      const k = j;
      if (k >= 0 && !received(k, seq)) continue;
      const s = m.stamp(k, k < 0 ? m.trueSend(seq) : recvT(k, seq), src.name, seq);
      rows++; sc[s.status] = (sc[s.status] ?? 0) + 1;
      if (Number.isNaN(s.p)) empty++; else wp++;
      if (!Number.isNaN(s.lo)) wi++;
    }
    readings.push({
      source: src.name, role: k < 0 ? 'coordinator' : 'worker', node: k < 0 || k === W.length ? null : W[k]!, rows, with_point: wp, with_interval: wi, empty, status_counts: sc,
      availability: ratio(src.bounded ? wi : wp, rows), point_availability: ratio(wp, rows),
    });
  }
  const sync: SyncEntry[] = [];
  for (const node of W) for (const src of sources.filter((s) => s.name !== 'system')) {
    const n = Math.floor(m.duration / 1e9) + 6;
    sync.push({ node, source: src.name, samples: n, accepted: ratio(n, n), status_counts: { ok: n - 2, warming: 2 }, reasons: {}, offset: dist([]), delay: dist([]), half_width: dist([]), offset_error: null });
  }
  const warnings: string[] = [];
  if (o.tornTail) warnings.push(`workers/${W[lastWorker]}.csv: last line is torn (no newline); 1 row skipped`);
  for (const r of readings) if (r.empty > 0 && !(r.role === 'worker' && r.node === null)) warnings.push(`${r.source} at ${r.node ?? 'coordinator'}: ${r.empty} reading(s) without a value (status ${Object.keys(r.status_counts).filter((s) => s !== 'ok').join(', ')})`);
  const sections: Omit<Stats, 'headline'> = {
    schema_version: 1, generated_at: new Date().toISOString(), generator: { name: 'chronoeval', version: '0.1.0-fixture' },
    run: {
      run_id: runId, format: 'native', run_dir: path.resolve(runDir), anchor_ns_abs: `${ANCHOR_SEC}000000000`,
      first_send_ns_abs: abs(m.trueSend(0) + m.clockOffset(-1, m.trueSend(0))),
      last_send_ns_abs: abs(m.trueSend(o.events - 1) + m.clockOffset(-1, m.trueSend(o.events - 1))),
      duration_ns: Math.round((o.events - 1) * m.period), manifest: null,
    },
    inputs: {
      files: [
        { path: 'coordinator.csv', role: 'coordinator', node: null, rows: o.events, skipped_rows: 0, torn_tail: false },
        ...W.map((node, k) => ({ path: `workers/${node}.csv`, role: 'worker' as const, node, rows: delivery[k]!.received, skipped_rows: o.tornTail && k === lastWorker ? 1 : 0, torn_tail: o.tornTail === true && k === lastWorker })),
      ],
      warnings,
      // Stats are computed event by event from the model, not by a streaming join.
      join: { max_events_in_flight: 1, reorder_window: 0, late_rows: 0, coordinator_duplicates: 0 },
    },
    sources: sources.map((s) => ({ name: s.name, bounded: s.bounded, in_coordinator: true, in_workers: [...W] })),
    workers: [...W], windows_ms: WINDOWS_MS, reestimation_delays_s: sources.some((s) => s.bounded) ? DELAYS_S : [],
    truth: { send: truth, recv: truth }, readings,
    delivery: { events_sent: o.events, workers: delivery, received_by_all: ratio(byAll, o.events), received_by_none: ratio(byNone, o.events), latency_true: truth ? pooledLatency : null },
    causality, ordering, windows, coordination, commit_wait: commitWait, bound_quality: boundQuality, sync,
    timeline: null, samples: { stride: 1, events: [] },
  };
  return { ...sections, headline: headline(sections) };
}
