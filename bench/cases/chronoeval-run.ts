import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runCoordinator } from '../../src/coordinator/coordinator.js';
import { Logger } from '../../src/cli/logger.js';
import { runPaths } from '../../src/files/paths.js';
import { COORDINATOR_KERNEL_SEND, COORDINATOR_STAMPS, EVENT_COLUMNS, WORKER_STAMPS } from '../../src/files/columns.js';
import { newRunId } from '../../src/files/run-id.js';
import { exited, spawnWorker, type Listening } from '../harness/children.js';
import { processCpuNs } from '../harness/proc-cpu.js';
import { benchSchedule } from '../baselines/schedule-baseline.js';
import type { EchoMode } from '../../src/files/echo-summary.js';
import type { MulticastOptions } from '../../src/net/multicast.js';

export interface WorkerOutcome {
  node: string;
  /** summary.recorded as the worker reported it. */
  recorded: number;
  /** Distinct seqs among the data rows of workers/<node>.csv. */
  csvRows: number;
  /** One-way latency per recorded event (recv_local_ns − send_local_ns), ns. */
  latenciesNs: Float64Array;
  /** The same from the kernel send stamp (recv_local_ns − send_kernel_ns), events that have one only. */
  kernelSendLatenciesNs: Float64Array;
  /** Worker CPU from just before the coordinator started to the worker's summary line, ns. */
  cpuNs: number | null;
}

export interface ChronoevalOutcome {
  runId: string;
  sent: number;
  coordinatorRows: number;
  /** send_local_ns per seq, in seq order. */
  sendNs: bigint[];
  /** send_kernel_ns per seq (null: none, send_kernel_reason says why). */
  sendKernelNs: (bigint | null)[];
  workers: WorkerOutcome[];
  exitCode: number;
  /** CPU of this process (the coordinator runs in it) from the coordinator's start to its return, ns. */
  coordinatorCpuNs: number;
}

/** Column index by name, with a clear error when the file contract changed. */
function columnIndex(header: string, name: string, file: string): number {
  const i = header.split(',').indexOf(name);
  if (i < 0) throw new Error(`${file}: no column ${name}`);
  return i;
}

/** seq → value of column `col` over the data rows (our CSVs never quote these columns); an empty cell is left out. */
async function readColumnBySeq(file: string, col: string): Promise<Map<number, bigint>> {
  const text = await readFile(file, 'utf8');
  const lines = text.split('\n');
  const seqI = columnIndex(lines[0]!, EVENT_COLUMNS.seq, file);
  const colI = columnIndex(lines[0]!, col, file);
  const out = new Map<number, bigint>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const cells = line.split(',');
    if (cells[colI] !== '') out.set(Number(cells[seqI]), BigInt(cells[colI]!));
  }
  return out;
}

/**
 * One real run: `workers` real `chronoeval worker` processes (system source, loopback) and the
 * real coordinator (runCoordinator, in this process) sending `count` events at `rate`/s; then the
 * CSVs are read back. Every figure comes from the files the run wrote.
 */
export async function runChronoeval(opts: {
  rate: number;
  count: number;
  workers: number;
  root: string;
  recvStamp?: 'auto' | 'kernel' | 'user';
  /** The coordinator's --echo (default on, as the CLI's). */
  echo?: EchoMode;
  /** --transport multicast to this group (default unicast). */
  multicast?: MulticastOptions;
}): Promise<ChronoevalOutcome> {
  const runId = newRunId();
  const resultsDir = path.join(opts.root, 'results');
  const logsDir = path.join(opts.root, 'logs');
  const nodes = Array.from({ length: opts.workers }, (_, i) => `w${i + 1}`);
  const spawned: Listening[] = [];
  try {
    const m = opts.multicast;
    const extra = m ? ['--transport', 'multicast', '--group', `${m.group.address}:${m.group.port}`, '--multicast-interface', m.iface] : [];
    for (const n of nodes) spawned.push(await spawnWorker(runId, n, resultsDir, logsDir, opts.recvStamp, extra));
    const cpu0 = spawned.map((w) => processCpuNs(w.pid));
    const logger = new Logger('coordinator', path.join(logsDir, runId, 'coordinator.jsonl'), 'warn');
    const cpuBefore = process.cpuUsage();
    const res = await runCoordinator({
      runId,
      workers: spawned.map((w) => `127.0.0.1:${w.port}`),
      schedule: benchSchedule(opts.rate, opts.count),
      sources: ['system'],
      ntpServers: [],
      resultsDir,
      logsDir,
      key: null,
      pollMs: 1000,
      readyTimeoutS: 20,
      endTimeoutS: 20,
      logger,
      echo: opts.echo ?? 'on',
      multicast: m ?? null,
    });
    const cpuUsed = process.cpuUsage(cpuBefore);
    const coordinatorCpuNs = (cpuUsed.user + cpuUsed.system) * 1000;
    await logger.close();
    const finals = await Promise.all(spawned.map((w) => w.final));
    await Promise.all(spawned.map((w) => exited(w.child)));
    const paths = runPaths(resultsDir, logsDir, runId);
    const sends = await readColumnBySeq(paths.coordinatorCsv, COORDINATOR_STAMPS.local);
    const kernelSends = await readColumnBySeq(paths.coordinatorCsv, COORDINATOR_KERNEL_SEND.local);
    const sendNs: bigint[] = [];
    const sendKernelNs: (bigint | null)[] = [];
    for (let s = 0; s < res.sent; s++) {
      const v = sends.get(s);
      if (v === undefined) throw new Error(`coordinator.csv has no row for seq ${s}`);
      sendNs.push(v);
      sendKernelNs.push(kernelSends.get(s) ?? null);
    }
    const workers: WorkerOutcome[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const recv = await readColumnBySeq(paths.workerCsv(nodes[i]!), WORKER_STAMPS.local);
      const lat = new Float64Array(recv.size);
      const kLat: number[] = [];
      let k = 0;
      for (const [seq, r] of recv) {
        const s = sendNs[seq];
        if (s === undefined) throw new Error(`worker ${nodes[i]} recorded seq ${seq}, which the coordinator never sent`);
        lat[k++] = Number(r - s);
        const ks = sendKernelNs[seq];
        if (ks !== null && ks !== undefined) kLat.push(Number(r - ks));
      }
      const c0 = cpu0[i];
      const c1 = finals[i]!.cpuNs;
      workers.push({
        node: nodes[i]!,
        recorded: Number(finals[i]!.line.recorded),
        csvRows: recv.size,
        latenciesNs: lat,
        kernelSendLatenciesNs: Float64Array.from(kLat),
        cpuNs: c0 === null || c0 === undefined || c1 === null ? null : c1 - c0,
      });
    }
    return { runId, sent: res.sent, coordinatorRows: sends.size, sendNs, sendKernelNs, workers, exitCode: res.exitCode, coordinatorCpuNs };
  } finally {
    for (const w of spawned) w.kill();
  }
}
