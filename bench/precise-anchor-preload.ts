/**
 * Preloaded (node --import) into every bench process whose clock the bench compares across
 * processes: re-anchors each HostClock on its first reading with measureRealtimeAnchor(), so that
 * recv_local_ns − send_local_ns is a one-way latency and not mostly the two processes' anchor
 * error (HostClock anchors on performance.timeOrigin, which is off by up to ~1 ms per process).
 * Remove once src/clock/host-clock.ts anchors this way itself. Only the anchor changes: every
 * reading is still anchor + process.hrtime.bigint(), exactly as HostClock computes it.
 */
import { HostClock } from '../src/clock/host-clock.js';
import { measureRealtimeAnchor } from './realtime-anchor.js';

interface AnchorFields { anchorRealNs: bigint; anchorMonoNs: bigint; benchAnchored?: true }

const anchor = measureRealtimeAnchor();
const nowNs = HostClock.prototype.nowNs;
HostClock.prototype.nowNs = function preciselyAnchoredNowNs(this: HostClock): bigint {
  const self = this as unknown as AnchorFields;
  if (self.benchAnchored !== true) {
    self.anchorMonoNs = 0n;
    self.anchorRealNs = anchor.offsetNs;
    self.benchAnchored = true;
  }
  return nowNs.call(this);
};
