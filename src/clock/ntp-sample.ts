/**
 * One SNTP exchange (RFC 5905 on-wire protocol). t1/t4 are the client's local clock
 * (faulty in simulations), t2/t3 the server's. offset θ = ((t2−t1)+(t3−t4))/2,
 * delay δ = (t4−t1)−(t3−t2).
 */
export interface NtpSample {
  server: string; // "host:port"
  t1_ns: bigint;
  t2_ns: bigint;
  t3_ns: bigint;
  t4_ns: bigint;
  offset_ns: bigint;
  delay_ns: bigint;
  root_delay_ns: bigint;
  root_dispersion_ns: bigint;
  stratum: number;
  leap: number;
  /** Host (true) time at t1 and t4, in simulated runs only. */
  true_t1_ns?: bigint;
  true_t4_ns?: bigint;
  /** Chosen by the burst filter (minimum delay) or rejected, and why. */
  accepted: boolean;
  reason: string;
}

export type NtpSampleListener = (s: NtpSample) => void;
