/**
 * Wait until process.hrtime.bigint() reaches `targetNs`, precisely and without starving the event
 * loop. Three phases:
 *  - far (> TIMER_SLACK_NS): a timer for the bulk, because timers wake a millisecond or more late;
 *  - near (> SPIN_NS): spin in slices of SLICE_NS with an event-loop turn (setImmediate) between
 *    them, so that I/O, timers (CSV flushes) and process.nextTick callbacks still run;
 *  - last SPIN_NS: a busy spin.
 * The first step runs from setImmediate: the caller's previous iteration may have queued work
 * through process.nextTick, and waits that always resolved inside the caller's microtask chain
 * would hold that work (and every timer) until the whole schedule had finished.
 * Why poll rather than sleep in the near phase: an A/B at 1,000 waits/s on a shared 2-CPU machine
 * gave p99 lateness 26–625 µs polling against 1.6–4 ms napping with Atomics.wait (a sleeping
 * process waits for a CPU when woken). The price is one busy CPU while waits are under 2 ms
 * (docs/performance.md).
 * Why slices: one turn per check (≈1 µs each) made every turn allocate (an Immediate, BigInts):
 * at 1,000 events/s that was ~115 scavenges a second, ~3 % of the time in GC pauses of 0.1–6 ms,
 * and a GC pause at an event's instant makes it late by the pause. Slices of 50 µs cut the
 * scavenges ~15× at the same CPU; I/O callbacks wait at most one slice longer for their turn.
 */
const TIMER_SLACK_NS = 2_000_000n;
const SPIN_NS = 150_000n;
const SLICE_NS = 50_000n;
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
  const spinFrom = targetNs - SPIN_NS;
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
        const sliceEnd = t + SLICE_NS < spinFrom ? t + SLICE_NS : spinFrom;
        while (process.hrtime.bigint() < sliceEnd) {
          /* spin: at most SLICE_NS */
        }
        setImmediate(step);
        return;
      }
      while (process.hrtime.bigint() < targetNs) {
        /* spin: at most SPIN_NS */
      }
      resolve();
    };
    setImmediate(step);
  });
}
