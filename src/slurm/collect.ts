// Collecting a run's rows from node-local directories (no shared filesystem): while the job holds
// its allocation, one `srun --jobid --overlap` step per node streams that node's results/<run_id>
// and logs/<run_id> as a tar archive to this host, where it is unpacked into a staging directory
// and moved into results/<run_id>/ and logs/<run_id>/. Slurm carries the bytes; no SSH, no
// shared filesystem. A file that already exists here is never overwritten.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { slurm } from './client.js';

/** The job's Comment while it waits to be collected, and the answer that lets it end. */
export const COLLECT_ASK = 'chronoeval-collect:';
export const COLLECT_DONE = 'chronoeval-collected:';

/** `NODE_DIR` with `%N` (Slurm's own filename pattern for the node name) filled in. */
export const nodeDirOf = (pattern: string, node: string): string => pattern.replaceAll('%N', node);

export interface NodeCollect {
  node: string;
  ok: boolean;
  files: number;
  /** Why nothing (or not everything) came from this node. */
  problem?: string;
}

/** One node's archive → `staging`; resolves with tar's and srun's verdict. */
function pullNode(jobId: string, node: string, dir: string, runId: string, extra: string[], staging: string): Promise<string | null> {
  return new Promise((resolve) => {
    // Only the members that exist: a node may hold results but no logs, or neither.
    const script =
      'cd "$1" || exit 3; shift; m=(); for p in "$@"; do [ -e "$p" ] && m+=("$p"); done; [ ${#m[@]} -gt 0 ] || exit 4; exec tar -cf - "${m[@]}"';
    const src = spawn(
      'srun',
      [
        `--jobid=${jobId}`,
        '--overlap',
        '--nodes=1',
        '--ntasks=1',
        `--nodelist=${node}`,
        '--job-name=collect',
        'bash',
        '-c',
        script,
        '_',
        dir,
        `results/${runId}`,
        `logs/${runId}`,
        ...extra,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const sink = spawn('tar', ['-xf', '-', '-C', staging], { stdio: ['pipe', 'ignore', 'pipe'] });
    src.stdout.pipe(sink.stdin);
    let srcErr = '';
    let sinkErr = '';
    src.stderr.on('data', (d: Buffer) => (srcErr += d.toString()));
    sink.stderr.on('data', (d: Buffer) => (sinkErr += d.toString()));
    let srcCode: number | null = null;
    let sinkCode: number | null = null;
    const done = (): void => {
      if (srcCode === null || sinkCode === null) return;
      if (srcCode === 3) resolve(`${dir} does not exist there`);
      else if (srcCode === 4) resolve(`nothing of run ${runId} in ${dir}`);
      else if (srcCode !== 0) resolve(`srun exited ${srcCode}: ${srcErr.trim().split('\n').slice(-2).join(' ') || 'no message'}`);
      else if (sinkCode !== 0) resolve(`tar could not unpack what came (exit ${sinkCode}): ${sinkErr.trim()}`);
      else resolve(null);
    };
    src.on('error', (e) => ((srcCode = 127), (srcErr += e.message), sink.stdin.end(), done()));
    sink.on('error', (e) => ((sinkCode = 127), (sinkErr += e.message), done()));
    src.on('close', (c) => ((srcCode = c ?? 1), done()));
    sink.on('close', (c) => ((sinkCode = c ?? 1), done()));
  });
}

/**
 * Moves every file under `from` into `to` (same relative path). A file already there is kept
 * and the incoming one lands beside it as `<name>.from-<node>`: nothing is lost. Returns the count.
 */
export function mergeInto(from: string, to: string, node: string): number {
  if (!existsSync(from)) return 0;
  let n = 0;
  mkdirSync(to, { recursive: true });
  for (const e of readdirSync(from)) {
    const a = path.join(from, e);
    const b = path.join(to, e);
    if (statSync(a).isDirectory()) n += mergeInto(a, b, node);
    else {
      renameSync(a, existsSync(b) ? `${b}.from-${node}` : b);
      n++;
    }
  }
  return n;
}

export interface CollectOptions {
  jobId: string;
  runId: string;
  nodes: string[];
  /** NODE_DIR as given to the job (%N = node name). */
  nodeDir: string;
  resultsDir: string;
  logsDir: string;
  /** The batch host and the job output's file name there (relative to its node dir), if any. */
  jobOutput?: { node: string; file: string };
  out: (line: string) => void;
}

/** Pulls every node's rows (one node after another: a cluster's login node is not the place to fan out). */
export async function collectRun(o: CollectOptions): Promise<NodeCollect[]> {
  mkdirSync(o.resultsDir, { recursive: true });
  const staging = mkdtempSync(path.join(o.resultsDir, `.collect-${o.runId}-`));
  const res: NodeCollect[] = [];
  try {
    for (const node of o.nodes) {
      const dir = nodeDirOf(o.nodeDir, node);
      const here = path.join(staging, node);
      mkdirSync(here);
      const extra = o.jobOutput && o.jobOutput.node === node ? [o.jobOutput.file] : [];
      const problem = await pullNode(o.jobId, node, dir, o.runId, extra, here);
      let files = mergeInto(path.join(here, 'results', o.runId), path.join(o.resultsDir, o.runId), node);
      files += mergeInto(path.join(here, 'logs', o.runId), path.join(o.logsDir, o.runId), node);
      for (const f of extra) {
        const got = path.join(here, f);
        if (!existsSync(got)) continue;
        const dest = path.join(o.logsDir, path.basename(f));
        renameSync(got, existsSync(dest) ? `${dest}.from-${node}` : dest);
        files++;
      }
      const r: NodeCollect = problem === null ? { node, ok: true, files } : { node, ok: false, files, problem };
      o.out(`collect: node ${node}: ${files} file(s) from ${dir}${problem ? `; ${problem}` : ''}`);
      res.push(r);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return res;
}

/** Tells the waiting job which nodes were copied (it removes their rows and ends). */
export async function answerCollected(jobId: string, runId: string, nodes: string[]): Promise<string | null> {
  const r = await slurm(['scontrol', 'update', `JobId=${jobId}`, `Comment=${COLLECT_DONE}${runId}:${nodes.join(',') || '-'}`]);
  return r.code === 0 ? null : `scontrol update of job ${jobId}'s Comment failed (exit ${r.code}): ${r.stderr.trim()}`;
}

/** `scontrol show hostnames LIST` → node names. */
export async function hostnames(list: string): Promise<string[]> {
  const r = await slurm(['scontrol', 'show', 'hostnames', list]);
  if (r.code !== 0) throw new Error(`scontrol show hostnames ${list} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}
