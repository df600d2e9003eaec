#!/usr/bin/env node
// chronoeval's one CLI: thin yargs wiring; each command's work lives in its own module.
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { checkNodeId, makeLogger, parseSourceOptions, positive, resolveRunId, splitList, withCommon, withKey, withRecvStamp, withRunIdentity, withSources } from './cli/options.js';
import { KNOWN_SOURCES, parseSourceList } from './clock/registry.js';
import { resolveKey } from './protocol/key.js';
import { validateCoordinatorOptions, validateNtpServerOptions, validateRunLocalOptions, validateWorkerOptions } from './cli/config-validation.js';
import { clockFromArg } from './sim/clock-from-arg.js';
import { parseSpecArg } from './scenario/spec-arg.js';
import { builtinScenarioNames } from './scenario/load.js';
import { DEFAULT_SCHEDULE, SCHEDULE_HELP, SCHEDULE_KINDS, defaultScheduleSeed, scheduleRecord } from './coordinator/schedule.js';
import { numberOption, parseNumberList, rewordYargsMessage } from './cli/flag-values.js';
import { commandHelpHint, formatCliError, readConfigFile } from './cli/errors.js';
import { FileWriteError } from './files/atomic-json.js';
import { isMainModule } from './cli/main-module.js';
import { recordExitStatus } from './cli/exit-file.js';
import { captureCliCommands } from './deploy/role-options.js';
// Command modules are imported lazily so that a worker does not load analysis, vega or sharp.

const SECONDS_LIST = { what: 'comma-separated seconds, e.g. 30,60' } as const;

const EPILOG = 'Docs: README.md and docs/ in the chronoeval repository. Every command also takes --config FILE (JSON, keys as flag names; flags override).';

/** Drop undefined keys so scenario values stay in force where no flag was given. */
function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const COMMANDS = ['run-local', 'worker', 'coordinator', 'ntp-server', 'analyze', 'deploy'] as const;

/** Print the error (it echoes what was typed) and the command's own --help; exit 2 (bad input). */
function fail(msg: string): never {
  process.stderr.write(formatCliError(msg, commandHelpHint(hideBin(process.argv), COMMANDS)));
  process.exit(2);
}

/**
 * Run a command body; a thrown Error becomes a one-line message and exit code 2 (bad input), or
 * 3 when a result file could not be written (disk full, read-only), as for worker and coordinator.
 */
function handle<A>(body: (argv: A) => Promise<number>): (argv: A) => Promise<void> {
  return async (argv) => {
    try {
      process.exitCode = await body(argv);
    } catch (e) {
      if (e instanceof FileWriteError) {
        process.stderr.write(`chronoeval: ${e.message}; free space or choose another directory, then run it again\n`);
        process.exit(3);
      }
      fail((e as Error).message);
    }
  };
}

/** The whole CLI; deploy and the Slurm template read the worker's and coordinator's option declarations from it. */
export const cli: Argv = yargs(hideBin(process.argv))
  .scriptName('chronoeval')
  .usage('$0 <command> [options]\n\nMeasure whether distributed clocks get causality, ordering and stream windows right.')
  .config('config', 'JSON file of options (keys as flag names); flags given on the command line override it', readConfigFile)
  .command('run-local', 'Everything on one machine: SNTP servers, workers and coordinator on loopback with a fault scenario, then analysis and the scenario\'s checks (the main job)',
    (y: Argv) => withRecvStamp(withCommon(withRunIdentity(y)))
      .option('scenario', { type: 'string', default: 'demo', describe: `Built-in scenario name or a JSON file (docs/scenarios.md); built in: ${builtinScenarioNames().join(', ')}` })
      .option('seed', numberOption('seed', { what: 'a whole number (a seed)', integer: true, describe: 'Seed for the scenario\'s random parts (default: the scenario\'s): the same seed replays the same injected faults and event schedule, not the same measurements (real timing, scheduling and the host clock differ from run to run)' }))
      .option('repeat', numberOption('repeat', { what: 'a whole number of seeds', integer: true, default: 1, describe: 'Run the scenario over K seeds (seed, seed+1, ...) and report each check\'s worst case' }))
      .option('workers', numberOption('workers', { what: 'a whole number of workers', integer: true, describe: 'Override: number of worker processes' }))
      .option('rate', numberOption('rate', { what: 'a number of events per second', describe: 'Override: events per second' }))
      .option('schedule', { choices: SCHEDULE_KINDS, describe: `Override: ${SCHEDULE_HELP}. Seeded from the run's seed` })
      .option('duration-s', numberOption('duration-s', { what: 'a number of seconds', describe: 'Override: seconds of events after warmup' }))
      .option('count', numberOption('count', { what: 'a whole number of events', integer: true, describe: 'Override: number of events (instead of a duration)' }))
      .option('sources', { type: 'string', describe: 'Override: comma-separated clock sources' })
      .option('poll-ms', numberOption('poll-ms', { what: 'a number of milliseconds', describe: 'Override: NTP poll interval (ms)' }))
      .option('warmup-max-s', numberOption('warmup-max-s', { what: 'a number of seconds', describe: 'Override: longest a worker waits for its sources to converge' }))
      .option('commit-wait-s', { type: 'string', describe: 'Override: re-estimation delays in seconds, e.g. 2,5' })
      .option('clock-faults', { type: 'string', describe: 'Override: every worker\'s clock faults (JSON or file)' })
      .option('faults', { type: 'string', describe: 'Override: the main NTP server\'s faults (JSON or file)' })
      .option('event-faults', { type: 'string', describe: 'Override: event-path faults (JSON or file)' })
      .option('figures', { type: 'boolean', default: true, describe: 'Render figures and report.html (--no-figures skips them)' })
      .example('$0 run-local', 'the demo scenario (about a minute); report in results/<run_id>/report.html')
      .example('$0 run-local --scenario step --seed 3', 'the same faults as seed 3 of the step scenario (measurements differ run to run)')
      .example('$0 run-local --scenario lan --repeat 5', 'judge the lan scenario\'s checks over five seeds'),
    handle(async (a) => { validateRunLocalOptions(a); return (await import('./cli/run-local-command.js')).runLocalCommand({
      scenario: a.scenario, repeat: positive('repeat', a.repeat, { integer: true }),
      overrides: stripUndefined({
        seed: a.seed === undefined ? undefined : positive('seed', a.seed, { integer: true, allowZero: true }),
        workers: a.workers === undefined ? undefined : positive('workers', a.workers, { integer: true }),
        rate: a.rate === undefined ? undefined : positive('rate', a.rate),
        schedule: a.schedule,
        duration_s: a['duration-s'] === undefined ? undefined : positive('duration-s', a['duration-s']),
        count: a.count === undefined ? undefined : positive('count', a.count, { integer: true }),
        sources: a.sources === undefined ? undefined : parseSourceList(a.sources),
        poll_ms: a['poll-ms'] === undefined ? undefined : positive('poll-ms', a['poll-ms']),
        warmup_max_s: a['warmup-max-s'] === undefined ? undefined : positive('warmup-max-s', a['warmup-max-s']),
        commit_wait_s: a['commit-wait-s'] === undefined ? undefined : parseNumberList('commit-wait-s', a['commit-wait-s'], SECONDS_LIST).map((x) => positive('commit-wait-s', x)),
        clock_faults: a['clock-faults'] === undefined ? undefined : parseSpecArg(a['clock-faults'], 'clock-faults'),
        faults: a.faults === undefined ? undefined : parseSpecArg(a.faults, 'faults'),
        event_faults: a['event-faults'] === undefined ? undefined : parseSpecArg(a['event-faults'], 'event-faults'),
      }),
      resultsDir: a['results-dir'], logsDir: a['logs-dir'], runId: a['run-id'] === undefined ? undefined : resolveRunId(a['run-id']),
      figures: a.figures, logLevel: a['log-level'], commandLine: process.argv.slice(1), recvStamp: a['recv-stamp'],
    }); }))
  .command('worker', 'Receive events on UDP and stamp each with every clock source',
    (y: Argv) => withRecvStamp(withSources(withKey(withCommon(withRunIdentity(y)))))
      .option('node', { type: 'string', demandOption: true, describe: 'This worker\'s node id (file name of its CSVs)' })
      .option('bind', { type: 'string', default: '0.0.0.0', describe: 'Address to bind' })
      .option('port', numberOption('port', { what: 'a port number (0-65535)', integer: true, default: 0, describe: 'UDP port (0: the OS picks; printed as {"event":"listening","port":P})' }))
      .option('warmup-max-s', numberOption('warmup-max-s', { what: 'a number of seconds', default: 30, describe: 'Longest warmup before answering ready with unready sources named' }))
      .option('clock-faults', { type: 'string', describe: 'Simulate a faulty local clock: inline JSON or a file (docs/scenarios.md), e.g. \'{"offset_ms":5,"drift_ppm":20}\'' })
      .option('commit-wait-s', { type: 'string', default: '30,60', describe: 'Re-estimation delays in seconds for commit-wait rows of interval sources ("" for none)' }),
    handle(async (a) => {
      validateWorkerOptions(a, KNOWN_SOURCES); // every field, before any file or socket
      const runId = resolveRunId(a['run-id']);
      const nodeId = checkNodeId(a.node);
      const sources = parseSourceList(a.sources);
      const { key, security } = await resolveKey({ keyFile: a['key-file'], insecure: a.insecure });
      const port = positive('port', a.port, { integer: true, allowZero: true });
      const clock = clockFromArg(a['clock-faults']);
      const pollMs = positive('poll-ms', a['poll-ms']);
      const warmupMaxS = positive('warmup-max-s', a['warmup-max-s']);
      const sourceOptions = parseSourceOptions(a['source-options'], a['chronotick-url']);
      const commitWaitS = parseNumberList('commit-wait-s', a['commit-wait-s'], SECONDS_LIST).map((s) => positive('commit-wait-s', s));
      // Everything is parsed: only now may a file (the log) appear.
      const logger = makeLogger(`worker-${nodeId}`, a['logs-dir'], runId, a['log-level']);
      const { runWorker } = await import('./worker/worker.js');
      return runWorker({
        runId, nodeId, bind: a.bind, port, sources, ntpServers: splitList(a['ntp-server']), resultsDir: a['results-dir'], logsDir: a['logs-dir'],
        key, pollMs, warmupMaxS, logger, clock, security, sourceOptions, commitWaitS, recvStamp: a['recv-stamp'],
        onListening: (p) => process.stdout.write(JSON.stringify({ event: 'listening', port: p, node: nodeId, run_id: runId }) + '\n'),
      });
    }))
  .command('coordinator', 'Send scheduled, stamped events to every worker and record them',
    (y: Argv) => withSources(withKey(withCommon(withRunIdentity(y))))
      .option('workers', { type: 'string', array: true, demandOption: true, describe: 'Worker addresses host:port (repeatable or comma-separated)' })
      .option('rate', numberOption('rate', { what: 'a number of events per second', default: 50, describe: 'Events per second (ignored with --pattern)' }))
      .option('pattern', { type: 'string', describe: 'Repeating spacings between events in ms, e.g. 5,5,50' })
      .option('schedule', { choices: SCHEDULE_KINDS, default: DEFAULT_SCHEDULE, describe: SCHEDULE_HELP })
      .option('schedule-seed', numberOption('schedule-seed', { what: 'a whole number in [0, 4294967295]', integer: true, describe: 'Seed of the jittered/poisson schedule, a whole number in [0, 4294967295] (default: derived from the run id; recorded in the manifest)' }))
      .option('count', numberOption('count', { what: 'a whole number of events', integer: true, describe: 'Number of events' }))
      .option('duration-s', numberOption('duration-s', { what: 'a number of seconds', describe: 'Seconds of events (when --count is not given; default 30)' }))
      .option('ready-timeout-s', numberOption('ready-timeout-s', { what: 'a number of seconds', default: 60, describe: 'Longest wait for every worker to answer ready' }))
      .option('end-timeout-s', numberOption('end-timeout-s', { what: 'a number of seconds', default: 30, describe: 'Longest silence from a worker after end before it counts as gone (a worker answering "ending" while it finishes its re-estimations is waited for)' }))
      .option('clock-faults', { type: 'string', describe: 'Simulate a faulty coordinator clock: inline JSON or a file' })
      .option('event-faults', { type: 'string', describe: 'Event-path faults per worker (delay/jitter, loss, duplicates): inline JSON or a file' }),
    handle(async (a) => {
      validateCoordinatorOptions(a, KNOWN_SOURCES); // every field, before any file or socket
      const runId = resolveRunId(a['run-id']);
      const { key, security } = await resolveKey({ keyFile: a['key-file'], insecure: a.insecure });
      const clock = clockFromArg(a['clock-faults']);
      const eventFaultSpec = a['event-faults'] === undefined ? undefined : parseSpecArg(a['event-faults'], 'event-faults');
      const { eventPathFaults } = await import('./sim/event-faults.js');
      const patternMs = a.pattern === undefined ? undefined : splitList(a.pattern).map(Number);
      const sourceOptions = parseSourceOptions(a['source-options'], a['chronotick-url']);
      const logger = makeLogger('coordinator', a['logs-dir'], runId, a['log-level']);
      const { runCoordinator } = await import('./coordinator/coordinator.js');
      const schedule = {
        kind: a.schedule, seed: a['schedule-seed'] ?? defaultScheduleSeed(runId),
        rate: a.rate, patternMs, count: a.count, durationS: a.count === undefined ? (a['duration-s'] ?? 30) : undefined,
      };
      const res = await runCoordinator({
        runId, workers: splitList(a.workers), sources: parseSourceList(a.sources), ntpServers: splitList(a['ntp-server']), schedule,
        resultsDir: a['results-dir'], logsDir: a['logs-dir'], key, pollMs: positive('poll-ms', a['poll-ms']),
        readyTimeoutS: positive('ready-timeout-s', a['ready-timeout-s']), endTimeoutS: positive('end-timeout-s', a['end-timeout-s']), logger,
        clock, security, commandLine: process.argv.slice(1), eventFaults: eventFaultSpec ? eventPathFaults(eventFaultSpec) : null, sourceOptions,
      });
      process.stdout.write(JSON.stringify({ event: 'summary', run_id: runId, sent: res.sent, silent_workers: res.silentWorkers, schedule: scheduleRecord(schedule) }) + '\n');
      return res.exitCode;
    }))
  .command('ntp-server', 'An SNTP v4 server answering from this host\'s clock (for local runs and tests)',
    (y: Argv) => withCommon(withRunIdentity(y))
      .option('bind', { type: 'string', default: '127.0.0.1', describe: 'Address to bind' })
      .option('port', numberOption('port', { what: 'a port number (0-65535)', integer: true, default: 123, describe: 'UDP port (0: the OS picks; printed as {"event":"listening","port":P})' }))
      .option('stratum', numberOption('stratum', { what: 'a whole number 1-15', integer: true, default: 1, describe: 'Stratum to announce (1-15)' }))
      .option('faults', { type: 'string', describe: 'Server faults (delay distribution, asymmetry, loss, falseticker offset): inline JSON or a file' })
      .option('clock-faults', { type: 'string', describe: 'Serve from a simulated faulty clock: inline JSON or a file' }),
    handle(async (a) => { validateNtpServerOptions(a); return (await import('./cli/ntp-server-command.js')).ntpServerCommand({
      bind: a.bind, port: positive('port', a.port, { integer: true, allowZero: true }), stratum: a.stratum,
      faults: a.faults === undefined ? undefined : parseSpecArg(a.faults, 'faults'), clock: clockFromArg(a['clock-faults']),
      logsDir: a['logs-dir'], runId: a['run-id'] === undefined ? null : resolveRunId(a['run-id']), logLevel: a['log-level'],
    }); }))
  .command('analyze <run_dir>', 'Read a run\'s CSVs and write stats.json, figures and report.html',
    (y: Argv) => y
      .positional('run_dir', { type: 'string', demandOption: true, describe: 'results/<run_id> directory (or a legacy run directory)' })
      .option('format', { choices: ['native', 'legacy'] as const, default: 'native' as const, describe: 'native: this project\'s files; legacy: the first Python version\'s CSVs' })
      .option('windows-ms', { type: 'string', default: '50,100,500,1000', describe: 'Window sizes in ms for window-assignment metrics' })
      .option('figures', { type: 'boolean', default: true, describe: 'Render figures and report.html (--no-figures skips them)' }),
    handle(async (a) => { await (await import('./cli/analyze-command.js')).analyzeCommand({
      runDir: a.run_dir as string, format: a.format, windowsMs: parseNumberList('windows-ms', a['windows-ms'], { what: 'comma-separated window sizes in ms, e.g. 50,100' }).map((w) => positive('windows-ms', w)), figures: a.figures,
    }); return 0; }))
  .command('deploy <inventory>', 'Run on real hosts over SSH: pre-flight, ship, start workers, run the coordinator, fetch, analyse (docs/deploy.md)',
    (y: Argv) => y
      .positional('inventory', { type: 'string', demandOption: true, describe: 'Inventory file (YAML or JSON; see deploy/inventory.example.yaml)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print every remote command and contact no host' })
      .option('cleanup', { type: 'boolean', default: false, describe: 'Stop leftover processes of earlier runs on every host, by pid file only' })
      .example('$0 deploy deploy/inventory.example.yaml --dry-run', 'show what a deploy would run'),
    handle(async (a) => (await import('./deploy/index.js')).deployCommand({ inventory: a.inventory as string, dryRun: a['dry-run'], cleanup: a.cleanup })))
  .demandCommand(1, `Give a command: ${COMMANDS.join(', ')}`)
  .strict()
  .recommendCommands()
  .epilog(EPILOG)
  .wrap(Math.min(110, process.stdout.columns || 100))
  .fail((msg, err) => fail(rewordYargsMessage(msg ?? err?.message ?? 'invalid arguments')))
  .help();

// Parsed only when run as a program, so that the declarations above can be imported.
if (isMainModule(import.meta.url)) {
  recordExitStatus();
  captureCliCommands(cli); // deploy reads the worker's and coordinator's options from here
  await cli.parseAsync();
}
