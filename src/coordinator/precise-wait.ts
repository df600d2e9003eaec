/**
 * Wait until process.hrtime.bigint() reaches `targetNs`: a timer for the bulk, then a short
 * busy spin, because timers alone wake up a millisecond or more late.
 */
const SPIN_NS = 1_500_000n;

export function waitUntil(targetNs: bigint): Promise<void> {
  return new Promise((resolve) => {
    const step = (): void => {
      const left = targetNs - process.hrtime.bigint();
      if (left <= 0n) return resolve();
      if (left > SPIN_NS) {
        setTimeout(step, Number((left - SPIN_NS) / 1_000_000n));
        return;
      }
      while (process.hrtime.bigint() < targetNs) { /* spin: at most ~1.5 ms */ }
      resolve();
    };
    step();
  });
}
