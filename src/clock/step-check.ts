import { HostClock } from './host-clock.js';
import type { LocalClock, SyncSink } from './types.js';
import type { Logger } from '../cli/logger.js';

/**
 * Every second, compare a host clock with the kernel's realtime clock: a step of the system
 * clock is logged and written as a `system` sync row, then absorbed by re-anchoring — detected and
 * recorded, never silently. Simulated clocks carry their own (recorded) steps. Returns a stop function.
 */
export function startStepCheck(clock: LocalClock, sink: SyncSink, log: Logger): () => void {
  if (!(clock instanceof HostClock)) return () => {};
  const timer = setInterval(() => {
    const step = clock.checkStep();
    if (step === null) return;
    log.warn('system clock step detected', { step_ns: step });
    sink({
      source: 'system',
      sample_local_ns: clock.nowNs(),
      status: 'degraded',
      reason: `clock step ${step} ns detected`,
      offset_ns: step,
    });
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}
