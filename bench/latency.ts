import { encodeMessage } from '../src/protocol/messages.js';
import { bareSend } from './bare-sender.js';
import { spawnBareReceiver, exited } from './children.js';
import { runChronoeval, type ChronoevalOutcome } from './chronoeval-run.js';
import { processCpuNs } from './proc-cpu.js';

/** Bytes of a real event datagram (system source, no key), so the baseline sends the same size. */
export function eventDatagramBytes(seq: number): number {
  const stamp = '1795281411557043693';
  return encodeMessage({ v: 1, k: 'ev', run: '20261121T172102Z-abcdef', id: seq, seq, st: { system: [stamp, '', '', 'ok'] } }, null).length;
}

export interface BareOutcome { sent: number; received: number; latenciesNs: Float64Array; cpuNs: number | null }

/** Baseline: bare dgram sender (this process, the coordinator's waitUntil) → bare receiver child. */
export async function runBareLatency(rate: number, count: number): Promise<BareOutcome> {
  const rx = await spawnBareReceiver(count, true);
  try {
    const c0 = processCpuNs(rx.pid);
    const sent = await bareSend([rx.port], rate, count, eventDatagramBytes(Math.floor(count / 2)), 'paced');
    const fin = await rx.final;
    await exited(rx.child);
    const lat = Float64Array.from(fin.line.latencies_ns as number[]);
    return { sent: sent.sent, received: Number(fin.line.distinct), latenciesNs: lat, cpuNs: c0 === null || fin.cpuNs === null ? null : fin.cpuNs - c0 };
  } finally {
    rx.kill();
  }
}

export interface LatencyPair { rate: number; count: number; chronoeval: ChronoevalOutcome; bare: BareOutcome }

/** chronoeval (1 worker) and the bare baseline at the same rate and count, one after the other. */
export async function latencyPair(rate: number, count: number, root: string): Promise<LatencyPair> {
  const chronoeval = await runChronoeval({ rate, count, workers: 1, root });
  const bare = await runBareLatency(rate, count);
  return { rate, count, chronoeval, bare };
}
