// The in-memory shape of one event after the join: the coordinator's stamps and every worker's.
// All times are ns relative to the run anchor; NaN marks an empty cell (never 0).

export interface SourceDef {
  name: string;
  /** Interval metrics apply (the source has lo/hi columns somewhere). */
  bounded: boolean;
}

/** A worker's re-estimate of its stamp for one source after a delay (commit_wait/<node>.csv). */
export interface ReestStamp {
  source: number;
  /** Index into the folder's delay list. */
  delay: number;
  point: number;
  lo: number;
  hi: number;
  trueRecv: number;
}

export interface WorkerStamp {
  recvLocal: number;
  trueRecv: number;
  /** [point, lo, hi] per source index (3 entries per source), then per source 1 when its status is `degraded` (emptyStamps). */
  vals: Float64Array;
  reest: ReestStamp[] | null;
}

export interface JoinedEvent {
  seq: number;
  eventId: string;
  sendLocal: number;
  trueSend: number;
  /** The kernel's transmit stamp of the event's first datagram and its truth (NaN: none). */
  sendKernel: number;
  trueSendKernel: number;
  /** [point, lo, hi] per source index, then the degraded flags (as WorkerStamp.vals). */
  coord: Float64Array;
  /** Indexed like the worker list; undefined = the worker has no row for this event. */
  workers: (WorkerStamp | undefined)[];
  /** Join key (seq, or the event id when there is no numeric seq); set by the join. */
  key?: number | string;
}

/**
 * A place's stamps of one event: [point, lo, hi] per source (NaN = empty), then one slot per source
 * that is 1 when the reading's status is `degraded` (0 otherwise), written by RowTally.stamps.
 */
export function emptyStamps(sourceCount: number): Float64Array {
  const a = new Float64Array(sourceCount * 4).fill(NaN);
  a.fill(0, sourceCount * 3);
  return a;
}
