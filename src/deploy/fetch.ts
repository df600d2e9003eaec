// Bring a host's results, logs and process output home and merge them into results/<run_id>/.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { HostPlan } from './inventory.js';
import { fetchCommand } from './remote-scripts.js';
import type { SshClient } from './ssh.js';
import { runDirPaths } from '../files/paths.js';

export interface FetchOutcome {
  host: string;
  ok: boolean;
  error?: string;
  files: number;
  conflicts: string[];
}

/**
 * Copies every file of `src` into `dst` without overwriting: a file that already exists with
 * different content is kept beside it as `<name>.from-<label>` (nothing collected is lost).
 */
export function mergeTree(src: string, dst: string, label: string, conflicts: string[] = []): { files: number; conflicts: string[] } {
  let files = 0;
  if (!existsSync(src)) return { files, conflicts };
  mkdirSync(dst, { recursive: true });
  for (const e of readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, e.name);
    const d = path.join(dst, e.name);
    if (e.isDirectory()) {
      files += mergeTree(s, d, label, conflicts).files;
      continue;
    }
    if (!e.isFile()) continue;
    if (existsSync(d)) {
      if (sameBytes(s, d)) continue;
      const alt = `${d}.from-${label}`;
      copyFileSync(s, alt);
      conflicts.push(path.relative(dst, alt));
    } else copyFileSync(s, d);
    files++;
  }
  return { files, conflicts };
}

function sameBytes(a: string, b: string): boolean {
  if (statSync(a).size !== statSync(b).size) return false;
  const r = spawnSync('cmp', ['-s', a, b]);
  return r.status === 0;
}

/**
 * Fetches <wd>/{results,logs,runs}/<run_id> from one host as a tar stream, unpacks it in
 * `stageDir/<name>`, then merges results and logs into the local run dirs; process
 * stdout/stderr/exit files land in <logs>/<run_id>/deploy/<name>/.
 */
export async function fetchHost(
  ssh: SshClient,
  h: HostPlan,
  absWorkDir: string,
  runId: string,
  local: { runDir: string; logDir: string; stageDir: string },
): Promise<FetchOutcome> {
  const stage = path.join(local.stageDir, h.name);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const tarFile = path.join(local.stageDir, `${h.name}.tar`);
  const r = await ssh.exec(h, fetchCommand(absWorkDir, runId), { stdoutFile: tarFile, timeoutMs: 600_000 });
  if (r.code !== 0)
    return {
      host: h.name,
      ok: false,
      error: `fetch failed (exit ${r.code}): ${r.stderr.trim().split('\n').pop() ?? ''}`,
      files: 0,
      conflicts: [],
    };
  // GNU and BSD tar both refuse absolute and ".." member names when extracting.
  const x = spawnSync('tar', ['-xf', tarFile, '-C', stage], { encoding: 'utf8' });
  rmSync(tarFile, { force: true });
  if (x.status !== 0) return { host: h.name, ok: false, error: `unpacking failed: ${x.stderr.trim()}`, files: 0, conflicts: [] };
  // The deploy's own manifest was copied to the coordinator host (so that the coordinator does not
  // write a hand-run one); the local copy is the authoritative, newer one.
  const remoteManifest = runDirPaths(path.join(stage, 'results', runId)).manifest;
  if (existsSync(remoteManifest)) {
    try {
      if ((JSON.parse(readFileSync(remoteManifest, 'utf8')) as { kind?: string }).kind === 'deploy') rmSync(remoteManifest);
    } catch {
      /* not ours: kept beside ours like any clash */
    }
  }
  const conflicts: string[] = [];
  let files = 0;
  files += mergeTree(path.join(stage, 'results', runId), local.runDir, h.name, conflicts).files;
  files += mergeTree(path.join(stage, 'logs', runId), local.logDir, h.name, conflicts).files;
  files += mergeTree(path.join(stage, 'runs', runId), path.join(local.logDir, 'deploy', h.name), h.name, conflicts).files;
  rmSync(stage, { recursive: true, force: true });
  return { host: h.name, ok: true, files, conflicts };
}
