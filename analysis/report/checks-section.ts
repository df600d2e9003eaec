import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { esc } from './html.js';

/** checks.json as run-local writes it beside stats.json (src/commands/run-local.ts). */
export interface ChecksFile {
  scenario: string;
  seed: number;
  exit_code: number;
  /** "fail" for a negative control; absent in files of older runs. */
  expected_verdict?: 'pass' | 'fail';
  /** What a negative control's outcome means (src/scenario/negative-control.ts); null otherwise. */
  note?: string | null;
  /** The command that replays this run (a scenario file by its path); absent in older files. */
  replay?: string;
  results: { name: string; path: string; op: string; threshold: number; measured: number | null; verdict: 'pass' | 'fail' | 'unknown'; detail?: string; worst_at?: string | null; measured_text?: string; threshold_text?: string }[];
}

export function readChecks(runDir: string): ChecksFile | null {
  const f = path.join(runDir, 'checks.json');
  if (!existsSync(f)) return null;
  try { return JSON.parse(readFileSync(f, 'utf8')) as ChecksFile; } catch { return null; }
}

const VERDICT = { pass: 'PASS', fail: 'FAIL', unknown: 'NOT JUDGED' } as const;

/** The scenario's checks: each threshold with the value measured in this run and the verdict. */
export function checksSection(c: ChecksFile | null): string {
  if (!c || c.results.length === 0) return '';
  const rows = c.results.map((r) => `<tr><td><strong>${VERDICT[r.verdict]}</strong></td><td>${esc(r.name)}</td>` +
    `<td><code>${esc(r.path)}</code></td><td>${esc(r.op)} ${esc(r.threshold_text ?? r.threshold)}</td><td class="num">${r.measured === null ? '<span class="na">—</span>' : esc(r.measured_text ?? r.measured)}${r.worst_at ? ` at ${esc(r.worst_at)}` : ''}</td>` +
    `<td>${esc(r.detail ?? '')}</td></tr>`).join('');
  const verdict = ['every check holds', 'a check FAILED', 'a check could not be judged (missing data)'][c.exit_code] ?? `exit ${c.exit_code}`;
  const replay = c.replay ?? `chronoeval run-local --scenario ${c.scenario} --seed ${c.seed}`;
  return `<h2 id="checks">Scenario checks</h2><p>Scenario <strong>${esc(c.scenario)}</strong>, seed ${esc(c.seed)}: ${esc(verdict)}. ` +
    `Replay with <code>${esc(replay)}</code>.</p>` + (c.note ? `<p><strong>${esc(c.note)}</strong></p>` : '') +
    `<table class="summary"><thead><tr><th>verdict</th><th>check</th><th>stats.json path</th><th>threshold</th><th>measured</th><th>detail</th></tr></thead><tbody>${rows}</tbody></table>`;
}
