// Streams sync/<node>.csv (one row per clock-source sample) into per-(node, source) time bins of
// offset and half-width, so a long run never becomes more than a few hundred marks per series.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Stats } from '../../../analysis/stats/types.js';
import { GrowF64 } from './grow-array.js';
import { cell, indexer, numAt, relNsAt, relNsOf, splitAnchor, streamCsv } from './csv-stream.js';

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
  /** Samples with accepted = 0 (not drawn). */
  rejectedRows: number;
  files: string[];
}

interface Series {
  t: GrowF64;
  off: GrowF64;
  hw: GrowF64;
}

export async function readSyncData(runDir: string, stats: Stats, opts: { maxBinsPerSeries?: number } = {}): Promise<SyncData | null> {
  const maxBins = opts.maxBinsPerSeries ?? 150;
  const dir = path.join(runDir, 'sync');
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort();
  if (files.length === 0) return null;
  const [aSec, aRem] = splitAnchor(stats.run.anchor_ns_abs);
  const t0 = stats.run.first_send_ns_abs !== null ? relNsOf(stats.run.first_send_ns_abs, aSec, aRem) : 0;
  const series = new Map<string, Series>();
  let rowsRead = 0;
  let rowsSkipped = 0;
  let rejectedRows = 0;
  for (const f of files) {
    const fallbackNode = f.slice(0, -4);
    let c = { node: -1, src: -1, t: -1, off: -1, hw: -1, lo: -1, hi: -1, acc: -1 };
    let rejected = 0;
    const r = await streamCsv(
      path.join(dir, f),
      `sync/${f}`,
      (h) => {
        const ix = indexer(h);
        c = {
          node: ix('node_id'),
          src: ix('source'),
          t: ix('sample_local_ns'),
          off: ix('offset_ns'),
          hw: ix('half_width_ns'),
          lo: ix('lo_ns'),
          hi: ix('hi_ns'),
          acc: ix('accepted'),
        };
      },
      (text, o, base) => {
        // Samples the source's own filter rejected (e.g. a slow burst member) did not move its model.
        const acc = cell(text, o, base, c.acc);
        if (acc === '0' || acc === 'false') {
          rejected++;
          return;
        }
        const node = cell(text, o, base, c.node) || fallbackNode;
        const source = cell(text, o, base, c.src);
        const t = relNsAt(text, o, base, c.t, aSec, aRem);
        if (!source || Number.isNaN(t)) return;
        const off = numAt(text, o, base, c.off);
        let hw = numAt(text, o, base, c.hw);
        if (Number.isNaN(hw)) {
          const lo = relNsAt(text, o, base, c.lo, aSec, aRem);
          const hi = relNsAt(text, o, base, c.hi, aSec, aRem);
          if (!Number.isNaN(lo) && !Number.isNaN(hi)) hw = (hi - lo) / 2;
        }
        if (Number.isNaN(off) && Number.isNaN(hw)) return; // a failed sample: nothing to plot
        const key = `${node}\u0000${source}`;
        let s = series.get(key);
        if (!s) {
          s = { t: new GrowF64(256), off: new GrowF64(256), hw: new GrowF64(256) };
          series.set(key, s);
        }
        s.t.push(t - t0);
        s.off.push(off);
        s.hw.push(hw);
      },
      { encoding: 'utf8' },
    ); // sync rows may carry free-text reasons
    rowsRead += r.rows;
    rowsSkipped += r.skipped;
    rejectedRows += rejected;
  }
  if (series.size === 0) return null;

  const bins: SyncBin[] = [];
  const info: SyncData['series'] = [];
  for (const [key, s] of [...series.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const [node, source] = key.split('\u0000') as [string, string];
    const n = s.t.length;
    let tMin = Infinity;
    let tMax = -Infinity;
    for (let i = 0; i < n; i++) {
      const t = s.t.get(i);
      if (t < tMin) tMin = t;
      if (t > tMax) tMax = t;
    }
    const nb = Math.min(maxBins, n);
    const width = Math.max((tMax - tMin) / nb, 1);
    const acc = Array.from({ length: nb }, () => ({
      n: 0,
      ts: 0,
      os: 0,
      on: 0,
      omin: Infinity,
      omax: -Infinity,
      hs: 0,
      hn: 0,
      hmax: -Infinity,
    }));
    for (let i = 0; i < n; i++) {
      const b = Math.min(nb - 1, Math.floor((s.t.get(i) - tMin) / width));
      const a = acc[b]!;
      a.n++;
      a.ts += s.t.get(i);
      const o = s.off.get(i);
      const h = s.hw.get(i);
      if (!Number.isNaN(o)) {
        a.os += o;
        a.on++;
        if (o < a.omin) a.omin = o;
        if (o > a.omax) a.omax = o;
      }
      if (!Number.isNaN(h)) {
        a.hs += h;
        a.hn++;
        if (h > a.hmax) a.hmax = h;
      }
    }
    acc.forEach((a) => {
      if (a.n === 0) return;
      bins.push({
        node,
        source,
        t_s: a.ts / a.n / 1e9,
        n: a.n, // t = mean sample time of the bin n: a.n,
        offset_mean_ms: a.on ? a.os / a.on / 1e6 : null,
        offset_min_ms: a.on ? a.omin / 1e6 : null,
        offset_max_ms: a.on ? a.omax / 1e6 : null,
        half_width_mean_ms: a.hn ? a.hs / a.hn / 1e6 : null,
        half_width_max_ms: a.hn ? a.hmax / 1e6 : null,
      });
    });
    info.push({ node, source, samples: n, binned: nb < n });
  }
  return { bins, series: info, rowsRead, rowsSkipped, rejectedRows, files: files.map((f) => `sync/${f}`) };
}
