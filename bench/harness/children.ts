import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { processCpuNs } from './proc-cpu.js';

/** dist/bench (this file is dist/bench/harness/children.js once built). */
export const BENCH_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_JS = path.resolve(BENCH_DIST, '../src/cli.js');

/** A child that printed {"event":"listening","port":P}; `final` resolves with its last JSON line. */
export interface Listening {
  child: ChildProcess;
  pid: number;
  port: number;
  /** CPU (ns) read from /proc the moment the final JSON line arrived (before the child exits). */
  final: Promise<{ line: Record<string, unknown>; cpuNs: number | null }>;
  stderr: () => string;
  kill: () => void;
}

/**
 * Spawn `node script args`, wait for its listening line. The final line
 * (event = `finalEvent`) is captured with the child's CPU time read right then, because a child
 * exits shortly after and /proc forgets it.
 */
export function spawnListening(script: string, args: string[], finalEvent: string, opts: { timeoutMs?: number } = {}): Promise<Listening> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let buf = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    err = (err + d).slice(-20_000);
  });
  let resolveFinal!: (v: { line: Record<string, unknown>; cpuNs: number | null }) => void;
  let rejectFinal!: (e: Error) => void;
  const final = new Promise<{ line: Record<string, unknown>; cpuNs: number | null }>((res, rej) => {
    resolveFinal = res;
    rejectFinal = rej;
  });
  final.catch(() => {}); // observed by whoever awaits it
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(script)} did not start listening within ${opts.timeoutMs ?? 20_000} ms:\n${err}`));
    }, opts.timeoutMs ?? 20_000);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const text = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(text) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (line.event === 'listening') {
          clearTimeout(timer);
          resolve({
            child,
            pid: child.pid!,
            port: line.port as number,
            final,
            stderr: () => err,
            kill: () => {
              if (child.exitCode === null) child.kill('SIGKILL');
            },
          });
        } else if (line.event === finalEvent) {
          resolveFinal({ line, cpuNs: processCpuNs(child.pid!) });
        }
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const e = new Error(`${path.basename(script)} exited (${code ?? signal}) before its ${finalEvent} line:\n${err}`);
      reject(e);
      rejectFinal(e);
    });
  });
}

/** A real `chronoeval worker` on loopback with the system source only, unauthenticated (--recv-stamp as given; default auto). */
export function spawnWorker(
  runId: string,
  node: string,
  resultsDir: string,
  logsDir: string,
  recvStamp: 'auto' | 'kernel' | 'user' = 'auto',
  /** Extra worker flags (e.g. --transport multicast --group …). */
  extra: string[] = [],
): Promise<Listening> {
  return spawnListening(
    CLI_JS,
    [
      'worker',
      '--run-id',
      runId,
      '--node',
      node,
      '--bind',
      '127.0.0.1',
      '--port',
      '0',
      '--sources',
      'system',
      '--insecure',
      '--results-dir',
      resultsDir,
      '--logs-dir',
      logsDir,
      '--log-level',
      'warn',
      '--recv-stamp',
      recvStamp,
      ...extra,
    ],
    'summary',
  );
}

/**
 * The baseline receiver (bench/baselines/bare-receiver.ts) in its own process: a bare dgram socket stamping
 * in its callback (`user`), or a bare udp_stamp addon socket taking the kernel's stamps (`kernel`).
 */
export function spawnBareReceiver(capacity: number, keepLatencies: boolean, stamp: 'user' | 'kernel' = 'user'): Promise<Listening> {
  return spawnListening(
    path.join(BENCH_DIST, 'baselines/bare-receiver.js'),
    [String(capacity), keepLatencies ? 'latencies' : 'counts', stamp],
    'result',
  );
}

/** Wait for a child to be gone (after its final line). */
export function exited(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
