// Where a worker's lost events went, from the kernel drop counter its summary recorded
// (recv_kernel_drops: datagrams the kernel discarded at the worker's socket, receive buffer full).
import type { WorkerSummaryRead } from '../../src/files/worker-summary.js';

/** A worker's lost events split by where they were lost; every field null without a counter. */
export interface KernelDropSplit {
  /** recv_kernel_drops from the summary; null when absent or unavailable (older worker, no counter). */
  kernel_drops: number | null;
  /** The counter read (SO_MEMINFO, SO_RXQ_OVFL, /proc/net/udp), or why it was unavailable; null without a summary field. */
  kernel_drops_from: string | null;
  /**
   * Lost events dropped at the worker's socket: min(lost, kernel_drops). An upper bound: the
   * counter also counts datagrams that were not this run's events (control, hostile traffic).
   */
  lost_at_socket: number | null;
  /** lost − lost_at_socket: lost before the socket (the network), or while the worker was not running. */
  lost_in_network: number | null;
}

export function kernelDropSplit(summary: WorkerSummaryRead | null, lost: number): KernelDropSplit {
  const d = summary?.recv_kernel_drops;
  const fromText = summary?.recv_kernel_drops_from ?? null;
  if (d === undefined || d === null || !Number.isSafeInteger(d) || d < 0) {
    return { kernel_drops: null, kernel_drops_from: fromText, lost_at_socket: null, lost_in_network: null };
  }
  const atSocket = Math.min(Math.max(lost, 0), d);
  return { kernel_drops: d, kernel_drops_from: fromText, lost_at_socket: atSocket, lost_in_network: Math.max(lost, 0) - atSocket };
}
