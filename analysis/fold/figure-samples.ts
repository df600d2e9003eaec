// The causality timeline's sample, gathered from the joined events as the join hands them over
// (EventGatherer, gather.ts): each (event, worker, source) pair is classified by the same pure
// functions as the causality fold (metrics/causality.ts); every `stride`-th event is kept, and
// every violation up to a cap per source and kind — past the cap every k-th violation, k doubling,
// so the kept ones span the run instead of its first seconds. Memory is bounded by the caps.
import type { JoinedEvent, SourceDef } from '../join/joined.js';
import { intervalCausality, pointCausality } from '../metrics/causality.js';
import type { CausalitySample, CausalitySampleSet } from '../stats/figures-data.js';

/** About this many thinned (event, worker) marks per figure, shared by the sources. */
const FIGURE_MARKS = 900;
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

/** One kind of violation of one source: every one up to the cap, then every k-th (k doubling), so the kept ones span the run. */
class ViolationKeeper {
  counted = 0;
  private every = 1;
  private kept: { ordinal: number; sample: CausalitySample }[] = [];
  constructor(private readonly cap: number) {}

  /** Count a violation; true when it is to be kept (then `keep` gets its sample). */
  wants(): boolean {
    return this.counted++ % this.every === 0 && this.cap > 0;
  }

  keep(sample: CausalitySample): void {
    this.kept.push({ ordinal: this.counted - 1, sample });
    if (this.kept.length <= this.cap) return;
    this.every *= 2;
    this.kept = this.kept.filter((k) => k.ordinal % this.every === 0);
  }

  samples(): CausalitySample[] {
    return this.kept.map((k) => k.sample);
  }
}

export class CausalitySampler {
  private readonly thinnedSamples: CausalitySample[] = [];
  private readonly thinned: number[];
  private readonly point: ViolationKeeper[];
  private readonly interval: ViolationKeeper[];

  constructor(
    private readonly sources: SourceDef[],
    private readonly workers: string[],
    private readonly firstSeq: number,
    private readonly sampling: FigureSampling,
  ) {
    this.thinned = sources.map(() => 0);
    this.point = sources.map(() => new ViolationKeeper(sampling.violationCap));
    this.interval = sources.map(() => new ViolationKeeper(sampling.violationCap));
  }

  add(ev: JoinedEvent): void {
    // Classified with the causality fold's functions, for pairs with a point reading on both sides
    // (the caption's total comes from stats.json); drawn only with a send time to draw it at.
    const drawable = !Number.isNaN(ev.sendLocal);
    const stride = this.sampling.stride;
    const inThinned = drawable && (((ev.seq - this.firstSeq) % stride) + stride) % stride === 0;
    for (let w = 0; w < this.workers.length; w++) {
      const st = ev.workers[w];
      if (!st) continue;
      for (let s = 0; s < this.sources.length; s++) {
        const sp = ev.coord[s * 3]!,
          rp = st.vals[s * 3]!;
        const point = pointCausality(sp, rp);
        if (point === null) continue;
        const sLo = ev.coord[s * 3 + 1]!,
          sHi = ev.coord[s * 3 + 2]!,
          rLo = st.vals[s * 3 + 1]!,
          rHi = st.vals[s * 3 + 2]!;
        const interval = intervalCausality(sLo, sHi, rLo, rHi);
        const keepPoint = point === 'violation' && this.point[s]!.wants() && drawable;
        const keepInterval = interval === 'violation' && this.interval[s]!.wants() && drawable;
        const thinned = inThinned && this.thinned[s]! < this.sampling.thinnedCap;
        if (!keepPoint && !keepInterval && !thinned) continue;
        const sample: CausalitySample = {
          source: this.sources[s]!.name,
          node: this.workers[w]!,
          seq: ev.seq,
          send_rel_ns: ev.sendLocal,
          margin_ns: rp - sp,
          lo_ns: interval === null ? null : rLo - sHi,
          hi_ns: interval === null ? null : rHi - sLo,
          point,
          interval,
          thinned,
        };
        if (thinned) {
          this.thinned[s]!++;
          this.thinnedSamples.push(sample);
        }
        if (keepPoint) this.point[s]!.keep(sample);
        if (keepInterval) this.interval[s]!.keep(sample);
      }
    }
  }

  /** The sample in event order; `violations` counts every pair the gatherer saw (the causality fold's counts). */
  result(firstSendRelNs: number | null): CausalitySampleSet {
    const all = new Set(this.thinnedSamples);
    for (const k of [...this.point, ...this.interval]) for (const x of k.samples()) all.add(x);
    const order = (x: CausalitySample): [number, number, number] => [
      x.send_rel_ns,
      this.workers.indexOf(x.node),
      this.sources.findIndex((s) => s.name === x.source),
    ];
    const samples = [...all].sort((a, b) => {
      const [a0, a1, a2] = order(a),
        [b0, b1, b2] = order(b);
      return a.seq - b.seq || a0 - b0 || a1 - b1 || a2 - b2;
    });
    return {
      stride: this.sampling.stride,
      thinned_cap: this.sampling.thinnedCap,
      violation_cap: this.sampling.violationCap,
      first_send_rel_ns: firstSendRelNs,
      violations: this.sources.map((src, s) => ({
        source: src.name,
        point: { counted: this.point[s]!.counted, kept: this.point[s]!.samples().length },
        interval: { counted: this.interval[s]!.counted, kept: this.interval[s]!.samples().length },
      })),
      samples,
    };
  }
}
