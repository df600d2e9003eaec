// Takes the joined events, one at a time, in the order the join folds them: counts what belongs
// to the event as a whole (delivered to all / none, scatter-plot samples), copies the event into
// a columnar block (event-block.ts) and has full blocks folded into every metric (block-folder.ts,
// entries.ts) — here (InlineFolder), or in the fold thread (ThreadedFolder,
// analysis/threads/threaded-folder.ts) while this thread goes on joining. Both give the same FoldResults.
import { BlockFolder, type FoldConfig, type FoldResults, type TimelineConfig } from './block-folder.js';
import {
  boundEntries,
  causalityEntries,
  commitWaitEntries,
  coordinationEntries,
  delayOrder,
  orderingEntries,
  timeline,
  windowEntries,
} from './entries.js';
import type {
  BoundQualityEntry,
  CausalityEntry,
  CommitWaitEntry,
  CoordinationEntry,
  EventSamples,
  OrderingEntry,
  Timeline,
  WindowEntry,
} from '../stats/types.js';
import { EventBlock } from './event-block.js';
import { SampleStore, sampleSet } from './sample-events.js';
import type { SelfConsistencyConfig } from './self-consistency.js';
import type { JoinedEvent, SourceDef } from '../join/joined.js';
import type { WindowSize } from '../metrics/windows.js';
import { CausalitySampler, VIOLATION_CAP, type FigureSampling } from './figure-samples.js';
import type { CausalitySampleSet } from '../stats/figures-data.js';

export type { FoldResults, TimelineConfig };

export interface GatherConfig {
  sources: SourceDef[];
  workers: string[];
  windows: WindowSize[];
  timeline: TimelineConfig | null;
  /** Keep every `sampleStride`-th event (by seq − firstSeq) as a scatter-plot sample. */
  sampleStride: number;
  firstSeq: number;
  /** The causality figure's sample (figure-samples.ts); default: every sampleStride-th event. */
  figureSampling?: FigureSampling;
  /** ε and clock steps of the self-consistency bounds (default: 500 ppm, no steps). */
  selfConsistency?: SelfConsistencyConfig;
  /** Per-pair ordering entries (FoldConfig.orderingPairs). */
  orderingPairs?: boolean;
}

/** Events per block: small enough to stay in the CPU cache, large enough to amortise each fold. */
export const BLOCK_EVENTS = 512;

export function foldConfig(cfg: GatherConfig): FoldConfig {
  return {
    sources: cfg.sources,
    workers: cfg.workers,
    windows: cfg.windows,
    timeline: cfg.timeline,
    capacity: BLOCK_EVENTS,
    selfConsistency: cfg.selfConsistency,
    orderingPairs: cfg.orderingPairs,
  };
}

/** What the join hands events to (analyze.ts uses either folder through this). */
export interface EventSink {
  readonly delays: number[];
  /** Index of a re-estimation delay (seconds), registering it on first sight. */
  delayIndex(delayS: number): number;
  /** Take one joined event; ev's arrays may be reused by the caller afterwards (reest lists are kept). */
  add(ev: JoinedEvent): void;
  /** Events every joined worker has a row for / no worker has. */
  readonly receivedByAll: number;
  readonly receivedByNone: number;
  /** Delay indices sorted by delay value. */
  delayOrder(): number[];
  sampleEvents(): EventSamples;
  /** The causality figure's sample and violation counts (figures-data.json). */
  figureSamples(firstSendRelNs: number | null): CausalitySampleSet;
  /** Fold what is left and return every result; `sources` carries the final `bounded` flags. */
  finish(sources: SourceDef[]): Promise<FoldResults>;
}

/** The per-event part, shared by both folders; a full block goes to `fold`. */
export abstract class EventGatherer implements EventSink {
  readonly delays: number[] = [];
  receivedByAll = 0;
  receivedByNone = 0;
  protected block: EventBlock;
  private readonly samples: SampleStore;
  private readonly W: number;
  private readonly figureSampler: CausalitySampler;

  constructor(readonly cfg: GatherConfig) {
    this.W = cfg.workers.length;
    const sampling = cfg.figureSampling ?? { stride: cfg.sampleStride, thinnedCap: 5000, violationCap: VIOLATION_CAP };
    this.figureSampler = new CausalitySampler(cfg.sources, cfg.workers, cfg.firstSeq, sampling);
    this.samples = new SampleStore(cfg.sources, cfg.workers);
    this.block = new EventBlock(BLOCK_EVENTS, cfg.sources.length, this.W);
  }

  /** Hand a full (or, at the end, the last) block over for folding. */
  protected abstract fold(): void;
  abstract finish(sources: SourceDef[]): Promise<FoldResults>;

  delayIndex(delayS: number): number {
    let i = this.delays.indexOf(delayS);
    if (i === -1) {
      i = this.delays.length;
      this.delays.push(delayS);
    }
    return i;
  }

  delayOrder(): number[] {
    return delayOrder(this.delays);
  }

  add(ev: JoinedEvent): void {
    let present = 0;
    for (let w = 0; w < this.W; w++) if (ev.workers[w]) present++;
    if (present === this.W) this.receivedByAll++;
    if (present === 0) this.receivedByNone++;
    this.maybeSample(ev);
    this.figureSampler.add(ev);
    this.block.push(ev, this.bin(ev));
    if (this.block.full) this.fold();
  }

  sampleEvents(): EventSamples {
    return sampleSet(this.samples, this.cfg.sampleStride);
  }

  figureSamples(firstSendRelNs: number | null): CausalitySampleSet {
    return this.figureSampler.result(firstSendRelNs);
  }

  private bin(ev: JoinedEvent): number {
    const tl = this.cfg.timeline;
    if (!tl || Number.isNaN(ev.sendLocal)) return -1;
    const b = Math.floor((ev.sendLocal - tl.start) / tl.binNs);
    return b < 0 ? 0 : b >= tl.bins ? tl.bins - 1 : b;
  }

  private maybeSample(ev: JoinedEvent): void {
    const stride = this.cfg.sampleStride;
    if ((((ev.seq - this.cfg.firstSeq) % stride) + stride) % stride !== 0 || this.samples.length >= 5000) return;
    this.samples.add(ev);
  }
}

/** Gathers and folds in this thread; its result methods also serve the unit tests. */
export class InlineFolder extends EventGatherer {
  private readonly folder: BlockFolder;

  constructor(cfg: GatherConfig) {
    super(cfg);
    this.folder = new BlockFolder(foldConfig(cfg));
  }

  override delayIndex(delayS: number): number {
    const i = super.delayIndex(delayS);
    this.folder.delayIndex(delayS);
    return i;
  }

  protected fold(): void {
    this.folder.fold(this.block);
    this.block.clear();
  }

  async finish(sources: SourceDef[]): Promise<FoldResults> {
    this.fold();
    return this.folder.results(sources);
  }

  // Result methods, each over every event added so far.
  get truthSend(): boolean {
    this.fold();
    return this.folder.truthSend;
  }
  get truthRecv(): boolean {
    this.fold();
    return this.folder.truthRecv;
  }
  causalityEntries(): CausalityEntry[] {
    this.fold();
    return causalityEntries(this.folder);
  }
  orderingEntries(): OrderingEntry[] {
    this.fold();
    return orderingEntries(this.folder);
  }
  windowEntries(): WindowEntry[] {
    this.fold();
    return windowEntries(this.folder);
  }
  coordinationEntries(): CoordinationEntry[] {
    this.fold();
    return coordinationEntries(this.folder);
  }
  commitWaitEntries(): CommitWaitEntry[] {
    this.fold();
    return commitWaitEntries(this.folder);
  }
  boundEntries(): BoundQualityEntry[] {
    this.fold();
    return boundEntries(this.folder);
  }
  timeline(): Timeline | null {
    this.fold();
    return timeline(this.folder);
  }
}
