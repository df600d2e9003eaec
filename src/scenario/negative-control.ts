// What a scenario's verdict means when the scenario is a negative control (expected_verdict
// "fail"): its faults exceed what a source can bound, so a failing check is the expected result.
import type { Verdict } from './checks.js';

/** Appended to the checks header of a negative control, so that its FAIL lines are read as expected. */
export function negativeControlHeader(scenario: { expected_verdict: 'pass' | 'fail' }): string {
  return scenario.expected_verdict === 'fail' ? ' — a negative control: a check is expected to FAIL' : '';
}

/**
 * One line saying whether a negative control's outcome is the expected one; null for ordinary
 * scenarios. The checks marked `expect: "fail"` must fail (the fault was detected) and every other
 * check must hold: a failing honest-worker check is a regression, not the expected FAIL. Without
 * marked checks, any failing check counts as the detection.
 */
export function negativeControlNote(
  scenario: { name: string; expected_verdict: 'pass' | 'fail'; checks?: readonly { name: string; expect?: 'pass' | 'fail' }[] },
  results: readonly { name: string; verdict: Verdict }[],
): string | null {
  if (scenario.expected_verdict !== 'fail') return null;
  const marked = new Set((scenario.checks ?? []).filter((c) => c.expect === 'fail').map((c) => c.name));
  const failed = results.filter((r) => r.verdict === 'fail').map((r) => r.name);
  const head = `Scenario "${scenario.name}" is a negative control (expected_verdict "fail")`;
  const unexpected = marked.size ? failed.filter((n) => !marked.has(n)) : [];
  const detected = marked.size ? failed.filter((n) => marked.has(n)) : failed;
  const missed = [...marked].filter((n) => !failed.includes(n));
  if (unexpected.length) {
    return (
      `${head}: UNEXPECTED FAIL of ${unexpected.join(', ')} — only ${[...marked].join(', ')} should fail; ` +
      'a check that must hold did not (a regression, not the expected result).'
    );
  }
  if (detected.length && missed.length === 0) {
    return (
      `${head}: the FAIL of ${detected.join(', ')} is the expected result — the fault was detected. ` +
      'The exit code is still 1 (a check failed), as for every scenario.'
    );
  }
  if (results.some((r) => r.verdict === 'unknown'))
    return `${head}: a check was expected to FAIL, but some could not be judged — the result says nothing.`;
  const which = marked.size
    ? `${missed.join(', ')} was expected to FAIL, but passed`
    : 'a check was expected to FAIL, but every check passed';
  return `${head}: ${which} — the fault went UNDETECTED (unexpected).`;
}
