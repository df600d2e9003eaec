// The `channel` source: sync over the event channel. The coordinator's send stamp s and echo
// arrival e (its local clock) and the worker's receive stamp r and hold h make the four timestamps
// of an NTP exchange, mirrored (the coordinator asks, the worker answers). On a worker the source
// estimates the COORDINATOR's local clock, not UTC; on the coordinator it is that clock itself.
//
// The model is `bounded`'s, unchanged: each selected sample (minimum delay per window, below)
// enters a BoundedSource as the equivalent NTP sample (offset coordinator − local at the local
// midpoint r + h/2, delay δ), so the interval is δ/2 plus drift growth (drift regression, growth
// ≥ PHI × age, step handling) exactly as docs/sources.md describes for `bounded`.
import type { NtpSample, NtpSampleListener } from '../ntp-sample.js';
import type { ClockSource, LocalClock, Readiness, Reading, SyncRow, SyncSink } from '../types.js';
import { EMPTY_READING } from '../types.js';
import { BoundedSource, DEFAULT_BOUNDED_TUNING, type BoundedTuning } from './bounded.js';
import type { SourceWiring } from './source-util.js';
import type { Logger } from '../../cli/logger.js';

/** One echo round trip as the coordinator's piggyback delivers it (the CONTRACT's fields). */
export interface EchoSample {
  /** The echoed event's sequence number. */
  seq: number;
  /** The coordinator's send stamp of that event (coordinator local clock, ns). */
  s_ns: bigint;
  /** The coordinator's arrival stamp of the echo (coordinator local clock, ns). */
  e_ns: bigint;
  /** The worker's receive stamp of the event (worker local clock, ns). */
  r_ns: bigint;
  /** The worker's hold t − r, on the monotonic clock (ns). */
  h_ns: bigint;
  /** CLOCK_MONOTONIC instant of the datagram that carried the piggyback (ns). */
  atMonoNs: bigint;
}

/** What the worker's receive path needs of the channel source. */
export interface EchoSampleSink {
  addEchoSample(s: EchoSample): void;
}

export interface ChannelTuning {
  /** Readings stay `warming` until this many samples entered the model. */
  minSamples: number;
  /** Samples of one selection window (ms, on the monotonic clock) enter the model only as they lower its minimum delay. */
  selectMs: number;
}

export const DEFAULT_CHANNEL_TUNING: ChannelTuning = { minSamples: 4, selectMs: 1000 };

/** `bounded` tuning where the channel's defaults differ: events may be sparse, samples many. */
const CHANNEL_BOUNDED_DEFAULTS: Partial<BoundedTuning> = {
  staleAfterMs: 10_000,
  maxSamplesPerServer: 128,
  // Two oscillators, each within 500 ppm: their rates may differ by twice that.
  maxDriftPpm: 1000,
};

const BOUNDED_KEYS = Object.keys(DEFAULT_BOUNDED_TUNING);
const CHANNEL_KEYS = Object.keys(DEFAULT_CHANNEL_TUNING);

export interface ChannelSourceOptions extends Partial<ChannelTuning>, Partial<BoundedTuning>, SourceWiring {
  /** Monotonic clock for step detection (default process.hrtime.bigint); replaceable in simulations. */
  monoNs?: () => bigint;
}

/** Seqs remembered for duplicate detection; older ones are ignored as too old. */
const SEQ_MEMORY = 4096;
const PEER = 'coordinator';
export const CHANNEL_READY_DETAIL = 'samples arrive with events';

/**
 * On a worker: the coordinator's clock from echo samples. `addEchoSample` runs in the worker's
 * datagram callback: O(1) for a sample that does not lower its window's minimum delay; one model
 * update (a drift fit over at most maxSamplesPerServer samples, one sync row) for one that does.
 */
export class ChannelSource implements ClockSource, EchoSampleSink {
  readonly name: string;
  readonly bounded = true;
  readonly tuning: ChannelTuning;
  private readonly model: BoundedSource;
  private readonly listeners: NtpSampleListener[] = [];
  private readonly sink?: SyncSink;
  private readonly clock: LocalClock;
  private readonly maxDriftPpm: number;
  /** The sample being fed, so the model's sync row gets the channel's own columns. */
  private current: EchoSample | null = null;
  private readonly seqRing = new Array<number>(SEQ_MEMORY);
  private readonly seqSeen = new Set<number>();
  private seqNext = 0;
  private maxSeq = -Infinity;
  private readonly selectNs: bigint;
  private windowStartMono: bigint | null = null;
  private windowBestDelay = 0n;
  private readonly counts = { received: 0, used: 0, not_minimum: 0, duplicate: 0, too_old: 0, inconsistent: 0 };

  constructor(opts: ChannelSourceOptions) {
    const { clock, sink, logger, nodeId, runId, name, monoNs, minSamples, selectMs, ...rest } = opts;
    checkOptionNames(Object.keys(rest));
    this.name = name ?? 'channel';
    this.tuning = {
      minSamples: minSamples ?? DEFAULT_CHANNEL_TUNING.minSamples,
      selectMs: selectMs ?? DEFAULT_CHANNEL_TUNING.selectMs,
    };
    const { minSamples: n, selectMs: w } = this.tuning;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
      throw new Error(`channel source: option minSamples must be an integer >= 1, got ${JSON.stringify(n)}`);
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0)
      throw new Error(`channel source: option selectMs must be a number >= 0, got ${JSON.stringify(w)}`);
    this.selectNs = BigInt(Math.round(w * 1e6));
    this.sink = sink;
    this.clock = clock;
    try {
      this.model = new BoundedSource({
        ...CHANNEL_BOUNDED_DEFAULTS,
        ...rest,
        ntp: { onSample: (l) => this.listeners.push(l) },
        clock,
        sink: (row) => this.forward(row),
        logger: logger && deferred(logger),
        nodeId,
        runId,
        name: this.name,
        monoNs,
      });
    } catch (e) {
      // The model's tuning errors are the channel's options.
      throw new Error((e as Error).message.replace(/^bounded source:/, 'channel source:'), { cause: e });
    }
    this.maxDriftPpm = this.model.tuning.maxDriftPpm;
  }

  async start(): Promise<void> {
    await this.model.start();
  }

  async stop(): Promise<void> {
    await this.model.stop();
  }

  addEchoSample(s: EchoSample): void {
    this.counts.received++;
    if (!this.firstSight(s.seq)) return;
    // A negative δ or hold: the four stamps cannot all be right (a stamp on the wrong clock, a
    // corrupted piggyback); such a sample bounds nothing.
    const delay = s.e_ns - s.s_ns - s.h_ns;
    if (delay < 0n || s.h_ns < 0n) {
      this.counts.inconsistent++;
      return;
    }
    // Minimum-delay selection: within a window only a sample that lowers the minimum delay can
    // narrow the model's intersection; the rest would only cost a model update each.
    if (this.windowStartMono === null || s.atMonoNs - this.windowStartMono >= this.selectNs || s.atMonoNs < this.windowStartMono) {
      this.windowStartMono = s.atMonoNs;
    } else if (delay >= this.windowBestDelay) {
      this.counts.not_minimum++;
      return;
    }
    this.windowBestDelay = delay;
    this.counts.used++;
    this.current = s;
    try {
      const sample = this.asNtpSample(s, delay);
      for (const l of this.listeners) l(sample);
    } finally {
      this.current = null;
    }
  }

  read(localNs: bigint, monoNs?: bigint): Reading {
    if (this.counts.used < this.tuning.minSamples) return EMPTY_READING('warming');
    return this.model.read(localNs, monoNs);
  }

  /** The interval at a past instant from the samples on both sides of it (the model's own re-estimate). */
  reestimate(localNs: bigint, monoNs?: bigint): Reading | null {
    if (this.counts.used < this.tuning.minSamples) return EMPTY_READING('warming');
    return this.model.reestimate(localNs, monoNs);
  }

  /** Ready at once: samples only arrive with events, which start after every worker is ready. */
  readiness(): Readiness {
    return { ready: true, detail: `${CHANNEL_READY_DETAIL} (${this.counts.used} used so far)` };
  }

  summary(): Record<string, unknown> {
    return { frame: 'coordinator', samples: { ...this.counts }, model: this.model.summary() };
  }

  /** True the first time a seq is seen among the last SEQ_MEMORY seqs; older seqs count as too old. */
  private firstSight(seq: number): boolean {
    if (this.seqSeen.has(seq)) {
      this.counts.duplicate++;
      return false;
    }
    if (seq <= this.maxSeq - SEQ_MEMORY) {
      this.counts.too_old++;
      return false;
    }
    if (seq > this.maxSeq) this.maxSeq = seq;
    const evicted = this.seqRing[this.seqNext];
    if (evicted !== undefined) this.seqSeen.delete(evicted);
    this.seqRing[this.seqNext] = seq;
    this.seqNext = (this.seqNext + 1) % SEQ_MEMORY;
    this.seqSeen.add(seq);
    return true;
  }

  /**
   * The equivalent NTP sample in the worker's frame: client instants r and r + h (local), offset
   * coordinator − local = −θ, delay δ. The hold is timed by the worker's oscillator while s and e
   * are the coordinator's: their rates may differ by up to 2 × maxDriftPpm, carried as dispersion.
   */
  private asNtpSample(s: EchoSample, delay: bigint): NtpSample {
    const t4 = s.r_ns + s.h_ns;
    const offset = -(s.r_ns - s.s_ns + (t4 - s.e_ns)) / 2n;
    const sample: NtpSample = {
      server: PEER,
      t1_ns: s.r_ns,
      t2_ns: s.r_ns + offset,
      t3_ns: t4 + offset,
      t4_ns: t4,
      offset_ns: offset,
      delay_ns: delay,
      root_delay_ns: 0n,
      root_dispersion_ns: BigInt(Math.ceil(2 * this.maxDriftPpm * 1e-6 * Number(s.h_ns))),
      stratum: 1,
      leap: 0,
      accepted: true,
      reason: '',
    };
    // Truth column (simulated clocks only): true − local at r and at r + h. The piggyback arrives
    // tens of ms after r, when a wandering clock has moved by µs: its offset is taken at r's own
    // true instant, found by stepping back from the arrival (off by drift × lag: nanoseconds).
    const clock = this.clock;
    if (clock.simulated && clock.atMonoNs) {
      const local = clock.atMonoNs(s.atMonoNs);
      const trueNs = clock.lastTrueNs;
      if (trueNs !== undefined) {
        const trueR = trueNs - (local - s.r_ns);
        const at = (t: bigint): bigint => (clock.offsetNs ? clock.offsetNs(t) : local - trueNs);
        sample.true_t1_ns = s.r_ns - at(trueR);
        sample.true_t4_ns = t4 - at(trueR + s.h_ns);
      }
    }
    return sample;
  }

  /** The model's rows, with the channel's four timestamps (s, r, r + h, e) in t1..t4. */
  private forward(row: SyncRow): void {
    const s = this.current;
    if (s && row.t1_ns !== undefined) {
      row.t1_ns = s.s_ns;
      row.t2_ns = s.r_ns;
      row.t3_ns = s.r_ns + s.h_ns;
      row.t4_ns = s.e_ns;
      row.root_delay_ns = null;
      row.root_dispersion_ns = null;
      row.stratum = null;
      row.leap = null;
    }
    this.sink?.(row);
  }
}

/**
 * On the coordinator: its own clock, which is the channel's frame by definition (s and e are
 * its stamps). Point = lo = hi = the local value, always `ok`.
 */
export class CoordinatorChannelSource implements ClockSource, EchoSampleSink {
  readonly name: string;
  readonly bounded = true;
  constructor(name = 'channel') {
    this.name = name;
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  addEchoSample(): void {}
  read(localNs: bigint): Reading {
    return { point_ns: localNs, lo_ns: localNs, hi_ns: localNs, status: 'ok' };
  }
  reestimate(localNs: bigint): Reading {
    return this.read(localNs);
  }
  readiness(): Readiness {
    return { ready: true, detail: "the coordinator's own clock (the channel's frame)" };
  }
  summary(): Record<string, unknown> {
    return { frame: 'coordinator', own_clock: true };
  }
}

/** The node that stamps events is the channel's reference: there the source is its own clock. */
export function createChannelSource(
  wiring: SourceWiring & { monoNs?: () => bigint },
  isCoordinator: boolean,
  options: Record<string, unknown>,
): ChannelSource | CoordinatorChannelSource {
  checkOptionNames(Object.keys(options));
  const name = options.name ?? 'channel';
  if (typeof name !== 'string' || name === '')
    throw new Error(`channel source: option name must be a non-empty string, got ${JSON.stringify(name)}`);
  if (isCoordinator) return new CoordinatorChannelSource(name);
  const { clock, sink, logger, nodeId, runId, monoNs } = wiring;
  return new ChannelSource({ ...(options as Partial<ChannelSourceOptions>), name, clock, sink, logger, nodeId, runId, monoNs });
}

/**
 * The model logs from inside a sample (a model restart, a failing sink): here that is the
 * receive path, where a stderr write can block. The same logger, writing after the callback.
 */
function deferred(logger: Logger): Logger {
  const later = Object.create(logger) as Logger;
  later.log = (level, msg, data) => void setImmediate(() => logger.log(level, msg, data));
  return later;
}

/** A misspelt option would silently keep its default: name it, and the options there are. */
function checkOptionNames(keys: readonly string[]): void {
  const known = [...CHANNEL_KEYS, ...BOUNDED_KEYS, 'name'];
  for (const k of keys)
    if (!known.includes(k)) throw new Error(`channel source: unknown option "${k}" in --source-options; known: ${known.join(', ')}`);
}

/** The worker's receive path finds the source to feed by this. */
export function isEchoSampleSink(s: ClockSource): s is ClockSource & EchoSampleSink {
  return typeof (s as Partial<EchoSampleSink>).addEchoSample === 'function';
}
