// Streams sync/<node>.csv (one row per clock-source sample) into per-(node, source) time bins of
// offset and half-width, so a long run never becomes more than a few hundred marks per series.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Stats } from '../stats-types.js';
import { GrowF64 } from './grow-array.js';
import { indexer, num, relNs, splitAnchor, streamCsv } from './csv-stream.js';

export interface SyncBin {
  node: string;
  source: string;
  /** Seconds since the run's first send (negative = warm-up before the first event). */
  t_s: number;
  n: number;
  offset_mean_ms: number | null;
  offset_min_ms: number | null;
  offset_max_ms: number | null;
  half_width_mean_ms: number | null;
  half_width_max_ms: number | null;
}

export interface SyncData {
  bins: SyncBin[];
  series: { node: string; source: string; samples: number; binned: boolean }[];
  rowsRead: number;
  rowsSkipped: number;
  files: string[];
}

interface Series { t: GrowF64; off: GrowF64; hw: GrowF64 }

export async function readSyncData(runDir: string, stats: Stats, opts: { maxBinsPerSeries?: number } = {}): Promise<SyncData | null> {
  const maxBins = opts.maxBinsPerSeries ?? 150;
  const dir = path.join(runDir, 'sync');
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir).filter((f) => f.endsWith('.csv')).sort();
  if (files.length === 0) return null;
  const [aSec, aRem] = splitAnchor(stats.run.anchor_ns_abs);
  const t0 = stats.run.first_send_ns_abs !== null ? relNs(stats.run.first_send_ns_abs, aSec, aRem) : 0;
  const series = new Map<string, Series>();
  let rowsRead = 0;
  let rowsSkipped = 0;
  for (const f of files) {
    const fallbackNode = f.slice(0, -4);
    let ix = (_: string): number => -1;
    const r = await streamCsv(path.join(dir, f), (h) => { ix = indexer(h); }, (row) => {
      const iNode = ix('node_id'); const iSrc = ix('source'); const iT = ix('sample_local_ns');
      const iOff = ix('offset_ns'); const iHw = ix('half_width_ns'); const iLo = ix('lo_ns'); const iHi = ix('hi_ns');
      const node = (iNode >= 0 && row[iNode]) || fallbackNode;
      const source = iSrc >= 0 ? row[iSrc]! : '';
      const t = relNs(row[iT], aSec, aRem);
      if (!source || Number.isNaN(t)) return;
      const off = num(row[iOff]);
      let hw = num(row[iHw]);
      if (Number.isNaN(hw) && iLo >= 0 && iHi >= 0) {
        const lo = relNs(row[iLo], aSec, aRem); const hi = relNs(row[iHi], aSec, aRem);
        if (!Number.isNaN(lo) && !Number.isNaN(hi)) hw = (hi - lo) / 2;
      }
      if (Number.isNaN(off) && Number.isNaN(hw)) return; // a failed sample: nothing to plot
      const key = `${node}\u0000${source}`;
      let s = series.get(key);
      if (!s) { s = { t: new GrowF64(256), off: new GrowF64(256), hw: new GrowF64(256) }; series.set(key, s); }
      s.t.push(t - t0); s.off.push(off); s.hw.push(hw);
    });
    rowsRead += r.rows; rowsSkipped += r.skipped;
  }
  if (series.size === 0) return null;

  const bins: SyncBin[] = [];
  const info: SyncData['series'] = [];
  for (const [key, s] of [...series.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const [node, source] = key.split('\u0000') as [string, string];
    const n = s.t.length;
    let tMin = Infinity; let tMax = -Infinity;
    for (let i = 0; i < n; i++) { const t = s.t.get(i); if (t < tMin) tMin = t; if (t > tMax) tMax = t; }
    const nb = Math.min(maxBins, n);
    const width = Math.max((tMax - tMin) / nb, 1);
    const acc = Array.from({ length: nb }, () => ({ n: 0, ts: 0, os: 0, on: 0, omin: Infinity, omax: -Infinity, hs: 0, hn: 0, hmax: -Infinity }));
    for (let i = 0; i < n; i++) {
      const b = Math.min(nb - 1, Math.floor((s.t.get(i) - tMin) / width));
      const a = acc[b]!; a.n++; a.ts += s.t.get(i);
      const o = s.off.get(i); const h = s.hw.get(i);
      if (!Number.isNaN(o)) { a.os += o; a.on++; if (o < a.omin) a.omin = o; if (o > a.omax) a.omax = o; }
      if (!Number.isNaN(h)) { a.hs += h; a.hn++; if (h > a.hmax) a.hmax = h; }
    }
    acc.forEach((a) => {
      if (a.n === 0) return;
      bins.push({
        node, source, t_s: a.ts / a.n / 1e9, n: a.n, // t = mean sample time of the bin n: a.n,
        offset_mean_ms: a.on ? a.os / a.on / 1e6 : null,
        offset_min_ms: a.on ? a.omin / 1e6 : null,
        offset_max_ms: a.on ? a.omax / 1e6 : null,
        half_width_mean_ms: a.hn ? a.hs / a.hn / 1e6 : null,
        half_width_max_ms: a.hn ? a.hmax / 1e6 : null,
      });
    });
    info.push({ node, source, samples: n, binned: nb < n });
  }
  return { bins, series: info, rowsRead, rowsSkipped, files: files.map((f) => `sync/${f}`) };
}
