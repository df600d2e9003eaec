import type { ClockSource } from '../clock/types.js';
import { isEchoSampleSink, type EchoSample, type EchoSampleSink } from '../clock/sources/channel.js';
import type { EchoBackEntry } from '../protocol/messages.js';

// The four-timestamp sample and its sink are the channel source's (src/clock/sources/channel.ts).

/** The stamped sources that take echo samples. */
export function echoSampleSinks(sources: readonly ClockSource[]): EchoSampleSink[] {
  return sources.filter(isEchoSampleSink);
}

/** Hand each piggybacked entry to every sink (hot path: no I/O; entries were validated by the decoder). */
export function feedEchoSamples(sinks: readonly EchoSampleSink[], entries: readonly EchoBackEntry[], atMonoNs: bigint): void {
  for (const [seq, s, e, r, h] of entries) {
    const sample: EchoSample = { seq, s_ns: BigInt(s), e_ns: BigInt(e), r_ns: BigInt(r), h_ns: BigInt(h), atMonoNs };
    for (const sink of sinks) sink.addEchoSample(sample);
  }
}
