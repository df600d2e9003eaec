import { FaultyClock } from './faulty-clock.js';
import type { LocalClock } from '../clock/types.js';
import { parseSpecArg } from '../scenario/spec-arg.js';

/** --clock-faults JSON|FILE → a simulated clock; absent → undefined (the process uses the host clock). */
export function clockFromArg(value: string | undefined): FaultyClock | undefined {
  if (value === undefined) return undefined;
  return new FaultyClock(parseSpecArg(value, 'clock-faults'));
}

/** What the clock actually did (simulated clocks), for summaries and the manifest. */
export function realisedClockFaults(clock: LocalClock): unknown {
  return clock instanceof FaultyClock ? clock.realisedFaults() : null;
}
