// Drives scripts/slurm-lab.sh (a real munged, slurmctld and slurmd per node, in network
// namespaces) for tests: bring it up, run Slurm commands in the controller namespace, follow a
// job, list what is left running, tear it down.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT, tmpDir } from './helpers.js';

const SCRIPT = path.join(PACKAGE_ROOT, 'scripts', 'slurm-lab.sh');

export interface CmdResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(argv: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CmdResult> {
  return new Promise((resolve) => {
    const c = spawn(argv[0], argv.slice(1), { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => c.kill('SIGTERM'), opts.timeoutMs ?? 60_000);
    c.on('error', (e) => {
      clearTimeout(t);
      resolve({ code: 127, stdout, stderr: stderr + e.message });
    });
    c.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Why the Slurm lab cannot be built here, or null. */
export function slurmLabUnavailableReason(): string | null {
  if (process.getuid?.() !== 0) return 'the Slurm lab needs root (network namespaces; slurmd runs jobs)';
  for (const bin of [
    'ip',
    'nsenter',
    'munged',
    'slurmctld',
    'slurmd',
    'slurmstepd',
    'sbatch',
    'srun',
    'scontrol',
    'squeue',
    'scancel',
    'sinfo',
  ]) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0)
      return `${bin} is not installed (Debian: apt-get install slurmctld slurmd slurm-client munge iproute2, or scripts/install-test-deps.sh)`;
  }
  return null;
}

export interface SlurmLab {
  dir: string;
  /** Prefix of the lab's namespace names (`<tag>c`, `<tag>n1`, …). */
  tag: string;
  /** Runs a command in the controller namespace with the lab's SLURM_CONF (default timeout 30 s). */
  exec(argv: string[], env?: NodeJS.ProcessEnv, timeoutMs?: number): Promise<CmdResult>;
  /** `scontrol show job -o` as key=value pairs. */
  job(id: string): Promise<Record<string, string>>;
  /** Polls the job until it leaves the pending/running states; returns its final fields. */
  waitJob(id: string, timeoutMs: number): Promise<Record<string, string>>;
  /** Command lines of every process in the lab's node namespaces. */
  nodeProcesses(): Promise<string[]>;
  /** Cuts node n<i> off the lab's network (false) or reconnects it (true). */
  link(i: number, up: boolean): Promise<void>;
  /** SIGKILLs the processes on node n<i> whose command line matches; returns how many. */
  killOnNode(i: number, match: RegExp): Promise<number>;
  down(): Promise<CmdResult>;
}

export async function slurmLabUp(nodes: number): Promise<SlurmLab> {
  const dir = path.join(tmpDir('ce-slurmlab-'), 'lab'); // the script creates it and refuses an existing one
  const env = { ...process.env, SLURM_LAB_DIR: dir };
  const up = await run(['bash', SCRIPT, 'up', String(nodes)], { env, timeoutMs: 60_000 });
  if (up.code !== 0) throw new Error(`slurm-lab.sh up exited ${up.code}: ${up.stderr}${up.stdout}`);
  const state = Object.fromEntries(
    readFileSync(path.join(dir, 'lab.env'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('=', 2) as [string, string]),
  );
  const lab: SlurmLab = {
    dir,
    tag: state.TAG,
    exec: (argv, extra, timeoutMs = 30_000) => run(['bash', SCRIPT, 'exec', ...argv], { env: { ...env, ...extra }, timeoutMs }),
    async job(id) {
      const r = await lab.exec(['scontrol', 'show', 'job', '-o', id]);
      if (r.code !== 0) throw new Error(`scontrol show job ${id}: ${r.stderr}`);
      return Object.fromEntries(
        r.stdout
          .trim()
          .split(/\s+/)
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
    },
    async waitJob(id, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const j = await lab.job(id);
        if (!/^(PENDING|CONFIGURING|RUNNING|COMPLETING)$/.test(j.JobState)) return j;
        if (Date.now() > deadline) throw new Error(`job ${id} still ${j.JobState} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 500));
      }
    },
    async nodeProcesses() {
      const out: string[] = [];
      for (let i = 1; i <= Number(state.NODES); i++) {
        const r = await run(['ip', 'netns', 'pids', `${state.TAG}n${i}`]);
        for (const pid of r.stdout.split('\n').filter(Boolean)) {
          try {
            out.push(`n${i}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`);
          } catch {
            /* exited meanwhile */
          }
        }
      }
      return out;
    },
    async link(i, up) {
      const r = await run(['ip', '-n', `${state.TAG}n${i}`, 'link', 'set', 'eth0', up ? 'up' : 'down']);
      if (r.code !== 0) throw new Error(`ip link set eth0 on n${i}: ${r.stderr}`);
    },
    async killOnNode(i, match) {
      let n = 0;
      for (const pid of (await run(['ip', 'netns', 'pids', `${state.TAG}n${i}`])).stdout.split('\n').filter(Boolean)) {
        try {
          if (match.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '))) {
            process.kill(Number(pid), 'SIGKILL');
            n++;
          }
        } catch {
          /* exited meanwhile */
        }
      }
      return n;
    },
    down: () => run(['bash', SCRIPT, 'down'], { env, timeoutMs: 60_000 }),
  };
  return lab;
}

/** Command lines of every process on the machine that mention `needle` (a lab or run directory). */
export function processesMentioning(needle: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle)) out.push(`${pid}: ${cmd.trim()}`);
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}
