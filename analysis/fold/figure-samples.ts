// The causality timeline's sample, gathered from the joined events as the join hands them over
// (EventGatherer, gather.ts): each (event, worker, source) pair is classified by the same pure
// functions as the causality fold (metrics/causality.ts); every `stride`-th event is kept, and
// every violation up to a cap per source and kind. Memory is bounded by the caps, not the run.
import type { JoinedEvent, SourceDef } from '../join/joined.js';
import { intervalCausality, pointCausality } from '../metrics/causality.js';
import type { CausalitySample, CausalitySampleSet } from '../stats/figures-data.js';

/** About this many thinned (event, worker) marks per figure, shared by the sources. */
export const FIGURE_MARKS = 900;
/** Violations kept per source and kind beyond the thinned sample. */
export const VIOLATION_CAP = 100;

export interface FigureSampling {
  stride: number;
  /** Thinned pairs kept per source at most. */
  thinnedCap: number;
  violationCap: number;
}

/** Stride so that about FIGURE_MARKS pairs (events × workers, over the sources) are thinned in. */
export function figureSampling(seqSpan: number, workers: number, sources: number): FigureSampling {
  const perSource = Math.max(1, Math.floor(FIGURE_MARKS / Math.max(1, sources)));
  const stride = Math.max(1, Math.ceil((Math.max(seqSpan, 1) * Math.max(workers, 1)) / perSource));
  return { stride, thinnedCap: 2 * perSource, violationCap: VIOLATION_CAP };
}

export class CausalitySampler {
  private readonly samples: CausalitySample[] = [];
  private readonly thinned: number[];
  private readonly pv: number[];
  private readonly iv: number[];
  private readonly pvKept: number[];
  private readonly ivKept: number[];

  constructor(
    private readonly sources: SourceDef[], private readonly workers: string[],
    private readonly firstSeq: number, private readonly sampling: FigureSampling,
  ) {
    const zeros = () => sources.map(() => 0);
    this.thinned = zeros(); this.pv = zeros(); this.iv = zeros(); this.pvKept = zeros(); this.ivKept = zeros();
  }

  add(ev: JoinedEvent): void {
    // Counted like the causality fold; drawn only with a send time to draw it at.
    const drawable = !Number.isNaN(ev.sendLocal);
    const stride = this.sampling.stride;
    const inThinned = drawable && (((ev.seq - this.firstSeq) % stride) + stride) % stride === 0;
    const cap = this.sampling.violationCap;
    for (let w = 0; w < this.workers.length; w++) {
      const st = ev.workers[w];
      if (!st) continue;
      for (let s = 0; s < this.sources.length; s++) {
        const sp = ev.coord[s * 3]!, rp = st.vals[s * 3]!;
        const point = pointCausality(sp, rp);
        if (point === null) continue;
        const sLo = ev.coord[s * 3 + 1]!, sHi = ev.coord[s * 3 + 2]!, rLo = st.vals[s * 3 + 1]!, rHi = st.vals[s * 3 + 2]!;
        const interval = intervalCausality(sLo, sHi, rLo, rHi);
        let keep = false;
        if (point === 'violation') { this.pv[s]!++; if (drawable && this.pvKept[s]! < cap) { this.pvKept[s]!++; keep = true; } }
        if (interval === 'violation') { this.iv[s]!++; if (drawable && this.ivKept[s]! < cap) { this.ivKept[s]!++; keep = true; } }
        const thinned = inThinned && this.thinned[s]! < this.sampling.thinnedCap;
        if (thinned) this.thinned[s]!++;
        if (!keep && !thinned) continue;
        this.samples.push({
          source: this.sources[s]!.name, node: this.workers[w]!, seq: ev.seq, send_rel_ns: ev.sendLocal,
          margin_ns: rp - sp, lo_ns: interval === null ? null : rLo - sHi, hi_ns: interval === null ? null : rHi - sLo,
          point, interval, thinned,
        });
      }
    }
  }

  /** The sample; `violations` counts every pair the gatherer saw (the causality fold's counts). */
  result(firstSendRelNs: number | null): CausalitySampleSet {
    return {
      stride: this.sampling.stride, thinned_cap: this.sampling.thinnedCap, violation_cap: this.sampling.violationCap,
      first_send_rel_ns: firstSendRelNs,
      violations: this.sources.map((src, s) => ({
        source: src.name,
        point: { counted: this.pv[s]!, kept: this.pvKept[s]! },
        interval: { counted: this.iv[s]!, kept: this.ivKept[s]! },
      })),
      samples: this.samples,
    };
  }
}
