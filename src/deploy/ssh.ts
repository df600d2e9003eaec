// The user's own OpenSSH client, spawned without a local shell: argv in, exit code and output out.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { HostPlan } from './inventory.js';

/** Options we add after the user's own (ssh keeps the first value it sees for an option). */
const BASE_OPTIONS: Array<[string, string]> = [
  ['BatchMode', 'yes'], // never prompt: a deploy must not hang on a password question
  ['ConnectTimeout', '10'],
  ['ServerAliveInterval', '10'],
  ['ServerAliveCountMax', '3'],
];

/** Remote commands run at once per destination (below OpenSSH's default MaxSessions of 10). */
export const SESSIONS_PER_DESTINATION = 6;

/** Identity of an ssh destination: hosts with the same one share a master connection. */
export function destinationKey(h: HostPlan): string {
  return JSON.stringify([h.ssh.user ?? '', h.host, h.ssh.port ?? '', h.ssh.configFile ?? '', h.ssh.identityFile ?? '', h.ssh.options]);
}

/**
 * Items grouped by place (ssh destination and a directory on it), in first-seen order: one remote
 * command per place can start, poll or stop all of that place's processes.
 */
export function groupByPlace<T>(items: readonly T[], host: (t: T) => HostPlan, dir: (t: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const t of items) {
    const k = destinationKey(host(t)) + '\0' + dir(t);
    const g = groups.get(k);
    if (g) g.push(t);
    else groups.set(k, [t]);
  }
  return [...groups.values()];
}

/** ssh arguments up to and including the destination (no remote command). */
export function sshBaseArgs(h: HostPlan, controlPath: string | null, extra: string[] = []): string[] {
  const a: string[] = [];
  if (h.ssh.configFile) a.push('-F', h.ssh.configFile);
  for (const [k, v] of h.ssh.options) a.push('-o', `${k}=${v}`);
  if (h.ssh.identityFile) a.push('-i', h.ssh.identityFile);
  if (h.ssh.port) a.push('-p', String(h.ssh.port));
  if (h.ssh.user) a.push('-l', h.ssh.user);
  for (const [k, v] of BASE_OPTIONS) a.push('-o', `${k}=${v}`);
  if (controlPath) a.push('-o', `ControlPath=${controlPath}`);
  a.push(...extra, '--', h.host);
  return a;
}

export interface SshResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface ExecOptions {
  /** Local file streamed to the remote command's stdin. */
  stdinFile?: string;
  /** Bytes written to the remote command's stdin. */
  input?: string;
  /** Local file that receives stdout (instead of collecting it in memory). */
  stdoutFile?: string;
  timeoutMs?: number;
}

/**
 * Runs remote commands over ssh. With `controlDir`, one master connection per destination
 * (opened by `openMaster`) carries every later command, so each step costs no new handshake.
 */
export class SshClient {
  private masters = new Map<string, { host: HostPlan; controlPath: string }>();
  /** Master connections being opened, by destination: entries sharing a host wait for the one. */
  private opening = new Map<string, Promise<SshResult>>();
  /** Per destination: sessions running and those waiting for a slot. */
  private sessions = new Map<string, { active: number; waiting: (() => void)[] }>();
  private counter = 0;
  constructor(
    private readonly controlDir: string,
    private readonly ssh = 'ssh',
  ) {}

  controlPathFor(h: HostPlan): string | null {
    return this.masters.get(destinationKey(h))?.controlPath ?? null;
  }

  /** The argv `exec` would spawn: printed by --dry-run. */
  argv(h: HostPlan, remote: string): string[] {
    return [this.ssh, ...sshBaseArgs(h, this.controlPathFor(h) ?? path.join(this.controlDir, 'cm-N'), ['-o', 'ControlMaster=no']), remote];
  }

  /**
   * Opens a background master connection (`ssh -fNM`). Its exit status is the reachability
   * check: 0 = reachable and authenticated. stderr goes to a file: the daemonised master must
   * not hold a pipe of ours open.
   */
  async openMaster(h: HostPlan, timeoutMs = 20_000): Promise<SshResult> {
    const key = destinationKey(h);
    const existing = this.masters.get(key);
    if (existing) return { code: 0, stdout: '', stderr: '', timedOut: false };
    let p = this.opening.get(key);
    if (!p) {
      p = this.spawnMaster(h, key, timeoutMs).finally(() => this.opening.delete(key));
      this.opening.set(key, p);
    }
    return p;
  }

  private async spawnMaster(h: HostPlan, key: string, timeoutMs: number): Promise<SshResult> {
    const controlPath = path.join(this.controlDir, `cm-${this.counter++}`);
    const errFile = path.join(this.controlDir, `master-${this.counter}.err`);
    const fd = openSync(errFile, 'w');
    // An idle master lingers 60 s (a killed deploy's too; `--cleanup` closes those at once).
    const args = sshBaseArgs(h, controlPath, ['-o', 'ControlMaster=yes', '-o', 'ControlPersist=60', '-f', '-N']);
    const res = await spawnWait(this.ssh, args, { stdio: ['ignore', 'ignore', fd] }, timeoutMs);
    closeSync(fd);
    const stderr = readFileSync(errFile, 'utf8');
    if (res.code === 0) this.masters.set(key, { host: h, controlPath });
    return { ...res, stderr };
  }

  /**
   * Runs one remote command (a single string for the remote login shell). At most
   * SESSIONS_PER_DESTINATION run at once per destination (the rest queue; their timeout starts
   * when they run): sshd refuses sessions past its MaxSessions (10 by default) on one master.
   */
  async exec(h: HostPlan, remote: string, opts: ExecOptions = {}): Promise<SshResult> {
    const release = await this.session(destinationKey(h));
    const cp = this.controlPathFor(h);
    const args = [...sshBaseArgs(h, cp, ['-o', 'ControlMaster=no']), remote];
    const stdin = opts.stdinFile ? openSync(opts.stdinFile, 'r') : opts.input !== undefined ? 'pipe' : 'ignore';
    const stdout = opts.stdoutFile ? openSync(opts.stdoutFile, 'w') : 'pipe';
    try {
      return await spawnWait(this.ssh, args, { stdio: [stdin, stdout, 'pipe'], input: opts.input }, opts.timeoutMs ?? 120_000);
    } finally {
      if (typeof stdin === 'number') closeSync(stdin);
      if (typeof stdout === 'number') closeSync(stdout);
      release();
    }
  }

  private async session(key: string): Promise<() => void> {
    let q = this.sessions.get(key);
    if (!q) this.sessions.set(key, (q = { active: 0, waiting: [] }));
    const slots = q;
    if (slots.active >= SESSIONS_PER_DESTINATION) await new Promise<void>((r) => slots.waiting.push(r));
    else slots.active++;
    return () => {
      const next = slots.waiting.shift();
      if (next)
        next(); // the slot passes to the next in line
      else slots.active--;
    };
  }

  /** Closes every master connection (`ssh -O exit`). */
  async closeAll(): Promise<void> {
    await Promise.all(
      [...this.masters.values()].map(({ host, controlPath }) =>
        spawnWait(this.ssh, [...sshBaseArgs(host, controlPath, ['-O', 'exit'])], { stdio: ['ignore', 'ignore', 'ignore'] }, 10_000).catch(
          () => undefined,
        ),
      ),
    );
    this.masters.clear();
  }
}

type Stdio = 'ignore' | 'pipe' | number;

function spawnWait(
  cmd: string,
  args: string[],
  o: { stdio: [Stdio, Stdio, Stdio]; input?: string },
  timeoutMs: number,
): Promise<SshResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: o.stdio });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    if (o.input !== undefined && child.stdin) child.stdin.end(o.input);
    child.stdin?.on('error', () => undefined);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 255, stdout, stderr: stderr + String(err), timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // killed by a signal: 128 + its number, as a shell reports it
      resolve({ code: code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 255), stdout, stderr, timedOut });
    });
  });
}
