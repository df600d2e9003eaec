import type { ClockSource } from '../clock/types.js';
import type { EchoBackEntry } from '../protocol/messages.js';

/**
 * One four-timestamp sample against the coordinator, from an `eb` entry: s and e on the
 * coordinator's local clock, r on this worker's, h = t − r on the monotonic clock; atMonoNs is the
 * arrival of the datagram that carried it.
 */
export interface EchoSample {
  seq: number;
  s_ns: bigint;
  e_ns: bigint;
  r_ns: bigint;
  h_ns: bigint;
  atMonoNs: bigint;
}

/** A stamped source fed with echo samples (the `channel` source). */
export interface EchoSampleSink {
  addEchoSample(s: EchoSample): void;
}

/** The stamped sources that take echo samples. */
export function echoSampleSinks(sources: readonly ClockSource[]): EchoSampleSink[] {
  return sources.filter((s): s is ClockSource & EchoSampleSink => typeof (s as Partial<EchoSampleSink>).addEchoSample === 'function');
}

/** Hand each piggybacked entry to every sink (hot path: no I/O; entries were validated by the decoder). */
export function feedEchoSamples(sinks: readonly EchoSampleSink[], entries: readonly EchoBackEntry[], atMonoNs: bigint): void {
  for (const [seq, s, e, r, h] of entries) {
    const sample: EchoSample = { seq, s_ns: BigInt(s), e_ns: BigInt(e), r_ns: BigInt(r), h_ns: BigInt(h), atMonoNs };
    for (const sink of sinks) sink.addEchoSample(sample);
  }
}
