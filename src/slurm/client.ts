// The Slurm client commands chronoeval uses (sbatch, scontrol, sinfo, scancel), run as child
// processes of the submitting host with their output captured. Nothing here keeps state.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../validate/index.js';

export interface SlurmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Throws a UsageError naming the Slurm commands missing from PATH. */
export function requireSlurmCommands(names: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  const dirs = (env['PATH'] ?? '').split(path.delimiter).filter(Boolean);
  const found = (n: string): boolean =>
    dirs.some((d) => {
      try {
        accessSync(path.join(d, n), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  const missing = names.filter((n) => !found(n));
  if (missing.length)
    throw new UsageError(
      `${missing.join(', ')} not found on PATH: run this on a Slurm login node (or load the Slurm module), where sbatch and scontrol work`,
    );
}

/** Runs one Slurm command; a command that cannot start is code 127 with the reason in stderr. */
export function slurm(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<SlurmResult> {
  return new Promise((resolve) => {
    const c = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('error', (e) => resolve({ code: 127, stdout, stderr: stderr + e.message }));
    c.on('close', (code, sig) => resolve({ code: code ?? (sig ? 128 : 1), stdout, stderr }));
  });
}

/** `scontrol show job -o` output → one record per line (an array job gives one per task). */
export function parseJobRecords(text: string): Record<string, string>[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) =>
      Object.fromEntries(
        line
          .trim()
          .split(/\s+/)
          .filter((kv) => kv.includes('='))
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      ),
    );
}

/** The job's records, or null when Slurm no longer knows it (purged after MinJobAge). */
export async function showJob(id: string): Promise<Record<string, string>[] | null> {
  const r = await slurm(['scontrol', 'show', 'job', '-o', id]);
  if (r.code !== 0) {
    if (/Invalid job id/i.test(r.stderr)) return null;
    throw new Error(`scontrol show job ${id} exited ${r.code}: ${r.stderr.trim()}`);
  }
  return parseJobRecords(r.stdout);
}

/** Throws a UsageError when the partition does not exist, listing those that do. */
export async function checkPartition(name: string): Promise<void> {
  const r = await slurm(['sinfo', '-h', '-o', '%R']);
  if (r.code !== 0) throw new UsageError(`--partition ${JSON.stringify(name)}: sinfo could not list the partitions: ${r.stderr.trim()}`);
  const parts = [
    ...new Set(
      r.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    ),
  ];
  if (!parts.includes(name))
    throw new UsageError(
      `--partition ${JSON.stringify(name)}: no such partition on this cluster (sinfo lists: ${parts.join(', ') || 'none'})`,
    );
}

/**
 * Submits with `sbatch --parsable` and returns the job id. sbatch refusing the job (bad account,
 * time, node count) is bad input: nothing was started, so a UsageError with sbatch's words.
 */
export async function sbatch(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const r = await slurm(['sbatch', '--parsable', ...args], env);
  const id = r.stdout.trim().split(';')[0] ?? '';
  if (r.code !== 0 || !/^\d+$/.test(id))
    throw new UsageError(`sbatch ${args.join(' ')} refused the job (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  return id;
}
