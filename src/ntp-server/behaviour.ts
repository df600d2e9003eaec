// Fault-injection hook of the SNTP server. The server asks the behaviour once per well-formed
// request; the decision says what the simulated network and server clock do to that exchange.
//
// What an asymmetric network does to the four timestamps (and how the server reproduces it):
//   client sends at t1 ──(request path d1)──▶ server stamps t2 on arrival
//   server stamps t3 just before sending ──(reply path d2)──▶ client stamps t4 on arrival
// So the request-path delay is waited *before* t2 is stamped, and the reply-path delay *after*
// t3 is stamped (the packet is already on the wire). The client then measures
//   δ = (t4 − t1) − (t3 − t2) = d1 + d2 (+ the real loopback time), and
//   θ = ((t2 − t1) + (t3 − t4)) / 2 = true offset + (d1 − d2) / 2,
// i.e. asymmetry biases the offset by half the difference and no filter can see it from one
// exchange; only the bound δ/2 is guaranteed to cover it.
import type { NtpPacket } from '../protocol/ntp-packet.js';

export interface NtpRequestContext {
  /** 1-based count of well-formed requests this server has seen. */
  seq: number;
  from: { address: string; port: number };
  request: NtpPacket;
  /** Server clock on receipt, before any simulated delay (ns since the Unix epoch). */
  arrivalLocalNs: bigint;
}

export interface NtpFaultDecision {
  /** Lose the request: no reply, counted as `dropped`. */
  drop?: boolean;
  /** Extra request-path (client → server) delay in ms, before t2 is stamped. */
  requestDelayMs?: number;
  /** Extra reply-path (server → client) delay in ms, after t3 is stamped. */
  replyDelayMs?: number;
  /** Added to the server's t2, t3 and reference timestamp: a falseticker (server clock wrong by this). */
  offsetNs?: bigint;
  /** Reply with a kiss-o'-death (stratum 0, this ASCII code as reference id, e.g. "RATE", "DENY"). */
  kiss?: string;
  /** Override the leap indicator (3 = unsynchronised) or the stratum (16 = unsynchronised). */
  leap?: number;
  stratum?: number;
}

export interface NtpServerBehaviour {
  /** Called once per well-formed request; must be synchronous and cheap. null/undefined = no fault. */
  decide(ctx: NtpRequestContext): NtpFaultDecision | null | undefined;
}

/** The default: an honest server on a perfect network. */
export const NO_FAULTS: NtpServerBehaviour = { decide: () => null };
