import { readFileSync, readdirSync } from 'node:fs';

/**
 * CPU time a live process has used so far, in ns: the sum of sum_exec_runtime over its threads
 * (/proc/<pid>/task/<tid>/schedstat, ns resolution; Node runs a main thread plus libuv and V8
 * helper threads). Falls back to utime+stime from /proc/<pid>/stat (clock ticks) if schedstat is
 * absent. Returns null when the process is gone.
 */
export function processCpuNs(pid: number): number | null {
  try {
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const f = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8');
      total += Number(f.split(' ')[0]);
    }
    return total;
  } catch {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is field 3 (state): utime is field 14, stime field 15.
      const ticks = Number(fields[11]) + Number(fields[12]);
      return (ticks * 1e9) / 100; // USER_HZ is 100 on Linux
    } catch {
      return null;
    }
  }
}
