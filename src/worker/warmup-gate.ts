import type { ClockSource } from '../clock/types.js';
import type { Logger } from '../cli/logger.js';

/**
 * Detected warmup: ready when every source says its model converged, or when the maximum warmup
 * passes (then the unready sources are named). Logs progress every few seconds while warming.
 */
export class WarmupGate {
  private readonly startedMs = Date.now();
  private timer: NodeJS.Timeout | null = null;
  private readyAtMs: number | null = null;
  unreadyAtReady: string[] = [];

  constructor(
    private readonly sources: readonly ClockSource[],
    private readonly maxMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.poll(), 250);
    this.timer.unref();
    this.poll();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  get readyAfterS(): number | null {
    return this.readyAtMs === null ? null : (this.readyAtMs - this.startedMs) / 1000;
  }

  isReady(): boolean {
    return this.readyAtMs !== null;
  }

  private lastProgressMs = 0;
  private poll(): void {
    if (this.readyAtMs !== null) return;
    const now = Date.now();
    const unready = this.sources.filter((s) => !s.readiness().ready);
    if (unready.length === 0) {
      this.readyAtMs = now;
      this.log.info(`ready after ${((now - this.startedMs) / 1000).toFixed(1)} s: every source converged`);
      this.stop();
    } else if (now - this.startedMs >= this.maxMs) {
      this.readyAtMs = now;
      this.unreadyAtReady = unready.map((s) => s.name);
      this.log.warn(
        `maximum warmup (${this.maxMs / 1000} s) reached; not converged: ${unready.map((s) => `${s.name} (${s.readiness().detail})`).join('; ')}`,
      );
      this.stop();
    } else if (now - this.lastProgressMs >= 3000) {
      this.lastProgressMs = now;
      this.log.info(
        `warming up ${((now - this.startedMs) / 1000).toFixed(0)} s: waiting on ${unready.map((s) => `${s.name} (${s.readiness().detail})`).join('; ')}`,
      );
    }
  }
}
