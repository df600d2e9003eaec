import dgram, { type Socket } from 'node:dgram';
import type { Logger } from '../cli/logger.js';
import type { WorkerAddress } from './control.js';

/** Per-datagram decision of the event-path fault injector (simulations only). */
export interface EventPathFaults {
  decide(workerIndex: number, seq: number): { drop: boolean; delayNs: number; duplicates: number };
}

/**
 * The event datagrams' way out: one UDP socket per worker, connected to it, so that each send is
 * one synchronous sendmsg(2) made before `send` returns. Through an unconnected socket dgram
 * first resolves the address and defers the sendmsg through process.nextTick, i.e. after the rest
 * of the event's work (and, behind schedule, after a whole burst of late events).
 * Control messages (ready?, end) and the workers' replies stay on the coordinator's own socket.
 */
export class EventSender {
  /** (worker, error code) pairs already logged: each kind of error is logged once per worker. */
  private errorsLogged = new Set<string>();
  private closed = false;
  private delayed = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly sockets: Socket[],
    private readonly workers: WorkerAddress[],
    private readonly faults: EventPathFaults | null,
    private readonly log: Logger,
  ) {
    sockets.forEach((s, i) => s.on('error', (e: NodeJS.ErrnoException) => this.onError(i, e)));
  }

  static async open(workers: WorkerAddress[], faults: EventPathFaults | null, log: Logger): Promise<EventSender> {
    const sockets: Socket[] = [];
    try {
      for (const w of workers) {
        const s = dgram.createSocket('udp4');
        sockets.push(s);
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.connect(w.port, w.host, () => {
            s.off('error', reject);
            resolve();
          });
        });
      }
    } catch (e) {
      for (const s of sockets) s.close();
      throw new Error(`cannot open an event socket to a worker: ${(e as Error).message}`, { cause: e });
    }
    return new EventSender(sockets, workers, faults, log);
  }

  /**
   * Send one event's datagram to every worker (through the fault injector in simulations). Each
   * loopback sendmsg costs ~15–20 µs, so the k-th worker's datagram leaves that much later than
   * the first: the order rotates with `seq` (event seq goes to worker seq mod n first), so that no
   * worker is always first and ordering statistics between workers carry no fixed bias.
   */
  send(buf: Buffer, seq: number): void {
    const sockets = this.sockets;
    const n = sockets.length;
    const first = seq % n;
    for (let k = 0; k < n; k++) {
      const i = first + k < n ? first + k : first + k - n;
      if (this.faults === null) sockets[i]!.send(buf, this.resendIfRefused(i, buf));
      else this.sendWithFaults(i, buf, seq, this.faults);
    }
  }

  private sendWithFaults(i: number, buf: Buffer, seq: number, faults: EventPathFaults): void {
    const d = faults.decide(i, seq);
    if (d.drop) return;
    const copies = 1 + d.duplicates;
    const go = (): void => {
      for (let c = 0; c < copies; c++) this.sockets[i]!.send(buf, this.resendIfRefused(i, buf));
    };
    if (d.delayNs <= 0) {
      go();
      return;
    }
    const t = setTimeout(() => {
      this.delayed.delete(t);
      go();
    }, d.delayNs / 1e6);
    this.delayed.add(t);
  }

  /**
   * A connected UDP socket learns of an ICMP "port unreachable" (a worker not listening, e.g.
   * while it restarts) and fails the next sendmsg with ECONNREFUSED without sending it. An
   * unconnected socket would have sent that datagram: send it once more, so that a worker that
   * is back gets it. The callback runs after the event's sends (process.nextTick), never between.
   */
  private resendIfRefused(i: number, buf: Buffer): (err: Error | null) => void {
    return (err) => {
      if (!err) return;
      this.onError(i, err as NodeJS.ErrnoException);
      if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED' && !this.closed) this.sockets[i]!.send(buf);
    };
  }

  /** ICMP errors also surface on the socket's receive side: log each kind once per worker, keep going. */
  private onError(i: number, e: NodeJS.ErrnoException): void {
    const key = `${i}:${e.code ?? e.message}`;
    if (this.errorsLogged.has(key)) return;
    this.errorsLogged.add(key);
    this.log.warn(
      `worker ${this.workers[i]!.label}: ${e.code === 'ECONNREFUSED' ? 'nothing listening (ICMP port unreachable); still sending' : e.message}`,
    );
  }

  /** Close the sockets; a fault delay that outlasted the run drops its datagram, as a lost one. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.delayed) clearTimeout(t);
    this.delayed.clear();
    await Promise.all(this.sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
