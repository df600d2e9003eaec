// Analysis benchmark: generate a synthetic run directory (N events × W workers, the real column
// layout, simulated truth) and time `analyzeRun` on it, measuring the analysing process's peak RSS
// in a child process so the generator's memory does not count.
//
//   node dist/bench/cases/analysis.js [events=1000000] [workers=4] [--commit-wait] [--keep]
import { Prng } from '../../src/sim/prng.js';
import { spawn } from 'node:child_process';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  readdirSync,
  writeFileSync,
  type WriteStream,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMIT_WAIT_COLUMNS, coordinatorColumns, workerColumns } from '../../src/files/columns.js';
import { runDirPaths } from '../../src/files/paths.js';
import type { WorkerSummaryRead } from '../../src/files/worker-summary.js';

export interface SyntheticRunOptions {
  events: number;
  workers: number;
  /** Events per second (default 200). */
  rateHz?: number;
  seed?: number;
  /** Also write commit_wait/<node>.csv rows for the bounded source at these delays (default none). */
  commitWaitDelaysS?: number[];
  /** Share of (event, worker) deliveries lost (default 0.001). */
  lossRate?: number;
}

const T0_SEC = 1_763_740_800;
const SOURCES = ['system', 'ntp', 'bounded'];

/** The project's seeded PRNG (mulberry32), as a bare function. */
function mulberry32(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.next();
}

/** Relative ns (≥ 0, integer) → absolute epoch-ns text without a bigint. */
function absNs(rel: number): string {
  const r = Math.round(rel);
  const sec = Math.floor(r / 1e9);
  return `${T0_SEC + sec}${String(r - sec * 1e9).padStart(9, '0')}`;
}

class ChunkedWriter {
  private buf: string[] = [];
  private size = 0;
  private readonly stream: WriteStream;
  constructor(file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.stream = createWriteStream(file);
  }
  /** Queue a line; true when the buffer should be flushed (kept sync: no promise per row). */
  line(s: string): boolean {
    this.buf.push(s);
    this.size += s.length;
    return this.size > 1 << 20;
  }
  async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const text = this.buf.join('\n') + '\n';
    this.buf = [];
    this.size = 0;
    if (!this.stream.write(text)) await new Promise<void>((r) => this.stream.once('drain', () => r()));
  }
  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((r) => this.stream.end(r));
  }
}

/**
 * Write coordinator.csv, workers/<node>.csv (and optionally commit_wait/<node>.csv) for a
 * simulated run: each worker's clock has an offset and drift; `ntp` corrects most of it; `bounded`
 * adds an honest ±1 ms interval; truth columns are filled.
 */
export async function generateSyntheticRun(dir: string, o: SyntheticRunOptions): Promise<void> {
  const rand = mulberry32(o.seed ?? 1);
  const rate = o.rateHz ?? 200;
  const loss = o.lossRate ?? 0.001;
  const delays = o.commitWaitDelaysS ?? [];
  const runId = path.basename(dir);
  const nodes = Array.from({ length: o.workers }, (_, i) => `w${i + 1}`);
  const offsets = nodes.map(() => (rand() - 0.5) * 4e6); // ±2 ms
  const drifts = nodes.map(() => (rand() - 0.5) * 40e-6); // ±20 ppm
  const files = runDirPaths(dir);
  const coord = new ChunkedWriter(files.coordinatorCsv);
  coord.line(coordinatorColumns(SOURCES, false).join(','));
  const ws = nodes.map((n) => new ChunkedWriter(files.workerCsv(n)));
  for (const w of ws) w.line(workerColumns(SOURCES).join(','));
  const cws = delays.length ? nodes.map((n) => new ChunkedWriter(files.commitWaitCsv(n))) : [];
  for (const c of cws) c.line(COMMIT_WAIT_COLUMNS.join(','));
  const period = 1e9 / rate;
  const start = 5e9;
  for (let e = 0; e < o.events; e++) {
    if (e % 2000 === 0) for (const wr of [coord, ...ws, ...cws]) await wr.flush();
    const tSend = start + e * period;
    const cOff = 150e3 * Math.sin(e / 5000); // the coordinator's own small wander
    const cLocal = tSend + cOff;
    const cNtp = tSend + (rand() - 0.5) * 200e3;
    const cHw = 1e6;
    coord.line(
      `${runId},${e},${e},${absNs(cLocal)},${absNs(cLocal)},,,ok,${absNs(cNtp)},,,ok,${absNs(cNtp)},${absNs(cNtp - cHw)},${absNs(cNtp + cHw)},ok,${absNs(tSend)}`,
    );
    for (let w = 0; w < o.workers; w++) {
      if (rand() < loss) continue;
      const tRecv = tSend + 80e3 + rand() * 400e3; // 80–480 µs one way
      const local = tRecv + offsets[w]! + drifts[w]! * tRecv;
      const ntp = tRecv + (rand() - 0.5) * 300e3;
      const hw = 1e6 + rand() * 2e5;
      const ntpStatus = e < 50 && w === 0 ? 'warming' : 'ok';
      const ntpCells = ntpStatus === 'ok' ? `${absNs(ntp)},,,ok` : ',,,warming';
      ws[w]!.line(
        `${runId},${nodes[w]},${e},${e},${absNs(local)},${absNs(local)},,,ok,${ntpCells},${absNs(ntp)},${absNs(ntp - hw)},${absNs(ntp + hw)},ok,${absNs(tRecv)}`,
      );
      for (const d of delays) {
        const shrink = 0.2 + 0.3 * rand();
        cws[w]!.line(
          `${runId},${nodes[w]},${e},${e},bounded,${d},${absNs(local)},${absNs(local + d * 1e9)},${absNs(ntp)},${absNs(ntp - hw * shrink)},${absNs(ntp + hw * shrink)},ok,${absNs(tRecv)}`,
        );
      }
    }
  }
  await coord.close();
  for (const w of ws) await w.close();
  for (const c of cws) await c.close();
  // A real worker records its re-estimation delays in its summary; the analysis reads them there
  // (without them it would scan each commit-wait file first).
  if (delays.length) {
    for (const n of nodes) {
      const summary: WorkerSummaryRead = { run_id: runId, node_id: n, commit_wait: { delays_s: delays, sources: ['bounded'] } };
      writeFileSync(files.workerSummary(n), JSON.stringify(summary));
    }
  }
}

export interface AnalysisBenchResult {
  events: number;
  workers: number;
  commitWaitDelaysS: number[];
  inputBytes: number;
  generateMs: number;
  analyzeMs: number;
  /** CPU time (user + system) of the analysing process, all threads: on a shared, loaded machine the fairer number. */
  analyzeCpuMs: number;
  /**
   * CPU time of its main thread alone (Linux; null elsewhere): with parse threads this, not the
   * total, is the critical path when a core is free.
   */
  analyzeMainThreadCpuMs: number | null;
  /** CPU time of each of its threads (ms, main thread first; Linux; empty elsewhere): parse, fold and V8's own. */
  analyzeThreadsCpuMs: number[];
  /** Peak resident set of the analysing child process, MiB. */
  peakRssMiB: number;
  eventsPerSecond: number;
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

/** Generate a run, analyse it in a child process, return timings and peak RSS. */
interface AnalysisChildResult {
  ms: number;
  cpuMs: number;
  mainCpuMs: number | null;
  threadsCpuMs?: number[];
  maxRssKiB: number;
}

export async function benchAnalysis(o: Partial<SyntheticRunOptions> & { keep?: boolean } = {}): Promise<AnalysisBenchResult> {
  const events = o.events ?? 1_000_000;
  const workers = o.workers ?? 4;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chronoeval-bench-analysis-'));
  try {
    const g0 = performance.now();
    await generateSyntheticRun(dir, { ...o, events, workers });
    const generateMs = performance.now() - g0;
    const child = await runChild(dir);
    return {
      events,
      workers,
      commitWaitDelaysS: o.commitWaitDelaysS ?? [],
      inputBytes: dirBytes(dir),
      generateMs,
      analyzeMs: child.ms,
      analyzeCpuMs: child.cpuMs,
      analyzeMainThreadCpuMs: child.mainCpuMs ?? null,
      analyzeThreadsCpuMs: child.threadsCpuMs ?? [],
      peakRssMiB: child.maxRssKiB / 1024,
      eventsPerSecond: events / (child.ms / 1000),
    };
  } finally {
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
}

function runChild(dir: string): Promise<AnalysisChildResult> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [self, '--child', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`analysis child exited ${code}`));
        return;
      }
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as AnalysisChildResult);
      } catch (e) {
        reject(e);
      }
    });
  });
}

async function childMain(dir: string): Promise<void> {
  const { analyzeRun } = await import('../../analysis/index.js');
  const before = threadCpuMs();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  // threads end before analyzeRun returns: sample their CPU while it runs
  const seen = new Map(before);
  const sampler = setInterval(() => {
    for (const [t, v] of threadCpuMs()) seen.set(t, v);
  }, 50);
  await analyzeRun(dir, {});
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  clearInterval(sampler);
  for (const [t, v] of threadCpuMs()) seen.set(t, v);
  const used = [...seen].map(([t, v]) => [t, v - (before.get(t) ?? 0)] as const).filter(([, v]) => v > 0.5);
  const mainCpuMs = seen.has(process.pid) ? seen.get(process.pid)! - (before.get(process.pid) ?? 0) : null;
  const threadsCpuMs = [
    mainCpuMs ?? 0,
    ...used
      .filter(([t]) => t !== process.pid)
      .map(([, v]) => v)
      .sort((a, b) => b - a),
  ].map((v) => Math.round(v));
  process.stdout.write(
    JSON.stringify({
      ms,
      cpuMs: (c.user + c.system) / 1000,
      mainCpuMs,
      threadsCpuMs: mainCpuMs === null ? [] : threadsCpuMs,
      maxRssKiB: process.resourceUsage().maxRSS,
    }) + '\n',
  );
}

/** CPU time (ms) of each thread of this process from /proc (ns resolution; empty where there is none). */
function threadCpuMs(): Map<number, number> {
  const out = new Map<number, number>();
  try {
    for (const t of readdirSync('/proc/self/task')) {
      try {
        out.set(Number(t), Number(readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').split(' ')[0]) / 1e6);
      } catch {
        /* thread gone */
      }
    }
  } catch {
    /* not Linux */
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await childMain(args[1]!);
  } else {
    const nums = args.filter((a) => /^\d+$/.test(a)).map(Number);
    const r = await benchAnalysis({
      events: nums[0] ?? 1_000_000,
      workers: nums[1] ?? 4,
      commitWaitDelaysS: args.includes('--commit-wait') ? [30, 60] : [],
      keep: args.includes('--keep'),
    });
    process.stdout.write(JSON.stringify(r) + '\n');
  }
}
