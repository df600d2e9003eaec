// checks.json (DESIGN section 4): a scenario's checks judged on one run, written by run-local
// beside stats.json and read by the report. Read like the worker summary: a field of the wrong
// type is left out with a problem to warn about, and nothing is filled in.
import { readFileSync } from 'node:fs';
import type { CheckOp } from '../scenario/types.js';
import type { Verdict } from '../scenario/checks.js';
import { writeJsonAtomic } from './atomic-json.js';
import { isFiniteNumber, isPlainObject, isString, narrowFields, orNull } from './json-shape.js';

/** One check: its threshold, what this run measured and the verdict. */
export interface CheckRecord {
  name: string;
  /** The stats.json path the check reads (src/scenario/stats-path.ts). */
  path: string;
  op: CheckOp;
  threshold: number;
  /** The worst matched value, or null when nothing could be measured. */
  measured: number | null;
  /** How many values the path matched. */
  matched?: number;
  /** Where the worst value sits when the path matched several (e.g. "node=w2"); null otherwise. */
  worst_at?: string | null;
  verdict: Verdict;
  /** For a check not judged: why. */
  detail?: string;
  /** measured and threshold in the field's display unit. */
  measured_text?: string;
  threshold_text?: string;
}

export interface ChecksFile {
  scenario: string;
  seed: number;
  results: CheckRecord[];
  exit_code: number;
  /** "fail" for a negative control; absent in files of older runs. */
  expected_verdict?: 'pass' | 'fail';
  /** What a negative control's outcome means (src/scenario/negative-control.ts); null otherwise. */
  note?: string | null;
  /** The command that replays this run (a scenario file by its path); absent in older files. */
  replay?: string;
}

export function writeChecksFile(file: string, c: ChecksFile): Promise<void> {
  return writeJsonAtomic(file, c);
}

const isOp = (v: unknown): v is CheckOp => v === '<=' || v === '<' || v === '>=' || v === '>' || v === '==';
const isVerdict = (v: unknown): v is Verdict => v === 'pass' || v === 'fail' || v === 'unknown';

const RECORD_CHECKS: { readonly [K in keyof CheckRecord]-?: (v: unknown) => boolean } = {
  name: isString,
  path: isString,
  op: isOp,
  threshold: isFiniteNumber,
  measured: orNull(isFiniteNumber),
  matched: isFiniteNumber,
  worst_at: orNull(isString),
  verdict: isVerdict,
  detail: isString,
  measured_text: isString,
  threshold_text: isString,
};
const RECORD_REQUIRED = ['name', 'path', 'op', 'threshold', 'measured', 'verdict'] as const;

const FILE_CHECKS: { readonly [K in keyof ChecksFile]-?: (v: unknown) => boolean } = {
  scenario: isString,
  seed: isFiniteNumber,
  results: Array.isArray,
  exit_code: isFiniteNumber,
  expected_verdict: (v) => v === 'pass' || v === 'fail',
  note: orNull(isString),
  replay: isString,
};
const FILE_REQUIRED = ['scenario', 'seed', 'results', 'exit_code'] as const;

export interface ChecksRead {
  /** Null when the file is unreadable or lacks a required field. */
  checks: ChecksFile | null;
  /** Why, or which fields and results were left out; empty when all is well. */
  problems: string[];
}

/** Narrow a parsed checks.json: a result without its required fields is left out (and named). */
export function narrowChecks(v: unknown): ChecksRead {
  if (!isPlainObject(v)) return { checks: null, problems: ['not a JSON object'] };
  const top = narrowFields<ChecksFile>(v, FILE_CHECKS);
  const problems = [...top.problems];
  const missing = FILE_REQUIRED.filter((k) => top.value[k] === undefined);
  if (missing.length) return { checks: null, problems: [...problems, `missing ${missing.join(', ')}`] };
  const results: CheckRecord[] = [];
  (v['results'] as unknown[]).forEach((r, i) => {
    if (!isPlainObject(r)) {
      problems.push(`results[${i}]: not a JSON object; left out`);
      return;
    }
    const rec = narrowFields<CheckRecord>(r, RECORD_CHECKS);
    problems.push(...rec.problems.map((p) => `results[${i}].${p}`));
    const lacks = RECORD_REQUIRED.filter((k) => (rec.value as Partial<CheckRecord>)[k] === undefined);
    if (lacks.length) problems.push(`results[${i}]: missing ${lacks.join(', ')}; left out`);
    else results.push(rec.value as CheckRecord);
  });
  return { checks: { ...(top.value as ChecksFile), results }, problems };
}

/** Read and narrow a checks.json; null (with the reason) when it cannot be read. */
export function readChecksFile(file: string): ChecksRead {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { checks: null, problems: [`not valid JSON (${(err as Error).message})`] };
  }
  return narrowChecks(parsed);
}
