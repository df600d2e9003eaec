import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI_PATH, PACKAGE_ROOT } from '../../src/files/paths.js';
import { hostAnchor } from '../../src/clock/host-clock.js';

export { CLI_PATH, PACKAGE_ROOT };

const madeDirs: string[] = [];
let cleanupHooked = false;

/**
 * A fresh directory under the OS temp dir, removed when this test process exits
 * (CHRONOEVAL_KEEP_TEST_TMP=1 keeps them for a post-mortem).
 */
export function tmpDir(prefix = 'chronoeval-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  madeDirs.push(dir);
  if (!cleanupHooked && process.env.CHRONOEVAL_KEEP_TEST_TMP !== '1') {
    cleanupHooked = true;
    process.on('exit', () => {
      for (const d of madeDirs) rmSync(d, { recursive: true, force: true, maxRetries: 2 });
    });
  }
  return dir;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI as a real child process and collect its output. */
export function runCli(args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd: opts.cwd ?? PACKAGE_ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timeout: chronoeval ${args.join(' ')}\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Start the CLI in the background; resolves when it prints a JSON line with event=listening. */
export function startCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv } = {},
): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      for (const line of out.split('\n')) {
        try {
          const j = JSON.parse(line);
          if (j.event === 'listening') {
            resolve({ child, port: j.port, stderr: () => err });
            return;
          }
        } catch {
          /* not a JSON line */
        }
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before listening:\n${err}`)));
  });
}

/** Wait until a process is really stopped (SIGSTOP is delivered asynchronously). */
export async function waitStopped(pid: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'T') return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`process ${pid} did not stop`);
}

/**
 * The flags of a system-clock `chronoeval worker` on loopback (an ephemeral port) writing under
 * dir/results and dir/logs; authenticated with keyFile, else `--insecure`.
 */
export function loopbackWorkerFlags(dir: string, o: { keyFile?: string } = {}): string[] {
  const auth = o.keyFile ? ['--key-file', o.keyFile] : ['--insecure'];
  return [
    '--bind',
    '127.0.0.1',
    '--port',
    '0',
    '--sources',
    'system',
    ...auth,
    '--results-dir',
    path.join(dir, 'results'),
    '--logs-dir',
    path.join(dir, 'logs'),
  ];
}

/**
 * Watch this host's realtime − monotonic while a test runs. Only a step of the system clock moves
 * it (slewing moves both clocks alike), and on a shared machine another process may step it: a
 * test comparing two processes' host clocks widens its tolerance by what this saw, and says so.
 */
export function watchRealtimeSteps(periodMs = 50): { movedMs(): number; stop(): void } {
  const base = hostAnchor();
  const start = base.realNs - base.monoNs;
  let moved = 0n;
  const sample = (): void => {
    const a = hostAnchor();
    const d = a.realNs - a.monoNs - start;
    const abs = d < 0n ? -d : d;
    if (abs > moved) moved = abs;
  };
  const timer = setInterval(sample, periodMs);
  timer.unref();
  return {
    movedMs: () => {
      sample();
      const ms = Number(moved) / 1e6;
      if (ms > 0.5)
        console.log(
          `# the system clock was stepped by another process during this test: realtime − monotonic moved by up to ${ms.toFixed(3)} ms`,
        );
      return ms;
    },
    stop: () => clearInterval(timer),
  };
}
