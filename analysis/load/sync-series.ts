// Offset and half-width of the sync log over time, per (node, source), binned while sync-rows.ts
// reads the rows: bins start 1 ms wide and double (neighbours merged) whenever a series would
// exceed MAX_SYNC_BINS, so memory is bounded and the result does not depend on the row order.
// Rejected samples (metrics/sync.ts) are counted, not binned.
import type { SyncBin, SyncSeries } from '../stats/figures-data.js';

const MAX_SYNC_BINS = 150;
const FIRST_BIN_NS = 1e6;

class Acc {
  n = 0;
  t = 0;
  on = 0;
  os = 0;
  omin = Infinity;
  omax = -Infinity;
  hn = 0;
  hs = 0;
  hmax = -Infinity;
  merge(b: Acc): void {
    this.n += b.n;
    this.t += b.t;
    this.on += b.on;
    this.os += b.os;
    this.hn += b.hn;
    this.hs += b.hs;
    this.omin = Math.min(this.omin, b.omin);
    this.omax = Math.max(this.omax, b.omax);
    this.hmax = Math.max(this.hmax, b.hmax);
  }
}

class Series {
  width = FIRST_BIN_NS;
  bins = new Map<number, Acc>();
  samples = 0;
  rejected = 0;
}

export class SyncSeriesBinner {
  private readonly series = new Map<string, Series>();

  constructor(private readonly maxBins = MAX_SYNC_BINS) {}

  /** One row: times relative ns, NaN where empty; accepted as syncAccepted gives it. */
  add(node: string, source: string, tRelNs: number, offsetNs: number, halfWidthNs: number, accepted: boolean | null): void {
    if (source === '') return; // a row without a source belongs to no series
    const key = `${node}\u0000${source}`;
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = new Series()));
    if (accepted === false) {
      s.rejected++;
      return;
    }
    if (Number.isNaN(tRelNs) || (Number.isNaN(offsetNs) && Number.isNaN(halfWidthNs))) return; // nothing to draw
    s.samples++;
    const k = Math.floor(tRelNs / s.width);
    let a = s.bins.get(k);
    if (!a) s.bins.set(k, (a = new Acc()));
    a.n++;
    a.t += tRelNs;
    if (!Number.isNaN(offsetNs)) {
      a.on++;
      a.os += offsetNs;
      a.omin = Math.min(a.omin, offsetNs);
      a.omax = Math.max(a.omax, offsetNs);
    }
    if (!Number.isNaN(halfWidthNs)) {
      a.hn++;
      a.hs += halfWidthNs;
      a.hmax = Math.max(a.hmax, halfWidthNs);
    }
    while (s.bins.size > this.maxBins) widen(s);
  }

  result(): SyncSeries[] {
    return [...this.series.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, s]) => {
        const [node, source] = key.split('\u0000') as [string, string];
        const bins: SyncBin[] = [...s.bins.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([, a]) => ({
            t_rel_ns: a.t / a.n,
            n: a.n,
            offset_mean_ns: a.on ? a.os / a.on : null,
            offset_min_ns: a.on ? a.omin : null,
            offset_max_ns: a.on ? a.omax : null,
            half_width_mean_ns: a.hn ? a.hs / a.hn : null,
            half_width_max_ns: a.hn ? a.hmax : null,
          }));
        return { node, source, samples: s.samples, rejected: s.rejected, bin_ns: s.width, binned: bins.some((b) => b.n > 1), bins };
      });
  }
}

/** Double the bin width: bin k joins bin floor(k / 2). */
function widen(s: Series): void {
  const next = new Map<number, Acc>();
  for (const [k, a] of s.bins) {
    const j = Math.floor(k / 2);
    const b = next.get(j);
    if (b) b.merge(a);
    else next.set(j, a);
  }
  s.width *= 2;
  s.bins = next;
}
