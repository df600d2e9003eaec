import { runNtpServerCommand } from '../ntp-server/command.js';
import { makeLogger } from './options.js';
import type { Level } from '../run/logger.js';

export interface NtpServerCliOptions { bind: string; port: number; stratum: number; logsDir: string; runId: string | null; logLevel: Level }

/** `chronoeval ntp-server`: serve until SIGINT/SIGTERM (the server module prints listening/summary lines). */
export async function ntpServerCommand(o: NtpServerCliOptions): Promise<number> {
  if (!(Number.isInteger(o.stratum) && o.stratum >= 1 && o.stratum <= 15)) throw new Error(`--stratum must be 1-15, got ${o.stratum}`);
  const logger = makeLogger('ntp-server', o.logsDir, o.runId, o.logLevel);
  logger.info(`SNTP server starting on ${o.bind}:${o.port}`);
  const stats = await runNtpServerCommand({ host: o.bind, port: o.port, stratum: o.stratum, logger });
  logger.info('stopped', { ...stats });
  await logger.close();
  return 0;
}
