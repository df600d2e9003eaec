// The file contract (DESIGN section 4, docs/csv-schema.md): one place for every column name.

/** Per-source columns: S_ns, S_lo_ns, S_hi_ns, S_status. */
export function sourceColumns(sources: readonly string[]): string[] {
  return sources.flatMap((s) => [`${s}_ns`, `${s}_lo_ns`, `${s}_hi_ns`, `${s}_status`]);
}

export function coordinatorColumns(sources: readonly string[]): string[] {
  return ['run_id', 'event_id', 'seq', 'send_local_ns', ...sourceColumns(sources), 'true_send_ns'];
}

export function workerColumns(sources: readonly string[]): string[] {
  return ['run_id', 'node_id', 'event_id', 'seq', 'recv_local_ns', ...sourceColumns(sources), 'true_recv_ns'];
}

/** One row per clock-source sample; a source fills the columns it has and leaves the rest empty. */
export const SYNC_COLUMNS = [
  'run_id', 'node_id', 'source', 'sample_local_ns', 'server',
  't1_ns', 't2_ns', 't3_ns', 't4_ns', 'offset_ns', 'delay_ns', 'root_delay_ns', 'root_dispersion_ns',
  'stratum', 'leap', 'point_ns', 'lo_ns', 'hi_ns', 'half_width_ns', 'drift_ppm',
  'status', 'accepted', 'reason', 'true_offset_ns',
] as const;

/** One row per (event, source, re-estimation delay). */
export const COMMIT_WAIT_COLUMNS = [
  'run_id', 'node_id', 'event_id', 'seq', 'source', 'delay_s', 'recv_local_ns', 'reestimated_local_ns',
  'point_ns', 'lo_ns', 'hi_ns', 'status', 'true_recv_ns',
] as const;
