// `npm run bench`: chronoeval's performance figures, each beside a baseline measured in the same
// run on the same machine, as one table (docs/performance.md explains every figure and its limit).
// Usage: node dist/bench/run.js [--quick] [--json FILE] [--keep]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_DIST } from './harness/children.js';
import { sendStampFigures } from './cases/tx-stamp.js';
import { kernelStampsUnavailable, latencySet, type BareOutcome, type LatencySet } from './cases/latency.js';
import type { ChronoevalOutcome } from './cases/chronoeval-run.js';
import { SCALE_TARGET, describeScale, type ScaleResult } from './cases/ordering-scale.js';
import { loadLine, machineLine } from './harness/machine.js';
import { bareStep, chronoevalStep, climbInterleaved, type RateSearch } from './cases/rate.js';
import { benchSchedule, spinSchedule, timerSchedule } from './baselines/schedule-baseline.js';
import { relativeScheduleErrors, spread, type Spread } from './harness/stats.js';
import { renderTable, fmt, type Row } from './harness/table.js';
import { runAnalysisHook, type AnalysisFigures } from './harness/analysis-hook.js';
import { runFiguresHook } from './harness/figures-hook.js';
import { dueTimesNs } from '../src/coordinator/schedule.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const keep = args.includes('--keep');
const jsonAt = args.indexOf('--json');
const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
for (const a of args)
  if (!['--quick', '--keep', '--json', jsonFile].includes(a)) {
    process.stderr.write(`bench: unknown argument "${a}"\nusage: node dist/bench/run.js [--quick] [--json FILE] [--keep]\n`);
    process.exit(2);
  }

const started = Date.now();
/**
 * Everything but the analysis figures must fit in this, so the whole bench stays under 5 minutes
 * (figure 1's four interleaved runs per rate take ~15 s more than the two they replaced).
 */
const BUDGET_MS = quick ? 70_000 : 115_000;
/** The optional figures bench only starts before this, so the whole bench stays under 5 minutes. */
const FIGURES_LATEST_MS = quick ? 120_000 : 210_000;
const log = (s: string): void => {
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${s}\n`);
};
const us = (ns: number | undefined | null): number | null => (ns === undefined || ns === null ? null : ns / 1e3);

const script = `node ${path.relative(process.cwd(), process.argv[1]!) || process.argv[1]} ${args.join(' ')}`.trim();
// Under npm (npm run bench) say so: that is the command the figures are documented with.
const commandLine =
  process.env.npm_lifecycle_event === 'bench' ? `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}  (${script})` : script;
const root = mkdtempSync(path.join(os.tmpdir(), 'chronoeval-bench-'));
const loadBefore = loadLine();

/** HostClock anchors (realtime − monotonic) of n fresh processes, relative to their median, ns. */
function anchorSpread(n: number): number[] {
  const offsets: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const line = execFileSync(process.execPath, [path.join(BENCH_DIST, 'cases/anchor-probe.js')], { encoding: 'utf8' });
    offsets.push(BigInt((JSON.parse(line) as { offset_ns: string }).offset_ns));
  }
  const sorted = [...offsets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return offsets.map((o) => Number(o - median));
}

const negatives = (a: Float64Array): number => a.reduce((n, v) => n + (v < 0 ? 1 : 0), 0);
const negs = (p: LatencySet): string =>
  `${p.kernel ? negatives(p.kernel.workers[0]!.latenciesNs) : '—'} (kernel) ${negatives(p.user.workers[0]!.latenciesNs)} (user)`;

function describeSteps(r: RateSearch): string {
  const steps = r.steps.map((s) => `${s.rate / 1000}k→${(s.achieved / 1000).toFixed(1)}k${s.lossFree ? '✓' : '✗'}`).join(' ');
  const losses = r.steps.filter((s) => !s.lossFree).map((s) => `${s.rate}/s: ${s.detail}`);
  return `${steps}; stopped: ${r.stoppedBy}${losses.length ? ` (${losses.join(' | ')})` : ''}`;
}

const lostC = (c: ChronoevalOutcome | null): string => (c ? String(c.sent - c.workers[0]!.csvRows) : '—');
const lostB = (b: BareOutcome | null): string => (b ? String(b.sent - b.received) : '—');
function lossOf(p: LatencySet): string {
  return `chronoeval ${lostC(p.kernel)} (kernel) ${lostC(p.user)} (user), baselines ${lostB(p.bareKernel)} (kernel) ${lostB(p.bareUser)} (user)`;
}

type MulticastFigures =
  | { unicast: RateSearch; multicast: RateSearch; seconds: number; coordinatorCpuMsPer1000: { unicast: number; multicast: number } }
  | { skipped: string };

/**
 * A bench case in a fresh process: its stderr lines go to the log, its last stdout line is its
 * JSON result; a case that prints none is skipped with its exit status.
 */
function caseInProcess<T>(file: string, args: string[], log: (s: string) => void): T | { skipped: string } {
  const r = spawnSync(process.execPath, [path.join(BENCH_DIST, file), ...args], { encoding: 'utf8', timeout: 240_000 });
  for (const l of r.stderr.split('\n').filter(Boolean)) log(l);
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
  } catch {
    return { skipped: `bench/${file} exited ${r.status ?? r.signal} without a result` };
  }
}

/** bench/cases/multicast.ts in its own process (it builds and enters a network namespace). */
function multicastCase(quick: boolean, log: (s: string) => void): MulticastFigures {
  return caseInProcess<MulticastFigures>('cases/multicast.js', quick ? ['--quick'] : [], log);
}

/** bench/cases/ordering-scale.ts in a fresh process: 64 workers beside 4 workers of the same readings. */
function scaleCase(quick: boolean, log: (s: string) => void): ScaleResult | { skipped: string } {
  return caseInProcess<ScaleResult>('cases/ordering-scale.js', [...(quick ? ['64', '1500', '2'] : ['64', '6000', '2']), '--json'], log);
}

async function main(): Promise<void> {
  log(`machine: ${machineLine()}; ${loadBefore}; scratch ${root}`);
  const anchors = anchorSpread(quick ? 3 : 7);
  log(`HostClock anchors of fresh processes around their median (µs): ${anchors.map((a) => (a / 1e3).toFixed(1)).join(', ')}`);

  const n1k = quick ? 1000 : 3000;
  const n10k = quick ? 5000 : 20_000;
  const noKernel = kernelStampsUnavailable();
  if (noKernel) log(`kernel receive stamps cannot be measured: ${noKernel}`);
  log(`latency at 1,000 ev/s: ${n1k} events, 1 worker: --recv-stamp kernel, bare kernel receiver, --recv-stamp user, bare dgram receiver`);
  const l1k = await latencySet(1000, n1k, root);
  log(`latency at 10,000 ev/s: ${n10k} events, 1 worker, the same four`);
  const l10k = await latencySet(10_000, n10k, root);

  log('schedule error baselines at 1,000 ev/s: busy-spin loop, setTimeout loop');
  const due1k = [...dueTimesNs(benchSchedule(1000, n1k))];
  const coordErr = spread(relativeScheduleErrors((l1k.kernel ?? l1k.user).sendNs, due1k));
  const spin = spinSchedule(1000, n1k);
  const spinErr = spread(relativeScheduleErrors(spin.stampsNs, spin.dueNs));
  const spinExact = spread(spin.exactErrorsNs);
  const timer = await timerSchedule(1000, quick ? 500 : 1000);
  const timerExact = spread(timer.exactErrorsNs);

  const seconds = quick ? 1 : 1.5;
  const deadline = started + BUDGET_MS;
  log(`highest zero-loss rate to 4 workers, chronoeval and bare receivers interleaved (${seconds} s per step)`);
  const [chronoRate, bareRate] = (await climbInterleaved(
    quick ? [5000, 10_000, 20_000] : [5000, 10_000, 15_000, 20_000, 25_000, 30_000, 40_000, 60_000, 80_000, 120_000],
    [
      { name: 'chronoeval', step: (r, a) => chronoevalStep(r, a, seconds, 4, root) },
      { name: 'bare', step: (r, a) => bareStep(r, a, seconds, 4) },
    ],
    deadline,
    log,
  )) as [RateSearch, RateSearch];

  log('analysis time and peak memory (bench/cases/analysis.ts)');
  const analysis: AnalysisFigures = await runAnalysisHook({ quick, root, log });
  log('analysis CPU at 64 workers beside 4 workers of the same readings (bench/cases/ordering-scale.ts)');
  const scale = scaleCase(quick, log);
  log('figures and report (bench/cases/figures.ts), if time is left');
  const elapsedMs = Date.now() - started;
  const figures = await runFiguresHook({
    events: quick ? 10_000 : 100_000,
    workers: 4,
    log,
    skipReason:
      elapsedMs > FIGURES_LATEST_MS ? `skipped: ${Math.round(elapsedMs / 1000)} s already spent, to keep the bench under 5 minutes` : null,
  });

  log('highest zero-loss rate to 16 workers, multicast and unicast interleaved, in a namespace (bench/cases/multicast.ts)');
  const mcast = multicastCase(quick, log);

  const lat = (s: Spread | null, k: 'p50' | 'p99' | 'max'): number | null => us(s?.[k]);
  const latOf = (c: ChronoevalOutcome | null): Spread | null => (c ? spread(c.workers[0]!.latenciesNs) : null);
  const latOfBare = (b: BareOutcome | null): Spread | null => (b ? spread(b.latenciesNs) : null);
  // Kernel receive stamps (the worker's default) beside the bare addon receiver; JS stamps
  // (--recv-stamp user) beside the bare dgram receiver.
  const [c1k, b1k, u1k, bu1k] = [latOf(l1k.kernel), latOfBare(l1k.bareKernel), latOf(l1k.user), latOfBare(l1k.bareUser)];
  const [c10k, b10k, u10k, bu10k] = [latOf(l10k.kernel), latOfBare(l10k.bareKernel), latOf(l10k.user), latOfBare(l10k.bareUser)];
  const per1000 = (cpuNs: number | null, events: number): number | null =>
    cpuNs === null || events === 0 ? null : (cpuNs / 1e6) * (1000 / events);
  const tx1k = l1k.kernel ? sendStampFigures(l1k.kernel) : null;
  const cpuOf = (c: ChronoevalOutcome | null): number | null => (c ? per1000(c.workers[0]!.cpuNs, c.workers[0]!.csvRows) : null);
  const cpuOfBare = (b: BareOutcome | null): number | null => (b ? per1000(b.cpuNs, b.received) : null);
  const le = (v: number | null, t: number): boolean | null => (v === null ? null : v <= t);
  const U = ', --recv-stamp user';
  const rows: Row[] = [
    {
      id: '1a',
      figure: 'latency p50 @ 1,000 ev/s',
      value: lat(c1k, 'p50'),
      baseline: lat(b1k, 'p50'),
      unit: 'µs',
      target: '≤ 50 µs',
      met: le(lat(c1k, 'p50'), 50),
    },
    {
      id: '1a',
      figure: 'latency p99 @ 1,000 ev/s',
      value: lat(c1k, 'p99'),
      baseline: lat(b1k, 'p99'),
      unit: 'µs',
      target: '≤ 200 µs',
      met: le(lat(c1k, 'p99'), 200),
    },
    { id: '1a', figure: 'latency max @ 1,000 ev/s', value: lat(c1k, 'max'), baseline: lat(b1k, 'max'), unit: 'µs', target: '', met: null },
    {
      id: '1a',
      figure: `latency p50 @ 1,000 ev/s${U}`,
      value: lat(u1k, 'p50'),
      baseline: lat(bu1k, 'p50'),
      unit: 'µs',
      target: '',
      met: null,
    },
    {
      id: '1a',
      figure: `latency p99 @ 1,000 ev/s${U}`,
      value: lat(u1k, 'p99'),
      baseline: lat(bu1k, 'p99'),
      unit: 'µs',
      target: '',
      met: null,
    },
    {
      id: '1a',
      figure: `latency max @ 1,000 ev/s${U}`,
      value: lat(u1k, 'max'),
      baseline: lat(bu1k, 'max'),
      unit: 'µs',
      target: '',
      met: null,
    },
    {
      id: '1b',
      figure: 'latency p50 @ 10,000 ev/s',
      value: lat(c10k, 'p50'),
      baseline: lat(b10k, 'p50'),
      unit: 'µs',
      target: '',
      met: null,
    },
    {
      id: '1b',
      figure: 'latency p99 @ 10,000 ev/s',
      value: lat(c10k, 'p99'),
      baseline: lat(b10k, 'p99'),
      unit: 'µs',
      target: '',
      met: null,
    },
    {
      id: '1b',
      figure: 'latency max @ 10,000 ev/s',
      value: lat(c10k, 'max'),
      baseline: lat(b10k, 'max'),
      unit: 'µs',
      target: '',
      met: null,
    },
    {
      id: '1b',
      figure: `latency p50 @ 10,000 ev/s${U}`,
      value: lat(u10k, 'p50'),
      baseline: lat(bu10k, 'p50'),
      unit: 'µs',
      target: '',
      met: null,
    },
    {
      id: '1b',
      figure: `latency p99 @ 10,000 ev/s${U}`,
      value: lat(u10k, 'p99'),
      baseline: lat(bu10k, 'p99'),
      unit: 'µs',
      target: '',
      met: null,
    },
    {
      id: '1b',
      figure: `latency max @ 10,000 ev/s${U}`,
      value: lat(u10k, 'max'),
      baseline: lat(bu10k, 'max'),
      unit: 'µs',
      target: '',
      met: null,
    },
    // Kernel send stamps (coordinator.csv send_kernel_ns) in the 1a kernel run: the JS stamp's
    // distance from them, and latency from them to the worker's kernel receive stamp.
    {
      id: '1c',
      figure: 'JS send stamp vs kernel TX stamp p50 @ 1,000 ev/s',
      value: lat(tx1k?.jsError ?? null, 'p50'),
      baseline: null,
      unit: 'µs',
      target: '',
      met: null,
      note: tx1k ? `${tx1k.unstamped} events without a kernel send stamp` : 'no kernel run',
    },
    {
      id: '1c',
      figure: 'JS send stamp vs kernel TX stamp p99 @ 1,000 ev/s',
      value: lat(tx1k?.jsError ?? null, 'p99'),
      baseline: null,
      unit: 'µs',
      target: '',
      met: null,
    },
    {
      id: '1c',
      figure: 'latency kernel TX → kernel RX p50 @ 1,000 ev/s',
      value: lat(tx1k?.kernelLatency ?? null, 'p50'),
      baseline: lat(b1k, 'p50'),
      unit: 'µs',
      target: '',
      met: null,
    },
    {
      id: '1c',
      figure: 'latency kernel TX → kernel RX p99 @ 1,000 ev/s',
      value: lat(tx1k?.kernelLatency ?? null, 'p99'),
      baseline: lat(b1k, 'p99'),
      unit: 'µs',
      target: '≤ 2× baseline',
      met: tx1k?.kernelLatency && b1k ? tx1k.kernelLatency.p99 <= 2 * b1k.p99 : null,
    },
    {
      id: '2',
      figure: 'send-time error p50 @ 1,000 ev/s',
      value: lat(coordErr, 'p50'),
      baseline: lat(spinErr, 'p50'),
      unit: 'µs',
      target: '',
      met: null,
    },
    {
      id: '2',
      figure: 'send-time error p99 @ 1,000 ev/s',
      value: lat(coordErr, 'p99'),
      baseline: lat(spinErr, 'p99'),
      unit: 'µs',
      target: '≤ 100 µs',
      met: le(lat(coordErr, 'p99'), 100),
    },
    {
      id: '3',
      figure: 'max zero-loss rate, 4 workers',
      value: chronoRate.best?.achieved ?? null,
      baseline: bareRate.best?.achieved ?? null,
      unit: 'ev/s',
      target: '≥ 20,000 ev/s',
      met: chronoRate.best ? chronoRate.best.achieved >= 20_000 : false,
    },
    {
      id: '3m',
      figure: 'max zero-loss rate, 16 workers, multicast',
      value: 'skipped' in mcast ? null : (mcast.multicast.best?.achieved ?? null),
      baseline: 'skipped' in mcast ? null : (mcast.unicast.best?.achieved ?? null),
      unit: 'ev/s',
      target: '≥ 10,000 ev/s',
      met: 'skipped' in mcast ? null : (mcast.multicast.best?.achieved ?? 0) >= 10_000,
    },
    {
      id: '4',
      figure: 'worker CPU per 1,000 events',
      value: cpuOf(l10k.kernel),
      baseline: cpuOfBare(l10k.bareKernel),
      unit: 'ms',
      target: '',
      met: null,
    },
    {
      id: '4',
      figure: `worker CPU per 1,000 events${U}`,
      value: cpuOf(l10k.user),
      baseline: cpuOfBare(l10k.bareUser),
      unit: 'ms',
      target: '',
      met: null,
    },
    ...analysis.rows,
    'skipped' in scale
      ? {
          id: '5s',
          figure: 'analysis CPU, 64 workers',
          value: null,
          baseline: null,
          unit: 's',
          target: `≤ ${SCALE_TARGET}× baseline`,
          met: null,
          note: scale.skipped,
        }
      : {
          id: '5s',
          figure: `analysis CPU, ${scale.wide.label}`,
          value: Math.min(...scale.wide.cpuS),
          baseline: Math.min(...scale.narrow.cpuS),
          unit: 's',
          target: `≤ ${SCALE_TARGET}× baseline`,
          met: scale.ratioOfMinima <= SCALE_TARGET,
        },
    ...figures.rows,
  ];

  const loadAfter = loadLine();
  const elapsedS = (Date.now() - started) / 1000;
  const notes = [
    `baselines: 1a/1b a bare dgram sender (connected socket, this process, the coordinator's waitUntil) to a bare receiver process, same rate, count and datagram size, hrtime at the`,
    `  sender; the receiver takes the kernel's arrival stamp through the same udp_stamp addon (rows without "user": the machine's limit for kernel stamps) or stamps in a`,
    `  bare dgram callback ("--recv-stamp user" rows);${noKernel ? ` kernel stamps not measured: ${noKernel};` : ''}`,
    `  2 a busy-spin loop keeping the same schedule (its exact error: p50 ${fmt(us(spinExact?.p50), 'µs')}, p99 ${fmt(us(spinExact?.p99), 'µs')}); a plain setTimeout loop gives p50 ${fmt(us(timerExact?.p50), 'µs')}, p99 ${fmt(us(timerExact?.p99), 'µs')};`,
    `  3 four bare (dgram) receiver processes fed by a bare catch-up sender; 4 the bare receiver process (kernel / dgram) at 10,000 ev/s; 5 ${analysis.baselineLabel}.`,
    `1a/1b: 1 worker, ${n1k} and ${n10k} events, the four runs of each rate interleaved; lost at 1k: ${lossOf(l1k)}; at 10k: ${lossOf(l10k)};`,
    `  kernel stamps (the worker's default, --recv-stamp auto) exclude the worker's wake-up; what is left is the coordinator's stamp→sendmsg path (its stamp is taken`,
    `  before JSON encoding and the send) and the kernel's loopback path up to the socket queue;`,
    `  chronoeval latencies are CSV recv_local_ns − send_local_ns of two processes, so they carry the two HostClock anchors' disagreement: anchors of ${anchors.length} fresh`,
    `  processes were within ${((Math.max(...anchors) - Math.min(...anchors)) / 1e3).toFixed(1)} µs of each other; negative latencies (receive stamped before send): ${negs(l1k)} at 1k, ${negs(l10k)} at 10k.`,
    `1c: the 1a kernel run's coordinator.csv send_kernel_ns (the kernel's software transmit stamp of the datagram, SO_TIMESTAMPING) against its send_local_ns`,
    `  (the JS stamp, read before the sources, encoding and sendto), and worker recv_local_ns − send_kernel_ns (both kernel stamps, two processes' HostClock anchors);`,
    `  the baseline is 1a's bare kernel receiver, whose sender stamp is hrtime before sendmsg (so it still holds the bare sender's sendmsg path).`,
    `2: the coordinator's send stamps relative to its best-aligned event (origin not recorded; bench/harness/stats.ts), same estimator for the baseline.`,
    `3: the highest rate the sender actually achieved with every event recorded by every worker (summary and CSV); ${seconds} s of events per step, ladder climbed`,
    `   while the sender keeps ≥ 95 % of the asked rate, one retry per rate; steps (asked→achieved, ✓ zero loss, ✗ loss):`,
    `   chronoeval: ${describeSteps(chronoRate)}`,
    `   baseline:   ${describeSteps(bareRate)}`,
    ...('skipped' in mcast
      ? [`3m: not measured: ${mcast.skipped}`]
      : [
          `3m: as 3, to 16 workers with --echo off, inside a network namespace with multicast on lo; baseline: unicast to the same 16 workers, rungs interleaved (${mcast.seconds} s per step):`,
          `   multicast: ${describeSteps(mcast.multicast)}`,
          `   unicast:   ${describeSteps(mcast.unicast)}`,
          `   coordinator CPU per 1,000 events at 1,000 ev/s to 16 workers: multicast ${fmt(mcast.coordinatorCpuMsPer1000.multicast, 'ms')}, unicast ${fmt(mcast.coordinatorCpuMsPer1000.unicast, 'ms')}`,
        ]),
    `4: CPU time of the worker process (all threads, /proc/<pid>/task/*/schedstat) from just before the coordinator started to its summary line, at 10,000 ev/s, per 1,000 recorded events (at 1,000 ev/s: kernel stamps ${fmt(cpuOf(l1k.kernel), 'ms')}, baseline ${fmt(cpuOfBare(l1k.bareKernel), 'ms')}; user ${fmt(cpuOf(l1k.user), 'ms')}, baseline ${fmt(cpuOfBare(l1k.bareUser), 'ms')}).`,
    ...analysis.notes,
    ...('skipped' in scale
      ? [`5s: not measured: ${scale.skipped}`]
      : [
          `5s: synthetic runs of the same readings analysed in one fresh process (default ordering: pooled at 64 workers, per-pair at 4), passes interleaved after a warm-up,`,
          `   minimum CPU of each; baseline: the 4-worker run (bench/cases/ordering-scale.ts):`,
          ...describeScale(scale).map((l) => `   ${l}`),
        ]),
    ...figures.notes,
  ];

  const out = [
    '',
    `chronoeval bench — ${new Date().toISOString()}`,
    `command: ${commandLine}${quick ? '  (--quick: fewer events, not the published figures)' : ''}`,
    `machine: ${machineLine()}`,
    `load:    before ${loadBefore}; after ${loadAfter} (other people's processes share these CPUs: compare ratios, not absolutes)`,
    '',
    renderTable(rows),
    '',
    ...notes,
    `total bench time: ${elapsedS.toFixed(0)} s`,
    '',
  ].join('\n');
  process.stdout.write(out);

  if (jsonFile) {
    writeFileSync(
      jsonFile,
      JSON.stringify(
        {
          started_utc: new Date(started).toISOString(),
          command: commandLine,
          machine: machineLine(),
          load_before: loadBefore,
          load_after: loadAfter,
          rows,
          hostclock_anchor_spread_ns: anchors,
          latency_1k: { kernel: c1k, bare_kernel: b1k, user: u1k, bare_user: bu1k },
          latency_10k: { kernel: c10k, bare_kernel: b10k, user: u10k, bare_user: bu10k },
          schedule_error_1k: { coordinator: coordErr, spin_relative: spinErr, spin_exact: spinExact, timer_exact: timerExact },
          rate: { chronoeval: chronoRate, bare: bareRate },
          multicast_rate: mcast,
          analysis: analysis.raw,
          analysis_scale: scale,
          figures: figures.raw,
          elapsed_s: elapsedS,
        },
        null,
        2,
      ) + '\n',
    );
  }
}

try {
  await main();
} finally {
  if (!keep) rmSync(root, { recursive: true, force: true });
  else log(`kept ${root}`);
}
