/**
 * Prints this fresh process's HostClock anchor as {"offset_ns": realtime − monotonic}. Realtime −
 * CLOCK_MONOTONIC is one value for the whole host (until the clock is stepped), so the spread of
 * this across processes is the error cross-process latencies inherit from the anchors. Read from
 * the anchor itself, not from two clock reads a preemption could separate.
 */
import { HostClock } from '../../src/clock/host-clock.js';

const clock = new HostClock();
const fields = clock as unknown as { anchorRealNs?: unknown; anchorMonoNs?: unknown };
let offset: bigint;
if (typeof fields.anchorRealNs === 'bigint' && typeof fields.anchorMonoNs === 'bigint') {
  offset = fields.anchorRealNs - fields.anchorMonoNs;
} else {
  // HostClock changed shape: bracket a reading with monotonic reads and keep the tightest bracket.
  let best: { gap: bigint; offset: bigint } | null = null;
  for (let i = 0; i < 50; i++) {
    const before = process.hrtime.bigint();
    const now = clock.nowNs();
    const after = process.hrtime.bigint();
    if (!best || after - before < best.gap) best = { gap: after - before, offset: now - (before + after) / 2n };
  }
  offset = best!.offset;
}
process.stdout.write(JSON.stringify({ offset_ns: offset.toString() }) + '\n');
