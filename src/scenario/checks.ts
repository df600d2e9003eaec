// Checks as a pure function over stats.json: Jepsen-style verdicts pass / fail / unknown.
import { parseStatsPath, parseThreshold, selectStatsLabelled } from './stats-path.js';
import type { CheckOp, CheckSpec } from './types.js';
import { EXIT } from '../cli/exit-codes.js';

export type Verdict = 'pass' | 'fail' | 'unknown';

export interface CheckResult {
  name: string;
  path: string;
  op: CheckOp;
  /** Threshold in the field's unit (ns, or 0..1 for shares). */
  threshold: number;
  /** The worst matched number (by op), or null when nothing could be measured. */
  measured: number | null;
  /** How many numbers the path matched. */
  matched: number;
  /** Where the measured (worst) value sits when the path matched several, e.g. "node=w2"; null otherwise. */
  worst_at: string | null;
  verdict: Verdict;
  /** For unknown: why (path matched nothing, or only null values). */
  detail: string;
}

const holds = (op: CheckOp, x: number, t: number): boolean => {
  switch (op) {
    case '<=':
      return x <= t;
    case '<':
      return x < t;
    case '>=':
      return x >= t;
    case '>':
      return x > t;
    case '==':
      return x === t;
  }
};

/** Index of the matched value most likely to break the check: max for upper limits, min for lower ones (first on ties). */
function worst(op: CheckOp, xs: number[], t: number): number {
  const worse = (b: number, a: number): boolean =>
    op === '<=' || op === '<' ? b > a : op === '>=' || op === '>' ? b < a : Math.abs(b - t) > Math.abs(a - t);
  let k = 0;
  for (let i = 1; i < xs.length; i++) if (worse(xs[i]!, xs[k]!)) k = i;
  return k;
}

export function evaluateCheck(check: CheckSpec, stats: unknown): CheckResult {
  const threshold = parseThreshold(check.threshold);
  const base = { name: check.name, path: check.path, op: check.op, threshold };
  const trace = { nullAt: null as string | null };
  const labelled = selectStatsLabelled(stats, parseStatsPath(check.path), trace);
  const values = labelled.map((x) => x.value);
  const numbered = labelled.filter((x): x is { value: number; at: string } => typeof x.value === 'number' && Number.isFinite(x.value));
  const nums = numbered.map((x) => x.value);
  if (nums.length === 0) {
    const detail =
      values.length > 0
        ? `path matched ${values.length} value(s) but none is a number (null = no data)`
        : trace.nullAt !== null
          ? `${trace.nullAt} is null in stats.json (no data, e.g. no truth or no bounds), so none is a number`
          : 'path matched nothing in stats.json (missing section, source or node)';
    return { ...base, measured: null, matched: values.length, worst_at: null, verdict: 'unknown', detail };
  }
  const k = worst(check.op, nums, threshold);
  const measured = nums[k]!;
  const ignored = values.length - nums.length;
  return {
    // named only when it stands out: with every match equal no place is worse than another
    ...base,
    measured,
    matched: values.length,
    worst_at: nums.some((x) => x !== measured) && numbered[k]!.at !== '' ? numbered[k]!.at : null,
    verdict: holds(check.op, measured, threshold) ? 'pass' : 'fail',
    detail: ignored > 0 ? `${ignored} matched value(s) without data ignored` : '',
  };
}

/** Every check of a scenario against one stats.json (parsed). Pure. */
export function evaluateChecks(scenario: { checks: CheckSpec[] }, stats: unknown): CheckResult[] {
  return scenario.checks.map((c) => evaluateCheck(c, stats));
}

/** Exit code (src/cli/exit-codes.ts): 0 all pass (or no checks), 1 any fail, 4 something could not be judged and none failed. */
export function checksExitCode(results: readonly { verdict: Verdict }[]): ChecksExitCode {
  if (results.some((r) => r.verdict === 'fail')) return EXIT.checkFailed;
  if (results.some((r) => r.verdict === 'unknown')) return EXIT.unjudged;
  return EXIT.ok;
}

export type ChecksExitCode = typeof EXIT.ok | typeof EXIT.checkFailed | typeof EXIT.unjudged;

const CHECKS_VERDICT: Record<number, string> = {
  [EXIT.ok]: 'every check holds',
  [EXIT.checkFailed]: 'a check FAILED',
  [EXIT.unjudged]: 'a check could not be judged (missing data)',
};

/** The verdict a checks exit code stands for, in words (logs, report.html); looked up by code, not position. */
export function checksVerdictText(code: number): string {
  return CHECKS_VERDICT[code] ?? `exit ${code}`;
}

const DURATION_RE = /(_ns|\.(min|max|mean|p01|p05|p25|p50|p75|p95|p99|p999))$/;

const fmt = (path: string, x: number | null): string => {
  if (x === null) return '—';
  if (/share$|coverage|ratio/.test(path)) return `${+(x * 100).toFixed(4)} %`;
  if (!DURATION_RE.test(path)) return String(x);
  if (Math.abs(x) >= 1e6) return `${+(x / 1e6).toFixed(3)} ms`;
  if (Math.abs(x) >= 1e3) return `${+(x / 1e3).toFixed(1)} µs`;
  return `${x} ns`;
};

/** A value of a check in the unit its stats path implies (%, ms/µs/ns, or a plain count). */
export function formatCheckValue(path: string, x: number | null): string {
  return fmt(path, x);
}

/** Human-readable lines, one per check, for stderr and reports. */
export function formatCheckResults(results: readonly CheckResult[]): string[] {
  return results.map(
    (r) =>
      `${r.verdict.toUpperCase().padEnd(7)} ${r.name}: measured ${fmt(r.path, r.measured)}${r.worst_at ? ` at ${r.worst_at}` : ''} ${r.op} ${fmt(r.path, r.threshold)}${r.detail ? ` (${r.detail})` : ''}`,
  );
}
