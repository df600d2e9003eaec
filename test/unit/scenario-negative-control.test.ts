import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario } from '../../src/scenario/index.js';
import { negativeControlHeader, negativeControlNote } from '../../src/scenario/negative-control.js';
import { checksSection } from '../../analysis/report/checks-section.js';
import { EXIT } from '../../src/cli/exit-codes.js';

test('falseticker is marked as a negative control, and its FAIL is said to be the expected result', () => {
  const { scenario } = loadScenario('falseticker', {});
  assert.equal(scenario.expected_verdict, 'fail');
  assert.match(negativeControlHeader(scenario), /negative control: a check is expected to FAIL/);
  const note = negativeControlNote(scenario, [
    { name: 'falseticker-visible', verdict: 'pass' },
    { name: 'w3-bounded-coverage', verdict: 'fail' },
  ]);
  assert.match(
    note!,
    /^Scenario "falseticker" is a negative control \(expected_verdict "fail"\): the FAIL of w3-bounded-coverage is the expected result/,
  );
});

test('falseticker: a failing honest-worker check is an UNEXPECTED FAIL, not the expected detection', () => {
  const { scenario } = loadScenario('falseticker', {});
  const note = negativeControlNote(scenario, [
    { name: 'honest-w1-bounded-coverage', verdict: 'fail' },
    { name: 'w3-bounded-coverage', verdict: 'fail' },
  ]);
  assert.match(note!, /UNEXPECTED FAIL of honest-w1-bounded-coverage/);
  assert.doesNotMatch(note!, /is the expected result/);
  // the marked check passing while nothing else fails: the fault went undetected
  assert.match(
    negativeControlNote(scenario, [
      { name: 'w3-bounded-coverage', verdict: 'pass' },
      { name: 'falseticker-visible', verdict: 'pass' },
    ])!,
    /w3-bounded-coverage was expected to FAIL, but passed — the fault went UNDETECTED/,
  );
});

test('a negative control that passes is flagged as unexpected; an ordinary scenario gets no note', () => {
  const neg = { name: 'n', expected_verdict: 'fail' as const };
  assert.match(negativeControlNote(neg, [{ name: 'a', verdict: 'pass' }])!, /every check passed — the fault went UNDETECTED/);
  assert.match(negativeControlNote(neg, [{ name: 'a', verdict: 'unknown' }])!, /could not be judged/);
  const { scenario } = loadScenario('lan', {});
  assert.equal(negativeControlNote(scenario, [{ name: 'a', verdict: 'fail' }]), null);
  assert.equal(negativeControlHeader(scenario), '');
});

test("report.html checks section: the run's own replay command and the negative-control note", () => {
  const base = {
    scenario: 'neg-file',
    seed: 3,
    exit_code: 1,
    results: [{ name: 'a', path: 'x', op: '<=' as const, threshold: 0, measured: 5, verdict: 'fail' as const }],
  };
  const html = checksSection({
    ...base,
    replay: "chronoeval run-local --scenario '/tmp/my dir/neg.json' --seed 3",
    note: 'Scenario "neg-file" is a negative control',
  });
  assert.match(
    html,
    /Replay with <code>chronoeval run-local --scenario &#39;\/tmp\/my dir\/neg.json&#39; --seed 3<\/code>|Replay with <code>chronoeval run-local --scenario '\/tmp\/my dir\/neg.json' --seed 3<\/code>/,
  );
  assert.match(html, /is a negative control/);
  // A checks.json of an older run (no replay field) keeps the old line.
  assert.match(checksSection(base), /Replay with <code>chronoeval run-local --scenario neg-file --seed 3<\/code>/);
});

test('report.html names the verdict of every checks exit code of the table (4: could not be judged), never "exit N"', () => {
  const file = (exit_code: number) => ({
    scenario: 's',
    seed: 1,
    exit_code,
    results: [{ name: 'a', path: 'x', op: '<=' as const, threshold: 0, measured: null, verdict: 'unknown' as const }],
  });
  assert.match(checksSection(file(EXIT.unjudged)), /a check could not be judged/);
  assert.match(checksSection(file(EXIT.checkFailed)), /a check FAILED/);
  assert.match(checksSection(file(EXIT.ok)), /every check holds/);
  assert.doesNotMatch(checksSection(file(EXIT.unjudged)), /exit 4/);
});
