// Following a submitted job with `scontrol show job` (sacct needs accounting, which many
// clusters and the test lab lack): a line when its state changes, the elapsed time every
// `everyS` seconds while it runs, until it leaves the pending/running states.
import { showJob } from './client.js';
import { EXIT, signalExit } from '../cli/exit-codes.js';

/** States in which a job may still run; anything else is final. */
const ACTIVE = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'RESIZING', 'SIGNALING', 'STAGE_OUT']);

export const isActive = (state: string | undefined): boolean => state === undefined || ACTIVE.has(state);

export interface FollowOptions {
  pollMs: number;
  everyS: number;
  out: (line: string) => void;
  /** Extra words for the progress line (e.g. cells finished). */
  progress?: () => string;
  /** Called with each poll's records before the final-state check (e.g. to collect while the job waits). */
  onPoll?: (recs: Record<string, string>[]) => Promise<void>;
  /** Set when the follower should end early (a stop signal); the job is left as it is. */
  stopped?: () => boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** States of an array's tasks, e.g. "RUNNING×3 PENDING×1". */
function stateText(recs: Record<string, string>[]): string {
  if (recs.length === 1) return recs[0]!['JobState'] ?? '?';
  const n = new Map<string, number>();
  for (const r of recs) n.set(r['JobState'] ?? '?', (n.get(r['JobState'] ?? '?') ?? 0) + 1);
  return [...n].map(([s, k]) => `${s}×${k}`).join(' ');
}

const hms = (ms: number): string => {
  const s = Math.floor(ms / 1000);
  return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, '0')).join(':');
};

/** Polls until every record of the job is final; returns them (null: Slurm forgot the job). */
export async function followJob(id: string, o: FollowOptions): Promise<Record<string, string>[] | null> {
  let last = '';
  let lastPrint = 0;
  const started = Date.now();
  for (;;) {
    const recs = await showJob(id);
    if (recs === null || recs.length === 0) return null;
    const state = stateText(recs);
    const now = Date.now();
    const extra = o.progress ? o.progress() : '';
    if (state !== last || now - lastPrint >= o.everyS * 1000) {
      const r = recs[0]!;
      // An array's tasks each have their own nodes and run time: the time followed is given instead.
      const array = recs.length > 1 || r['ArrayJobId'] !== undefined;
      const where = array
        ? ''
        : r['NodeList'] && r['NodeList'] !== '(null)'
          ? ` on ${r['NodeList']}`
          : r['Reason'] && r['Reason'] !== 'None'
            ? ` (${r['Reason']})`
            : '';
      const elapsed = array ? `followed ${hms(now - started)}` : `elapsed ${r['RunTime'] ?? '?'}`;
      o.out(`job ${id}: ${state}${where}, ${elapsed}${extra ? `; ${extra}` : ''}`);
      last = state;
      lastPrint = now;
    }
    if (o.onPoll) await o.onPoll(recs);
    if (recs.every((x) => !isActive(x['JobState']))) return recs;
    if (o.stopped?.()) return recs;
    await sleep(o.pollMs);
  }
}

/**
 * The command's exit code for a finished job: COMPLETED is 0; otherwise the batch script's own
 * code (the template follows the CLI's table), else 128 + the signal that ended it, else 7.
 */
export function jobExitCode(rec: Record<string, string>): number {
  if (rec['JobState'] === 'COMPLETED') return EXIT.ok;
  const [code, sig] = (rec['ExitCode'] ?? '').split(':').map(Number);
  if (code !== undefined && Number.isInteger(code) && code > 0) return code;
  if (sig !== undefined && Number.isInteger(sig) && sig > 0) return 128 + sig;
  return rec['JobState'] === 'CANCELLED' ? signalExit('SIGTERM') : EXIT.failed;
}
