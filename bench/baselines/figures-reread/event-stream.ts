// One streaming pass over coordinator.csv and workers/<node>.csv for the causality timeline:
// per-event coordinator stamps live in typed arrays indexed by seq; worker rows are joined on the
// fly, counted into time bins and thinned to a bounded sample (every violation kept up to a cap).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Stats } from '../../../analysis/stats/types.js';
import { GrowF64 } from './grow-array.js';
import { indexer, relNsAt, splitAnchor, streamCsv, uintAt } from './csv-stream.js';

/** Hard limit on seq so a corrupt cell cannot make us allocate gigabytes. */
const MAX_SEQ = 50_000_000;

export interface CausalitySample {
  source: string;
  node: string;
  seq: number;
  /** Coordinator send time, seconds since the first send. */
  t_s: number;
  /** r − s in ms (apparent one-way latency in the source). */
  margin_ms: number;
  /** Interval sources: r_lo − s_hi and r_hi − s_lo in ms (the range of possible latencies). */
  lo_ms: number | null;
  hi_ms: number | null;
  outcome: 'ok' | 'point violation' | 'interval violation' | 'interval ambiguous';
}

export interface CausalityBin {
  source: string;
  t_s: number;
  compared: number;
  point_violations: number;
  interval_compared: number;
  interval_violations: number;
  interval_ambiguous: number;
}

export interface CausalityData {
  sources: { name: string; bounded: boolean }[];
  samples: CausalitySample[];
  bins: CausalityBin[];
  bin_s: number;
  stride: number;
  /** Per source: violations seen in total and how many are drawn. */
  /** total: counted violations; null when the stats hold no count for the source (never drawn as 0). */
  violations: Record<string, { total: number | null; drawn: number }>;
  violationCap: number;
  rowsRead: number;
  rowsSkipped: number;
  /** Rows with no usable seq (or send time) — not drawn. */
  badSeq: number;
  /** Reader warnings (torn last lines, bad rows), file and line. */
  warnings: string[];
  missingFiles: string[];
  /** True when built from stats.json's timeline and sample instead of the CSVs. */
  fromStats?: boolean;
}

export interface CausalityOptions {
  /** Target number of sampled (event, worker) marks per source panel. */
  samplesPerSource?: number;
  /** Extra violation marks kept per source beyond the stride sample. */
  violationCap?: number;
  bins?: number;
}

interface SourceCols {
  name: string;
  bounded: boolean;
  p: GrowF64;
  lo: GrowF64 | null;
  hi: GrowF64 | null;
}

export async function readCausalityData(runDir: string, stats: Stats, opts: CausalityOptions = {}): Promise<CausalityData | null> {
  const nSources = Math.max(1, stats.sources.filter((s) => s.in_coordinator && s.in_workers.length > 0).length);
  // About 2,400 sampled dots and at most 600 extra violation marks in the whole figure.
  const samplesPerSource = opts.samplesPerSource ?? Math.floor(2400 / nSources);
  const violationCap = opts.violationCap ?? Math.floor(600 / nSources);
  const nBins = opts.bins ?? 120;
  const coordFile = path.join(runDir, 'coordinator.csv');
  if (!existsSync(coordFile)) return null;
  const [aSec, aRem] = splitAnchor(stats.run.anchor_ns_abs);
  const wanted = stats.sources.filter((s) => s.in_coordinator && s.in_workers.length > 0);
  if (wanted.length === 0) return null;

  const send = new GrowF64(4096);
  const cols: SourceCols[] = wanted.map((s) => ({
    name: s.name,
    bounded: s.bounded,
    p: new GrowF64(4096),
    lo: s.bounded ? new GrowF64(4096) : null,
    hi: s.bounded ? new GrowF64(4096) : null,
  }));
  let seqIdx = -1;
  let sendIdx = -1;
  let srcIdx: { p: number; lo: number; hi: number }[] = [];
  let minSend = Infinity;
  let maxSend = -Infinity;
  let rowsRead = 0;
  let rowsSkipped = 0;
  let badSeq = 0;
  const c = await streamCsv(
    coordFile,
    'coordinator.csv',
    (h) => {
      const ix = indexer(h);
      seqIdx = ix('seq');
      sendIdx = ix('send_local_ns');
      srcIdx = cols.map((s) => ({ p: ix(`${s.name}_ns`), lo: ix(`${s.name}_lo_ns`), hi: ix(`${s.name}_hi_ns`) }));
    },
    (text, off, base) => {
      const seq = uintAt(text, off, base, seqIdx);
      if (seq < 0 || seq > MAX_SEQ) {
        badSeq++;
        return;
      }
      const t = relNsAt(text, off, base, sendIdx, aSec, aRem);
      if (Number.isNaN(t)) {
        badSeq++;
        return;
      }
      send.set(seq, t);
      if (t < minSend) minSend = t;
      if (t > maxSend) maxSend = t;
      for (let k = 0; k < cols.length; k++) {
        const sc = cols[k]!;
        const ix = srcIdx[k]!;
        sc.p.set(seq, relNsAt(text, off, base, ix.p, aSec, aRem));
        if (sc.lo) sc.lo.set(seq, relNsAt(text, off, base, ix.lo, aSec, aRem));
        if (sc.hi) sc.hi.set(seq, relNsAt(text, off, base, ix.hi, aSec, aRem));
      }
    },
  );
  if (c.unreadable) return null;
  rowsRead += c.rows;
  rowsSkipped += c.skipped;
  const warnings: string[] = [...c.warnings];
  if (!Number.isFinite(minSend)) return null;

  const span = Math.max(maxSend - minSend, 1);
  const binNs = span / nBins;
  const binsOf = cols.map(() => ({
    compared: new Float64Array(nBins + 1),
    pv: new Float64Array(nBins + 1),
    ic: new Float64Array(nBins + 1),
    iv: new Float64Array(nBins + 1),
    ia: new Float64Array(nBins + 1),
  }));
  const events = Math.max(c.rows, 1);
  const workers = stats.workers.length || 1;
  const stride = Math.max(1, Math.ceil((events * workers) / samplesPerSource));
  const samples: CausalitySample[] = [];
  const violations: Record<string, { total: number | null; drawn: number }> = {};
  for (const s of cols) violations[s.name] = { total: 0, drawn: 0 };
  const missingFiles: string[] = [];

  for (const node of stats.workers) {
    const file = path.join(runDir, 'workers', `${node}.csv`);
    if (!existsSync(file)) {
      missingFiles.push(path.relative(runDir, file));
      continue;
    }
    let wSeq = -1;
    let wIdx: { p: number; lo: number; hi: number }[] = [];
    let seen = new Uint8Array(Math.max(send.length, 1));
    const r = await streamCsv(
      file,
      `workers/${node}.csv`,
      (h) => {
        const ix = indexer(h);
        wSeq = ix('seq');
        wIdx = cols.map((s) => ({ p: ix(`${s.name}_ns`), lo: ix(`${s.name}_lo_ns`), hi: ix(`${s.name}_hi_ns`) }));
      },
      (text, off, base) => {
        const seq = uintAt(text, off, base, wSeq);
        if (seq < 0 || seq > MAX_SEQ) {
          badSeq++;
          return;
        }
        const t = send.get(seq);
        if (Number.isNaN(t)) return; // an event the coordinator never logged
        if (seq >= seen.length) {
          const g = new Uint8Array(seq * 2 + 1);
          g.set(seen);
          seen = g;
        }
        if (seen[seq]) return; // duplicate: the first row counts
        seen[seq] = 1;
        const b = Math.min(nBins, Math.floor((t - minSend) / binNs));
        const sampled = seq % stride === 0;
        for (let k = 0; k < cols.length; k++) {
          const sc = cols[k]!;
          const ix = wIdx[k]!;
          if (ix.p < 0) continue;
          const rp = relNsAt(text, off, base, ix.p, aSec, aRem);
          const sp = sc.p.get(seq);
          if (Number.isNaN(rp) || Number.isNaN(sp)) continue;
          const bins = binsOf[k]!;
          bins.compared[b]!++;
          const pViol = rp < sp;
          if (pViol) bins.pv[b]!++;
          let lo: number | null = null;
          let hi: number | null = null;
          let outcome: CausalitySample['outcome'] = pViol ? 'point violation' : 'ok';
          if (sc.bounded) {
            const rlo = relNsAt(text, off, base, ix.lo, aSec, aRem);
            const rhi = relNsAt(text, off, base, ix.hi, aSec, aRem);
            const slo = sc.lo!.get(seq);
            const shi = sc.hi!.get(seq);
            if (![rlo, rhi, slo, shi].some(Number.isNaN)) {
              bins.ic[b]!++;
              lo = (rlo - shi) / 1e6;
              hi = (rhi - slo) / 1e6;
              if (rhi < slo) {
                bins.iv[b]!++;
                outcome = 'interval violation';
              } else if (rlo < shi) {
                bins.ia[b]!++;
                outcome = 'interval ambiguous';
              } else outcome = 'ok';
            }
          }
          const isViolation = outcome === 'point violation' || outcome === 'interval violation';
          const v = violations[sc.name]!;
          if (isViolation) v.total = (v.total ?? 0) + 1;
          const keepViolation = isViolation && v.drawn < violationCap;
          if (sampled || keepViolation) {
            if (isViolation) v.drawn++;
            samples.push({
              source: sc.name,
              node,
              seq,
              t_s: (t - minSend) / 1e9,
              margin_ms: (rp - sp) / 1e6,
              lo_ms: lo,
              hi_ms: hi,
              outcome,
            });
          }
        }
      },
    );
    rowsRead += r.rows;
    rowsSkipped += r.skipped;
    warnings.push(...r.warnings);
  }

  const bins: CausalityBin[] = [];
  cols.forEach((sc, k) => {
    const bb = binsOf[k]!;
    for (let i = 0; i <= nBins; i++) {
      if (bb.compared[i] === 0) continue;
      bins.push({
        source: sc.name,
        t_s: (i * binNs) / 1e9,
        compared: bb.compared[i]!,
        point_violations: bb.pv[i]!,
        interval_compared: bb.ic[i]!,
        interval_violations: bb.iv[i]!,
        interval_ambiguous: bb.ia[i]!,
      });
    }
  });
  return {
    sources: cols.map((s) => ({ name: s.name, bounded: s.bounded })),
    samples,
    bins,
    bin_s: binNs / 1e9,
    stride,
    violations,
    violationCap,
    rowsRead,
    rowsSkipped,
    badSeq,
    warnings,
    missingFiles,
  };
}
