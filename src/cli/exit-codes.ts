// The one table of exit codes: every command returns one of these (README.md and
// docs/reliability.md §8 print the same table; test/integration/exit-codes.test.ts holds each
// command to it).
import os from 'node:os';

export const EXIT = {
  /** Finished; every check holds (or the command has no checks). */
  ok: 0,
  /** A check failed: a verdict about the clocks, not a fault of the tool. */
  checkFailed: 1,
  /** Bad usage or input (a flag, --config, scenario, inventory, run directory); nothing was started. */
  usage: 2,
  /** A result or log file could not be written (disk full, read-only, permissions). */
  writeFailed: 3,
  /** A check could not be judged (its statistic is missing: too little data): no verdict. */
  unjudged: 4,
  /** The run could not start: workers not ready in time, or a deploy pre-flight check failed. */
  notReady: 5,
  /** The run ended incomplete: a worker died or never said bye, or a fetch failed (what exists is kept and analysed). */
  partial: 6,
  /** A process of the run or a step of the command failed (an unexpected error). */
  failed: 7,
  /** Stopped by SIGHUP (128 + 1); everything started was stopped, what was recorded is kept. */
  hangup: 129,
  /** Stopped by SIGINT / Ctrl-C (128 + 2). */
  interrupted: 130,
  /** Stopped by SIGTERM (128 + 15). */
  terminated: 143,
} as const;

/** The signals every command treats as "stop": finish cleanly, then exit 128 + n. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** 128 + the signal's number, as a shell reports a process the signal stopped. */
export function signalExit(sig: NodeJS.Signals): number {
  return 128 + (os.constants.signals[sig] ?? 0);
}

/** One row per code, in the words README.md uses (for --help epilogs and tests). */
export const EXIT_MEANINGS: ReadonlyArray<[number, string]> = [
  [EXIT.ok, 'ok: finished, every check holds'],
  [EXIT.checkFailed, 'a check failed (a verdict)'],
  [EXIT.usage, 'bad usage or input (nothing was started)'],
  [EXIT.writeFailed, 'a result file could not be written'],
  [EXIT.unjudged, 'a check could not be judged (no verdict)'],
  [EXIT.notReady, 'workers not ready / deploy pre-flight failed'],
  [EXIT.partial, 'run incomplete: a worker lost or a fetch failed'],
  [EXIT.failed, 'a process or step failed'],
  [EXIT.hangup, 'stopped by SIGHUP'],
  [EXIT.interrupted, 'stopped by Ctrl-C (SIGINT)'],
  [EXIT.terminated, 'stopped by SIGTERM'],
];
