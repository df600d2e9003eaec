import { setTimeout as sleep } from 'node:timers/promises';
import { dueTimesNs } from '../src/coordinator/schedule.js';

/**
 * Baselines for the coordinator's send-time error: the same schedule kept by
 *  - a bare busy-spin loop (the floor on this machine: only preemption makes it late), and
 *  - a bare setTimeout loop (what plain timers give).
 * Returns each event's stamp (hrtime, ns) so the caller applies the same estimator as to the
 * coordinator's stamps, and the exact errors (the origin is known here).
 */
export interface ScheduleBaseline { stampsNs: bigint[]; dueNs: number[]; exactErrorsNs: Float64Array }

export function spinSchedule(rate: number, count: number): ScheduleBaseline {
  const dueNs = [...dueTimesNs({ rate, count })];
  const start = process.hrtime.bigint() + 1_000_000n;
  const stampsNs: bigint[] = [];
  const exact = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const target = start + BigInt(dueNs[i]!);
    let now = process.hrtime.bigint();
    while (now < target) now = process.hrtime.bigint();
    stampsNs.push(now);
    exact[i] = Number(now - target);
  }
  return { stampsNs, dueNs, exactErrorsNs: exact };
}

export async function timerSchedule(rate: number, count: number): Promise<ScheduleBaseline> {
  const dueNs = [...dueTimesNs({ rate, count })];
  const start = process.hrtime.bigint() + 1_000_000n;
  const stampsNs: bigint[] = [];
  const exact = new Float64Array(count);
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
