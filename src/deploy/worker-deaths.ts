// Which workers died during a run, from one poll of every process's status.
import type { ProcStatus } from './remote-scripts.js';

/**
 * Workers seen dead with a non-zero status that were not counted before. One that exits 0 got
 * `end` (it may do so before the coordinator itself exits). While the coordinator runs, any other
 * death is mid-run; once it has ended, only a worker it never heard a bye from (`silent`, by its
 * `--workers` entry in `targets`) died during the run: a poll can see the kill and the
 * coordinator's end together when it lags by seconds.
 */
export function workersDiedMidRun(
  workers: readonly { name: string }[],
  statuses: Map<string, ProcStatus>,
  coordinatorAlive: boolean,
  silent: ReadonlySet<string>,
  targets: ReadonlyMap<string, string>,
  counted: readonly string[],
): string[] {
  return workers
    .filter((w) => {
      const s = statuses.get(w.name);
      if (!s || s.alive || s.rc === 0 || counted.includes(w.name)) return false;
      return coordinatorAlive || silent.has(targets.get(w.name) ?? '');
    })
    .map((w) => w.name);
}
