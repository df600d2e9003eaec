// 64 workers through the one-command deploy: two sshd namespace hosts with 32 workers each (ports
// 47100-47131), the coordinator on a third. Pre-flight, ship, start and fetch go per host where
// they can; the ready barrier and the end handshake must not wait on workers one by one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLab } from '../support/netns-lab.js';
import { csvRows, runIdOf, startDeploy, strayPids } from '../support/deploy-helpers.js';

const PER_HOST = 32;

// Opt-in (CHRONOEVAL_HEAVY_TESTS=1) for the suite's time (about 70 s); the suite runs 64 workers
// on loopback (test/integration/run-local-64-workers.test.ts). Each host's 32 workers start in one
// ssh command: with one command per worker, a root .bashrc that runs `pyenv init` (a rehash under
// one global lock) made launches wait past their timeout in 2 of 7 runs.
const heavy = process.env['CHRONOEVAL_HEAVY_TESTS'] === '1';
const skip = heavy ? false : 'opt-in: CHRONOEVAL_HEAVY_TESTS=1 (64 workers, about 70 s; see the comment above)';

test(
  'deploy: 64 workers on two sshd hosts (32 each) → every worker stamps every event, zero loss, nothing left running',
  { skip, timeout: 400_000 },
  async (t) => {
    const lab = await createLab(3);
    t.after(() => lab.teardown());
    const [c, h2, h3] = lab.hosts;
    const workers = [h2, h3].flatMap((h, k) =>
      Array.from({ length: PER_HOST }, (_, i) => ({
        name: `w${k * PER_HOST + i + 1}`,
        host: h.address,
        work_dir: h.workDir,
        port: 47100 + i,
      })),
    );
    const inv = path.join(lab.dir, 'inv-64.json');
    writeFileSync(
      inv,
      JSON.stringify({
        run: {
          rate: 20,
          duration_s: 3,
          sources: ['system'],
          poll_ms: 500,
          warmup_max_s: 5,
          ready_timeout_s: 120,
          stop_timeout_s: 30,
          end_timeout_s: 20,
        },
        defaults: { ssh: { config_file: lab.sshConfig, options: { ConnectTimeout: 5 } } },
        ntp: { embedded_server: { port: 12300 } },
        coordinator: { name: 'coord', host: c.address, work_dir: c.workDir },
        workers,
        local: { results_dir: path.join(lab.dir, 'results'), logs_dir: path.join(lab.dir, 'logs'), compress: false, figures: false },
      }),
    );
    const t0 = Date.now();
    const r = await startDeploy(lab, [inv], 380_000).done;
    const took = (Date.now() - t0) / 1000;
    t.diagnostic(`deploy of 64 workers took ${took.toFixed(1)} s`);
    // the deploy's errors and warnings (not the stop's one line per worker) and its last lines: 64 workers make the log long
    const lines = r.stderr.split('\n');
    const log = [...lines.filter((l) => /ERROR|WARN/.test(l) && !/sent SIGTERM/.test(l)).slice(0, 40), '[…]', ...lines.slice(-15)].join(
      '\n',
    );
    const runId = runIdOf(r.stdout);
    assert.ok(runId, `no summary line after ${took} s; stderr:\n${log}`);
    assert.equal(r.code, 0, `deploy exit ${r.code} after ${took} s:\n${log}`);
    // one pre-flight per machine, each row judged on its own port only
    for (const w of workers)
      assert.match(r.stderr, new RegExp(`^${w.name} +worker +${w.host.replace(/\./g, '\\.')} +ok .* ${w.port}:free +.* ok$`, 'm'));
    const runDir = path.join(lab.dir, 'results', runId);
    assert.equal(csvRows(path.join(runDir, 'coordinator.csv')), 60, '3 s at 20 events/s');
    for (const w of workers) assert.equal(csvRows(path.join(runDir, 'workers', `${w.name}.csv`)), 60, `${w.name} stamped every event`);
    const stats = JSON.parse(readFileSync(path.join(runDir, 'stats.json'), 'utf8'));
    assert.equal(stats.delivery.workers.length, 64);
    assert.equal(stats.delivery.received_by_all.count, 60, 'every event reached all 64 workers');
    assert.ok(existsSync(path.join(runDir, 'manifest.json')));
    for (const i of [1, 2, 3]) assert.deepEqual(strayPids(lab, i), [], `nothing left running on h${i}`);
  },
);
