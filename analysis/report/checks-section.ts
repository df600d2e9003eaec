import { existsSync } from 'node:fs';
import { esc } from './html.js';
import { readChecksFile, type ChecksFile } from '../../src/files/checks-file.js';
import { runDirPaths } from '../../src/files/paths.js';
import { checksVerdictText } from '../../src/scenario/checks.js';

export type { ChecksFile };

/** checks.json of a run (src/files/checks-file.ts), or null when absent or unreadable (then `warn` says why). */
export function readChecks(
  runDir: string,
  warn = (m: string) => {
    process.stderr.write(`warning: ${m}\n`);
  },
): ChecksFile | null {
  const f = runDirPaths(runDir).checks;
  if (!existsSync(f)) return null;
  const { checks, problems } = readChecksFile(f);
  for (const p of problems) warn(`checks.json: ${p}`);
  return checks;
}

/** A stats.json path with a line-break opportunity after each separator, so the table fits the page. */
const breakable = (p: string): string => esc(p).replace(/([.,\]])/g, '$1<wbr>');

const VERDICT = { pass: 'PASS', fail: 'FAIL', unknown: 'NOT JUDGED' } as const;

/** The scenario's checks: each threshold with the value measured in this run and the verdict (the page adds the heading). */
export function checksSection(c: ChecksFile | null): string {
  if (!c || c.results.length === 0) return '';
  const rows = c.results
    .map(
      (r) =>
        `<tr><td><strong>${VERDICT[r.verdict]}</strong></td><td>${esc(r.name)}</td>` +
        `<td class="wrap"><code>${breakable(r.path)}</code></td><td>${esc(r.op)} ${esc(r.threshold_text ?? r.threshold)}</td><td class="num">${r.measured === null ? '<span class="na">—</span>' : esc(r.measured_text ?? r.measured)}${r.worst_at ? ` at ${esc(r.worst_at)}` : ''}</td>` +
        `<td class="wrap">${esc(r.detail ?? '')}</td></tr>`,
    )
    .join('');
  const verdict = checksVerdictText(c.exit_code);
  const replay = c.replay ?? `chronoeval run-local --scenario ${c.scenario} --seed ${c.seed}`;
  return (
    `<p>Scenario <strong>${esc(c.scenario)}</strong>, seed ${esc(c.seed)}: ${esc(verdict)}. ` +
    `Replay with <code>${esc(replay)}</code>.</p>` +
    (c.note ? `<p><strong>${esc(c.note)}</strong></p>` : '') +
    `<table class="summary"><thead><tr><th>verdict</th><th>check</th><th>stats.json path</th><th>threshold</th><th>measured</th><th>detail</th></tr></thead><tbody>${rows}</tbody></table>`
  );
}
