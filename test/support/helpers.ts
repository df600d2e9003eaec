import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI_PATH, PACKAGE_ROOT } from '../../src/files/paths.js';

export { CLI_PATH, PACKAGE_ROOT };

export function tmpDir(prefix = 'chronoeval-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
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
