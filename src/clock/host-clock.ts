import type { LocalClock } from './types.js';

/**
 * Realtime = anchor + monotonic delta. The anchor is re-checked against the kernel's realtime
 * clock by `checkStep`, so a step of the system clock is detected and reported, not absorbed.
 */
export class HostClock implements LocalClock {
  readonly simulated = false;
  private anchorRealNs: bigint;
  private anchorMonoNs: bigint;

  constructor() {
    this.anchorMonoNs = process.hrtime.bigint();
    this.anchorRealNs = BigInt(Date.now()) * 1_000_000n;
    // Date.now() has ms resolution; use performance.timeOrigin for sub-ms where available.
    const precise = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
    if (precise - this.anchorRealNs < 2_000_000n && this.anchorRealNs - precise < 2_000_000n) {
      this.anchorRealNs = precise;
    }
  }

  nowNs(): bigint {
    return this.anchorRealNs + (process.hrtime.bigint() - this.anchorMonoNs);
  }

  /**
   * Compare monotonic-derived realtime with the kernel realtime clock. Returns the difference
   * in ns (kernel − ours) when it exceeds the threshold, after re-anchoring; otherwise null.
   */
  checkStep(thresholdNs = 5_000_000n): bigint | null {
    const ours = this.nowNs();
    const kernel = BigInt(Date.now()) * 1_000_000n;
    const diff = kernel - ours;
    if (diff > thresholdNs || diff < -thresholdNs) {
      this.anchorMonoNs = process.hrtime.bigint();
      this.anchorRealNs = BigInt(Date.now()) * 1_000_000n;
      return diff;
    }
    return null;
  }
}
