// `chronoeval slurm`: submit a run to Slurm with deploy/slurm/chronoeval.sbatch, follow it, name
// and analyse its results (docs/deploy.md, "Slurm").
import path from 'node:path';
import type { Argv } from 'yargs';
import { runCommand } from '../cli/command-runner.js';
import { numberOption } from '../cli/flag-values.js';
import { UsageError } from '../validate/index.js';
import { type ArgsOf, HELP_EPILOG } from './shared.js';

export const command = 'slurm';
export const describe = 'Submit a run to Slurm (deploy/slurm/chronoeval.sbatch), follow it, then name and analyse its results';

export function builder(y: Argv) {
  return y
    .option(
      'nodes',
      numberOption('nodes', {
        what: 'a whole number of nodes ≥ 2',
        integer: true,
        default: 3,
        describe: 'Nodes: the first runs the coordinator and NTP server, each other one worker',
      }),
    )
    .option('time', { type: 'string', describe: "sbatch --time (the job's limit, e.g. 00:20:00; default: the template's 00:30:00)" })
    .option('partition', { type: 'string', describe: 'sbatch --partition (checked against sinfo before submitting)' })
    .option('account', { type: 'string', describe: 'sbatch --account' })
    .option('rate', numberOption('rate', { what: 'a number of events per second', describe: 'Events per second (RATE; default 50)' }))
    .option(
      'duration-s',
      numberOption('duration-s', { what: 'a number of seconds', describe: 'Seconds of events (DURATION_S; default 60)' }),
    )
    .option('sources', { type: 'string', describe: 'Comma-separated clock sources (SOURCES; default system,ntp)' })
    .option('set', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe:
        'Any other setting of the template, NAME=VALUE: a worker/coordinator flag in upper case (COMMIT_WAIT_S=30,60, RECV_STAMP=kernel, CHRONOTICK_URL=…) or NTP_SERVER, WORKER_PORT, WARMUP_MAX_S, POLL_MS, …',
    })
    .option('results-dir', {
      type: 'string',
      default: 'results',
      describe:
        'Where results/<run_id>/ end up (the job writes there directly on a shared filesystem; with --node-dir they are collected there)',
    })
    .option('logs-dir', {
      type: 'string',
      default: 'logs',
      describe: "Where logs/<run_id>/ and the job's output slurm-<id>.out end up (as --results-dir)",
    })
    .option('node-dir', {
      type: 'string',
      describe:
        "No shared filesystem: each role writes under this absolute directory on its own node (%N = the node's name), and the rows are pulled back here through srun while the job waits",
    })
    .option(
      'collect-wait-s',
      numberOption('collect-wait-s', {
        what: 'a whole number of seconds > 0',
        integer: true,
        default: 600,
        describe: 'With --node-dir: how long the job holds its nodes for the collection before it ends and leaves the rows there',
      }),
    )
    .option('figures', { type: 'boolean', default: true, describe: 'Figures and report.html (--no-figures: stats.json only)' })
    .option('node-bin', { type: 'string', describe: 'node on the compute nodes (default: this node binary, same path)' })
    .option('wait', { type: 'boolean', default: true, describe: 'Follow the job to its end (--no-wait: submit, print the job id, return)' })
    .option(
      'poll-s',
      numberOption('poll-s', {
        what: 'a number of seconds > 0',
        default: 2,
        describe: 'How often scontrol show job is asked while following',
      }),
    )
    .option(
      'progress-s',
      numberOption('progress-s', {
        what: 'a number of seconds',
        default: 30,
        describe: 'A progress line at least this often while the job runs',
      }),
    )
    .example('$0 slurm', '3 nodes, 60 s at 50 events/s; follows the job, then results/<UTC start>-j<job id>/')
    .example(
      '$0 slurm --nodes 5 --partition short --account myproj --time 00:20:00 --rate 200 --duration-s 300',
      'sbatch options passed through',
    )
    .example('$0 slurm --set COMMIT_WAIT_S=30,60 --set RECV_STAMP=kernel --no-wait', 'any worker/coordinator option; submit and return')
    .example("$0 slurm --node-dir '/tmp/chronoeval-%N'", 'no shared filesystem: node-local rows, collected here at the end')
    .epilog(
      'Run it on a login node from a checkout built (npm ci && npm run build) on a filesystem every compute node sees: ' +
        'the job writes results and logs there directly and nothing is copied back. ' +
        'Without a shared filesystem give --node-dir (chronoeval built at the same path on every node): each node keeps its own rows, ' +
        "the job waits when the run ends, and this command pulls every node's rows with srun, then the job removes the node copies. " +
        "Exit code: the job's — 0 when COMPLETED, else the batch script's own code (same table), else 128 + the signal that ended it; " +
        '2 when sbatch/scontrol are missing, a setting is bad, the partition does not exist or sbatch refuses the job (nothing submitted). ' +
        'Ctrl-C / SIGTERM while following cancels the job (scancel) and waits for its end; with --node-dir the first one stops the run ' +
        'and still collects what was recorded, a second one cancels the job.\n\n' +
        HELP_EPILOG,
    );
}

async function parse(a: ArgsOf<typeof builder>) {
  const { requireSlurmCommands, checkPartition } = await import('../slurm/client.js');
  const { parseSettings } = await import('../slurm/run-job.js');
  if (a.nodes < 2) throw new UsageError(`--nodes ${a.nodes}: need at least 2 (1 coordinator + workers)`);
  if (a['poll-s'] <= 0) throw new UsageError(`--poll-s ${a['poll-s']}: must be > 0`);
  const named: Record<string, string> = {};
  if (a.rate !== undefined) named['RATE'] = String(a.rate);
  if (a['duration-s'] !== undefined) named['DURATION_S'] = String(a['duration-s']);
  if (a.sources !== undefined) named['SOURCES'] = a.sources;
  const settings = await parseSettings(a.set.map(String), named);
  const nodeDir = a['node-dir'];
  if (nodeDir !== undefined) {
    const bad = !path.isAbsolute(nodeDir)
      ? 'must be an absolute path'
      : /%(?!N)/.test(nodeDir)
        ? 'the only % pattern is %N (the node name)'
        : /\s/.test(nodeDir)
          ? 'may not contain white space'
          : null;
    if (bad) throw new UsageError(`--node-dir ${JSON.stringify(nodeDir)}: ${bad}, e.g. --node-dir '/tmp/chronoeval-%N'`);
    if (!a.wait)
      throw new UsageError('--node-dir with --no-wait: nothing would collect the rows from the nodes; follow the job (drop --no-wait)');
    if (a['collect-wait-s'] <= 0) throw new UsageError(`--collect-wait-s ${a['collect-wait-s']}: must be > 0`);
  }
  const sbatchArgs = [`--nodes=${a.nodes}`];
  for (const k of ['time', 'partition', 'account'] as const) {
    const v = a[k];
    if (v === undefined) continue;
    if (v.trim() === '') throw new UsageError(`--${k} ${JSON.stringify(v)}: empty`);
    sbatchArgs.push(`--${k}=${v}`);
  }
  // What can be checked here first; then what needs the cluster.
  requireSlurmCommands(['sbatch', 'scontrol', 'sinfo', 'scancel', ...(nodeDir !== undefined ? ['srun', 'squeue', 'tar'] : [])]);
  if (a.partition !== undefined) await checkPartition(a.partition);
  return {
    sbatchArgs,
    settings,
    resultsDir: path.resolve(a['results-dir']),
    logsDir: path.resolve(a['logs-dir']),
    figures: a.figures,
    nodeBin: a['node-bin'] ?? process.execPath,
    wait: a.wait,
    pollMs: a['poll-s'] * 1000,
    progressS: a['progress-s'],
    ...(nodeDir !== undefined ? { nodeDir, collectWaitS: a['collect-wait-s'] } : {}),
  };
}

async function run(o: Awaited<ReturnType<typeof parse>>): Promise<number> {
  const { runSlurmJob } = await import('../slurm/run-job.js');
  return runSlurmJob(o);
}

export const handler = runCommand({ parse, run });
