// Which workers a deploy reports as died during the run, from one poll of every process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workersDiedMidRun } from '../../src/deploy/worker-deaths.js';
import type { ProcStatus } from '../../src/deploy/remote-scripts.js';

const status = (name: string, alive: boolean, rc: number | null): ProcStatus => ({
  name,
  pid: 1,
  alive,
  rc,
  out: '',
  errLines: 0,
  errTail: [],
});
const workers = [{ name: 'worker-w1' }, { name: 'worker-w2' }];
const targets = new Map([
  ['worker-w1', '10.0.0.12:4001'],
  ['worker-w2', '10.0.0.13:4001'],
]);

test('a worker killed while the coordinator runs died during the run; one that exited 0 got end', () => {
  const st = new Map([
    ['worker-w1', status('worker-w1', false, 0)],
    ['worker-w2', status('worker-w2', false, 137)],
  ]);
  assert.deepEqual(workersDiedMidRun(workers, st, true, new Set(), targets, []), ['worker-w2']);
  assert.deepEqual(workersDiedMidRun(workers, st, true, new Set(), targets, ['worker-w2']), [], 'counted once');
});

test('a lagging poll that sees the kill and the coordinator’s end together still counts a worker with no bye', () => {
  const st = new Map([
    ['worker-w1', status('worker-w1', false, 0)],
    ['worker-w2', status('worker-w2', false, 137)],
  ]);
  assert.deepEqual(workersDiedMidRun(workers, st, false, new Set(['10.0.0.13:4001']), targets, []), ['worker-w2']);
});

test('after the coordinator ended, a worker that said bye and then failed is not a death during the run', () => {
  const st = new Map([['worker-w2', status('worker-w2', false, 3)]]);
  assert.deepEqual(workersDiedMidRun(workers, st, false, new Set(), targets, []), []);
  assert.deepEqual(workersDiedMidRun(workers, new Map([['worker-w2', status('worker-w2', true, null)]]), true, new Set(), targets, []), []);
});
