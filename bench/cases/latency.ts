import { encodeMessage } from '../../src/protocol/messages.js';
import { loadUdpStampAddon } from '../../src/net/udp-stamp-addon.js';
import { bareSend } from '../baselines/bare-sender.js';
import { spawnBareReceiver, exited } from '../harness/children.js';
import { runChronoeval, type ChronoevalOutcome } from './chronoeval-run.js';
import { processCpuNs } from '../harness/proc-cpu.js';

/** Bytes of a real event datagram (system source, no key), so the baseline sends the same size. */
export function eventDatagramBytes(seq: number): number {
  const stamp = '1795281411557043693';
  return encodeMessage({ v: 1, k: 'ev', run: '20261121T172102Z-abcdef', id: seq, seq, st: { system: [stamp, '', '', 'ok'] } }, null).length;
}

export interface BareOutcome {
  sent: number;
  received: number;
  unstamped: number;
  latenciesNs: Float64Array;
  cpuNs: number | null;
}

/**
 * Baseline: bare dgram sender (this process, the coordinator's waitUntil) → bare receiver child,
 * stamping in its dgram callback (`user`) or taking the kernel's stamp via the udp_stamp addon (`kernel`).
 */
export async function runBareLatency(rate: number, count: number, stamp: 'user' | 'kernel' = 'user'): Promise<BareOutcome> {
  const rx = await spawnBareReceiver(count, true, stamp);
  try {
    const c0 = processCpuNs(rx.pid);
    const sent = await bareSend([rx.port], rate, count, eventDatagramBytes(Math.floor(count / 2)), 'paced');
    const fin = await rx.final;
    await exited(rx.child);
    const lat = Float64Array.from(fin.line.latencies_ns as number[]);
    return {
      sent: sent.sent,
      received: Number(fin.line.distinct),
      unstamped: Number(fin.line.unstamped ?? 0),
      latenciesNs: lat,
      cpuNs: c0 === null || fin.cpuNs === null ? null : fin.cpuNs - c0,
    };
  } finally {
    rx.kill();
  }
}

/** Why kernel receive stamps cannot be measured here, or null when the addon loads. */
export function kernelStampsUnavailable(): string | null {
  const a = loadUdpStampAddon();
  return 'error' in a ? a.error : null;
}

/**
 * Figure 1 at one rate: chronoeval with kernel receive stamps (the worker's default) and with
 * --recv-stamp user, each beside its bare baseline (the same stamping in a bare receiver), run
 * interleaved so that the four see the same minutes. Without the addon the kernel pair is null.
 */
export interface LatencySet {
  rate: number;
  count: number;
  kernel: ChronoevalOutcome | null;
  bareKernel: BareOutcome | null;
  user: ChronoevalOutcome;
  bareUser: BareOutcome;
}

export async function latencySet(rate: number, count: number, root: string): Promise<LatencySet> {
  const kernelOk = kernelStampsUnavailable() === null;
  const kernel = kernelOk ? await runChronoeval({ rate, count, workers: 1, root, recvStamp: 'kernel' }) : null;
  const bareKernel = kernelOk ? await runBareLatency(rate, count, 'kernel') : null;
  const user = await runChronoeval({ rate, count, workers: 1, root, recvStamp: 'user' });
  const bareUser = await runBareLatency(rate, count, 'user');
  return { rate, count, kernel, bareKernel, user, bareUser };
}
