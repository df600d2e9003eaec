/**
 * Prints how far an unpatched HostClock in a fresh process is from CLOCK_REALTIME, measured with
 * measureRealtimeAnchor(): {"hostclock_error_ns": N, "uncertainty_ns": U}. The bench runs a few of
 * these to show why it re-anchors the clocks it compares across processes.
 */
import { HostClock } from '../src/clock/host-clock.js';
import { measureRealtimeAnchor } from './realtime-anchor.js';

const clock = new HostClock();
const hostOffset = clock.nowNs() - process.hrtime.bigint();
const a = measureRealtimeAnchor(5);
process.stdout.write(JSON.stringify({ hostclock_error_ns: Number(hostOffset - a.offsetNs), uncertainty_ns: Number(a.uncertaintyNs) }) + '\n');
