// Which event schedule a run used, from its manifest (`schedule`, written by run-local and the
// coordinator). Window figures depend on it: a fixed schedule puts every event at the same few
// phases of a window (docs/metrics.md, Schedules).
import type { RunSchedule } from '../stats/types.js';

const UNIFORM: Record<string, boolean> = { jittered: true, poisson: true, fixed: false };

/** The recorded schedule, or null when the manifest does not say (older runs, legacy imports). */
export function runSchedule(manifest: Record<string, unknown> | null): RunSchedule | null {
  const s = manifest?.['schedule'];
  if (typeof s !== 'object' || s === null) return null;
  const kind = (s as Record<string, unknown>)['kind'];
  if (typeof kind !== 'string') return null;
  const seed = (s as Record<string, unknown>)['seed'];
  return { kind, seed: typeof seed === 'number' ? seed : null, uniform_phases: kind in UNIFORM ? UNIFORM[kind]! : null };
}

/** One phrase for summaries: "jittered, seed 7: window phases sampled uniformly". */
export function scheduleText(s: RunSchedule | null): string {
  if (s === null) return 'not recorded';
  const what =
    s.uniform_phases === true
      ? 'window phases sampled uniformly'
      : s.uniform_phases === false
        ? 'every event at the same few window phases'
        : 'unknown kind';
  return `${s.kind}${s.seed !== null ? `, seed ${s.seed}` : ''}: ${what}`;
}

/** A warning for window figures taken on a schedule that does not sample phases uniformly. */
export function scheduleWarning(s: RunSchedule | null): string | null {
  if (s === null || s.uniform_phases !== false) return null;
  return (
    `events were sent on the ${s.kind} schedule: every event lands at the same few phases of each window, so the window ` +
    'figures (windows, coordination) depend on the instant the run started and are not comparable with other runs; ' +
    'use --schedule jittered (the default) or poisson to sample window phases uniformly (docs/metrics.md, Schedules).'
  );
}
