import os from 'node:os';
import { readFileSync } from 'node:fs';

/** What the figures were measured on, printed above the table. */
export function machineLine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  const memGiB = (os.totalmem() / 2 ** 30).toFixed(1);
  return `${model} × ${cpus.length} logical CPUs, ${memGiB} GiB RAM, ${os.type()} ${os.release()} ${os.arch()}, Node ${process.version}`;
}

/** 1-minute load average and how many processes were runnable right now (other people's work). */
export function loadLine(): string {
  const [l1, l5] = os.loadavg();
  let running = '';
  try {
    const m = /procs_running (\d+)/.exec(readFileSync('/proc/stat', 'utf8'));
    if (m) running = `, ${m[1]} runnable`;
  } catch {
    /* not Linux */
  }
  return `load ${l1!.toFixed(2)} (1 min) ${l5!.toFixed(2)} (5 min)${running}`;
}
