// Kernel send stamps (SO_TIMESTAMPING transmit stamps, coordinator.csv send_kernel_ns) on
// loopback: how far the JS send stamp is from the kernel's (send_kernel_ns − send_local_ns), and
// one-way latency from the kernel send stamp to the worker's kernel receive stamp beside the same
// from the JS stamp and the bare kernel baseline (bare sender → bare addon receiver), interleaved.
// Usage: node dist/bench/cases/tx-stamp.js [REPS=3] [COUNT=3000]   (1,000 events/s, 1 worker)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChronoeval, type ChronoevalOutcome } from './chronoeval-run.js';
import { kernelStampsUnavailable, runBareLatency } from './latency.js';
import { loadLine } from '../harness/machine.js';
import { spread, type Spread } from '../harness/stats.js';

export interface SendStampFigures {
  /** send_kernel_ns − send_local_ns over the events that have both (ns): how late the JS stamp is... or early. */
  jsError: Spread | null;
  /** Worker 1's recv_local_ns − send_kernel_ns (ns). */
  kernelLatency: Spread | null;
  /** Worker 1's recv_local_ns − send_local_ns (ns). */
  jsLatency: Spread | null;
  /** Events without a kernel send stamp. */
  unstamped: number;
}

export function sendStampFigures(c: ChronoevalOutcome): SendStampFigures {
  const err: number[] = [];
  let unstamped = 0;
  c.sendKernelNs.forEach((k, seq) => {
    if (k === null) unstamped++;
    else err.push(Number(k - c.sendNs[seq]!));
  });
  const w = c.workers[0]!;
  return { jsError: spread(err), kernelLatency: spread(w.kernelSendLatenciesNs), jsLatency: spread(w.latenciesNs), unstamped };
}

async function main(): Promise<void> {
  const reps = Number(process.argv[2] ?? 3);
  const count = Number(process.argv[3] ?? 3000);
  const why = kernelStampsUnavailable();
  if (why) {
    process.stderr.write(`tx-stamp: ${why}\n`);
    process.exit(2);
  }
  const root = mkdtempSync(path.join(os.tmpdir(), 'chronoeval-txstamp-'));
  const us = (ns: number | undefined): string => (ns === undefined ? '—' : (ns / 1e3).toFixed(2));
  try {
    process.stderr.write(`load before: ${loadLine()}\n`);
    const lines: string[] = [];
    for (let rep = 0; rep < reps; rep++) {
      // The order alternates so that neither arm always runs first.
      let c: ChronoevalOutcome;
      let bare: Awaited<ReturnType<typeof runBareLatency>>;
      if (rep % 2 === 0) {
        c = await runChronoeval({ rate: 1000, count, workers: 1, root, recvStamp: 'kernel' });
        bare = await runBareLatency(1000, count, 'kernel');
      } else {
        bare = await runBareLatency(1000, count, 'kernel');
        c = await runChronoeval({ rate: 1000, count, workers: 1, root, recvStamp: 'kernel' });
      }
      const f = sendStampFigures(c);
      const b = spread(bare.latenciesNs);
      const ratio = (x: Spread | null, k: 'p50' | 'p99'): string => (x && b ? (x[k] / b[k]).toFixed(2) : '—');
      lines.push(
        `rep ${rep}: JS stamp error (kernel TX − JS) p50 ${us(f.jsError?.p50)} p99 ${us(f.jsError?.p99)} max ${us(f.jsError?.max)} µs; ` +
          `latency kernel TX→RX p50 ${us(f.kernelLatency?.p50)} p99 ${us(f.kernelLatency?.p99)} µs; JS→RX p50 ${us(f.jsLatency?.p50)} p99 ${us(f.jsLatency?.p99)} µs; ` +
          `bare kernel p50 ${us(b?.p50)} p99 ${us(b?.p99)} µs; kernel TX→RX / bare: p50 ${ratio(f.kernelLatency, 'p50')} p99 ${ratio(f.kernelLatency, 'p99')}; ` +
          `JS→RX / bare: p50 ${ratio(f.jsLatency, 'p50')} p99 ${ratio(f.jsLatency, 'p99')}; events without a kernel send stamp ${f.unstamped}/${c.sent}; ` +
          `lost ${c.sent - c.workers[0]!.csvRows} (bare ${bare.sent - bare.received})`,
      );
      process.stderr.write(lines[lines.length - 1] + '\n');
    }
    process.stderr.write(`load after: ${loadLine()}\n`);
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
