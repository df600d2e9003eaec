// `chronoeval coordinator`: send scheduled, stamped events to every worker and record them.
import type { Argv } from 'yargs';
import {
  makeLogger,
  parseSourceOptions,
  positive,
  resolveRunId,
  splitList,
  withCommon,
  withKey,
  withRunIdentity,
  withSources,
  withTransport,
} from '../cli/options.js';
import { multicastFromArgs } from '../net/multicast.js';
import { KNOWN_SOURCES, parseSourceList } from '../clock/registry.js';
import { validateCoordinatorOptions } from '../cli/config-validation.js';
import { numberOption } from '../cli/flag-values.js';
import { runCommand } from '../cli/command-runner.js';
import { DEFAULT_SCHEDULE, SCHEDULE_HELP, SCHEDULE_KINDS, defaultScheduleSeed, scheduleRecord } from '../coordinator/schedule.js';
import { type ArgsOf, HELP_EPILOG } from './shared.js';
import { parseEchoMode } from '../coordinator/echo-mode.js';

export const command = 'coordinator';
export const describe = 'Send scheduled, stamped events to every worker and record them';

export function builder(y: Argv) {
  return withTransport(withSources(withKey(withCommon(withRunIdentity(y)))))
    .option('workers', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'Worker addresses host:port (repeatable or comma-separated)',
    })
    .option(
      'rate',
      numberOption('rate', { what: 'a number of events per second', default: 50, describe: 'Events per second (ignored with --pattern)' }),
    )
    .option('pattern', { type: 'string', describe: 'Repeating spacings between events in ms, e.g. 5,5,50' })
    .option('schedule', { choices: SCHEDULE_KINDS, default: DEFAULT_SCHEDULE, describe: SCHEDULE_HELP })
    .option(
      'schedule-seed',
      numberOption('schedule-seed', {
        what: 'a whole number in [0, 4294967295]',
        integer: true,
        describe:
          'Seed of the jittered/poisson schedule, a whole number in [0, 4294967295] (default: derived from the run id; recorded in the manifest)',
      }),
    )
    .option('count', numberOption('count', { what: 'a whole number of events', integer: true, describe: 'Number of events' }))
    .option(
      'duration-s',
      numberOption('duration-s', { what: 'a number of seconds', describe: 'Seconds of events (when --count is not given; default 30)' }),
    )
    .option(
      'ready-timeout-s',
      numberOption('ready-timeout-s', {
        what: 'a number of seconds',
        default: 60,
        describe: 'Longest wait for every worker to answer ready',
      }),
    )
    .option(
      'end-timeout-s',
      numberOption('end-timeout-s', {
        what: 'a number of seconds',
        default: 30,
        describe:
          'Longest silence from a worker after end before it counts as gone (a worker answering "ending" while it finishes its re-estimations is waited for)',
      }),
    )
    .option('clock-faults', { type: 'string', describe: 'Simulate a faulty coordinator clock: inline JSON or a file' })
    .option('event-faults', {
      type: 'string',
      describe: 'Event-path faults per worker (delay/jitter, loss, duplicates): inline JSON or a file',
    })
    .option('echo', {
      type: 'string',
      default: 'on',
      describe:
        'Echo brackets: on = every event asks each worker for an echo (recorded in echo/<node>.csv), off = none, ' +
        'N = one event in N (seq % N == 0), for high rates',
    })
    .example(
      '$0 coordinator --workers 10.0.0.2:47100,10.0.0.3:47100 --ntp-server pool.ntp.org:123 --key-file run.key --duration-s 60',
      '60 s of events at 50/s to two workers',
    )
    .example(
      '$0 coordinator --workers 127.0.0.1:47100 --sources system --insecure --schedule poisson --rate 200 --count 10000',
      '10,000 events with Poisson gaps',
    )
    .example(
      '$0 coordinator --workers 10.0.0.2:47100 --key-file run.key --rate 20000 --echo 10',
      'echoes for one event in 10 at a high rate',
    )
    .epilog(HELP_EPILOG);
}

async function parse(a: ArgsOf<typeof builder>) {
  validateCoordinatorOptions(a, KNOWN_SOURCES); // every field, before any file or socket
  const runId = resolveRunId(a['run-id']);
  const { resolveKey } = await import('../protocol/key.js');
  const { clockFromArg } = await import('../sim/clock-from-arg.js');
  const { parseSpecArg } = await import('../scenario/spec-arg.js');
  const { eventPathFaults } = await import('../sim/event-faults.js');
  const { key, security } = await resolveKey({ keyFile: a['key-file'], insecure: a.insecure });
  const eventFaultSpec = a['event-faults'] === undefined ? undefined : parseSpecArg(a['event-faults'], 'event-faults');
  const schedule = {
    kind: a.schedule,
    seed: a['schedule-seed'] ?? defaultScheduleSeed(runId),
    rate: a.rate,
    patternMs: a.pattern === undefined ? undefined : splitList(a.pattern).map(Number),
    count: a.count,
    durationS: a.count === undefined ? (a['duration-s'] ?? 30) : undefined,
  };
  return {
    runId,
    workers: splitList(a.workers),
    sources: parseSourceList(a.sources),
    ntpServers: splitList(a['ntp-server']),
    schedule,
    resultsDir: a['results-dir'],
    logsDir: a['logs-dir'],
    logLevel: a['log-level'],
    key,
    security,
    pollMs: positive('poll-ms', a['poll-ms']),
    readyTimeoutS: positive('ready-timeout-s', a['ready-timeout-s']),
    endTimeoutS: positive('end-timeout-s', a['end-timeout-s']),
    clock: clockFromArg(a['clock-faults']),
    eventFaults: eventFaultSpec ? eventPathFaults(eventFaultSpec) : null,
    sourceOptions: parseSourceOptions(a['source-options'], a['chronotick-url']),
    echo: parseEchoMode(a.echo),
    multicast: multicastFromArgs(a),
  };
}

/**
 * Exit 0 every worker said bye, 3 a file could not be written, 5 workers not ready in time,
 * 6 a worker never said bye (its data so far is kept), 128 + n stopped by signal n.
 */
async function run(o: Awaited<ReturnType<typeof parse>>): Promise<number> {
  const logger = makeLogger('coordinator', o.logsDir, o.runId, o.logLevel);
  const { runCoordinator } = await import('../coordinator/coordinator.js');
  const res = await runCoordinator({ ...o, logger, commandLine: process.argv.slice(1) });
  process.stdout.write(
    JSON.stringify({
      event: 'summary',
      run_id: o.runId,
      sent: res.sent,
      transport: o.multicast ? 'multicast' : 'unicast',
      datagrams_sent: res.datagramsSent,
      silent_workers: res.silentWorkers,
      schedule: scheduleRecord(o.schedule),
    }) + '\n',
  );
  return res.exitCode;
}

export const handler = runCommand({ parse, run });
