/**
 * Wait until process.hrtime.bigint() reaches `targetNs`, precisely and without starving the event
 * loop. Three phases:
 *  - far (> TIMER_SLACK_NS): a timer for the bulk, because timers wake a millisecond or more late;
 *  - near (> SPIN_NS): poll with setImmediate, so that I/O, timers (CSV flushes) and
 *    process.nextTick callbacks run between checks while the process keeps its CPU;
 *  - last SPIN_NS: a busy spin.
 * The first step runs from setImmediate: the caller's previous iteration queued its datagrams
 * through process.nextTick (dgram resolves addresses that way), and waits that always resolved
 * inside the caller's microtask chain would hold those sends (and every timer) until the whole
 * schedule had finished.
 * Why poll rather than sleep in the near phase: an A/B at 1,000 waits/s on a shared 2-CPU machine
 * gave p99 lateness 26–625 µs polling against 1.6–4 ms napping with Atomics.wait (a sleeping
 * process waits for a CPU when woken). The price is one busy CPU while waits are under 2 ms
 * (docs/performance.md).
 */
const TIMER_SLACK_NS = 2_000_000n;
const SPIN_NS = 150_000n;
/**
 * Behind schedule, a wait whose instant has passed resolves at once, without an event-loop turn,
 * unless the last turn was this long ago: the late events go out in bursts and the queued sends
 * and timers still run at least every millisecond. (A turn per late event halved the rate the
 * coordinator could reach on a busy 2-CPU machine: 11–15k instead of 18–23k events/s.)
 */
const MAX_BURST_NS = 1_000_000n;
/** When a wait last resumed from the event loop (per process: there is one event loop). */
let lastTurnNs = 0n;

export function waitUntil(targetNs: bigint): Promise<void> {
  const now = process.hrtime.bigint();
  if (targetNs <= now && now - lastTurnNs < MAX_BURST_NS) return Promise.resolve();
  return new Promise((resolve) => {
    const step = (): void => {
      const t = process.hrtime.bigint();
      lastTurnNs = t;
      const left = targetNs - t;
      if (left > TIMER_SLACK_NS) {
        setTimeout(step, Number((left - TIMER_SLACK_NS) / 1_000_000n));
        return;
      }
      if (left > SPIN_NS) {
        setImmediate(step);
        return;
      }
      while (process.hrtime.bigint() < targetNs) { /* spin: at most SPIN_NS */ }
      resolve();
    };
    setImmediate(step);
  });
}
