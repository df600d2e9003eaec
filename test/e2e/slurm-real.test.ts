// deploy/slurm/chronoeval.sbatch under a real Slurm (Debian's slurmctld/slurmd 22.05 and munge):
// scripts/slurm-lab.sh makes a controller and 3 compute nodes as network namespaces; the job is
// submitted with sbatch and followed with scontrol, its steps launched by slurmd on the nodes.
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT, runCli, tmpDir } from '../support/helpers.js';
import { processesMentioning, run, slurmLabUnavailableReason, slurmLabUp } from '../support/slurm-lab.js';
import { readSweepManifest } from '../../src/files/sweep-manifest.js';

const SBATCH = path.join(PACKAGE_ROOT, 'deploy', 'slurm', 'chronoeval.sbatch');
const CLI = path.join(PACKAGE_ROOT, 'dist', 'src', 'cli.js');
const skip = slurmLabUnavailableReason() ?? false;

type Lab = Awaited<ReturnType<typeof slurmLabUp>>;

/** sbatch the run template from `work` (results and logs under it, 50 events/s); the job id. */
async function submitTemplate(lab: Lab, work: string, env: Record<string, string>): Promise<string> {
  const sub = await lab.exec(['sbatch', '--parsable', `--output=${work}/job-%j.out`, `--chdir=${work}`, SBATCH], {
    CHRONOEVAL_ROOT: PACKAGE_ROOT,
    NODE_BIN: process.execPath,
    RESULTS_DIR: path.join(work, 'results'),
    LOGS_DIR: path.join(work, 'logs'),
    RATE: '50',
    WARMUP_MAX_S: '5',
    POLL_MS: '200',
    ...env,
  });
  assert.equal(sub.code, 0, `sbatch: ${sub.stderr}`);
  return sub.stdout.trim();
}

/** Take the lab down, print where the test's time went, and check nothing of the lab is left. */
async function tearDown(lab: Lab, work: string, lap: string[], t0: number, label: string, noRunLeft?: string): Promise<void> {
  const down = await lab.down();
  lap.push(`lab down ${Date.now() - t0} ms`);
  process.stderr.write(`[slurm-real ${label}] ${lap.join('; ')}\n`);
  assert.equal(down.code, 0, `slurm-lab.sh down: ${down.stderr}`);
  assert.deepEqual(processesMentioning(lab.dir), [], 'no munged/slurmctld/slurmd of the lab left');
  if (noRunLeft) assert.deepEqual(processesMentioning(work), [], noRunLeft);
  rmSync(path.dirname(lab.dir), { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}

/** Processes on the lab's nodes other than slurmd, polled for up to `waitMs` until there are none. */
async function leftOnNodes(lab: Lab, waitMs: number): Promise<string[]> {
  const until = Date.now() + waitMs;
  for (;;) {
    const left = (await lab.nodeProcesses()).filter((p) => !/^n\d: slurmd /.test(p));
    if (left.length === 0 || Date.now() >= until) return left;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * `chronoeval ARGS` in the lab's controller namespace (ip netns exec execs node itself, so a signal
 * reaches the command); `out` is its stdout and stderr in one text.
 */
function cliInLab(lab: Lab, args: string[]): { kill: (sig: NodeJS.Signals) => void; closed: Promise<number | null>; readonly out: string } {
  const c = spawn(
    'ip',
    ['netns', 'exec', `${lab.tag}c`, 'env', `SLURM_CONF=${path.join(lab.dir, 'slurm.conf')}`, process.execPath, CLI, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  c.stdout.on('data', (d) => (out += d));
  c.stderr.on('data', (d) => (out += d));
  const closed = new Promise<number | null>((r) => c.on('close', (code) => r(code)));
  return {
    kill: (sig) => void c.kill(sig),
    closed,
    get out() {
      return out;
    },
  };
}

/** Data rows of `rel` in the one run under work/results so far; 0 before it exists. */
function rowsOfTheRun(work: string, rel: string): number {
  const runs = existsSync(path.join(work, 'results')) ? readdirSync(path.join(work, 'results')) : [];
  const f = runs.length === 1 ? path.join(work, 'results', runs[0]!, rel) : '';
  return f && existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').length - 1 : 0;
}

// Two tests at a time, each with its own lab (own namespaces, daemons and directory): they only wait
// on Slurm and on runs at 50 events/s, so two share 2 cores without their numbers moving.
describe('real Slurm', { concurrency: 2 }, () => {
  test(
    'real Slurm: sbatch chronoeval.sbatch on 3 nodes (NTP server + coordinator, 2 workers) → complete results and report; nothing left',
    { skip, timeout: 150_000 },
    async () => {
      const t0 = Date.now();
      const lab = await slurmLabUp(3);
      const work = tmpDir('ce-slurmjob-');
      const lap: string[] = [`lab up ${Date.now() - t0} ms`];
      try {
        const id = await submitTemplate(lab, work, { DURATION_S: '4', SOURCES: 'system,ntp,bounded', COMMIT_WAIT_S: '1,2' });
        assert.match(id, /^\d+$/);
        const job = await lab.waitJob(id, 110_000);
        lap.push(`job ${job.JobState} ${Date.now() - t0} ms (Slurm RunTime ${job.RunTime})`);
        const out = readFileSync(path.join(work, `job-${id}.out`), 'utf8');
        assert.equal(job.JobState, 'COMPLETED', out);
        assert.equal(job.ExitCode, '0:0', out);
        assert.equal(job.NodeList, 'n[1-3]');

        // every role under its NodeAddr, not the node name
        const addr = (n: string) =>
          readFileSync(path.join(lab.dir, 'slurm.conf'), 'utf8').match(new RegExp(`^NodeName=${n} NodeAddr=(\\S+)`, 'm'))![1];
        assert.match(out, new RegExp(`coordinator n1, workers n2 n3, NTP ${addr('n1').replace(/\./g, '\\.')}:12300`));

        const runs = readdirSync(path.join(work, 'results'));
        assert.deepEqual(runs.length, 1);
        assert.match(runs[0], new RegExp(`^\\d{8}T\\d{6}Z-j${id}$`));
        const runDir = path.join(work, 'results', runs[0]);
        const rows = (f: string) => readFileSync(path.join(runDir, f), 'utf8').trim().split('\n').length - 1;
        assert.equal(rows('coordinator.csv'), 200, '4 s at 50/s');
        for (const w of ['w1', 'w2']) {
          assert.equal(rows(`workers/${w}.csv`), 200, `${w} got every event`);
          assert.equal(rows(`commit_wait/${w}.csv`), 400, `${w}: every event re-estimated at 1 s and 2 s`);
          assert.ok(rows(`echo/${w}.csv`) > 0, `${w} echoed`);
          const sum = JSON.parse(readFileSync(path.join(runDir, 'workers', `${w}.summary.json`), 'utf8'));
          assert.equal(sum.ended_by, 'end');
        }
        for (const f of ['manifest.json', 'stats.json', 'report.html', 'figures/ordering.png', 'figures/ordering.svg'])
          assert.ok(existsSync(path.join(runDir, f)), `${f} written`);
        const stats = JSON.parse(readFileSync(path.join(runDir, 'stats.json'), 'utf8'));
        assert.ok(stats, 'stats.json parses');

        // each step ran where it was placed: slurmd's own log of the steps it launched
        const launched = (n: string) =>
          (
            readFileSync(path.join(lab.dir, 'log', `slurmd-${n}.log`), 'utf8').match(new RegExp(`launch task StepId=${id}\\.\\d+ `, 'g')) ??
            []
          ).length;
        assert.deepEqual(
          [launched('n1'), launched('n2'), launched('n3')],
          [2, 1, 1],
          'n1: ntp-server + coordinator; n2, n3: a worker each',
        );

        // the job left nothing on the nodes but the slurmd daemons
        const left = await leftOnNodes(lab, 0);
        assert.deepEqual(left, [], 'only slurmd left in the node namespaces');
      } finally {
        const down = await lab.down();
        lap.push(`lab down ${Date.now() - t0} ms`);
        process.stderr.write(`[slurm-real] ${lap.join('; ')}\n`);
        assert.equal(down.code, 0, `slurm-lab.sh down: ${down.stderr}`);
        assert.deepEqual(processesMentioning(lab.dir), [], 'no munged/slurmctld/slurmd of the lab left');
        assert.deepEqual(processesMentioning(work), [], 'no chronoeval process of the run left');
        assert.equal(existsSync(lab.dir), false, 'lab dir removed');
        assert.doesNotMatch((await run(['ip', 'netns', 'list'])).stdout, new RegExp(lab.tag), 'namespaces deleted');
        rmSync(path.dirname(lab.dir), { recursive: true, force: true });
        rmSync(work, { recursive: true, force: true });
      }
    },
  );

  test(
    'real Slurm: scancel of a running job → exit 143, partial results kept, a message saying where, nothing left on the nodes',
    { skip, timeout: 150_000 },
    async () => {
      const t0 = Date.now();
      const lab = await slurmLabUp(3);
      const work = tmpDir('ce-slurmjob-');
      const lap: string[] = [`lab up ${Date.now() - t0} ms`];
      try {
        const id = await submitTemplate(lab, work, { DURATION_S: '120', SOURCES: 'system,ntp' });
        // cancel once events are flowing (rows on disk at the coordinator)
        const sent = () => rowsOfTheRun(work, 'coordinator.csv');
        const deadline = Date.now() + 60_000;
        while (sent() < 100) {
          assert.ok(Date.now() < deadline, `no events sent within 60 s: ${JSON.stringify(await lab.job(id))}`);
          await new Promise((r) => setTimeout(r, 250));
        }
        lap.push(`events flowing ${Date.now() - t0} ms`);
        const c = await lab.exec(['scancel', id]);
        assert.equal(c.code, 0, c.stderr);
        const job = await lab.waitJob(id, 60_000);
        lap.push(`job ${job.JobState} ${Date.now() - t0} ms`);
        const out = readFileSync(path.join(work, `job-${id}.out`), 'utf8');
        assert.equal(job.JobState, 'CANCELLED', out);
        assert.equal(job.ExitCode, '143:0', `the script's own exit code (128 + SIGTERM)\n${out}`);
        const runs = readdirSync(path.join(work, 'results'));
        const runDir = path.join(work, 'results', runs[0]);
        assert.match(out, /interrupted \(SIGTERM\): stopping every step/);
        assert.ok(out.includes(`partial results kept in ${runDir}`), out);

        const rows = (f: string) => readFileSync(path.join(runDir, f), 'utf8').trim().split('\n').length - 1;
        const coord = rows('coordinator.csv');
        assert.ok(coord >= 100 && coord < 6000, `coordinator rows ${coord}: at least what was there at the cancel, not the full run`);
        for (const w of ['w1', 'w2']) {
          const n = rows(`workers/${w}.csv`);
          assert.ok(n >= 50 && n <= coord, `${w}: ${n} rows kept (coordinator sent ${coord})`);
        }
        assert.ok(existsSync(path.join(runDir, 'manifest.json')));
        // Slurm's own SIGTERM reached the workers before srun's SIGKILL: no re-estimations to wait for here
        for (const w of ['w1', 'w2']) {
          const sum = JSON.parse(readFileSync(path.join(runDir, 'workers', `${w}.summary.json`), 'utf8'));
          assert.equal(sum.ended_by, 'SIGTERM', `${w} stopped by the signal and wrote its summary`);
        }
        const an = await runCli(['analyze', runDir, '--no-figures'], { timeoutMs: 60_000 });
        assert.equal(an.code, 0, `the partial results analyse: ${an.stderr}`);

        // Slurm ends the job's processes (SIGKILL after KillWait = 5 s): only slurmd stays
        const left = await leftOnNodes(lab, 10000);
        assert.deepEqual(left, [], 'only slurmd left in the node namespaces');
        assert.deepEqual(processesMentioning(work), [], 'no chronoeval process of the run left');
        process.stderr.write(
          `[slurm-real scancel] coordinator ${coord} rows, workers ${rows('workers/w1.csv')}/${rows('workers/w2.csv')}\n`,
        );
      } finally {
        await tearDown(lab, work, lap, t0, 'scancel');
      }
    },
  );

  test(
    'real Slurm: a worker step SIGKILLed mid-run → exit 6 (FAILED), the dead worker named, the rest analysed, nothing left',
    { skip, timeout: 150_000 },
    async () => {
      const t0 = Date.now();
      const lab = await slurmLabUp(3);
      const work = tmpDir('ce-slurmjob-');
      const lap: string[] = [`lab up ${Date.now() - t0} ms`];
      try {
        const id = await submitTemplate(lab, work, { DURATION_S: '12', SOURCES: 'system,ntp', END_TIMEOUT_S: '5', FIGURES: '0' });
        const w2Rows = () => rowsOfTheRun(work, 'workers/w2.csv');
        const deadline = Date.now() + 60_000;
        while (w2Rows() < 100) {
          assert.ok(Date.now() < deadline, `w2 got no events within 60 s: ${JSON.stringify(await lab.job(id))}`);
          await new Promise((r) => setTimeout(r, 250));
        }
        assert.equal(await lab.killOnNode(3, /cli\.js worker /), 1, 'the worker process on n3');
        lap.push(`w2 killed ${Date.now() - t0} ms`);
        const job = await lab.waitJob(id, 90_000);
        lap.push(`job ${job.JobState} ${Date.now() - t0} ms`);
        const out = readFileSync(path.join(work, `job-${id}.out`), 'utf8');
        assert.equal(job.JobState, 'FAILED', out);
        assert.equal(job.ExitCode, '6:0', `the coordinator's "a worker sent no bye"\n${out}`);
        assert.match(out, /worker w2 on n3 \(\S+:47100\): its step exited 137 \(see \S+worker-w2\.err\)/);
        assert.match(out, /coordinator exited 6 .*analysing what was collected/);
        const runDir = path.join(work, 'results', readdirSync(path.join(work, 'results'))[0]);
        const rows = (f: string) => readFileSync(path.join(runDir, f), 'utf8').trim().split('\n').length - 1;
        assert.equal(rows('coordinator.csv'), 600);
        assert.equal(rows('workers/w1.csv'), 600, 'the other worker got every event');
        const w2 = rows('workers/w2.csv');
        assert.ok(w2 >= 100 && w2 < 600, `w2's rows up to its death kept: ${w2}`);
        assert.ok(existsSync(path.join(runDir, 'stats.json')), 'analysed');

        const left = await leftOnNodes(lab, 0);
        assert.deepEqual(left, [], 'only slurmd left in the node namespaces');
      } finally {
        await tearDown(lab, work, lap, t0, 'step killed', 'no chronoeval process of the run left');
      }
    },
  );

  test(
    'real Slurm: a worker node lost mid-run → NODE_FAIL, not requeued, exit 143 with the partial results named; its orphan cleaned when it returns',
    { skip, timeout: 220_000 },
    async () => {
      const t0 = Date.now();
      const lab = await slurmLabUp(3);
      const work = tmpDir('ce-slurmjob-');
      const lap: string[] = [`lab up ${Date.now() - t0} ms`];
      try {
        const id = await submitTemplate(lab, work, { DURATION_S: '120', SOURCES: 'system,ntp', FIGURES: '0' });
        const w1Rows = () => rowsOfTheRun(work, 'workers/w1.csv');
        const deadline = Date.now() + 60_000;
        while (w1Rows() < 100) {
          assert.ok(Date.now() < deadline, `no events within 60 s: ${JSON.stringify(await lab.job(id))}`);
          await new Promise((r) => setTimeout(r, 250));
        }
        await lab.link(3, false);
        lap.push(`n3 cut off ${Date.now() - t0} ms`);
        const job = await lab.waitJob(id, 90_000); // SlurmdTimeout=10 in the lab
        lap.push(`job ${job.JobState} ${Date.now() - t0} ms`);
        const out = readFileSync(path.join(work, `job-${id}.out`), 'utf8');
        assert.equal(job.JobState, 'NODE_FAIL', out);
        assert.equal(job.Restarts, '0', 'not requeued');
        assert.equal(job.ExitCode, '143:0', out);
        assert.match(out, /CANCELLED AT \S+ DUE TO NODE FAILURE/);
        const runDir = path.join(work, 'results', readdirSync(path.join(work, 'results'))[0]);
        assert.ok(out.includes(`partial results kept in ${runDir}`), out);
        const rows = (f: string) => readFileSync(path.join(runDir, f), 'utf8').trim().split('\n').length - 1;
        assert.ok(rows('workers/w1.csv') >= 100, 'w1 rows kept');
        assert.ok(rows('workers/w2.csv') > 0, 'w2 rows up to the cut kept');

        // the cut-off node still runs its worker until it is back and Slurm ends the orphan: the
        // controller asks a returning node to register on its next ping round, then the step gets
        // SIGTERM and, KillWait (15 s) later, SIGKILL; on a loaded machine this took over 30 s
        await lab.link(3, true);
        const left = await leftOnNodes(lab, 75000);
        lap.push(`orphans gone ${Date.now() - t0} ms`);
        assert.deepEqual(left, [], 'only slurmd left once n3 is back');
        assert.deepEqual(processesMentioning(work), [], 'no chronoeval process of the run left');
      } finally {
        await tearDown(lab, work, lap, t0, 'node lost');
      }
    },
  );

  test(
    'real Slurm: chronoeval slurm submits the template, follows it to COMPLETED and names the analysed results; bad input refused before sbatch',
    { skip, timeout: 120_000 },
    async () => {
      const t0 = Date.now();
      const lab = await slurmLabUp(3);
      const work = tmpDir('ce-slurmcmd-');
      const lap: string[] = [`lab up ${Date.now() - t0} ms`];
      const cli = (args: string[], timeoutMs = 30_000) => lab.exec([process.execPath, CLI, ...args], {}, timeoutMs);
      try {
        const dirs = ['--results-dir', path.join(work, 'results'), '--logs-dir', path.join(work, 'logs')];
        const bad = await cli(['slurm', '--partition', 'nope', ...dirs]);
        assert.equal(bad.code, 2, bad.stderr);
        assert.match(bad.stderr, /--partition "nope": no such partition on this cluster \(sinfo lists: lab\)/);
        const badSet = await cli(['slurm', '--set', 'RECV_STAMP=sometimes', ...dirs]);
        assert.equal(badSet.code, 2, badSet.stderr);
        assert.match(badSet.stderr, /RECV_STAMP="sometimes": must be one of auto, kernel, user/);
        assert.equal((await lab.exec(['squeue', '-h'])).stdout.trim(), '', 'nothing submitted');

        const r = await cli(
          [
            'slurm',
            '--partition',
            'lab',
            '--duration-s',
            '2',
            '--set',
            'WARMUP_MAX_S=5',
            '--set',
            'POLL_MS=200',
            '--set',
            'COMMIT_WAIT_S=1',
            '--no-figures',
            '--poll-s',
            '1',
            ...dirs,
          ],
          90_000,
        );
        lap.push(`chronoeval slurm exit ${r.code} ${Date.now() - t0} ms`);
        assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
        const id = /^submitted job (\d+): /m.exec(r.stdout)?.[1];
        assert.ok(id, r.stdout);
        assert.match(r.stdout, new RegExp(`^job ${id}: RUNNING on n\\[1-3\\], elapsed `, 'm'));
        assert.match(r.stdout, new RegExp(`^job ${id}: COMPLETED, exit code 0:0 \\(script:signal\\), elapsed `, 'm'));
        const runDir = /^results: (\S+) /m.exec(r.stdout)?.[1];
        assert.ok(runDir && runDir.startsWith(path.join(work, 'results')) && runDir.endsWith(`-j${id}`), r.stdout);
        const rows = (f: string) => readFileSync(path.join(runDir, f), 'utf8').trim().split('\n').length - 1;
        assert.equal(rows('coordinator.csv'), 100, '2 s at 50/s');
        for (const w of ['w1', 'w2']) assert.equal(rows(`workers/${w}.csv`), 100, `${w} got every event`);
        assert.ok(existsSync(path.join(runDir, 'stats.json')), 'analysed by the job');
        assert.ok(existsSync(path.join(work, 'logs', `slurm-${id}.out`)), "the job's output where it was said to be");
        const left = await leftOnNodes(lab, 0);
        assert.deepEqual(left, [], 'only slurmd left in the node namespaces');
      } finally {
        await tearDown(lab, work, lap, t0, 'chronoeval slurm');
      }
    },
  );

  test(
    'real Slurm: sweep --via slurm, 2 rates × 2 seeds as one job array in parallel on the nodes, then an afterany compare job → summary.csv with the rate column',
    { skip, timeout: 120_000 },
    async () => {
      const t0 = Date.now();
      const lab = await slurmLabUp(3);
      const work = tmpDir('ce-slurmsweep-');
      const lap: string[] = [`lab up ${Date.now() - t0} ms`];
      try {
        const spec = path.join(work, 'sweep.yaml');
        writeFileSync(spec, 'scenario: lan\nseeds: [1, 2]\nmatrix:\n  rate: [50, 100]\noptions:\n  workers: 2\n  duration_s: 2\n');
        const r = await lab.exec(
          [
            process.execPath,
            CLI,
            'sweep',
            spec,
            '--via',
            'slurm',
            '--partition',
            'lab',
            '--results-dir',
            path.join(work, 'results'),
            '--logs-dir',
            path.join(work, 'logs'),
            '--sweeps-dir',
            path.join(work, 'sweeps'),
          ],
          {},
          100_000,
        );
        lap.push(`sweep exit ${r.code} ${Date.now() - t0} ms`);
        // 4: the lan scenario's checks cannot all be judged on 2 s of events; the runs are made
        assert.ok([0, 1, 4].includes(r.code ?? -1), `${r.stdout}\n${r.stderr}`);
        const m = /^sweep: job array (\d+) \(4 task\(s\), one cell each\), compare job (\d+) after it \(afterany\)/m.exec(r.stdout);
        assert.ok(m, r.stdout);
        assert.match(r.stdout, /4\/4 cells finished/);
        assert.match(r.stdout, new RegExp(`^job ${m[2]}: COMPLETED`, 'm'));
        const dir = path.join(work, 'sweeps', readdirSync(path.join(work, 'sweeps'))[0]!);

        // each task wrote its own status; sweep.json was written only at submission
        const status = readdirSync(path.join(dir, 'cells')).map((f) => JSON.parse(readFileSync(path.join(dir, 'cells', f), 'utf8')));
        assert.equal(status.length, 4);
        for (const s of status) assert.ok([0, 1, 4].includes(s.exit_code), JSON.stringify(s));
        const nodes = new Set(status.map((s) => s.node));
        assert.ok(nodes.size >= 2, `tasks ran on several nodes: ${[...nodes].join(', ')}`);
        const onDisk = JSON.parse(readFileSync(path.join(dir, 'sweep.json'), 'utf8'));
        assert.deepEqual(onDisk.slurm.array_job, m[1]);
        assert.ok(
          onDisk.cells.every((c: { status: string }) => c.status === 'pending'),
          'the tasks never rewrote sweep.json',
        );
        const merged = readSweepManifest(dir).manifest!;
        assert.deepEqual(
          merged.cells.map((c) => c.status),
          ['done', 'done', 'done', 'done'],
          'the reader merges the status files',
        );

        const csv = readFileSync(path.join(dir, 'compare', 'summary.csv'), 'utf8')
          .trim()
          .split('\n');
        const head = csv[0]!.split(',');
        const col = head.indexOf('param.rate');
        assert.ok(col >= 0, `param.rate column: ${csv[0]}`);
        assert.deepEqual([...new Set(csv.slice(1).map((l) => l.split(',')[col]))].sort(), ['100', '50']);
        assert.equal(new Set(csv.slice(1).map((l) => l.split(',')[0])).size, 4, 'every cell compared');
        assert.ok(existsSync(path.join(dir, 'compare', 'compare.html')));
        const left = await leftOnNodes(lab, 0);
        assert.deepEqual(left, [], 'only slurmd left in the node namespaces');
      } finally {
        await tearDown(lab, work, lap, t0, 'sweep array', 'no chronoeval process of the sweep left');
      }
    },
  );

  test(
    'real Slurm: SIGTERM to chronoeval slurm while it follows → the job cancelled, CANCELLED 143:0, the partial run analysed by the command, exit 143, nothing left',
    { skip, timeout: 120_000 },
    async () => {
      const t0 = Date.now();
      const lab = await slurmLabUp(3);
      const work = tmpDir('ce-slurmcmd-');
      const lap: string[] = [`lab up ${Date.now() - t0} ms`];
      try {
        const c = cliInLab(lab, [
          'slurm',
          '--duration-s',
          '120',
          '--set',
          'WARMUP_MAX_S=5',
          '--set',
          'POLL_MS=200',
          '--no-figures',
          '--poll-s',
          '1',
          '--results-dir',
          path.join(work, 'results'),
          '--logs-dir',
          path.join(work, 'logs'),
        ]);
        const closed = c.closed;
        const coordRows = () => rowsOfTheRun(work, 'coordinator.csv');
        const deadline = Date.now() + 60_000;
        while (coordRows() < 100) {
          assert.ok(Date.now() < deadline, `no events sent within 60 s: ${c.out}`);
          await new Promise((r) => setTimeout(r, 250));
        }
        c.kill('SIGTERM');
        lap.push(`SIGTERM ${Date.now() - t0} ms`);
        const code = await closed;
        lap.push(`command exit ${code} ${Date.now() - t0} ms`);
        assert.equal(code, 143, c.out);
        const id = /^submitted job (\d+): /m.exec(c.out)?.[1];
        assert.match(c.out, new RegExp(`^SIGTERM: cancelling job ${id} \\(scancel ${id}\\)`, 'm'));
        assert.match(c.out, new RegExp(`^job ${id}: CANCELLED, exit code 143:0 `, 'm'));
        assert.match(c.out, /^the job did not analyse its results: chronoeval analyze /m);
        const runDir = path.join(work, 'results', readdirSync(path.join(work, 'results'))[0]!);
        assert.ok(existsSync(path.join(runDir, 'stats.json')), 'the partial run analysed by the command');
        const n = readFileSync(path.join(runDir, 'coordinator.csv'), 'utf8').trim().split('\n').length - 1;
        assert.ok(n >= 100 && n < 6000, `coordinator rows ${n}: up to the cancel`);
        const left = await leftOnNodes(lab, 10000);
        assert.deepEqual(left, [], 'only slurmd left in the node namespaces');
        assert.deepEqual(processesMentioning(work), [], 'no chronoeval process of the run left');
      } finally {
        await tearDown(lab, work, lap, t0, 'chronoeval slurm SIGTERM');
      }
    },
  );

  test(
    'real Slurm: SIGTERM to sweep --via slurm while cells run → the array and the compare job cancelled, exit 143, each started cell recorded as stopped, nothing left',
    { skip, timeout: 120_000 },
    async () => {
      const t0 = Date.now();
      const lab = await slurmLabUp(3);
      const work = tmpDir('ce-slurmsweep-');
      const lap: string[] = [`lab up ${Date.now() - t0} ms`];
      try {
        const spec = path.join(work, 'sweep.yaml');
        writeFileSync(spec, 'scenario: lan\nseeds: [1, 2]\nmatrix:\n  rate: [50, 100]\noptions:\n  workers: 2\n  duration_s: 60\n');
        const c = cliInLab(lab, [
          'sweep',
          spec,
          '--via',
          'slurm',
          '--results-dir',
          path.join(work, 'results'),
          '--logs-dir',
          path.join(work, 'logs'),
          '--sweeps-dir',
          path.join(work, 'sweeps'),
        ]);
        const closed = c.closed;
        const running = () => {
          const s = existsSync(path.join(work, 'sweeps')) ? readdirSync(path.join(work, 'sweeps')) : [];
          const d = s.length === 1 ? path.join(work, 'sweeps', s[0]!, 'cells') : '';
          return d && existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.json')).length : 0;
        };
        const deadline = Date.now() + 60_000;
        while (running() < 3) {
          assert.ok(Date.now() < deadline, `3 cells not started within 60 s: ${c.out}`);
          await new Promise((r) => setTimeout(r, 250));
        }
        await new Promise((r) => setTimeout(r, 5000)); // the cells' run-locals under way
        c.kill('SIGTERM');
        lap.push(`SIGTERM ${Date.now() - t0} ms`);
        const code = await closed;
        lap.push(`sweep exit ${code} ${Date.now() - t0} ms`);
        assert.equal(code, 143, c.out);
        const m = /^sweep: job array (\d+) .*compare job (\d+) after it/m.exec(c.out);
        assert.ok(m, c.out);
        assert.match(c.out, new RegExp(`^sweep: SIGTERM: cancelling the array and the compare job \\(scancel ${m[1]} ${m[2]}\\)`, 'm'));
        const compare = await lab.job(m[2]!);
        assert.equal(compare.JobState, 'CANCELLED', 'the compare job never ran');
        const dir = path.join(work, 'sweeps', readdirSync(path.join(work, 'sweeps'))[0]!);
        const cells = readSweepManifest(dir).manifest!.cells;
        // a started cell: stopped by Slurm's SIGTERM (failed) or, if SIGKILLed before its task wrote
        // the end, still running; the fourth never started
        const started = cells.filter((x) => x.status !== 'pending');
        // A cell that did not end by the signal shows why (its run-local output is removed with the lab).
        for (const cl of started.filter((x) => x.exit_code !== null && x.exit_code !== 143 && x.run_id)) {
          const log = path.join(dir, 'logs', `${cl.run_id}.log`);
          const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-40).join('\n') : '(no log)';
          process.stderr.write(`[slurm-real sweep array SIGTERM] cell ${cl.run_id} exit ${cl.exit_code}; its output ends:\n${tail}\n`);
        }
        assert.equal(started.length, 3, JSON.stringify(cells));
        for (const cl of started)
          assert.ok(
            // 143: stopped, also when the signal reached the coordinator while it loaded (nothing to analyse)
            (cl.status === 'failed' && cl.exit_code === 143) || (cl.status === 'running' && cl.exit_code === null),
            JSON.stringify(cl),
          );
        process.stderr.write(`[slurm-real sweep array SIGTERM] cells: ${cells.map((x) => `${x.status}/${x.exit_code}`).join(' ')}\n`);
        assert.ok(!existsSync(path.join(dir, 'compare')), 'nothing compared');
        const left = await leftOnNodes(lab, 10000);
        assert.deepEqual(left, [], 'only slurmd left in the node namespaces');
        assert.deepEqual(processesMentioning(work), [], 'no chronoeval process of the sweep left');
      } finally {
        await tearDown(lab, work, lap, t0, 'sweep array SIGTERM');
      }
    },
  );

  test(
    'real Slurm: chronoeval slurm --node-dir (no shared filesystem) → each node writes its own rows, SIGINT stops the run, every node’s rows pulled back through srun, analysed here, node copies removed, exit 130',
    { skip, timeout: 150_000 },
    async () => {
      const t0 = Date.now();
      const lab = await slurmLabUp(3);
      const work = tmpDir('ce-slurmnodedir-');
      const lap: string[] = [`lab up ${Date.now() - t0} ms`];
      try {
        const nodes = path.join(work, 'nodes'); // nodes/n1, nodes/n2, …: one directory per node, never shared
        const c = cliInLab(lab, [
          'slurm',
          '--duration-s',
          '120',
          '--set',
          'WARMUP_MAX_S=5',
          '--set',
          'POLL_MS=200',
          '--no-figures',
          '--poll-s',
          '1',
          '--set',
          'COMMIT_WAIT_S=1',
          '--node-dir',
          path.join(nodes, '%N'),
          '--results-dir',
          path.join(work, 'results'),
          '--logs-dir',
          path.join(work, 'logs'),
        ]);
        const closed = c.closed;
        const coordRows = (): number => {
          const d = path.join(nodes, 'n1', 'results');
          const runs = existsSync(d) ? readdirSync(d) : [];
          const f = runs.length === 1 ? path.join(d, runs[0]!, 'coordinator.csv') : '';
          return f && existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').length - 1 : 0;
        };
        const deadline = Date.now() + 60_000;
        while (coordRows() < 100) {
          assert.ok(Date.now() < deadline, `no events sent within 60 s: ${c.out}`);
          await new Promise((r) => setTimeout(r, 250));
        }
        assert.ok(
          !existsSync(path.join(work, 'results')) || readdirSync(path.join(work, 'results')).length === 0,
          'nothing written here by the job',
        );
        for (const n of ['n2', 'n3']) assert.ok(existsSync(path.join(nodes, n, 'results')), `worker node ${n} writes its own rows`);
        c.kill('SIGINT');
        lap.push(`SIGINT ${Date.now() - t0} ms`);
        const code = await closed;
        lap.push(`command exit ${code} ${Date.now() - t0} ms`);
        assert.equal(code, 130, c.out);
        const id = /^submitted job (\d+): /m.exec(c.out)?.[1];
        assert.match(c.out, new RegExp(`^SIGINT: stopping the run's steps of job ${id}`, 'm'));
        for (const n of ['n1', 'n2', 'n3']) assert.match(c.out, new RegExp(`^collect: node ${n}: [1-9]\\d* file\\(s\\) from `, 'm'));
        assert.doesNotMatch(c.out, /NOT collected/);
        const runs = readdirSync(path.join(work, 'results')).filter((d) => !d.startsWith('.'));
        assert.equal(runs.length, 1, `one run collected: ${runs.join(' ')}`);
        assert.deepEqual(readdirSync(path.join(work, 'results')), runs, 'no staging directory left');
        const runDir = path.join(work, 'results', runs[0]!);
        assert.ok(existsSync(path.join(runDir, 'stats.json')), 'analysed on the submitting host');
        const rows = (f: string): number => readFileSync(path.join(runDir, f), 'utf8').trim().split('\n').length - 1;
        const n = rows('coordinator.csv');
        assert.ok(n >= 100 && n < 6000, `coordinator rows ${n}: up to the stop`);
        for (const w of ['w1', 'w2']) assert.ok(rows(`workers/${w}.csv`) > 50, `${w}'s rows came from its own node`);
        const stats = JSON.parse(readFileSync(path.join(runDir, 'stats.json'), 'utf8')) as { workers?: unknown };
        assert.ok(stats.workers !== undefined, 'stats.json has workers');
        assert.ok(existsSync(path.join(work, 'logs', runs[0]!, 'slurm', 'coordinator.err')), "the job's step logs collected");
        assert.ok(existsSync(path.join(work, 'logs', `slurm-${id}.out`)), "the job's output collected");
        // the job removes each node's copy once told it was collected, then ends
        const fin = await lab.waitJob(id!, 30_000);
        assert.notEqual(fin.JobState, 'RUNNING');
        const left = (d: string): string[] => (existsSync(d) ? readdirSync(d, { recursive: true }).map(String) : []);
        for (const nd of ['n1', 'n2', 'n3'])
          for (const sub of ['results', 'logs']) assert.deepEqual(left(path.join(nodes, nd, sub)), [], `${nd}/${sub}: node copy removed`);
        const procs = await leftOnNodes(lab, 10000);
        assert.deepEqual(procs, [], 'only slurmd left in the node namespaces');
      } finally {
        await tearDown(lab, work, lap, t0, 'chronoeval slurm --node-dir');
      }
    },
  );

  test(
    'real Slurm: sweep --resume while its array job still runs (submitted with --no-wait) → exit 2 naming the array and its state, nothing started twice',
    { skip, timeout: 90_000 },
    async () => {
      const t0 = Date.now();
      const lab = await slurmLabUp(3);
      const work = tmpDir('ce-slurmresume-');
      const lap: string[] = [`lab up ${Date.now() - t0} ms`];
      try {
        const spec = path.join(work, 'sweep.yaml');
        writeFileSync(spec, 'scenario: lan\nseeds: [1, 2]\noptions:\n  workers: 2\n  duration_s: 60\n');
        const dirs = [
          '--results-dir',
          path.join(work, 'results'),
          '--logs-dir',
          path.join(work, 'logs'),
          '--sweeps-dir',
          path.join(work, 'sweeps'),
        ];
        const sub = await lab.exec([process.execPath, CLI, 'sweep', spec, '--via', 'slurm', '--no-wait', ...dirs], {}, 30_000);
        assert.equal(sub.code, 0, `${sub.stdout}\n${sub.stderr}`);
        const array = /^sweep: job array (\d+) /m.exec(sub.stdout)?.[1];
        assert.ok(array, sub.stdout);
        const dir = path.join(work, 'sweeps', readdirSync(path.join(work, 'sweeps'))[0]!);
        const again = await lab.exec([process.execPath, CLI, 'sweep', spec, '--resume', dir, ...dirs], {}, 30_000);
        lap.push(`resume refused ${Date.now() - t0} ms`);
        assert.equal(again.code, 2, `${again.stdout}\n${again.stderr}`);
        assert.match(
          again.stderr,
          new RegExp(`this sweep's Slurm array job ${array} is still (RUNNING|PENDING)×\\d.*scancel ${array}\\), then resume`),
        );
        assert.deepEqual(
          readSweepManifest(dir).manifest!.cells.map((c) => c.status === 'done'),
          [false, false],
          'the refused resume ran nothing',
        );
        await lab.exec(['scancel', array!]); // the lab's stop takes what is left
      } finally {
        await tearDown(lab, work, lap, t0, 'sweep resume while the array runs');
      }
    },
  );
});
