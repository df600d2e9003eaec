// What run-local prints for a negative control, and how --repeat names a scenario given as a file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tmpDir } from '../support/helpers.js';

test(
  'run-local --repeat with a scenario file: replay lines name the file; a negative control says its FAIL is expected',
  { timeout: 90_000 },
  async () => {
    const dir = tmpDir();
    const sub = path.join(dir, 'my dir'); // a path that needs quoting
    mkdirSync(sub);
    const file = path.join(sub, 'neg.json');
    // One worker, ten events, system clock 5 ms off: the check (error 0) must fail — a negative control.
    writeFileSync(
      file,
      JSON.stringify({
        name: 'neg-file',
        expected_verdict: 'fail',
        workers: 1,
        rate: 50,
        count: 10,
        warmup_max_s: 2,
        sources: ['system'],
        worker_defaults: { clock_faults: { offset_ms: 5 } },
        checks: [
          {
            name: 'system-error-zero',
            path: 'bound_quality[source=system,role=worker,node=null].abs_point_error.p50',
            op: '<=',
            threshold: '0ns',
          },
        ],
      }),
    );
    const r = await runCli(
      [
        'run-local',
        '--scenario',
        file,
        '--repeat',
        '2',
        '--no-figures',
        '--results-dir',
        path.join(dir, 'r'),
        '--logs-dir',
        path.join(dir, 'l'),
      ],
      { timeoutMs: 80_000 },
    );
    assert.equal(r.code, 1, `a check failed: exit 1\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /Scenario "neg-file" over 2 seeds \(1, 2\) — a negative control: a check is expected to FAIL:/);
    assert.match(r.stdout, /is a negative control \(expected_verdict "fail"\): the FAIL of system-error-zero is the expected result/);
    const replay = r.stdout.split('\n').filter((l) => l.includes('chronoeval run-local'));
    assert.equal(replay.length, 2, r.stdout);
    for (const [i, l] of replay.entries()) {
      assert.equal(
        l.trim(),
        `chronoeval run-local --scenario '${file}' --no-figures --results-dir ${path.join(dir, 'r')} --logs-dir ${path.join(dir, 'l')} --seed ${i + 1}`,
      );
    }
    assert.doesNotMatch(r.stdout, /--scenario neg-file/, 'never the name of a scenario that is no built-in');
    // Each seed's checks.json (read by report.html) carries the same replay command and the note.
    const runs = readdirSync(path.join(dir, 'r')).sort();
    assert.equal(runs.length, 2);
    const checks = JSON.parse(readFileSync(path.join(dir, 'r', runs[0]!, 'checks.json'), 'utf8')) as {
      replay: string;
      note: string;
      expected_verdict: string;
    };
    assert.equal(checks.replay, replay[0]!.trim());
    assert.equal(checks.expected_verdict, 'fail');
    assert.match(checks.note, /the FAIL of system-error-zero is the expected result/);
  },
);
