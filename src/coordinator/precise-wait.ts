/**
 * Wait until process.hrtime.bigint() reaches `targetNs`, precisely and without starving the event
 * loop. Three phases:
 *  - far (> TIMER_SLACK_NS): a timer for the bulk, because timers wake a millisecond or more late;
 *  - near (> SPIN_NS): a nap off the CPU with Atomics.wait (µs resolution, unlike timers), then
 *    one event-loop turn so that I/O that arrived meanwhile is served;
 *  - last SPIN_NS: a busy spin.
 * The first step always runs from setImmediate: the caller's previous iteration queued its
 * datagrams through process.nextTick (dgram resolves addresses that way), and a wait that resolved
 * inside the caller's microtask chain would hold those sends (and every timer, such as CSV
 * flushes) until the whole schedule had finished.
 */
const TIMER_SLACK_NS = 2_000_000n;
const SPIN_NS = 150_000n;
/** Never notified: Atomics.wait on it is a precise sleep. */
const NAP_CELL = new Int32Array(new SharedArrayBuffer(4));

export function waitUntil(targetNs: bigint): Promise<void> {
  return new Promise((resolve) => {
    const step = (): void => {
      const left = targetNs - process.hrtime.bigint();
      if (left > TIMER_SLACK_NS) {
        setTimeout(step, Number((left - TIMER_SLACK_NS) / 1_000_000n));
        return;
      }
      if (left > SPIN_NS) {
        Atomics.wait(NAP_CELL, 0, 0, Number(left - SPIN_NS) / 1e6);
        setImmediate(step);
        return;
      }
      while (process.hrtime.bigint() < targetNs) { /* spin: at most SPIN_NS */ }
      resolve();
    };
    setImmediate(step);
  });
}
