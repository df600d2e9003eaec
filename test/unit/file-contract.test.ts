// The file contract's readers (src/files/): a worker summary or checks.json from another version,
// or damaged, is narrowed — unknown fields tolerated, wrong types left out with a problem named,
// nothing filled in, never a throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { narrowWorkerSummary, readWorkerSummary } from '../../src/files/worker-summary.js';
import { narrowChecks, readChecksFile } from '../../src/files/checks-file.js';
import { STAMP_COLUMNS, coordinatorColumns, sourceColumnNames, workerColumns } from '../../src/files/columns.js';
import { discoverSources } from '../../analysis/load/sources.js';
import { tmpDir } from '../support/helpers.js';

test('worker summary: well-typed fields kept, unknown ones tolerated, wrong types left out and named', () => {
  const raw = {
    run_id: 'r',
    node_id: 'w1',
    received: 10,
    rejected: { bad_tag: 2 },
    recv_kernel_drops: null,
    future_field: { x: 1 },
    recorded: '10',
    commit_wait: { delays_s: [1, 30], sources: ['bounded'] },
    recv_stamp: 'hardware',
  };
  const r = narrowWorkerSummary(raw);
  assert.equal(r.raw, raw, 'the object as written is kept for stats.json');
  assert.deepEqual(r.summary, {
    run_id: 'r',
    node_id: 'w1',
    received: 10,
    rejected: { bad_tag: 2 },
    commit_wait: { delays_s: [1, 30], sources: ['bounded'] },
    recv_kernel_drops: null,
  });
  assert.equal(r.problems.length, 2);
  assert.match(r.problems.join('\n'), /recorded: unexpected string "10"; ignored/);
  assert.match(r.problems.join('\n'), /recv_stamp: unexpected string "hardware"; ignored/);
  assert.deepEqual(narrowWorkerSummary([1, 2]), { raw: null, summary: null, problems: ['not a JSON object'] });
  assert.deepEqual(
    narrowWorkerSummary({ commit_wait: { delays_s: ['1'] } }).summary,
    {},
    'a commit_wait without numeric delays is not used',
  );
});

test('worker summary file: invalid JSON is a problem, not a throw', () => {
  const dir = tmpDir('chronoeval-contract-');
  const f = path.join(dir, 'w.summary.json');
  writeFileSync(f, '{"run_id": "r",');
  const r = readWorkerSummary(f);
  assert.equal(r.summary, null);
  assert.match(r.problems[0]!, /^not valid JSON/);
  writeFileSync(f, JSON.stringify({ run_id: 'r', clock_faults: { steps: [] } }));
  assert.deepEqual(readWorkerSummary(f).summary, { run_id: 'r', clock_faults: { steps: [] } });
});

test('checks.json: a result missing what the report needs is left out; a file without its header fields is not used', () => {
  const ok = { name: 'a', path: 'causality[*].point.violations.ratio', op: '<=', threshold: 0, measured: 0, verdict: 'pass', matched: 3 };
  const r = narrowChecks({ scenario: 's', seed: 1, exit_code: 0, results: [ok, { ...ok, verdict: 'maybe' }, 7], extra: true, note: 3 });
  assert.deepEqual(r.checks, { scenario: 's', seed: 1, results: [ok], exit_code: 0 });
  assert.deepEqual(r.problems, [
    'note: unexpected number 3; ignored',
    'results[1].verdict: unexpected string "maybe"; ignored',
    'results[1]: missing verdict; left out',
    'results[2]: not a JSON object; left out',
  ]);
  assert.equal(narrowChecks({ scenario: 's', results: [] }).checks, null);
  const dir = tmpDir('chronoeval-contract-');
  writeFileSync(path.join(dir, 'checks.json'), 'not json');
  assert.match(readChecksFile(path.join(dir, 'checks.json')).problems[0]!, /^not valid JSON/);
});

test('columns: the stamps are never taken for clock sources; a source is found by its own columns', () => {
  const names = sourceColumnNames('bounded');
  assert.deepEqual(names, { point: 'bounded_ns', lo: 'bounded_lo_ns', hi: 'bounded_hi_ns', status: 'bounded_status' });
  assert.deepEqual(discoverSources(coordinatorColumns(['system', 'bounded'], true)), [
    { name: 'system', bounded: true },
    { name: 'bounded', bounded: true },
  ]);
  assert.deepEqual(discoverSources(workerColumns([])), []);
  assert.deepEqual(discoverSources([...STAMP_COLUMNS, ...STAMP_COLUMNS.map((c) => c.replace(/_ns$/, '_status'))]), []);
});
