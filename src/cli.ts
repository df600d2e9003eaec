#!/usr/bin/env node
// chronoeval's one CLI: thin yargs wiring; each command's work lives in its own module.
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { checkNodeId, makeLogger, positive, resolveRunId, splitList, withCommon, withKey, withRunIdentity, withSources } from './cli/options.js';
import { parseSourceList } from './clock/registry.js';
import { loadKey } from './run/key.js';
import { clockFromArg } from './clock/clock-from-arg.js';
import { parseSpecArg } from './scenario/spec-arg.js';
// Command modules are imported lazily so that a worker does not load analysis, vega or sharp.

const EPILOG = 'Docs: README.md and docs/ in the chronoeval repository. Every command also takes --config FILE (JSON, keys as flag names; flags override).';

function fail(msg: string): never {
  process.stderr.write(`chronoeval: ${msg}\nRun "chronoeval --help" (or "chronoeval <command> --help") for usage.\n`);
  process.exit(2);
}

/** Run a command body; a thrown Error becomes a one-line message and exit code 2. */
function handle<A>(body: (argv: A) => Promise<number>): (argv: A) => Promise<void> {
  return async (argv) => {
    try {
      process.exitCode = await body(argv);
    } catch (e) {
      fail((e as Error).message);
    }
  };
}

const cli = yargs(hideBin(process.argv))
  .scriptName('chronoeval')
  .usage('$0 <command> [options]\n\nMeasure whether distributed clocks get causality, ordering and stream windows right.')
  .config('config', 'JSON file of options (keys as flag names); flags given on the command line override it')
  .command('run-local', 'Everything on one machine: SNTP server, workers and coordinator on loopback with injected faults, then analysis (the main job)',
    (y: Argv) => withSources(withCommon(withRunIdentity(y)))
      .option('workers', { type: 'number', default: 3, describe: 'Number of worker processes' })
      .option('rate', { type: 'number', default: 50, describe: 'Events per second' })
      .option('duration-s', { type: 'number', default: 30, describe: 'Seconds of events after warmup' })
      .option('warmup-max-s', { type: 'number', default: 20, describe: 'Longest a worker waits for its sources to converge' })
      .option('figures', { type: 'boolean', default: true, describe: 'Render figures and report.html (--no-figures skips them)' })
      .example('$0 run-local', 'the default demo run (about a minute); report in results/<run_id>/')
      .example('$0 run-local --workers 4 --rate 200 --duration-s 60', 'a bigger run'),
    handle(async (a) => (await import('./cli/run-local-command.js')).runLocalCommand({
      workers: positive('workers', a.workers, { integer: true }), rate: positive('rate', a.rate), durationS: positive('duration-s', a['duration-s']),
      warmupMaxS: positive('warmup-max-s', a['warmup-max-s']), sources: parseSourceList(a.sources), pollMs: positive('poll-ms', a['poll-ms']),
      resultsDir: a['results-dir'], logsDir: a['logs-dir'], runId: a['run-id'] === undefined ? undefined : resolveRunId(a['run-id']),
      figures: a.figures, logLevel: a['log-level'], commandLine: process.argv.slice(1),
    })))
  .command('worker', 'Receive events on UDP and stamp each with every clock source',
    (y: Argv) => withSources(withKey(withCommon(withRunIdentity(y))))
      .option('node', { type: 'string', demandOption: true, describe: 'This worker\'s node id (file name of its CSVs)' })
      .option('bind', { type: 'string', default: '0.0.0.0', describe: 'Address to bind' })
      .option('port', { type: 'number', default: 0, describe: 'UDP port (0: the OS picks; printed as {"event":"listening","port":P})' })
      .option('warmup-max-s', { type: 'number', default: 30, describe: 'Longest warmup before answering ready with unready sources named' })
      .option('clock-faults', { type: 'string', describe: 'Simulate a faulty local clock: inline JSON or a file (docs/scenarios.md), e.g. \'{"offset_ms":5,"drift_ppm":20}\'' })
      .option('commit-wait-s', { type: 'string', default: '30,60', describe: 'Re-estimation delays in seconds for commit-wait rows of interval sources ("" for none)' }),
    handle(async (a) => {
      const runId = resolveRunId(a['run-id']);
      const nodeId = checkNodeId(a.node);
      const sources = parseSourceList(a.sources);
      const key = await loadKey({ keyFile: a['key-file'], insecure: a.insecure });
      const port = positive('port', a.port, { integer: true, allowZero: true });
      const clock = clockFromArg(a['clock-faults']);
      const logger = makeLogger(`worker-${nodeId}`, a['logs-dir'], runId, a['log-level']);
      const { runWorker } = await import('./worker/worker.js');
      return runWorker({
        runId, nodeId, bind: a.bind, port, sources, ntpServers: splitList(a['ntp-server']), resultsDir: a['results-dir'], logsDir: a['logs-dir'],
        key, pollMs: positive('poll-ms', a['poll-ms']), warmupMaxS: positive('warmup-max-s', a['warmup-max-s']), logger, clock,
        commitWaitS: splitList(a['commit-wait-s']).map((s) => positive('commit-wait-s', Number(s))),
        onListening: (p) => process.stdout.write(JSON.stringify({ event: 'listening', port: p, node: nodeId, run_id: runId }) + '\n'),
      });
    }))
  .command('coordinator', 'Send scheduled, stamped events to every worker and record them',
    (y: Argv) => withSources(withKey(withCommon(withRunIdentity(y))))
      .option('workers', { type: 'string', array: true, demandOption: true, describe: 'Worker addresses host:port (repeatable or comma-separated)' })
      .option('rate', { type: 'number', default: 50, describe: 'Events per second (ignored with --pattern)' })
      .option('pattern', { type: 'string', describe: 'Repeating spacings between events in ms, e.g. 5,5,50' })
      .option('count', { type: 'number', describe: 'Number of events' })
      .option('duration-s', { type: 'number', describe: 'Seconds of events (when --count is not given; default 30)' })
      .option('ready-timeout-s', { type: 'number', default: 60, describe: 'Longest wait for every worker to answer ready' })
      .option('end-timeout-s', { type: 'number', default: 30, describe: 'Longest wait for every worker to acknowledge end' })
      .option('clock-faults', { type: 'string', describe: 'Simulate a faulty coordinator clock: inline JSON or a file' })
      .option('event-faults', { type: 'string', describe: 'Event-path faults per worker (delay/jitter, loss, duplicates): inline JSON or a file' }),
    handle(async (a) => {
      const runId = resolveRunId(a['run-id']);
      const key = await loadKey({ keyFile: a['key-file'], insecure: a.insecure });
      const clock = clockFromArg(a['clock-faults']);
      const eventFaultSpec = a['event-faults'] === undefined ? undefined : parseSpecArg(a['event-faults'], 'event-faults');
      const { eventPathFaults } = await import('./sim/event-faults.js');
      const patternMs = a.pattern === undefined ? undefined : splitList(a.pattern).map(Number);
      const logger = makeLogger('coordinator', a['logs-dir'], runId, a['log-level']);
      const { runCoordinator } = await import('./coordinator/coordinator.js');
      const res = await runCoordinator({
        runId, workers: splitList(a.workers), sources: parseSourceList(a.sources), ntpServers: splitList(a['ntp-server']),
        schedule: { rate: a.rate, patternMs, count: a.count, durationS: a.count === undefined ? (a['duration-s'] ?? 30) : undefined },
        resultsDir: a['results-dir'], logsDir: a['logs-dir'], key, pollMs: positive('poll-ms', a['poll-ms']),
        readyTimeoutS: positive('ready-timeout-s', a['ready-timeout-s']), endTimeoutS: positive('end-timeout-s', a['end-timeout-s']), logger,
        clock, eventFaults: eventFaultSpec ? eventPathFaults(eventFaultSpec) : null,
      });
      process.stdout.write(JSON.stringify({ event: 'summary', run_id: runId, sent: res.sent, silent_workers: res.silentWorkers }) + '\n');
      return res.exitCode;
    }))
  .command('ntp-server', 'An SNTP v4 server answering from this host\'s clock (for local runs and tests)',
    (y: Argv) => withCommon(withRunIdentity(y))
      .option('bind', { type: 'string', default: '127.0.0.1', describe: 'Address to bind' })
      .option('port', { type: 'number', default: 123, describe: 'UDP port (0: the OS picks; printed as {"event":"listening","port":P})' })
      .option('stratum', { type: 'number', default: 1, describe: 'Stratum to announce (1-15)' })
      .option('faults', { type: 'string', describe: 'Server faults (delay distribution, asymmetry, loss, falseticker offset): inline JSON or a file' })
      .option('clock-faults', { type: 'string', describe: 'Serve from a simulated faulty clock: inline JSON or a file' }),
    handle(async (a) => (await import('./cli/ntp-server-command.js')).ntpServerCommand({
      bind: a.bind, port: positive('port', a.port, { integer: true, allowZero: true }), stratum: a.stratum,
      faults: a.faults === undefined ? undefined : parseSpecArg(a.faults, 'faults'), clock: clockFromArg(a['clock-faults']),
      logsDir: a['logs-dir'], runId: a['run-id'] === undefined ? null : resolveRunId(a['run-id']), logLevel: a['log-level'],
    })))
  .command('analyze <run_dir>', 'Read a run\'s CSVs and write stats.json, figures and report.html',
    (y: Argv) => y
      .positional('run_dir', { type: 'string', demandOption: true, describe: 'results/<run_id> directory (or a legacy run directory)' })
      .option('format', { choices: ['native', 'legacy'] as const, default: 'native' as const, describe: 'native: this project\'s files; legacy: the first Python version\'s CSVs' })
      .option('windows-ms', { type: 'string', default: '50,100,500,1000', describe: 'Window sizes in ms for window-assignment metrics' })
      .option('figures', { type: 'boolean', default: true, describe: 'Render figures and report.html (--no-figures skips them)' }),
    handle(async (a) => (await import('./cli/analyze-command.js')).analyzeCommand({
      runDir: a.run_dir as string, format: a.format, windowsMs: splitList(a['windows-ms']).map((w) => positive('windows-ms', Number(w))), figures: a.figures,
    })))
  .command('deploy <inventory>', 'Run on real hosts over SSH: pre-flight, ship, start workers, run the coordinator, fetch, analyse (docs/deploy.md)',
    (y: Argv) => y
      .positional('inventory', { type: 'string', demandOption: true, describe: 'Inventory file (YAML or JSON; see deploy/inventory.example.yaml)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print every remote command and contact no host' })
      .option('cleanup', { type: 'boolean', default: false, describe: 'Stop leftover processes of earlier runs on every host, by pid file only' })
      .example('$0 deploy deploy/inventory.example.yaml --dry-run', 'show what a deploy would run'),
    handle(async (a) => (await import('./deploy/index.js')).deployCommand({ inventory: a.inventory as string, dryRun: a['dry-run'], cleanup: a.cleanup })))
  .demandCommand(1, 'Give a command: run-local, worker, coordinator, ntp-server, analyze, deploy')
  .strict()
  .recommendCommands()
  .epilog(EPILOG)
  .wrap(Math.min(110, process.stdout.columns || 100))
  .fail((msg, err) => fail(msg ?? err?.message ?? 'invalid arguments'))
  .help();

await cli.parseAsync();
