// `chronoeval ntp-server`: an SNTP v4 server answering from this host's (or a simulated) clock,
// until a stop signal.
import type { Writable } from 'node:stream';
import type { Argv } from 'yargs';
import { makeLogger, positive, resolveRunId, withCommon, withRunIdentity } from '../cli/options.js';
import { validateNtpServerOptions } from '../cli/config-validation.js';
import { numberOption } from '../cli/flag-values.js';
import { runCommand } from '../cli/command-runner.js';
import { STOP_SIGNALS, signalExit } from '../cli/exit-codes.js';
import type { Logger } from '../cli/logger.js';
import type { LocalClock } from '../clock/types.js';
import { HostClock } from '../clock/host-clock.js';
import { toJson } from '../files/atomic-json.js';
import type { NtpServerBehaviour } from '../ntp-server/behaviour.js';
import { startNtpServer, type NtpServerStats } from '../ntp-server/server.js';
import { type ArgsOf, HELP_EPILOG } from './shared.js';

export const command = 'ntp-server';
export const describe = "An SNTP v4 server answering from this host's clock (for local runs and tests)";

export function builder(y: Argv) {
  return withCommon(withRunIdentity(y))
    .option('bind', { type: 'string', default: '127.0.0.1', describe: 'Address to bind' })
    .option(
      'port',
      numberOption('port', {
        what: 'a port number (0-65535)',
        integer: true,
        default: 123,
        describe: 'UDP port (0: the OS picks; printed as {"event":"listening","port":P})',
      }),
    )
    .option(
      'stratum',
      numberOption('stratum', { what: 'a whole number 1-15', integer: true, default: 1, describe: 'Stratum to announce (1-15)' }),
    )
    .option('faults', {
      type: 'string',
      describe: 'Server faults (delay distribution, asymmetry, loss, falseticker offset): inline JSON or a file',
    })
    .option('clock-faults', { type: 'string', describe: 'Serve from a simulated faulty clock: inline JSON or a file' })
    .example('$0 ntp-server --port 12300', "serve this host's clock on UDP 12300 until Ctrl-C")
    .example(
      '$0 ntp-server --port 0 --faults \'{"falseticker_offset_ms":50}\'',
      'a falseticker 50 ms off, on a port the OS picks (printed as {"event":"listening",...})',
    )
    .epilog(HELP_EPILOG);
}

async function parse(a: ArgsOf<typeof builder>) {
  validateNtpServerOptions(a);
  const { parseSpecArg } = await import('../scenario/spec-arg.js');
  const { clockFromArg } = await import('../sim/clock-from-arg.js');
  const { NtpFaultBehaviour } = await import('../sim/ntp-faults.js');
  const faults = a.faults === undefined ? undefined : parseSpecArg(a.faults, 'faults');
  return {
    bind: a.bind,
    port: positive('port', a.port, { integer: true, allowZero: true }),
    stratum: a.stratum,
    behaviour: faults ? new NtpFaultBehaviour(faults) : undefined,
    clock: clockFromArg(a['clock-faults']),
    logsDir: a['logs-dir'],
    runId: a['run-id'] === undefined ? null : resolveRunId(a['run-id']),
    logLevel: a['log-level'],
  };
}

/** Serves until a stop signal; exits 128 + n (130 on Ctrl-C) once closed, its summary printed. */
async function run(o: Awaited<ReturnType<typeof parse>>): Promise<number> {
  const logger = makeLogger('ntp-server', o.logsDir, o.runId, o.logLevel);
  logger.info(`SNTP server starting on ${o.bind}:${o.port}`);
  const { stats, signal } = await serveUntilStopped({
    host: o.bind,
    port: o.port,
    stratum: o.stratum,
    logger,
    clock: o.clock,
    behaviour: o.behaviour,
  });
  const realised = o.behaviour ? o.behaviour.realised() : null;
  if (realised) process.stdout.write(toJson({ event: 'realised_faults', ntp: realised }, 0) + '\n');
  logger.info('stopped', { ...stats, ...(realised ? { realised_faults: realised } : {}) });
  await logger.close();
  return signalExit(signal);
}

export const handler = runCommand({ parse, run });

export interface ServeOptions {
  host: string;
  port: number;
  /** Default: the host clock (the test-bed's reference). A simulated clock comes from --clock-faults. */
  clock?: LocalClock;
  behaviour?: NtpServerBehaviour;
  logger?: Logger;
  stratum?: number;
  /** Where the JSON event lines go; default process.stdout. */
  stdout?: Writable;
}

/**
 * Start the server, print `{"event":"listening",...}` once bound, run until a stop signal, then
 * close, print `{"event":"summary",...}` and resolve with the stats and the signal.
 */
export async function serveUntilStopped(opts: ServeOptions): Promise<{ stats: NtpServerStats; signal: NodeJS.Signals }> {
  const out = opts.stdout ?? process.stdout;
  const server = await startNtpServer({
    host: opts.host,
    port: opts.port,
    clock: opts.clock ?? new HostClock(),
    behaviour: opts.behaviour,
    logger: opts.logger,
    stratum: opts.stratum,
  });
  out.write(JSON.stringify({ event: 'listening', port: server.port, address: server.address, protocol: 'ntp' }) + '\n');
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const on = (s: NodeJS.Signals): void => {
      for (const sig of STOP_SIGNALS) process.off(sig, on);
      resolve(s);
    };
    for (const sig of STOP_SIGNALS) process.on(sig, on);
  });
  await server.close();
  const stats = server.stats();
  out.write(JSON.stringify({ event: 'summary', signal, ...stats }) + '\n');
  return { stats, signal };
}
