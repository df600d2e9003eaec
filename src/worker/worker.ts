import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ClockSource, LocalClock } from '../clock/types.js';
import { createSources } from '../clock/registry.js';
import { HostClock } from '../clock/host-clock.js';
import { decodeMessage, echoEncoder, encodeMessage, type Message, type RejectReason, type StatusReply } from '../protocol/messages.js';
import { echoSampleSinks, feedEchoSamples } from './echo-samples.js';
import { ECHO_COALESCE_MS, EchoBatcher } from './echo-batcher.js';
import { BatchedCsvWriter, type Cell } from '../files/csv-writer.js';
import { COMMIT_WAIT_COLUMNS, workerColumns } from '../files/columns.js';
import { CommitWaitScheduler } from './commit-wait.js';
import { runPaths } from '../files/paths.js';
import { openSyncLog } from '../files/sync-log.js';
import { toJson, writeJsonAtomic } from '../files/atomic-json.js';
import type { WorkerSummary } from '../files/worker-summary.js';
import { availabilityOf, pushDetails, pushReadings, type StatusTally } from './readings.js';
import { WarmupGate } from './warmup-gate.js';
import { startStepCheck } from '../clock/step-check.js';
import { SeqSet } from '../protocol/seq-set.js';
import { fitStatus, ReadyGuard } from './ready-guard.js';
import { realisedClockFaults } from '../sim/clock-from-arg.js';
import type { RoleOptions } from '../cli/role-options.js';
import type { MulticastOptions } from '../net/multicast.js';
import {
  RECV_PAUSE_MS,
  openGroupSocket,
  openStampedSocket,
  resolveStampKind,
  type RecvStampMode,
  type StampedSocket,
} from '../net/stamped-socket.js';
import { EXIT, STOP_SIGNALS, signalExit } from '../cli/exit-codes.js';

/** Where a datagram came from (replies go back there). */
interface From {
  address: string;
  port: number;
}

export interface WorkerOptions extends RoleOptions {
  nodeId: string;
  bind: string;
  port: number;
  warmupMaxS: number;
  /** Re-estimation delays (s) for commit-wait rows; empty: none. */
  commitWaitS: number[];
  /** Called once bound, with the actual port (port 0 → chosen by the OS). */
  onListening?: (port: number) => void;
  /**
   * Receive stamps (--recv-stamp): `kernel` the kernel's SO_TIMESTAMPNS arrival (native addon),
   * `user` read in the JS callback, `auto` (default) kernel when the addon loads, else user with a warning.
   */
  recvStamp?: RecvStampMode;
  /**
   * --recv-pause-ms (kernel stamps only): when events come faster than one per this many ms, the
   * socket rests this long after a wake-up and reads what came meanwhile at once (default
   * RECV_PAUSE_MS; 0: a wake-up per datagram). Arrival stamps are the kernel's either way.
   */
  recvPauseMs?: number;
  /** --echo-coalesce-ms: at most one echo datagram in this long (default ECHO_COALESCE_MS; 0: each echo at once). */
  echoCoalesceMs?: number;
  /**
   * --transport multicast: events also arrive on a second socket joined to this group; the unicast
   * socket stays for control messages (ready?, end) and sends the replies and echoes.
   */
  multicast?: MulticastOptions | null;
}

/**
 * A worker: binds a UDP port, stamps every authentic event with every source, records one row per
 * event, answers `ready?`, and on `end` (or a signal) flushes, writes its summary and exits.
 */
export async function runWorker(opts: WorkerOptions): Promise<number> {
  const log = opts.logger;
  // Decided before any file or socket exists: --recv-stamp kernel without the addon is a clear error.
  const stampKind = resolveStampKind(opts.recvStamp ?? 'auto', (why) => log.warn(why));
  // User-mode stamps are read when the datagram is read: resting would move them.
  const recvPauseMs = stampKind === 'kernel' ? (opts.recvPauseMs ?? RECV_PAUSE_MS) : 0;
  const clock: LocalClock = opts.clock ?? new HostClock();
  const paths = runPaths(opts.resultsDir, opts.logsDir, opts.runId);
  const startedUtc = new Date().toISOString();
  let fatal: Error | null = null;
  const onFatal = (e: Error): void => {
    if (fatal) return;
    fatal = e;
    log.error(`cannot write results (${e.message}); stopping so that no row is silently dropped`);
    void shutdown('write-error');
  };

  const sync = await openSyncLog(paths.syncCsv(opts.nodeId), opts.runId, opts.nodeId, onFatal);
  const { stamped, all } = createSources(opts.sources, {
    clock,
    nodeId: opts.nodeId,
    ntpServers: opts.ntpServers,
    pollMs: opts.pollMs,
    sink: sync.sink,
    logger: log,
    options: opts.sourceOptions ?? {},
    runId: opts.runId,
  });
  const detailed = stamped.filter((s) => (s.detailColumns?.length ?? 0) > 0);
  const header = workerColumns(
    stamped.map((s) => s.name),
    detailed.flatMap((s) => s.detailColumns!),
  );
  const csv = new BatchedCsvWriter(paths.workerCsv(opts.nodeId), header, 100, onFatal);
  await csv.open();
  const commitWait = await openCommitWait(opts, stamped, clock, paths.commitWaitCsv(opts.nodeId), onFatal);

  const tally: StatusTally[] = stamped.map(() => ({}));
  const counters: WorkerSummary['rejected'] = {};
  const reject = (reason: RejectReason | 'duplicate', detail: string, address: string, port: number): void => {
    const n = (counters[reason] = (counters[reason] ?? 0) + 1);
    // Log the first few of each kind, then every 1000th, so a flood cannot fill the disk.
    if (n <= 5 || n % 1000 === 0) log.warn(`rejected datagram: ${reason}`, { detail, from: `${address}:${port}`, count: n });
  };
  // A restarted worker (same run, same node) appends: remember what its earlier life recorded,
  // so a replay of an old datagram is still a duplicate.
  const seen = await recordedSeqs(paths.workerCsv(opts.nodeId));
  const rowsBefore = seen.size;
  if (rowsBefore > 0) log.warn(`restarted: ${rowsBefore} events already recorded for ${opts.nodeId} in this run; appending`);
  let received = 0;
  let recorded = 0;
  let firstSeq: number | null = null;
  let lastSeq: number | null = null;
  const gate = new WarmupGate(all, opts.warmupMaxS * 1000, log);
  let ending = false;
  const echoSinks = echoSampleSinks(stamped);
  let echoFailures = 0;
  const echoes = new EchoBatcher({
    encode: echoEncoder(opts.runId, opts.nodeId, opts.key),
    send: (buf, port, address) => {
      if (!socket) throw new Error('socket closed');
      socket.send(buf, port, address);
    },
    tx: () => socket?.tx,
    coalesceMs: opts.echoCoalesceMs ?? ECHO_COALESCE_MS,
    onSendError: (e, address, port) => {
      if (echoFailures++ === 0) log.warn(`echo to ${address}:${port} not sent: ${e.message} (further failures only counted)`);
    },
  });

  // Hot path: no I/O, no await. `arrival` is the datagram's arrival on CLOCK_MONOTONIC: the
  // kernel's stamp (kernel mode) or the callback's first hrtime read (user mode); null only when
  // the kernel gave none, and then this callback's instant is the best there is (counted).
  const onDatagram = (buf: Buffer, address: string, port: number, arrival: bigint | null): void => {
    let mono = arrival;
    if (mono === null) mono = process.hrtime.bigint(); // the socket counts these (unstampedCount)
    // The local clock's reading, and in simulated runs the true time, at that instant.
    let recvNs: bigint;
    let trueRecvNs: bigint | null = null;
    if (clock.atMonoNs) {
      recvNs = clock.atMonoNs(mono);
      if (clock.simulated) trueRecvNs = clock.lastTrueNs ?? null;
    } else {
      // A clock that cannot read the past: read now and step back by the age (µs, at most ms
      // under load; the drift of any clock over that is nanoseconds).
      const age = process.hrtime.bigint() - mono;
      recvNs = clock.nowNs() - age;
      if (clock.simulated && clock.lastTrueNs !== undefined) trueRecvNs = clock.lastTrueNs - age;
    }
    received++;
    const d = decodeMessage(buf, opts.runId, opts.key);
    if (!d.ok) {
      reject(d.reason, d.detail, address, port);
      return;
    }
    const msg = d.msg;
    if (msg.k === 'ev') {
      if (!seen.add(msg.seq)) {
        reject('duplicate', `seq ${msg.seq}`, address, port);
        return;
      }
      const row: Cell[] = [opts.runId, opts.nodeId, msg.id, msg.seq, recvNs];
      // Sources are read at the arrival instant (local and monotonic), not at the time this callback runs.
      pushReadings(row, stamped, recvNs, mono, tally);
      pushDetails(row, detailed);
      row.push(trueRecvNs);
      csv.append(row);
      commitWait?.scheduler.track(msg.id, msg.seq, recvNs, trueRecvNs, mono);
      recorded++;
      if (firstSeq === null) firstSeq = msg.seq;
      lastSeq = msg.seq;
      // After the event's row is queued: the hold h = t − arrival, t read at the echo's send, covers all of it.
      if (msg.ec === 1) echoes.add(msg.seq, recvNs, mono, address, port);
      if (msg.eb !== undefined && echoSinks.length > 0) feedEchoSamples(echoSinks, msg.eb, mono);
      return;
    }
    handleControl(msg, { address, port }, buf.length);
  };
  let socket: StampedSocket | null = null;
  let groupSocket: StampedSocket | null = null;
  let recvBufferBytes: number | null = null;

  function reply(msg: Message, to: From): void {
    try {
      socket?.send(encodeMessage(msg, opts.key), to.port, to.address);
    } catch (e) {
      log.warn(`reply to ${to.address}:${to.port} failed: ${(e as Error).message}`);
    }
  }

  function statusReply(state: StatusReply['state']): StatusReply {
    const sources: StatusReply['sources'] = {};
    for (const s of all) sources[s.name] = s.readiness();
    return { v: 1, k: 'status', run: opts.runId, node: opts.nodeId, state, sources };
  }

  const readyGuard = new ReadyGuard({ replayCheck: opts.key !== null });
  const unanswered: WorkerSummary['ready_unanswered'] = {};
  function handleControl(msg: Message, from: From, size: number): void {
    if (msg.k === 'ready?') {
      // The reply goes wherever the query claims to come from: never more bytes than the query,
      // never twice for one query (keyed), never a flood to one address (ready-guard.ts).
      let why: keyof WorkerSummary['ready_unanswered'] | null = null;
      const verdict = readyGuard.admit(msg.n, from.address);
      const buf =
        verdict === 'answer' ? fitStatus(statusReply(ending ? 'ending' : gate.isReady() ? 'ready' : 'warming'), size, opts.key) : null;
      if (verdict !== 'answer') why = verdict;
      else if (!buf) why = 'too_small';
      if (why) {
        const n = (unanswered[why] = (unanswered[why] ?? 0) + 1);
        if (n <= 5 || n % 1000 === 0)
          log.warn(`ready? not answered: ${why}`, { from: `${from.address}:${from.port}`, n: msg.n, bytes: size, count: n });
        return;
      }
      try {
        socket?.send(buf!, from.port, from.address);
      } catch (e) {
        log.warn(`reply to ${from.address}:${from.port} failed: ${(e as Error).message}`);
      }
    } else if (msg.k === 'end') {
      if (!ending) void shutdown('end', from);
      else {
        // Repeated `end`s while ending: "still ending" (the coordinator waits on while these come), never larger than the `end`.
        const b = fitStatus(statusReply('ending'), size, opts.key);
        if (b)
          try {
            socket?.send(b, from.port, from.address);
          } catch {
            /* the socket may be closing */
          }
      }
    }
  }

  const stopStepCheck = startStepCheck(clock, sync.sink, log);

  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExit = r));

  async function shutdown(by: string, endFrom?: From): Promise<void> {
    if (ending) return;
    ending = true;
    echoes.flush();
    log.info(`ending (${by}): ${recorded} events recorded`);
    gate.stop();
    stopStepCheck();
    if (commitWait) {
      const longest = Math.max(...commitWait.scheduler.delaysS);
      if (commitWait.scheduler.pendingCount() > 0) log.info(`finishing re-estimations (up to ${longest} s)`);
      await commitWait.scheduler.drain({ maxWaitMs: longest * 1000 + 2000 });
      commitWait.scheduler.stop();
      await commitWait.writer.close();
    }
    for (const s of all) await s.stop().catch((e: Error) => log.warn(`stopping source ${s.name}: ${e.message}`));
    await csv.close();
    await sync.writer.close();
    const drops = await socketDrops(socket, groupSocket);
    if (drops.drops)
      log.warn(
        `the kernel dropped ${drops.drops} datagrams at this worker's socket (receive buffer of ${recvBufferBytes} bytes full): lost at the receiver, not in the network`,
      );
    const summary: WorkerSummary = {
      run_id: opts.runId,
      node_id: opts.nodeId,
      received,
      recorded,
      rejected: counters,
      first_seq: firstSeq,
      last_seq: lastSeq,
      ready_after_s: gate.readyAfterS,
      unready_sources: gate.unreadyAtReady,
      ended_by: by,
      started_utc: startedUtc,
      ended_utc: new Date().toISOString(),
      clock_faults: realisedClockFaults(clock),
      ...(fatal ? { write_error: (fatal as Error).message } : {}),
      rows_written: csv.rowsWritten,
      rows_unwritten: recorded - csv.rowsWritten,
      authenticated: opts.security?.authenticated ?? opts.key !== null,
      key_source: opts.security?.key_source ?? (opts.key ? 'key-file' : 'none'),
      rows_before_restart: rowsBefore,
      commit_wait: commitWait?.scheduler.stats() ?? null,
      cpu_user_us: process.cpuUsage().user,
      cpu_system_us: process.cpuUsage().system,
      recv_stamp: stampKind,
      recv_unstamped: (socket?.unstampedCount() ?? 0) + (groupSocket?.unstampedCount() ?? 0),
      recv_buffer_bytes: recvBufferBytes,
      recv_pause_ms: socket?.recvPauseMs ?? 0,
      recv_kernel_drops: drops.drops,
      recv_kernel_drops_from: drops.from,
      ready_unanswered: unanswered,
      echoes_sent: echoes.recordsSent,
      echo_send_failed: echoes.recordsFailed,
      echo_datagrams: echoes.datagramsSent,
      echo_tx_stamped: echoes.txStamped,
      readings_by_source: availabilityOf(stamped, tally),
    };
    await writeJsonAtomic(paths.workerSummary(opts.nodeId), summary).catch((e: Error) => log.error(`summary: ${e.message}`));
    if (endFrom) reply({ v: 1, k: 'bye', run: opts.runId, node: opts.nodeId, received: recorded }, endFrom);
    process.stdout.write(toJson({ event: 'summary', ...summary }, 0) + '\n');
    // Give the bye datagram a moment to leave before closing the socket.
    setTimeout(
      () => void Promise.all([socket?.close(), groupSocket?.close()]).finally(() => resolveExit(exitCodeOf(by, fatal !== null))),
      50,
    );
  }

  const onSignal = (sig: NodeJS.Signals): void => {
    void shutdown(sig);
  };
  for (const sig of STOP_SIGNALS) process.once(sig, onSignal);

  // A 4 MiB receive buffer (Linux caps it at net.core.rmem_max) rides out scheduling stalls on a
  // busy host: the default 208 KiB holds 256 events (13 ms at 20,000 ev/s), this ~10,000 (docs/performance.md).
  socket = await openStampedSocket({
    bind: opts.bind,
    port: opts.port,
    mode: stampKind,
    recvBufferBytes: 4 << 20,
    onMessage: onDatagram,
    onError: (e) => log.warn(`socket: ${e.message}`),
    recvPauseMs,
    // echoes ask for their transmit stamp: the next echo carries it as a follow-up (docs/protocol.md)
    txStamps: true,
  });
  if (opts.multicast) {
    const m = opts.multicast;
    try {
      groupSocket = await openGroupSocket({
        group: m.group,
        iface: m.iface,
        mode: stampKind,
        recvBufferBytes: 4 << 20,
        onMessage: onDatagram,
        onError: (e) => log.warn(`group socket: ${e.message}`),
        recvPauseMs,
      });
    } catch (e) {
      await socket.close();
      throw e;
    }
    log.info(`worker ${opts.nodeId} joined multicast group ${m.group.address}:${m.group.port}`, {
      interface: m.iface || 'by route',
      recv_stamp: groupSocket.stampKind,
    });
  }
  const addr = socket.address();
  recvBufferBytes = socket.recvBufferBytes();
  log.info(`worker ${opts.nodeId} listening on ${addr.address}:${addr.port}`, {
    run_id: opts.runId,
    sources: opts.sources,
    recv_stamp: stampKind,
    recv_buffer_bytes: recvBufferBytes,
  });
  opts.onListening?.(addr.port);
  for (const s of all) await s.start();
  gate.start();
  commitWait?.scheduler.start();
  return exited;
}

/** The kernel's drops at the worker's sockets (unicast and, with multicast, the group's), summed. */
async function socketDrops(...sockets: (StampedSocket | null)[]): Promise<{ drops: number | null; from: string }> {
  if (!sockets[0]) return { drops: null, from: 'unavailable: the socket never opened' };
  const all = await Promise.all(
    sockets
      .filter((s): s is StampedSocket => s !== null)
      .map((s) => s.kernelDrops().catch((e: Error) => ({ drops: null, from: `unavailable: ${e.message}` }))),
  );
  if (all.length === 1) return all[0]!;
  const missing = all.find((d) => d.drops === null);
  if (missing) return missing;
  return { drops: all.reduce((n, d) => n + d.drops!, 0), from: `${all[0]!.from} (unicast and group sockets)` };
}

/** 3 when a file could not be written, 128 + n when stopped by signal n, else 0 (ended by the coordinator). */
function exitCodeOf(endedBy: string, writeFailed: boolean): number {
  if (writeFailed) return EXIT.writeFailed;
  return (STOP_SIGNALS as readonly string[]).includes(endedBy) ? signalExit(endedBy as NodeJS.Signals) : EXIT.ok;
}

/** Sequence numbers already in a worker CSV (empty set for a new file); a torn last line is ignored. */
async function recordedSeqs(file: string): Promise<SeqSet> {
  const seen = new SeqSet();
  if (!existsSync(file)) return seen;
  const lines = createInterface({ input: createReadStream(file, 'latin1'), crlfDelay: Infinity });
  let seqCol = -1;
  let width = 0;
  for await (const line of lines) {
    const cells = line.split(',');
    if (seqCol < 0) {
      seqCol = cells.indexOf('seq');
      width = cells.length;
      continue;
    }
    if (cells.length !== width) continue; // a torn row: its seq may be cut short
    const seq = Number(cells[seqCol]);
    if (cells[seqCol] !== '' && Number.isSafeInteger(seq) && seq >= 0) seen.add(seq);
  }
  return seen;
}

/** Commit-wait re-estimation rows, when a stamped source can re-estimate and delays are configured. */
async function openCommitWait(
  opts: WorkerOptions,
  stamped: ClockSource[],
  clock: LocalClock,
  file: string,
  onFatal: (e: Error) => void,
): Promise<{ scheduler: CommitWaitScheduler; writer: BatchedCsvWriter } | null> {
  if (opts.commitWaitS.length === 0 || !stamped.some((s) => typeof s.reestimate === 'function')) return null;
  const writer = new BatchedCsvWriter(file, COMMIT_WAIT_COLUMNS, 200, onFatal);
  await writer.open();
  const scheduler = new CommitWaitScheduler({
    sources: stamped,
    clock,
    delaysS: opts.commitWaitS,
    runId: opts.runId,
    nodeId: opts.nodeId,
    logger: opts.logger,
    sink: (row) => writer.append(COMMIT_WAIT_COLUMNS.map((c) => row[c])),
  });
  return { scheduler, writer };
}
