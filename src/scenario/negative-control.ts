// What a scenario's verdict means when the scenario is a negative control (expected_verdict
// "fail"): its faults exceed what a source can bound, so a failing check is the expected result.
import type { Verdict } from './checks.js';

/** Appended to the checks header of a negative control, so that its FAIL lines are read as expected. */
export function negativeControlHeader(scenario: { expected_verdict: 'pass' | 'fail' }): string {
  return scenario.expected_verdict === 'fail' ? ' — a negative control: a check is expected to FAIL' : '';
}

/** One line saying whether a negative control's outcome is the expected one; null for ordinary scenarios. */
export function negativeControlNote(scenario: { name: string; expected_verdict: 'pass' | 'fail' }, results: readonly { name: string; verdict: Verdict }[]): string | null {
  if (scenario.expected_verdict !== 'fail') return null;
  const failed = results.filter((r) => r.verdict === 'fail').map((r) => r.name);
  const head = `Scenario "${scenario.name}" is a negative control (expected_verdict "fail")`;
  if (failed.length) {
    return `${head}: the FAIL of ${failed.join(', ')} is the expected result — the fault was detected. ` +
      'The exit code is still 1 (a check failed), as for every scenario.';
  }
  if (results.some((r) => r.verdict === 'unknown')) return `${head}: a check was expected to FAIL, but some could not be judged — the result says nothing.`;
  return `${head}: a check was expected to FAIL, but every check passed — the fault went UNDETECTED (unexpected).`;
}
