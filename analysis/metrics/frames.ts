// Which clock a source's readings claim to read. Most sources claim true time (UTC); `channel`
// estimates the coordinator's own clock (it synchronises over the event channel), so its bound
// quality is judged against the coordinator's clock at the true instant (docs/metrics.md §Bound quality).

/** Sources whose readings stand for the coordinator's clock, not for true time. */
const COORDINATOR_FRAME_SOURCES: ReadonlySet<string> = new Set(['channel']);

export function inCoordinatorFrame(source: string): boolean {
  return COORDINATOR_FRAME_SOURCES.has(source);
}

/**
 * The coordinator's clock at each worker's true receive instant, for events 0 … n−1 (relative ns;
 * NaN where truth is missing): true_recv + (send_local − true_send) of the same event. The
 * coordinator's offset is taken at the send; over one delivery (µs–ms) its drift moves it by
 * nanoseconds (10 ppm × 1 ms = 10 ns), far inside any half-width it is compared with.
 */
export function coordinatorFrameTruth(
  n: number,
  trueRecv: Float64Array,
  sendLocal: Float64Array,
  trueSend: Float64Array,
  out: Float64Array,
): Float64Array {
  for (let j = 0; j < n; j++) out[j] = trueRecv[j]! + (sendLocal[j]! - trueSend[j]!);
  return out;
}

/**
 * What "the truth" of a coverage figure or table is for these sources: true time, or, when a
 * coordinator-frame source is among them, a label that says which sources are judged against the
 * coordinator's clock instead.
 */
export function truthLabel(sources: readonly string[]): { noun: string; note: string | null } {
  const framed = [...new Set(sources.filter(inCoordinatorFrame))];
  if (framed.length === 0) return { noun: 'true time', note: null };
  return { noun: 'the truth', note: `the truth is true time, and for ${framed.join(', ')} the coordinator's clock at the true instant` };
}
