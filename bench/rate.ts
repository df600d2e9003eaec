import { bareSend } from './bare-sender.js';
import { exited, spawnBareReceiver, type Listening } from './children.js';
import { runChronoeval } from './chronoeval-run.js';
import { eventDatagramBytes } from './latency.js';

export interface RateStep {
  rate: number;
  attempt: number;
  sent: number;
  /** Events/s the sender really achieved (first to last send). */
  achieved: number;
  pass: boolean;
  /** Why a step failed: loss per worker, missing rows, or a sender that fell behind. */
  detail: string;
}

export interface RateSearch { best: RateStep | null; steps: RateStep[]; stoppedBy: string }

/** Pass = every event recorded by every receiver and the sender reached ≥ 95 % of the rate. */
function judge(rate: number, attempt: number, count: number, sent: number, achieved: number, perReceiver: { name: string; got: number }[], extra: string[]): RateStep {
  const problems = [...extra];
  if (sent !== count) problems.push(`sent ${sent}/${count}`);
  for (const r of perReceiver) if (r.got !== count) problems.push(`${r.name} ${r.got}/${count}`);
  if (achieved < 0.95 * rate) problems.push(`sender reached ${Math.round(achieved)}/s`);
  return { rate, attempt, sent, achieved, pass: problems.length === 0, detail: problems.join('; ') || 'ok' };
}

const achievedRate = (n: number, firstNs: bigint, lastNs: bigint): number => (n > 1 && lastNs > firstNs ? ((n - 1) * 1e9) / Number(lastNs - firstNs) : 0);

/** chronoeval: 4 real worker processes, the real coordinator, `seconds` of events per step. */
export async function chronoevalStep(rate: number, attempt: number, seconds: number, workers: number, root: string): Promise<RateStep> {
  const count = Math.round(rate * seconds);
  const out = await runChronoeval({ rate, count, workers, root });
  const extra: string[] = [];
  if (out.coordinatorRows !== out.sent) extra.push(`coordinator.csv ${out.coordinatorRows}/${out.sent} rows`);
  for (const w of out.workers) if (w.recorded !== w.csvRows) extra.push(`${w.node} summary says ${w.recorded}, CSV has ${w.csvRows}`);
  if (out.exitCode !== 0) extra.push(`coordinator exit ${out.exitCode}`);
  const achieved = achievedRate(out.sendNs.length, out.sendNs[0] ?? 0n, out.sendNs[out.sendNs.length - 1] ?? 0n);
  return judge(rate, attempt, count, out.sent, achieved, out.workers.map((w) => ({ name: w.node, got: Math.min(w.recorded, w.csvRows) })), extra);
}

/** Baseline: the same number of bare receiver processes fed by a bare catch-up sender. */
export async function bareStep(rate: number, attempt: number, seconds: number, receivers: number): Promise<RateStep> {
  const count = Math.round(rate * seconds);
  const rx: Listening[] = [];
  try {
    for (let i = 0; i < receivers; i++) rx.push(await spawnBareReceiver(count, false));
    const s = await bareSend(rx.map((r) => r.port), rate, count, eventDatagramBytes(Math.floor(count / 2)), 'catch-up');
    const finals = await Promise.all(rx.map((r) => r.final));
    await Promise.all(rx.map((r) => exited(r.child)));
    return judge(rate, attempt, count, s.sent, achievedRate(s.sent, s.firstNs, s.lastNs), finals.map((f, i) => ({ name: `rx${i + 1}`, got: Number(f.line.distinct) })), []);
  } finally {
    for (const r of rx) r.kill();
  }
}

/**
 * Climb `ladder` until a rate fails twice in a row (one retry, because other people's load on a
 * shared machine can spoil a single step) or the time budget runs out.
 */
export async function climb(ladder: readonly number[], step: (rate: number, attempt: number) => Promise<RateStep>, deadlineMs: number, log: (s: string) => void): Promise<RateSearch> {
  const steps: RateStep[] = [];
  let best: RateStep | null = null;
  for (const rate of ladder) {
    let passed = false;
    for (let attempt = 1; attempt <= 2 && !passed; attempt++) {
      if (Date.now() > deadlineMs) return { best, steps, stoppedBy: `time budget reached before ${rate}/s` };
      const r = await step(rate, attempt);
      steps.push(r);
      log(`  ${rate}/s attempt ${attempt}: ${r.pass ? 'zero loss' : r.detail} (achieved ${Math.round(r.achieved)}/s)`);
      if (r.pass) { passed = true; best = r; }
    }
    if (!passed) return { best, steps, stoppedBy: `${rate}/s failed twice` };
  }
  return { best, steps, stoppedBy: `top of the ladder (${ladder[ladder.length - 1]}/s) passed` };
}
