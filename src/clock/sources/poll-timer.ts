// A poll loop for sources that sample through I/O (subprocess, file, HTTP): runs the task now and
// then every `pollMs`, never two at once (a slow sample skips ticks instead of piling up), and
// `stop` waits for the sample in flight. The hot path never waits on it.
export class PollTimer {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private skipped = 0;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly pollMs: number,
    private readonly onError: (e: unknown) => void,
  ) {
    if (!Number.isFinite(pollMs) || pollMs <= 0) throw new Error(`poll interval must be a positive number of ms, got ${String(pollMs)}`);
  }

  /** Start polling; resolves after the first sample has finished (success or not). */
  async start(): Promise<void> {
    if (this.timer) return;
    this.timer = setInterval(() => void this.run(), this.pollMs);
    await this.run();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  get skippedTicks(): number {
    return this.skipped;
  }

  private run(): Promise<void> {
    if (this.inFlight) {
      this.skipped++;
      return this.inFlight;
    }
    this.inFlight = this.task()
      .catch(this.onError)
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }
}
