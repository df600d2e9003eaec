import type { ClockSource, LocalClock, SyncSink } from './types.js';
import type { Logger } from '../cli/logger.js';
import { SystemSource } from './sources/system.js';
import { NtpSource } from './sources/ntp.js';
import { BoundedSource } from './sources/bounded.js';
import { createChronySource } from './sources/chrony.js';
import { createClockBoundSource } from './sources/clockbound.js';
import { createChronoTickSource } from './sources/chronotick.js';
import { createChannelSource } from './sources/channel.js';
import { createPtpSource } from './sources/ptp.js';

/** What every source factory may use. Per-source tuning lives in `options[sourceName]`. */
export interface SourceContext {
  clock: LocalClock;
  nodeId: string;
  ntpServers: string[];
  pollMs: number;
  sink: SyncSink;
  logger: Logger;
  options: Record<string, Record<string, unknown>>;
  runId?: string;
}

export const KNOWN_SOURCES = ['system', 'ntp', 'bounded', 'chrony', 'clockbound', 'chronotick', 'channel', 'ptp'] as const;

/**
 * Build the named sources in order. Sources that need NTP samples share one NtpSource, which is
 * created (and started) even when `ntp` itself is not stamped.
 */
export function createSources(names: readonly string[], ctx: SourceContext): { stamped: ClockSource[]; all: ClockSource[] } {
  let ntp: NtpSource | null = null;
  const needNtp = (): NtpSource => {
    if (!ntp) {
      if (ctx.ntpServers.length === 0) throw new Error('source "ntp" needs at least one --ntp-server host:port');
      ntp = new NtpSource({
        servers: ctx.ntpServers,
        clock: ctx.clock,
        pollMs: ctx.pollMs,
        burst: 4,
        timeoutMs: 500,
        sink: ctx.sink,
        logger: ctx.logger,
        nodeId: ctx.nodeId,
        ...(ctx.options.ntp ?? {}),
      });
    }
    return ntp;
  };
  const stamped: ClockSource[] = [];
  for (const name of names) {
    switch (name) {
      case 'system':
        stamped.push(new SystemSource(ctx.clock));
        break;
      case 'ntp':
        stamped.push(needNtp());
        break;
      case 'bounded':
        stamped.push(
          new BoundedSource({
            ntp: needNtp(),
            clock: ctx.clock,
            sink: ctx.sink,
            logger: ctx.logger,
            nodeId: ctx.nodeId,
            runId: ctx.runId,
            ...(ctx.options.bounded ?? {}),
          }),
        );
        break;
      case 'chrony':
        stamped.push(createChronySource(base(ctx), ctx.options.chrony ?? {}));
        break;
      case 'clockbound':
        stamped.push(createClockBoundSource(base(ctx), ctx.options.clockbound ?? {}));
        break;
      case 'chronotick':
        // Shared memory (/dev/shm/chronotick_shm) unless a url or mode "http" is configured.
        stamped.push(createChronoTickSource(base(ctx), ctx.options.chronotick ?? {}));
        break;
      case 'ptp':
        stamped.push(createPtpSource(base(ctx), ctx.options.ptp ?? {}));
        break;
      case 'channel':
        // The coordinator's clock is the channel's frame; workers learn it from echo samples.
        stamped.push(createChannelSource(base(ctx), ctx.nodeId === 'coordinator', ctx.options.channel ?? {}));
        break;
      default:
        throw new Error(`unknown clock source "${name}"; known: ${KNOWN_SOURCES.join(', ')}`);
    }
  }
  const all = [...stamped];
  if (ntp && !all.includes(ntp)) all.unshift(ntp);
  return { stamped, all };
}

const base = (ctx: SourceContext) => ({
  clock: ctx.clock,
  sink: ctx.sink,
  logger: ctx.logger,
  nodeId: ctx.nodeId,
  runId: ctx.runId,
  pollMs: ctx.pollMs,
});

/** Validate a source list before anything starts. */
export function parseSourceList(value: string | string[]): string[] {
  const list = (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) throw new Error('--sources is empty; give e.g. --sources system,ntp');
  const seen = new Set<string>();
  for (const s of list) {
    if (!(KNOWN_SOURCES as readonly string[]).includes(s))
      throw new Error(`--sources: unknown source "${s}"; known: ${KNOWN_SOURCES.join(', ')}`);
    if (seen.has(s)) throw new Error(`--sources: "${s}" given twice`);
    seen.add(s);
  }
  return list;
}
