import { bareSend } from '../baselines/bare-sender.js';
import { exited, spawnBareReceiver, type Listening } from '../harness/children.js';
import { runChronoeval } from './chronoeval-run.js';
import { eventDatagramBytes } from './latency.js';
import type { EchoMode } from '../../src/files/echo-summary.js';
import type { MulticastOptions } from '../../src/net/multicast.js';

export interface RateStep {
  rate: number;
  attempt: number;
  sent: number;
  /** Events/s the sender really achieved (first to last send). */
  achieved: number;
  /** Every receiver recorded every event (summary and CSV for chronoeval). */
  lossFree: boolean;
  /** lossFree and the sender reached ≥ 95 % of the asked rate. */
  pass: boolean;
  /** Why a step failed: loss per worker, missing rows, or a sender that fell behind. */
  detail: string;
}

export interface RateSearch {
  /** The loss-free step with the highest achieved rate (the figure). */
  best: RateStep | null;
  steps: RateStep[];
  stoppedBy: string;
}

/** Pass = every event recorded by every receiver and the sender reached ≥ 95 % of the rate. */
function judge(
  rate: number,
  attempt: number,
  count: number,
  sent: number,
  achieved: number,
  perReceiver: { name: string; got: number }[],
  extra: string[],
): RateStep {
  const problems = [...extra];
  if (sent !== count) problems.push(`sent ${sent}/${count}`);
  for (const r of perReceiver) if (r.got !== count) problems.push(`${r.name} ${r.got}/${count}`);
  const lossFree = problems.length === 0;
  if (achieved < 0.95 * rate) problems.push(`sender reached ${Math.round(achieved)}/s`);
  return { rate, attempt, sent, achieved, lossFree, pass: problems.length === 0, detail: problems.join('; ') || 'ok' };
}

const achievedRate = (n: number, firstNs: bigint, lastNs: bigint): number =>
  n > 1 && lastNs > firstNs ? ((n - 1) * 1e9) / Number(lastNs - firstNs) : 0;

/** chronoeval: 4 real worker processes, the real coordinator, `seconds` of events per step. */
export async function chronoevalStep(
  rate: number,
  attempt: number,
  seconds: number,
  workers: number,
  root: string,
  echo: EchoMode = 'on',
  multicast?: MulticastOptions,
): Promise<RateStep> {
  const count = Math.round(rate * seconds);
  const out = await runChronoeval({ rate, count, workers, root, echo, ...(multicast ? { multicast } : {}) });
  const extra: string[] = [];
  if (out.coordinatorRows !== out.sent) extra.push(`coordinator.csv ${out.coordinatorRows}/${out.sent} rows`);
  for (const w of out.workers) if (w.recorded !== w.csvRows) extra.push(`${w.node} summary says ${w.recorded}, CSV has ${w.csvRows}`);
  if (out.exitCode !== 0) extra.push(`coordinator exit ${out.exitCode}`);
  const achieved = achievedRate(out.sendNs.length, out.sendNs[0] ?? 0n, out.sendNs[out.sendNs.length - 1] ?? 0n);
  return judge(
    rate,
    attempt,
    count,
    out.sent,
    achieved,
    out.workers.map((w) => ({ name: w.node, got: Math.min(w.recorded, w.csvRows) })),
    extra,
  );
}

/** Baseline: the same number of bare receiver processes fed by a bare catch-up sender. */
export async function bareStep(rate: number, attempt: number, seconds: number, receivers: number): Promise<RateStep> {
  const count = Math.round(rate * seconds);
  const rx: Listening[] = [];
  try {
    for (let i = 0; i < receivers; i++) rx.push(await spawnBareReceiver(count, false));
    const s = await bareSend(
      rx.map((r) => r.port),
      rate,
      count,
      eventDatagramBytes(Math.floor(count / 2)),
      'catch-up',
    );
    const finals = await Promise.all(rx.map((r) => r.final));
    await Promise.all(rx.map((r) => exited(r.child)));
    return judge(
      rate,
      attempt,
      count,
      s.sent,
      achievedRate(s.sent, s.firstNs, s.lastNs),
      finals.map((f, i) => ({ name: `rx${i + 1}`, got: Number(f.line.distinct) })),
      [],
    );
  } finally {
    for (const r of rx) r.kill();
  }
}

/**
 * Climb `ladder` with several candidates interleaved rung by rung (so that both see the same
 * background load), each until a rate fails twice in a row (one retry, because other people's load
 * on a shared machine can spoil a single step) or the time budget runs out. The figure is the
 * highest rate a candidate actually achieved with zero loss.
 */
export async function climbInterleaved(
  ladder: readonly number[],
  candidates: { name: string; step: (rate: number, attempt: number) => Promise<RateStep> }[],
  deadlineMs: number,
  log: (s: string) => void,
): Promise<RateSearch[]> {
  const out: RateSearch[] = candidates.map(() => ({
    best: null,
    steps: [],
    stoppedBy: `top of the ladder (${ladder[ladder.length - 1]}/s) passed`,
  }));
  const active = candidates.map(() => true);
  for (const rate of ladder) {
    for (let c = 0; c < candidates.length; c++) {
      if (!active[c]) continue;
      const search = out[c]!;
      let passed = false;
      for (let attempt = 1; attempt <= 2 && !passed; attempt++) {
        if (Date.now() > deadlineMs) {
          search.stoppedBy = `time budget reached before ${rate}/s`;
          active[c] = false;
          break;
        }
        const r = await candidates[c]!.step(rate, attempt);
        search.steps.push(r);
        log(
          `  ${candidates[c]!.name} ${rate}/s attempt ${attempt}: ${r.pass ? 'zero loss' : r.detail} (achieved ${Math.round(r.achieved)}/s)`,
        );
        if (r.lossFree && (!search.best || r.achieved > search.best.achieved)) search.best = r;
        passed = r.pass;
      }
      if (!passed && active[c]) {
        const last = search.steps[search.steps.length - 1]!;
        search.stoppedBy = last.lossFree ? `${rate}/s: the sender fell behind twice, no loss` : `${rate}/s failed twice`;
        active[c] = false;
      }
    }
    if (!active.some(Boolean)) break;
  }
  return out;
}
