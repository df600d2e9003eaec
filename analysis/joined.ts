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
  /** Index into the accumulator's delay list. */
  delay: number;
  point: number;
  lo: number;
  hi: number;
  trueRecv: number;
}

export interface WorkerStamp {
  recvLocal: number;
  trueRecv: number;
  /** [point, lo, hi] per source index (3 entries per source). */
  vals: Float64Array;
  reest: ReestStamp[] | null;
}

export interface JoinedEvent {
  seq: number;
  eventId: string;
  sendLocal: number;
  trueSend: number;
  /** [point, lo, hi] per source index. */
  coord: Float64Array;
  /** Indexed like the worker list; undefined = the worker has no row for this event. */
  workers: (WorkerStamp | undefined)[];
  /** Join key (seq, or the event id when there is no numeric seq); set by the join. */
  key?: number | string;
}

export function emptyStamps(sourceCount: number): Float64Array {
  return new Float64Array(sourceCount * 3).fill(NaN);
}
