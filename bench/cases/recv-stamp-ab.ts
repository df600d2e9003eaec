// Focused A/B of the worker's receive stamps: --recv-stamp kernel vs user, interleaved (the order
// alternates every repetition) so both see the same minutes, with the two bare baselines beside
// them. Latency = worker recv_local_ns − coordinator send_local_ns (real worker, real coordinator
// in this process); CPU = the worker process's CPU per 1,000 recorded events (/proc schedstat).
// Usage: node dist/bench/cases/recv-stamp-ab.js [REPS=3] [COUNT_1K=2000] [COUNT_10K=10000]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runChronoeval } from './chronoeval-run.js';
import { kernelStampsUnavailable, runBareLatency } from './latency.js';
import { loadLine } from '../harness/machine.js';
import { spread } from '../harness/stats.js';

const reps = Number(process.argv[2] ?? 3);
const counts: Record<number, number> = { 1000: Number(process.argv[3] ?? 2000), 10_000: Number(process.argv[4] ?? 10_000) };
const why = kernelStampsUnavailable();
if (why) {
  process.stderr.write(`recv-stamp-ab: ${why}\n`);
  process.exit(2);
}

type Arm = 'kernel' | 'user' | 'bare-kernel' | 'bare-user';
interface Sample {
  rep: number;
  rate: number;
  arm: Arm;
  p50: number;
  p99: number;
  max: number;
  cpuPer1000Ms: number | null;
  lost: number;
}
const samples: Sample[] = [];
const root = mkdtempSync(path.join(os.tmpdir(), 'chronoeval-ab-'));
const us = (ns: number): number => ns / 1e3;

async function one(rep: number, rate: number, arm: Arm): Promise<void> {
  const count = counts[rate]!;
  let lat: Float64Array;
  let cpuNs: number | null;
  let events: number;
  let lost: number;
  if (arm === 'kernel' || arm === 'user') {
    const r = await runChronoeval({ rate, count, workers: 1, root, recvStamp: arm });
    const w = r.workers[0]!;
    lat = w.latenciesNs;
    cpuNs = w.cpuNs;
    events = w.csvRows;
    lost = r.sent - w.csvRows;
  } else {
    const r = await runBareLatency(rate, count, arm === 'bare-kernel' ? 'kernel' : 'user');
    lat = r.latenciesNs;
    cpuNs = r.cpuNs;
    events = r.received;
    lost = r.sent - r.received;
  }
  const s = spread(lat)!;
  const sample = {
    rep,
    rate,
    arm,
    p50: us(s.p50),
    p99: us(s.p99),
    max: us(s.max),
    cpuPer1000Ms: cpuNs === null ? null : (cpuNs / 1e6) * (1000 / events),
    lost,
  };
  samples.push(sample);
  process.stderr.write(
    `rep ${rep} ${rate}/s ${arm.padEnd(11)} p50 ${sample.p50.toFixed(1).padStart(7)} µs  p99 ${sample.p99.toFixed(0).padStart(6)} µs  max ${sample.max.toFixed(0).padStart(6)} µs  cpu ${sample.cpuPer1000Ms?.toFixed(2) ?? '—'} ms/1k ev  lost ${lost}\n`,
  );
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

try {
  process.stderr.write(`load before: ${loadLine()}\n`);
  for (let rep = 0; rep < reps; rep++) {
    for (const rate of [1000, 10_000]) {
      const order: Arm[] = rep % 2 === 0 ? ['kernel', 'bare-kernel', 'user', 'bare-user'] : ['user', 'bare-user', 'kernel', 'bare-kernel'];
      for (const arm of order) await one(rep, rate, arm);
    }
  }
  process.stderr.write(`load after: ${loadLine()}\n`);
  const lines = ['rate      arm          p50 µs (median of reps, range)     p99 µs (median, range)         CPU ms/1k ev (median, range)'];
  for (const rate of [1000, 10_000]) {
    for (const arm of ['kernel', 'user', 'bare-kernel', 'bare-user'] as Arm[]) {
      const ss = samples.filter((x) => x.rate === rate && x.arm === arm);
      const f = (k: 'p50' | 'p99' | 'cpuPer1000Ms', d: number): string => {
        const v = ss.map((x) => x[k]).filter((x): x is number => x !== null);
        return `${median(v).toFixed(d)} (${Math.min(...v).toFixed(d)}–${Math.max(...v).toFixed(d)})`;
      };
      lines.push(`${String(rate).padEnd(9)} ${arm.padEnd(12)} ${f('p50', 1).padEnd(34)} ${f('p99', 0).padEnd(30)} ${f('cpuPer1000Ms', 2)}`);
    }
    // Per-repetition ratios, kernel / user (same minutes).
    const ratio = (k: 'p50' | 'p99' | 'cpuPer1000Ms'): string => {
      const r: number[] = [];
      for (let rep = 0; rep < reps; rep++) {
        const kv = samples.find((x) => x.rep === rep && x.rate === rate && x.arm === 'kernel')?.[k];
        const uv = samples.find((x) => x.rep === rep && x.rate === rate && x.arm === 'user')?.[k];
        if (typeof kv === 'number' && typeof uv === 'number' && uv > 0) r.push(kv / uv);
      }
      return r.map((x) => x.toFixed(2)).join(', ');
    };
    lines.push(`${String(rate).padEnd(9)} kernel/user per rep: p50 ${ratio('p50')}; p99 ${ratio('p99')}; CPU ${ratio('cpuPer1000Ms')}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
} finally {
  rmSync(root, { recursive: true, force: true });
}
