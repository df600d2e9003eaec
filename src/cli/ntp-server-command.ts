import { startNtpServer } from '../ntp-server/server.js';
import { HostClock } from '../clock/host-clock.js';
import { makeLogger } from './options.js';
import type { Level } from '../run/logger.js';

export interface NtpServerCommandOptions { bind: string; port: number; stratum: number; logsDir: string; runId: string | null; logLevel: Level }

/** `chronoeval ntp-server`: serve until SIGINT/SIGTERM. */
export async function ntpServerCommand(o: NtpServerCommandOptions): Promise<number> {
  const logger = makeLogger('ntp-server', o.logsDir, o.runId, o.logLevel);
  const server = await startNtpServer({ host: o.bind, port: o.port, clock: new HostClock(), logger, stratum: o.stratum });
  process.stdout.write(JSON.stringify({ event: 'listening', port: server.port, address: server.address }) + '\n');
  logger.info(`SNTP server on ${server.address}:${server.port}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  const stats = server.stats();
  process.stdout.write(JSON.stringify({ event: 'summary', ...stats }) + '\n');
  logger.info('stopped', { ...stats });
  await logger.close();
  return 0;
}
