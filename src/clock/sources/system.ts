import type { ClockSource, LocalClock, Readiness, Reading } from '../types.js';

/** The local clock itself: a point with no bound, always available. */
export class SystemSource implements ClockSource {
  readonly name = 'system';
  readonly bounded = false;
  constructor(private readonly clock: LocalClock) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  read(localNs: bigint): Reading {
    return { point_ns: localNs, lo_ns: null, hi_ns: null, status: 'ok' };
  }
  readiness(): Readiness {
    return { ready: true, detail: 'local clock' };
  }
  summary(): Record<string, unknown> {
    return { simulated: this.clock.simulated };
  }
}
