import type { LocalClock } from './types.js';
import { loadUdpStampAddon } from '../net/udp-stamp-addon.js';

/**
 * The realtime/monotonic pair a HostClock is anchored on. With the native addon both clocks are
 * read in C back to back (tens of ns apart; process.hrtime is CLOCK_MONOTONIC too); without it,
 * a Date.now() millisecond edge (good to a microsecond or more). Cross-process latencies carry the
 * two processes' anchor error, which is why the precise pair matters once stamps are µs apart.
 */
export function hostAnchor(): { realNs: bigint; monoNs: bigint; method: 'clock_gettime' | 'date-edge' } {
  const native = loadUdpStampAddon();
  if ('addon' in native && typeof native.addon.clockPair === 'function') {
    const [realNs, monoNs] = native.addon.clockPair();
    return { realNs, monoNs, method: 'clock_gettime' };
  }
  return { ...realtimeAnchor(), method: 'date-edge' };
}

/**
 * Pair a kernel realtime reading with a monotonic one to within a few microseconds. Date.now()
 * only has millisecond resolution, so spin until it ticks over: at the edge the realtime is
 * exactly the new millisecond. An edge can be seen late (the process was descheduled, or the
 * VM's realtime clock updates coarsely), never early, so keep the earliest of several edges:
 * the largest (realtime − monotonic). Costs about `edges` milliseconds.
 */
export function realtimeAnchor(edges = 5): { realNs: bigint; monoNs: bigint } {
  let best: bigint | null = null;
  let monoAtBest = 0n;
  let fallback: { realNs: bigint; monoNs: bigint } | null = null;
  let last = Date.now();
  let before = process.hrtime.bigint();
  const giveUp = before + 100_000_000n;
  let seen = 0;
  while (seen < edges) {
    const now = Date.now();
    const mono = process.hrtime.bigint();
    if (now !== last) {
      const mid = (before + mono) / 2n;
      // A clean edge: one millisecond on, and both readings within 20 µs of each other.
      if (now - last === 1 && mono - before < 20_000n) {
        const diff = BigInt(now) * 1_000_000n - mid;
        if (best === null || diff > best) {
          best = diff;
          monoAtBest = mid;
        }
        seen++;
      } else {
        fallback ??= { realNs: BigInt(now) * 1_000_000n, monoNs: mono };
      }
      last = now;
    }
    before = mono;
    if (mono > giveUp) break; // a busy machine: use what we have
  }
  if (best === null) return fallback ?? { realNs: BigInt(Date.now()) * 1_000_000n, monoNs: process.hrtime.bigint() };
  return { realNs: monoAtBest + best, monoNs: monoAtBest };
}

/**
 * Realtime = anchor + monotonic delta. The anchor is re-checked against the kernel's realtime
 * clock by `checkStep`, so a step of the system clock is detected and reported, not absorbed.
 */
export class HostClock implements LocalClock {
  readonly simulated = false;
  private anchorRealNs: bigint;
  private anchorMonoNs: bigint;

  /** How the anchor was taken (see hostAnchor). */
  anchorMethod: 'clock_gettime' | 'date-edge';

  constructor() {
    const a = hostAnchor();
    this.anchorMethod = a.method;
    this.anchorRealNs = a.realNs;
    this.anchorMonoNs = a.monoNs;
  }

  nowNs(): bigint {
    return this.anchorRealNs + (process.hrtime.bigint() - this.anchorMonoNs);
  }

  /** Realtime at a monotonic instant (e.g. a kernel receive stamp): the same anchor arithmetic as nowNs(). */
  atMonoNs(monoNs: bigint): bigint {
    return this.anchorRealNs + (monoNs - this.anchorMonoNs);
  }

  /**
   * Compare monotonic-derived realtime with the kernel realtime clock. Returns the difference
   * in ns (kernel − ours) when it exceeds the threshold, after re-anchoring; otherwise null.
   */
  checkStep(thresholdNs = 5_000_000n): bigint | null {
    const kernel = BigInt(Date.now()) * 1_000_000n;
    const diff = kernel - this.nowNs();
    // Date.now() truncates to the millisecond: only a difference well beyond that is a step.
    if (diff > thresholdNs || diff < -thresholdNs) {
      return this.reanchor(hostAnchor());
    }
    return null;
  }

  /**
   * Re-anchor whenever the kernel's realtime clock has moved away from this clock by more than
   * `thresholdNs` (a step by anyone), reading both clocks exactly. For a process that must serve
   * the host's realtime as it is now (an NTP server), not detect and record steps as a worker does.
   * Returns the step followed (ns, kernel − ours) or null. Without the native pair (date-edge
   * anchors cost milliseconds) it falls back to the millisecond check of `checkStep`.
   */
  followRealtime(thresholdNs = 20_000n): bigint | null {
    if (this.anchorMethod !== 'clock_gettime') return this.checkStep(2_000_000n);
    const a = hostAnchor();
    const diff = this.movedBy(a);
    return diff <= thresholdNs && diff >= -thresholdNs ? null : this.reanchor(a);
  }

  /** How far the kernel's realtime at the anchor pair `a` is from this clock's reading (kernel − ours). */
  private movedBy(a: { realNs: bigint; monoNs: bigint }): bigint {
    return a.realNs - (this.anchorRealNs + (a.monoNs - this.anchorMonoNs));
  }

  /** Take `a` as the new anchor; returns the step absorbed (kernel − ours). */
  private reanchor(a: { realNs: bigint; monoNs: bigint }): bigint {
    const step = this.movedBy(a);
    this.anchorRealNs = a.realNs;
    this.anchorMonoNs = a.monoNs;
    return step;
  }
}
