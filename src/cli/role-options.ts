import type { LocalClock } from '../clock/types.js';
import type { Logger } from './logger.js';

/** What every stamping process (worker, coordinator) of a run is given. */
export interface RoleOptions {
  runId: string;
  sources: string[];
  ntpServers: string[];
  resultsDir: string;
  logsDir: string;
  /** HMAC key of the run; null only with --insecure. */
  key: Buffer | null;
  pollMs: number;
  /** Simulated faulty clock; default the host clock. */
  clock?: LocalClock;
  /** Per-source tuning keyed by source name (--source-options). */
  sourceOptions?: Record<string, Record<string, unknown>>;
  /** Whether datagrams are authenticated, and where the key came from (recorded in summaries/manifests). */
  security?: { authenticated: boolean; key_source: string };
  logger: Logger;
}
