// The file contract (DESIGN section 4, docs/csv-schema.md): one place for every column name.
// Writers build headers from here; readers look columns up by these names.

/** The suffixes of a clock source's columns: S_ns, S_lo_ns, S_hi_ns, S_status. */
export const SOURCE_SUFFIX = { point: '_ns', lo: '_lo_ns', hi: '_hi_ns', status: '_status' } as const;

/** One source's column names. */
export function sourceColumnNames(source: string): { point: string; lo: string; hi: string; status: string } {
  return {
    point: source + SOURCE_SUFFIX.point,
    lo: source + SOURCE_SUFFIX.lo,
    hi: source + SOURCE_SUFFIX.hi,
    status: source + SOURCE_SUFFIX.status,
  };
}

/** Per-source columns: S_ns, S_lo_ns, S_hi_ns, S_status. */
export function sourceColumns(sources: readonly string[]): string[] {
  return sources.flatMap((s) => {
    const c = sourceColumnNames(s);
    return [c.point, c.lo, c.hi, c.status];
  });
}

/** Columns of the event files (coordinator.csv, workers/<node>.csv) other than the sources'. */
export const EVENT_COLUMNS = { runId: 'run_id', nodeId: 'node_id', eventId: 'event_id', seq: 'seq' } as const;

/** Each event file's two stamps: the local clock's (send or receive) and the simulation's truth. */
export const COORDINATOR_STAMPS = { local: 'send_local_ns', truth: 'true_send_ns' } as const;
export const WORKER_STAMPS = { local: 'recv_local_ns', truth: 'true_recv_ns' } as const;

/** coordinator.csv's header around the given source columns (a legacy import carries only some). */
export function coordinatorHeader(sourceCols: readonly string[]): string[] {
  const e = EVENT_COLUMNS;
  return [e.runId, e.eventId, e.seq, COORDINATOR_STAMPS.local, ...sourceCols, COORDINATOR_STAMPS.truth];
}

/** workers/<node>.csv's header around the given source columns. */
export function workerHeader(sourceCols: readonly string[]): string[] {
  const e = EVENT_COLUMNS;
  return [e.runId, e.nodeId, e.eventId, e.seq, WORKER_STAMPS.local, ...sourceCols, WORKER_STAMPS.truth];
}

/**
 * coordinator.csv's kernel send stamp, after the truth column: the local clock at the kernel's
 * software transmit stamp of the event's first datagram (SO_TIMESTAMPING), when that is empty
 * why (SEND_KERNEL_REASONS), and in simulations the true time at that instant. Files written
 * before them lack these columns; readers find each by name (`kernelSend` false: the layout
 * before any of them, for fixtures of old runs).
 */
export const COORDINATOR_KERNEL_SEND = { local: 'send_kernel_ns', reason: 'send_kernel_reason', truth: 'true_send_kernel_ns' } as const;

export function coordinatorColumns(sources: readonly string[], kernelSend: boolean): string[] {
  const head = coordinatorHeader(sourceColumns(sources));
  const k = COORDINATOR_KERNEL_SEND;
  return kernelSend ? [...head, k.local, k.reason, k.truth] : head;
}

/**
 * workers/<node>.csv: `details` are the columns a stamped source adds after the sources' (e.g.
 * CHRONOTICK_DETAIL_COLUMNS); readers find them by name and treat a missing one as empty.
 */
export function workerColumns(sources: readonly string[], details: readonly string[] = []): string[] {
  return workerHeader([...sourceColumns(sources), ...details]);
}

/** The chronotick source's details of a reading: the daemon's correction source and its confidence. */
export const CHRONOTICK_DETAIL_COLUMNS = ['ct_source', 'ct_confidence'] as const;

/** One row per clock-source sample; a source fills the columns it has and leaves the rest empty. */
export const SYNC_COLUMNS = [
  'run_id',
  'node_id',
  'source',
  'sample_local_ns',
  'server',
  't1_ns',
  't2_ns',
  't3_ns',
  't4_ns',
  'offset_ns',
  'delay_ns',
  'root_delay_ns',
  'root_dispersion_ns',
  'stratum',
  'leap',
  'point_ns',
  'lo_ns',
  'hi_ns',
  'half_width_ns',
  'drift_ppm',
  'status',
  'accepted',
  'reason',
  'true_offset_ns',
] as const;
export type SyncColumn = (typeof SYNC_COLUMNS)[number];

/** One row per (event, source, re-estimation delay). */
export const COMMIT_WAIT_COLUMNS = [
  'run_id',
  'node_id',
  'event_id',
  'seq',
  'source',
  'delay_s',
  'recv_local_ns',
  'reestimated_local_ns',
  'point_ns',
  'lo_ns',
  'hi_ns',
  'status',
  'true_recv_ns',
] as const;
export type CommitWaitColumn = (typeof COMMIT_WAIT_COLUMNS)[number];

/**
 * The `_ns` columns that are stamps, not clock sources (a source S is found by its S_ns column):
 * the event files' local and true stamps, and the sync and commit-wait files' local instants.
 */
export const STAMP_COLUMNS: readonly string[] = [
  COORDINATOR_STAMPS.local,
  COORDINATOR_KERNEL_SEND.local,
  COORDINATOR_KERNEL_SEND.truth,
  WORKER_STAMPS.local,
  COORDINATOR_STAMPS.truth,
  WORKER_STAMPS.truth,
  'reestimated_local_ns' satisfies CommitWaitColumn,
  'sample_local_ns' satisfies SyncColumn,
  'held_ns',
  'held_kernel_ns',
  'echo_recv_local_ns',
  'true_echo_recv_ns',
];

/**
 * echo/<node>.csv's own stamps: s, r, h, e, the simulation's truth at e, and the kernel's transmit
 * stamp of the event (as coordinator.csv's send_kernel_ns; absent in files written before it).
 */
export const ECHO_STAMPS = {
  send: 'send_local_ns',
  recv: 'recv_local_ns',
  held: 'held_ns',
  echoRecv: 'echo_recv_local_ns',
  truth: 'true_echo_recv_ns',
  sendKernel: COORDINATOR_KERNEL_SEND.local,
  heldKernel: 'held_kernel_ns',
} as const;

/** echo/<node>.csv: one row per accepted echo, the coordinator's stamped sources read at the echo's arrival e. */
export function echoColumns(sources: readonly string[]): string[] {
  const e = EVENT_COLUMNS;
  const s = ECHO_STAMPS;
  return [
    e.runId,
    e.nodeId,
    e.eventId,
    e.seq,
    s.send,
    s.recv,
    s.held,
    s.echoRecv,
    ...sourceColumns(sources),
    s.truth,
    s.sendKernel,
    s.heldKernel,
  ];
}
