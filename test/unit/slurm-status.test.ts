// The pieces of `chronoeval slurm` and `sweep --via slurm` that need no cluster: scontrol's
// one-line records, the command's exit code from a finished job, and sweep.json merged with the
// array tasks' per-cell status files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpDir } from '../support/helpers.js';
import { parseJobRecords } from '../../src/slurm/client.js';
import { jobExitCode } from '../../src/slurm/follow.js';
import { readSweepManifest } from '../../src/files/sweep-manifest.js';

test('scontrol show job -o: one record per line (array tasks), values with = kept whole', () => {
  const recs = parseJobRecords(
    'JobId=7 ArrayJobId=7 ArrayTaskId=0 JobState=COMPLETED ExitCode=0:0 Command=/x/a=b.sbatch\n' +
      'JobId=8 ArrayJobId=7 ArrayTaskId=1 JobState=FAILED ExitCode=7:0\n',
  );
  assert.equal(recs.length, 2);
  assert.equal(recs[0]!['Command'], '/x/a=b.sbatch');
  assert.equal(recs[1]!['JobState'], 'FAILED');
});

test("exit code of a finished job: 0 when COMPLETED, else the script's code, else 128 + signal", () => {
  assert.equal(jobExitCode({ JobState: 'COMPLETED', ExitCode: '0:0' }), 0);
  assert.equal(jobExitCode({ JobState: 'FAILED', ExitCode: '6:0' }), 6);
  assert.equal(jobExitCode({ JobState: 'CANCELLED', ExitCode: '143:0' }), 143);
  assert.equal(jobExitCode({ JobState: 'FAILED', ExitCode: '0:9' }), 137);
  assert.equal(jobExitCode({ JobState: 'CANCELLED', ExitCode: '0:0' }), 143, 'cancelled before it ran');
  assert.equal(jobExitCode({ JobState: 'TIMEOUT', ExitCode: '0:0' }), 7);
});

test('sweep.json merged with cells/<run_id>.json: running, done (0/1/4), failed; other attempts and done cells untouched', () => {
  const dir = tmpDir();
  const cell = (id: string, status: string) => ({
    cell: 'c01',
    params: { rate: 50 },
    seed: 1,
    run_id: id,
    run_dir: `/r/${id}`,
    status,
    exit_code: null,
  });
  const cells = [
    cell('a', 'pending'),
    cell('b', 'pending'),
    cell('c', 'pending'),
    cell('d', 'pending'),
    cell('e-r2', 'pending'),
    { ...cell('f', 'done'), exit_code: 0 },
  ];
  writeFileSync(path.join(dir, 'sweep.json'), JSON.stringify({ sweep_id: 's', scenario: 'lan', seeds: [1], parameters: ['rate'], cells }));
  mkdirSync(path.join(dir, 'cells'));
  const st = (id: string, exit_code: number | null, file = id) =>
    writeFileSync(path.join(dir, 'cells', `${file}.json`), JSON.stringify({ run_id: id, exit_code }));
  st('a', null);
  st('b', 1);
  st('c', 7);
  writeFileSync(path.join(dir, 'cells', 'd.json'), '{"run_id":"d","exit_co');
  st('e', 0); // an earlier attempt's file: the cell now runs as e-r2
  st('f', 7);
  const m = readSweepManifest(dir).manifest!;
  assert.deepEqual(
    m.cells.map((c) => [c.run_id, c.status, c.exit_code]),
    [
      ['a', 'running', null],
      ['b', 'done', 1],
      ['c', 'failed', 7],
      ['d', 'pending', null],
      ['e-r2', 'pending', null],
      ['f', 'done', 0],
    ],
  );
});
