// Shared vocabulary of clock sources. Every time is an integer count of nanoseconds
// since the Unix epoch (bigint), in the local clock's frame unless named `true*`.

/** Why a reading has (or lacks) a value. Only `ok` and `degraded` carry numbers. */
export type SourceStatus =
  | 'ok' // converged model, values present
  | 'degraded' // values present but the source doubts them (e.g. servers disagree)
  | 'warming' // sampling, no usable estimate yet
  | 'unsynced' // source reports it is not synchronised (e.g. chrony leap=unsync)
  | 'stale' // last good sample too old to trust
  | 'error' // sampling fails (timeout, bad answer, daemon absent)
  | 'absent'; // source not available on this host

/** One stamp from one source. Empty (null) values with a status instead of invented numbers. */
export interface Reading {
  point_ns: bigint | null;
  lo_ns: bigint | null;
  hi_ns: bigint | null;
  status: SourceStatus;
}

export const EMPTY_READING = (status: SourceStatus): Reading => ({ point_ns: null, lo_ns: null, hi_ns: null, status });

/** A process's own clock: what it believes the time is. */
export interface LocalClock {
  /** Local realtime in ns (anchor + monotonic delta). Hot path: no I/O, no allocation beyond a bigint. */
  nowNs(): bigint;
  /** Host (true) time in ns when the clock is simulated; undefined on a real clock. */
  trueNowNs?(): bigint;
  /** True when this clock carries ground truth (simulated faults on one host). */
  readonly simulated: boolean;
  /** Simulated clocks: the true time behind the most recent nowNs() or atMonoNs() (ground truth for that very stamp). */
  readonly lastTrueNs?: bigint;
  /** Simulated clocks: local − true at a true instant (ground truth for an instant already past). */
  offsetNs?(trueNs: bigint): bigint;
  /**
   * The reading this clock gave at a past CLOCK_MONOTONIC instant (process.hrtime.bigint()'s
   * frame), e.g. a datagram's kernel arrival stamp. Hot path, like nowNs(). Optional: callers
   * without it step back from nowNs() by the instant's age.
   */
  atMonoNs?(monoNs: bigint): bigint;
}

/** Readiness as judged by the source's own convergence test. */
export interface Readiness {
  ready: boolean;
  /** Human sentence: why not ready, or a summary of the model. */
  detail: string;
}

/** A row for sync/<node>.csv; keys are column names (see docs/csv-schema.md). */
export type SyncRow = Record<string, string | number | bigint | null | undefined>;
export type SyncSink = (row: SyncRow) => void;

/**
 * A clock source samples in the background (own timer, sockets, subprocess) and keeps a model.
 * `read` is called on the hot path: synchronous, no I/O, never invents a value.
 */
export interface ClockSource {
  readonly name: string;
  /** True when readings carry [lo, hi]. */
  readonly bounded: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * The reading at a local instant. `monoNs` is the same instant on CLOCK_MONOTONIC (e.g. a
   * datagram's kernel arrival): sources whose frame can change (a detected clock step, a
   * simulated fault) use it to answer for that instant, not for the moment of the call. Without
   * it the instant is taken to be the present.
   */
  read(localNs: bigint, monoNs?: bigint): Reading;
  readiness(): Readiness;
  /**
   * Re-estimate the reading for a past local instant using samples taken since (commit wait).
   * Sources without the ability return null.
   */
  reestimate?(localNs: bigint): Reading | null;
  /** Short machine-readable model summary for status messages and logs. */
  summary(): Record<string, unknown>;
  /**
   * Columns this source adds to each worker row after every source's four (chronotick: ct_source,
   * ct_confidence), and their cells for its latest read(): null (empty) when that reading had no value.
   */
  readonly detailColumns?: readonly string[];
  details?(): Array<string | null>;
}
