// What rerun repeats, from a run's manifest: the resolved scenario, its seed and the analysis flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { carriedFlags, rerunPlan } from '../../src/sweep/rerun.js';
import type { Provenance } from '../../src/files/provenance.js';

const now: Provenance = { git_commit: 'b'.repeat(40), git_dirty: false, lockfile_sha256: 'l1', node: 'v20', command: [] };
const manifest = (o: Record<string, unknown> = {}) => ({
  kind: 'local',
  command_line: ['/x/cli.js', 'run-local', '--scenario', 'lan', '--seed', '4', '--no-figures', '--reference=bounded', '--rate', '9'],
  scenario: { name: 'lan', seed: 4, resolved: { name: 'lan', extends: 'base', rate: 9, seed: 4 } },
  provenance: { git_commit: 'b'.repeat(40), git_dirty: false, lockfile_sha256: 'l1', node: 'v20', command: [] },
  ...o,
});

test('rerun repeats the resolved scenario (without extends), its seed and the analysis flags', () => {
  const p = rerunPlan('/r/x', manifest(), now);
  assert.deepEqual(p.scenario, { name: 'lan', rate: 9, seed: 4 });
  assert.equal(p.seed, 4);
  assert.deepEqual(p.flags, ['--no-figures', '--reference', 'bounded']);
  assert.deepEqual(p.warnings, []);
  assert.deepEqual(carriedFlags(['--recv-stamp', 'user', '--max-freq-error-ppm=50', '--figures', '--reference']), [
    '--recv-stamp',
    'user',
    '--max-freq-error-ppm',
    '50',
    '--figures',
  ]);
});

test('rerun warns when the code changed, and refuses deploy and legacy runs with their command', () => {
  const w = rerunPlan(
    '/r/x',
    manifest({ provenance: { git_commit: 'a'.repeat(40), git_dirty: true, lockfile_sha256: 'l0' } }),
    now,
  ).warnings;
  assert.match(w[0]!, /made at git commit a{40}, the code now is b{40}/);
  assert.match(w[1]!, /uncommitted changes/);
  assert.match(w[2]!, /package-lock\.json differs/);
  assert.match(rerunPlan('/r/x', manifest({ provenance: undefined }), now).warnings[0]!, /recorded no provenance/);
  assert.throws(
    () => rerunPlan('/r/d', manifest({ kind: 'deploy', command_line: ['/x/cli.js', 'deploy', '--inventory', 'inv.yaml'] }), now),
    /\/r\/d: a "deploy" run; rerun repeats run-local runs only .*: chronoeval deploy --inventory inv\.yaml/,
  );
  assert.throws(() => rerunPlan('/r/o', manifest({ scenario: { name: 'lan' } }), now), /records no resolved scenario and seed/);
});
