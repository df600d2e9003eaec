/**
 * Realtime − monotonic offset of this process, measured to about a microsecond by catching the
 * instant Date.now() ticks to the next millisecond (CLOCK_REALTIME's ms edge) between two hrtime
 * reads. Node's performance.timeOrigin, which HostClock anchors on, is off by up to ~1 ms and
 * differently in every process (measured by the bench, see docs/performance.md); one-way latency
 * between two processes of one host is meaningless unless both anchor at least this precisely.
 */
export interface RealtimeAnchor {
  /** realtime_ns − process.hrtime.bigint() */
  offsetNs: bigint;
  /** Width of the hrtime window the ms edge fell in: the anchor's uncertainty. */
  uncertaintyNs: bigint;
}

/** Best of `edges` ms edges (each costs up to 1 ms of spinning). */
export function measureRealtimeAnchor(edges = 3): RealtimeAnchor {
  let best: RealtimeAnchor | null = null;
  for (let i = 0; i < edges; i++) {
    // Each Date.now() read is bracketed by hrtime reads; the edge lies between the last read of the
    // old millisecond and the first read of the new one.
    let h0 = process.hrtime.bigint();
    const startMs = Date.now();
    let prevH0 = h0;
    let ms = startMs;
    let h1 = h0;
    while (ms === startMs) {
      prevH0 = h0;
      h0 = process.hrtime.bigint();
      ms = Date.now();
      h1 = process.hrtime.bigint();
    }
    const before = prevH0;
    const after = h1;
    const a = { offsetNs: BigInt(ms) * 1_000_000n - (before + after) / 2n, uncertaintyNs: after - before };
    if (!best || a.uncertaintyNs < best.uncertaintyNs) best = a;
  }
  return best!;
}
