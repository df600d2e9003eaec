// `chronoeval worker`: receive events on UDP and stamp each with every clock source.
import type { Argv } from 'yargs';
import {
  checkNodeId,
  makeLogger,
  parseSourceOptions,
  positive,
  resolveRunId,
  splitList,
  withCommon,
  withKey,
  withRecvStamp,
  withRunIdentity,
  withSources,
  withTransport,
} from '../cli/options.js';
import { multicastFromArgs } from '../net/multicast.js';
import { KNOWN_SOURCES, parseSourceList } from '../clock/registry.js';
import { validateWorkerOptions } from '../cli/config-validation.js';
import { numberOption, parseNumberList } from '../cli/flag-values.js';
import { runCommand } from '../cli/command-runner.js';
import { SECONDS_LIST, type ArgsOf, HELP_EPILOG } from './shared.js';
import { ECHO_COALESCE_MS } from '../worker/echo-batcher.js';
import { RECV_PAUSE_MS } from '../net/stamped-socket.js';

export const command = 'worker';
export const describe = 'Receive events on UDP and stamp each with every clock source';

export function builder(y: Argv) {
  return withTransport(withRecvStamp(withSources(withKey(withCommon(withRunIdentity(y))))))
    .option('node', { type: 'string', demandOption: true, describe: "This worker's node id (file name of its CSVs)" })
    .option('bind', { type: 'string', default: '0.0.0.0', describe: 'Address to bind' })
    .option(
      'port',
      numberOption('port', {
        what: 'a port number (0-65535)',
        integer: true,
        default: 0,
        describe: 'UDP port (0: the OS picks; printed as {"event":"listening","port":P})',
      }),
    )
    .option(
      'warmup-max-s',
      numberOption('warmup-max-s', {
        what: 'a number of seconds',
        default: 30,
        describe: 'Longest warmup before answering ready with unready sources named',
      }),
    )
    .option(
      'echo-coalesce-ms',
      numberOption('echo-coalesce-ms', {
        what: 'a number of milliseconds (0-1000)',
        default: ECHO_COALESCE_MS,
        describe:
          'At most one echo datagram in this long: echoes of events that come sooner wait and leave together, each with its own hold (0: every echo at once)',
      }),
    )
    .option(
      'recv-pause-ms',
      numberOption('recv-pause-ms', {
        what: 'a whole number of milliseconds (0-100)',
        integer: true,
        default: RECV_PAUSE_MS,
        describe:
          "Kernel receive stamps only: when events come faster than one per this long, read the socket at most once per this long (the stamps stay the kernel's; 0: wake for every datagram)",
      }),
    )
    .option('clock-faults', {
      type: 'string',
      describe: 'Simulate a faulty local clock: inline JSON or a file (docs/scenarios.md), e.g. \'{"offset_ms":5,"drift_ppm":20}\'',
    })
    .option('commit-wait-s', {
      type: 'string',
      default: '30,60',
      describe: 'Re-estimation delays in seconds for commit-wait rows of interval sources ("" for none)',
    })
    .example(
      '$0 worker --node w1 --port 47100 --ntp-server pool.ntp.org:123 --key-file run.key',
      "a worker stamping with the system clock and NTP; stop it with Ctrl-C or the coordinator's end",
    )
    .example('$0 worker --node w1 --sources system --insecure', 'a hand-run experiment without a key (recorded in the summary)')
    .epilog(HELP_EPILOG);
}

async function parse(a: ArgsOf<typeof builder>) {
  validateWorkerOptions(a, KNOWN_SOURCES); // every field, before any file or socket
  const runId = resolveRunId(a['run-id']);
  const nodeId = checkNodeId(a.node);
  const { resolveKey } = await import('../protocol/key.js');
  const { clockFromArg } = await import('../sim/clock-from-arg.js');
  const { key, security } = await resolveKey({ keyFile: a['key-file'], insecure: a.insecure });
  return {
    runId,
    nodeId,
    bind: a.bind,
    key,
    security,
    sources: parseSourceList(a.sources),
    ntpServers: splitList(a['ntp-server']),
    port: positive('port', a.port, { integer: true, allowZero: true }),
    clock: clockFromArg(a['clock-faults']),
    pollMs: positive('poll-ms', a['poll-ms']),
    warmupMaxS: positive('warmup-max-s', a['warmup-max-s']),
    sourceOptions: parseSourceOptions(a['source-options'], a['chronotick-url']),
    commitWaitS: parseNumberList('commit-wait-s', a['commit-wait-s'], SECONDS_LIST).map((s) => positive('commit-wait-s', s)),
    resultsDir: a['results-dir'],
    logsDir: a['logs-dir'],
    logLevel: a['log-level'],
    recvStamp: a['recv-stamp'],
    recvPauseMs: positive('recv-pause-ms', a['recv-pause-ms'], { integer: true, allowZero: true }),
    echoCoalesceMs: positive('echo-coalesce-ms', a['echo-coalesce-ms'], { allowZero: true }),
    multicast: multicastFromArgs(a),
  };
}

/** Exit 0 when ended by the coordinator, 3 when a file could not be written, 128 + n when stopped by signal n. */
async function run(o: Awaited<ReturnType<typeof parse>>): Promise<number> {
  // Everything is parsed: only now may a file (the log) appear.
  const logger = makeLogger(`worker-${o.nodeId}`, o.logsDir, o.runId, o.logLevel);
  const { runWorker } = await import('../worker/worker.js');
  return runWorker({
    ...o,
    logger,
    onListening: (p) => process.stdout.write(JSON.stringify({ event: 'listening', port: p, node: o.nodeId, run_id: o.runId }) + '\n'),
  });
}

export const handler = runCommand({ parse, run });
