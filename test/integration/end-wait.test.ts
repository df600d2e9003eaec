// A real worker still finishing its re-estimations answers each repeated `end` with `ending`, and
// the coordinator waits for its bye beyond --end-timeout-s (which bounds silence only). The answer
// is never larger than the `end` it answers, so `end` is padded like `ready?`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { runCli, startCli, tmpDir } from '../support/helpers.js';
import { workerSummaryOf } from '../support/worker-summary.js';

test(
  'a coordinator with a 1 s end timeout waits for a worker whose 4 s re-estimation is still running, and gets its bye',
  { timeout: 60_000 },
  async () => {
    const dir = tmpDir('chronoeval-endwait-');
    const common = [
      '--run-id',
      'T-endwait',
      '--results-dir',
      path.join(dir, 'results'),
      '--logs-dir',
      path.join(dir, 'logs'),
      '--insecure',
    ];
    const ntp = await startCli(['ntp-server', '--bind', '127.0.0.1', '--port', '0', '--logs-dir', path.join(dir, 'logs')]);
    try {
      const w = await startCli([
        'worker',
        ...common,
        '--node',
        'w',
        '--bind',
        '127.0.0.1',
        '--port',
        '0',
        '--sources',
        'system,ntp,bounded',
        '--ntp-server',
        `127.0.0.1:${ntp.port}`,
        '--poll-ms',
        '300',
        '--commit-wait-s',
        '4',
      ]);
      const c = await runCli(
        [
          'coordinator',
          ...common,
          '--workers',
          `127.0.0.1:${w.port}`,
          '--sources',
          'system',
          '--count',
          '5',
          '--rate',
          '50',
          '--end-timeout-s',
          '1',
        ],
        { timeoutMs: 50_000 },
      );
      assert.equal(c.code, 0, `the coordinator got every bye (exit 4 = a worker never said bye):\n${c.stderr}`);
      const summary = workerSummaryOf(path.join(dir, 'results', 'T-endwait', 'workers', 'w.summary.json'));
      assert.equal(summary.ended_by, 'end');
      assert.deepEqual([summary.commit_wait?.rows, summary.commit_wait?.pending], [5, 0], 'every re-estimation was written before the bye');
    } finally {
      ntp.child.kill('SIGTERM');
    }
  },
);
