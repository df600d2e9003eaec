import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_SCHEDULE, dueTimesNs, type ScheduleSpec } from '../../src/coordinator/schedule.js';

/** The schedule every timing bench keeps: the coordinator's default kind, a fixed seed. */
export function benchSchedule(rate: number, count: number): ScheduleSpec {
  return { kind: DEFAULT_SCHEDULE, seed: 1, rate, count };
}

/**
 * Baselines for the coordinator's send-time error: the same schedule kept by
 *  - a bare busy-spin loop that allocates nothing (the floor on this machine: only preemption
 *    makes it late), and
 *  - a bare setTimeout loop (what plain timers give).
 * Returns each event's stamp (hrtime, ns) so the caller applies the same estimator as to the
 * coordinator's stamps, and the exact errors (the origin is known here).
 */
export interface ScheduleBaseline {
  stampsNs: bigint[];
  dueNs: number[];
  exactErrorsNs: Float64Array;
}

/** The schedule (due offsets), its origin 1 ms from now, and empty result arrays. */
function newBaseline(rate: number, count: number): ScheduleBaseline & { start: bigint } {
  return {
    dueNs: [...dueTimesNs(benchSchedule(rate, count))],
    start: process.hrtime.bigint() + 1_000_000n,
    stampsNs: [],
    exactErrorsNs: new Float64Array(count),
  };
}

export function spinSchedule(rate: number, count: number): ScheduleBaseline {
  const { dueNs, start, stampsNs, exactErrorsNs: exact } = newBaseline(rate, count);
  for (let i = 0; i < count; i++) {
    const target = start + BigInt(dueNs[i]!);
    // Compare without keeping each reading: the former `while (now < target) now = hrtime()`
    // allocated on every check (measured: ~3,300 scavenges, 115-130 ms of pauses per 3,000 events,
    // so its p99 of 25-45 µs was its own GC); this loop makes 3-4 (p99 0.1-6 µs on a quiet
    // machine). The stamp is one more read (~50 ns) after the loop.
    while (process.hrtime.bigint() < target) {
      /* spin */
    }
    const now = process.hrtime.bigint();
    stampsNs.push(now);
    exact[i] = Number(now - target);
  }
  return { stampsNs, dueNs, exactErrorsNs: exact };
}

export async function timerSchedule(rate: number, count: number): Promise<ScheduleBaseline> {
  const { dueNs, start, stampsNs, exactErrorsNs: exact } = newBaseline(rate, count);
  for (let i = 0; i < count; i++) {
    const target = start + BigInt(dueNs[i]!);
    const left = Number(target - process.hrtime.bigint()) / 1e6;
    if (left > 0) await sleep(left);
    const now = process.hrtime.bigint();
    stampsNs.push(now);
    exact[i] = Number(now - target);
  }
  return { stampsNs, dueNs, exactErrorsNs: exact };
}
