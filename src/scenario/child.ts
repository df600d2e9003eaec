import { spawn, type ChildProcess } from 'node:child_process';
import { CLI_PATH } from '../files/paths.js';

export interface RoleProcess {
  name: string;
  child: ChildProcess;
  /** Resolves with the bound port when the child prints {"event":"listening"}. */
  listening: Promise<number>;
  /** Resolves with the exit code (signal → 128+n style negative numbers are reported as null). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  lastJson: Record<string, unknown>[];
}

/**
 * Start `chronoeval <args>` as a real child process. Its stderr (human log lines) is forwarded;
 * its stdout JSON lines are parsed for `listening` and kept for the caller.
 */
export function startRole(name: string, args: string[], opts: { env?: NodeJS.ProcessEnv; forwardStderr?: boolean } = {}): RoleProcess {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  const lastJson: Record<string, unknown>[] = [];
  let resolveListening!: (p: number) => void;
  let rejectListening!: (e: Error) => void;
  const listening = new Promise<number>((res, rej) => {
    resolveListening = res;
    rejectListening = rej;
  });
  listening.catch(() => {});
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        const j = JSON.parse(line) as Record<string, unknown>;
        lastJson.push(j);
        if (j.event === 'listening' && typeof j.port === 'number') resolveListening(j.port);
      } catch {
        process.stdout.write(line + '\n');
      }
    }
  });
  if (opts.forwardStderr !== false) child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
  else child.stderr!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.on('exit', (code, signal) => {
      rejectListening(new Error(`${name} exited (code ${code}, signal ${signal}) before it was listening`));
      res({ code, signal });
    });
    child.on('error', (e) => {
      rejectListening(e);
      res({ code: null, signal: null });
    });
  });
  return { name, child, listening, exited, lastJson };
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: no result after ${ms / 1000} s`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
