import type { Writable } from 'node:stream';
import { HostClock } from '../clock/host-clock.js';
import type { LocalClock } from '../clock/types.js';
import type { Logger } from '../cli/logger.js';
import type { NtpServerBehaviour } from './behaviour.js';
import { startNtpServer, type NtpServerStats } from './server.js';

export interface NtpServerCommandOptions {
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
 * `chronoeval ntp-server`: start the server, print `{"event":"listening",...}` once bound, run
 * until SIGINT/SIGTERM, then close, print `{"event":"summary",...}` and resolve with the stats
 * (the caller exits 0).
 */
export async function runNtpServerCommand(opts: NtpServerCommandOptions): Promise<NtpServerStats> {
  const out = opts.stdout ?? process.stdout;
  const server = await startNtpServer({
    host: opts.host, port: opts.port, clock: opts.clock ?? new HostClock(),
    behaviour: opts.behaviour, logger: opts.logger, stratum: opts.stratum,
  });
  out.write(JSON.stringify({ event: 'listening', port: server.port, address: server.address, protocol: 'ntp' }) + '\n');
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const on = (s: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
  await server.close();
  const stats = server.stats();
  out.write(JSON.stringify({ event: 'summary', signal, ...stats }) + '\n');
  return stats;
}
