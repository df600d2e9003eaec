// The Slurm template's argument handling, fast: `srun`, `scontrol` and `squeue` are stand-in scripts
// that run each step locally on loopback. Under a real Slurm: test/e2e/slurm-real.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT, tmpDir } from '../support/helpers.js';

test(
  'deploy/slurm/chronoeval.sbatch: coordinator, NTP server and two workers as srun steps → results and stats.json',
  { timeout: 180_000 },
  async () => {
    const dir = tmpDir('ce-slurm-');
    try {
      const bin = path.join(dir, 'bin');
      mkdirSync(bin);
      const srunLog = path.join(dir, 'srun.log');
      // srun: record the step's options, drop them, run the command here.
      writeFileSync(
        path.join(bin, 'srun'),
        `#!/bin/sh\necho "$*" >>'${srunLog}'\nwhile [ $# -gt 0 ]; do case $1 in -*) shift;; *) break;; esac; done\nexec "$@"\n`,
      );
      writeFileSync(
        path.join(bin, 'scontrol'),
        '#!/bin/sh\ncase "$1 $2" in\n"show hostnames") printf "n1\\nn2\\nn3\\n";;\n"show node") echo "NodeName=$4 NodeAddr=127.0.0.1 State=IDLE";;\n*) exit 1;;\nesac\n',
      );
      // squeue: no steps known, so stopping falls back to signalling the stand-in srun (= the process)
      writeFileSync(path.join(bin, 'squeue'), '#!/bin/sh\nexit 0\n');
      chmodSync(path.join(bin, 'squeue'), 0o755);
      chmodSync(path.join(bin, 'srun'), 0o755);
      chmodSync(path.join(bin, 'scontrol'), 0o755);
      const env = {
        ...process.env,
        PATH: `${bin}:${process.env.PATH}`,
        SLURM_JOB_NODELIST: 'n[1-3]',
        SLURM_JOB_ID: '4242',
        CHRONOEVAL_ROOT: PACKAGE_ROOT,
        NODE_BIN: process.execPath,
        RESULTS_DIR: path.join(dir, 'results'),
        LOGS_DIR: path.join(dir, 'logs'),
        BIND: '127.0.0.1',
        WORKER_PORT: '0',
        NTP_PORT: '0',
        DURATION_S: '2',
        RATE: '50',
        WARMUP_MAX_S: '3',
        POLL_MS: '200',
        READY_TIMEOUT_S: '30',
        FIGURES: '0',
        // any worker option, by its flag's name: re-estimations of bounded, receive stamps
        SOURCES: 'system,ntp,bounded',
        COMMIT_WAIT_S: '1,2',
        RECV_STAMP: 'user',
      };
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const c = spawn('bash', [path.join(PACKAGE_ROOT, 'deploy/slurm/chronoeval.sbatch')], {
          env,
          cwd: dir,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        c.stdout.on('data', (d) => (out += d));
        c.stderr.on('data', (d) => (out += d));
        const t = setTimeout(() => c.kill('SIGTERM'), 170_000); // ~30 s quiet; a loaded machine needs more
        c.on('close', (code) => {
          clearTimeout(t);
          resolve({ code, out });
        });
      });
      assert.equal(r.code, 0, r.out);
      const runs = readdirSync(path.join(dir, 'results'));
      assert.equal(runs.length, 1);
      assert.match(runs[0], /^\d{8}T\d{6}Z-j4242$/);
      const runDir = path.join(dir, 'results', runs[0]);
      const rows = (f: string) => readFileSync(path.join(runDir, f), 'utf8').trim().split('\n').length - 1;
      assert.equal(rows('coordinator.csv'), 100);
      assert.equal(rows('workers/w1.csv'), 100);
      assert.equal(rows('workers/w2.csv'), 100);
      assert.ok(existsSync(path.join(runDir, 'stats.json')));
      for (const w of ['w1', 'w2']) {
        assert.equal(rows(`commit_wait/${w}.csv`), 200, `${w}: every event re-estimated at 1 s and 2 s`);
        const sum = JSON.parse(readFileSync(path.join(runDir, 'workers', `${w}.summary.json`), 'utf8'));
        assert.equal(sum.recv_stamp, 'user');
        assert.equal(sum.ended_by, 'end');
      }
      const steps = readFileSync(srunLog, 'utf8').trim().split('\n');
      assert.match(
        steps.find((s) => s.includes('--job-name=coordinator'))!,
        /--end-timeout-s 32\b/,
        'longest re-estimation (2 s) + 30 s',
      );
      assert.match(
        steps.find((s) => s.includes('--job-name=coordinator'))!,
        /--workers 127\.0\.0\.1:\d+,127\.0\.0\.1:\d+ /,
        "workers reached at Slurm's NodeAddr, not the node name",
      );
      assert.equal(steps.length, 4, 'ntp-server, two workers, coordinator');
      for (const s of steps)
        assert.match(s, /^--nodes=1 --ntasks=1 --overlap .*--nodelist=n[123] --job-name=(ntp-server|worker-w[12]|coordinator) /);
      assert.ok(existsSync(path.join(dir, 'logs', runs[0], 'slurm', 'coordinator.err')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'deploy/slurm/chronoeval.sbatch: a bad option value stops it before anything is created, naming the variable',
  { timeout: 30_000 },
  async () => {
    const dir = tmpDir('ce-slurm-');
    try {
      const env = {
        ...process.env,
        SLURM_JOB_NODELIST: 'n[1-3]',
        SLURM_JOB_ID: '4243',
        CHRONOEVAL_ROOT: PACKAGE_ROOT,
        NODE_BIN: process.execPath,
        RESULTS_DIR: path.join(dir, 'results'),
        LOGS_DIR: path.join(dir, 'logs'),
        RECV_STAMP: 'sometimes',
        COMMIT_WAIT_S: 'soon',
      };
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const c = spawn('bash', [path.join(PACKAGE_ROOT, 'deploy/slurm/chronoeval.sbatch')], {
          env,
          cwd: dir,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        c.stdout.on('data', (d) => (out += d));
        c.stderr.on('data', (d) => (out += d));
        c.on('close', (code) => resolve({ code, out }));
      });
      assert.equal(r.code, 2, r.out);
      assert.match(r.out, /RECV_STAMP="sometimes": must be one of auto, kernel, user/);
      assert.equal(existsSync(path.join(dir, 'results')), false, 'nothing was created');
      assert.equal(existsSync(path.join(dir, 'logs')), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
