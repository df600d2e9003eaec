import { runNtpServerCommand } from '../ntp-server/command.js';
import { makeLogger } from './options.js';
import type { Level } from './logger.js';
import type { LocalClock } from '../clock/types.js';
import { toJson } from '../files/atomic-json.js';
import { NtpFaultBehaviour, type NtpFaultSpec } from '../sim/ntp-faults.js';

export interface NtpServerCliOptions {
  bind: string; port: number; stratum: number; logsDir: string; runId: string | null; logLevel: Level;
  faults?: NtpFaultSpec; clock?: LocalClock;
}

/** `chronoeval ntp-server`: serve until SIGINT/SIGTERM (the server module prints listening/summary lines). */
export async function ntpServerCommand(o: NtpServerCliOptions): Promise<number> {
  if (!(Number.isInteger(o.stratum) && o.stratum >= 1 && o.stratum <= 15)) throw new Error(`--stratum must be 1-15, got ${o.stratum}`);
  const logger = makeLogger('ntp-server', o.logsDir, o.runId, o.logLevel);
  logger.info(`SNTP server starting on ${o.bind}:${o.port}`);
  const behaviour = o.faults ? new NtpFaultBehaviour(o.faults) : undefined;
  const stats = await runNtpServerCommand({ host: o.bind, port: o.port, stratum: o.stratum, logger, clock: o.clock, behaviour });
  const realised = behaviour ? behaviour.realised() : null;
  if (realised) process.stdout.write(toJson({ event: 'realised_faults', ntp: realised }, 0) + '\n');
  logger.info('stopped', { ...stats, ...(realised ? { realised_faults: realised } : {}) });
  await logger.close();
  return 0;
}
