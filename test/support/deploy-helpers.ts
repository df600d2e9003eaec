// Running `chronoeval deploy` inside a namespace lab, and looking at what it left behind.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI_PATH } from '../../src/files/paths.js';
import type { Lab } from './netns-lab.js';

/** The deploy's one entry: `chronoeval deploy`. */
export function deployEntry(): string[] {
  return [CLI_PATH, 'deploy'];
}

export interface LabInventoryOpts {
  durationS?: number;
  /** Work dir per lab host index (defaults: <lab>/remote-hN/work). */
  workDirs?: Record<number, string>;
  /** Extra worker entries (e.g. an unreachable address). */
  extraWorkers?: Array<Record<string, unknown>>;
  workerPort?: number;
  /** Render figures and report.html after the run (slower; default off). */
  figures?: boolean;
  /** Replaces keys of the inventory's `run` (a null value removes the key: the deploy's default applies). */
  run?: Record<string, unknown>;
}

/** Coordinator + embedded NTP on lab host 1, workers w1, w2 on hosts 2 and 3. */
export function labInventory(lab: Lab, file: string, o: LabInventoryOpts = {}): Record<string, unknown> {
  const [c, h2, h3] = lab.hosts;
  const wd = (i: number) => o.workDirs?.[i] ?? lab.hosts[i - 1].workDir;
  const inv = {
    run: Object.fromEntries(
      Object.entries({
        rate: 50,
        duration_s: o.durationS ?? 2,
        sources: ['system', 'ntp'],
        poll_ms: 200,
        warmup_max_s: 3,
        ready_timeout_s: 40,
        stop_timeout_s: 10,
        end_timeout_s: 3,
        ...o.run,
      }).filter(([, v]) => v !== null),
    ),
    defaults: { ssh: { config_file: lab.sshConfig, options: { ConnectTimeout: 3 } } },
    ntp: { embedded_server: { port: 12300 } },
    coordinator: { name: 'coord', host: c.address, work_dir: wd(1) },
    workers: [
      { name: 'w1', host: h2.address, work_dir: wd(2), port: o.workerPort ?? 47100 },
      { name: 'w2', host: h3.address, work_dir: wd(3), port: o.workerPort ?? 47100 },
      ...(o.extraWorkers ?? []),
    ],
    local: {
      results_dir: path.join(lab.dir, 'results'),
      logs_dir: path.join(lab.dir, 'logs'),
      compress: false,
      figures: o.figures ?? false,
    },
  };
  writeFileSync(file, JSON.stringify(inv, null, 2));
  return inv;
}

export interface DeployRun {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts the deploy inside the lab's control namespace (the only place the hosts are reachable). */
export function startDeploy(lab: Lab, args: string[], timeoutMs = 100_000): DeployRun {
  const argv = lab.inCtl([process.execPath, ...deployEntry(), ...args]);
  // `ip netns exec` execs in place: child.pid is the deploy's own pid (Ctrl-C goes straight to it).
  // TMPDIR inside the lab: even a SIGKILLed deploy's control sockets and bundle go with the lab.
  const child = spawn(argv[0], argv.slice(1), {
    cwd: lab.dir,
    env: { ...process.env, TMPDIR: lab.dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

/** run_id from the deploy's final JSON summary line. */
export function runIdOf(stdout: string): string | null {
  for (const line of stdout.split('\n').reverse()) {
    try {
      const j = JSON.parse(line);
      if (j.event === 'summary' && typeof j.run_id === 'string') return j.run_id;
    } catch {
      /* not JSON */
    }
  }
  return null;
}

/** Pids living in a namespace other than its sshd: what a deploy left running there. */
export function strayPids(lab: Lab, nsIndex: number | 'ctl'): number[] {
  const ns = nsIndex === 'ctl' ? lab.ctlNs : lab.hosts[nsIndex - 1].ns;
  const sshd = nsIndex === 'ctl' ? -1 : (lab.hosts[nsIndex - 1].sshd.pid ?? -1);
  const out = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
  return out
    .split('\n')
    .map(Number)
    .filter((p) => p > 0 && p !== sshd && !isSshdChild(p, sshd));
}

/** sshd forks a child per connection; those belong to the daemon, not to the deploy. */
function isSshdChild(pid: number, sshd: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.startsWith('sshd') || cmd.startsWith('/usr/sbin/sshd') ? true : ppid(pid) === sshd;
  } catch {
    return true; /* already gone */
  }
}

function ppid(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
  } catch {
    return -1;
  }
}

/** Data rows (lines after the header) of a CSV file; 0 if missing. */
export function csvRows(file: string): number {
  if (!existsSync(file)) return 0;
  return (
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '').length - 1
  );
}

/** Run ids already present under <workDir>/runs (to tell a new run's files from older ones). */
export function existingRuns(workDir: string): Set<string> {
  const runs = path.join(workDir, 'runs');
  return new Set(existsSync(runs) ? readdirSync(runs) : []);
}

/** Finds <dir>/runs/<run>/<name> of a run not in `older`, once it exists. */
export function findStateFile(workDir: string, name: string, older: Set<string> = new Set()): string | null {
  const runs = path.join(workDir, 'runs');
  if (!existsSync(runs)) return null;
  for (const r of readdirSync(runs)) {
    if (older.has(r)) continue;
    const f = path.join(runs, r, name);
    if (existsSync(f)) return f;
  }
  return null;
}

export async function waitFor<T>(what: string, probe: () => T | null | false | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
