import DgramAsPromised from 'dgram-as-promised';
import { lookup } from 'node:dns/promises';
import type { RemoteInfo } from 'node:dgram';
import type { ClockSource, LocalClock, Reading } from '../clock/types.js';
import { createSources } from '../clock/registry.js';
import { HostClock } from '../clock/host-clock.js';
import { decodeMessage, eventParts } from '../protocol/messages.js';
import { BatchedCsvWriter, rowsToCsv, type Cell } from '../files/csv-writer.js';
import { coordinatorColumns } from '../files/columns.js';
import { runPaths } from '../files/paths.js';
import { existsSync } from 'node:fs';
import { baseVersions, writeManifest } from '../files/manifest.js';
import { provenance } from '../files/provenance.js';
import { openSyncLog } from '../files/sync-log.js';
import type { Logger } from '../cli/logger.js';
import { ControlClient, parseWorkerAddress, type WorkerAddress } from './control.js';
import { startStepCheck } from '../clock/step-check.js';
import type { RoleOptions } from '../cli/role-options.js';
import { dueTimesNs, scheduleKind, scheduleLength, scheduleRecord, validateSchedule, type ScheduleSpec } from './schedule.js';
import { waitUntil } from './precise-wait.js';
import { EventSender, type EventPathFaults, type KernelSend } from './event-sender.js';
import type { SendKernelReason } from './tx-stamps.js';
import { EXIT, STOP_SIGNALS, signalExit } from '../cli/exit-codes.js';
import { UsageError } from '../validate/index.js';
import { EchoRecorder } from './echo-recorder.js';
import { echoAsked, type EchoMode } from './echo-mode.js';
import type { MulticastOptions } from '../net/multicast.js';

export type { EventPathFaults } from './event-sender.js';

export interface CoordinatorOptions extends RoleOptions {
  workers: string[];
  schedule: ScheduleSpec;
  readyTimeoutS: number;
  endTimeoutS: number;
  eventFaults?: EventPathFaults | null;
  commandLine?: string[];
  /** --echo: which events ask each worker for an echo (default on). */
  echo?: EchoMode;
  /** --transport multicast: one datagram per event to this group; null/absent: unicast to each worker. */
  multicast?: MulticastOptions | null;
}

export interface CoordinatorResult {
  sent: number;
  silentWorkers: string[];
  exitCode: number;
  /** Event datagrams handed to the kernel: events × workers with unicast, events with multicast. */
  datagramsSent: number;
}

/**
 * The coordinator: waits for every worker's `ready`, sends each scheduled event (stamped with
 * every source) to every worker, records one row per event, then ends the workers.
 */
export async function runCoordinator(opts: CoordinatorOptions): Promise<CoordinatorResult> {
  const log = opts.logger;
  validateSchedule(opts.schedule); // before any socket opens
  if (opts.multicast && opts.eventFaults)
    throw new UsageError('--event-faults are per worker and take --transport unicast (one multicast datagram serves every worker)');
  const clock: LocalClock = opts.clock ?? new HostClock();
  const paths = runPaths(opts.resultsDir, opts.logsDir, opts.runId);
  const workers: WorkerAddress[] = [];
  for (const w of opts.workers) {
    const parsed = parseWorkerAddress(w);
    let address: string;
    try {
      address = (await lookup(parsed.host, { family: 4 })).address;
    } catch {
      throw new UsageError(`worker ${w}: cannot resolve host "${parsed.host}"`);
    }
    workers.push({ host: address, port: parsed.port, label: `${address}:${parsed.port}` });
  }
  let fatal: Error | null = null;
  const onFatal = (e: Error): void => {
    fatal ??= e;
    log.error(`cannot write results (${e.message}); stopping`);
  };

  if (!existsSync(paths.manifest)) {
    // A hand-run coordinator (not under run-local or deploy): the run still gets a manifest.
    await writeManifest(paths.manifest, {
      run_id: opts.runId,
      kind: 'manual',
      started_utc: new Date().toISOString(),
      ended_utc: null,
      command_line: opts.commandLine ?? [],
      config: {
        workers: opts.workers,
        schedule: opts.schedule,
        sources: opts.sources,
        ntp_servers: opts.ntpServers,
        echo: opts.echo ?? 'on',
        ...(opts.multicast ? { transport: 'multicast', multicast: opts.multicast } : {}),
      },
      schedule: scheduleRecord(opts.schedule),
      hosts: workers.map((w) => ({ role: 'worker', node: w.label, host: w.host, port: w.port })),
      versions: baseVersions(),
      provenance: provenance(opts.commandLine ?? []),
      security: opts.security ?? { authenticated: opts.key !== null, key_source: opts.key ? 'key-file' : 'none' },
    });
  }
  const sync = await openSyncLog(paths.syncCsv('coordinator'), opts.runId, 'coordinator', onFatal);
  const { stamped, all } = createSources(opts.sources, {
    clock,
    nodeId: 'coordinator',
    ntpServers: opts.ntpServers,
    pollMs: opts.pollMs,
    sink: sync.sink,
    logger: log,
    options: opts.sourceOptions ?? {},
  });
  const stopStepCheck = startStepCheck(clock, sync.sink, log);
  const csv = new BatchedCsvWriter(
    paths.coordinatorCsv,
    coordinatorColumns(
      stamped.map((s) => s.name),
      true,
    ),
    100,
    onFatal,
  );
  await csv.open();

  const socket = DgramAsPromised.createSocket('udp4', (buf: Buffer, rinfo: RemoteInfo) => {
    const d = decodeMessage(buf, opts.runId, opts.key);
    const from = `${rinfo.address}:${rinfo.port}`;
    if (!d.ok) {
      log.warn(`ignored datagram from ${from}: ${d.reason} (${d.detail})`);
      return;
    }
    if (d.msg.k === 'status') control.onStatus(from, d.msg);
    else if (d.msg.k === 'bye') control.onBye(from, d.msg);
  });
  await socket.bind(0);
  const control = new ControlClient(socket, workers, opts.runId, opts.key, log);
  let sender: EventSender | null = null;
  let echoes: EchoRecorder | null = null;
  const echoMode: EchoMode = opts.echo ?? 'on';
  let interrupted: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupted = sig;
    log.warn(`${sig}: stopping after the current event`);
  };
  for (const sig of STOP_SIGNALS) process.once(sig, onSignal);

  let sent = 0;
  try {
    const total = scheduleLength(opts.schedule);
    let onEcho: ((i: number, buf: Buffer, mono: bigint | null) => void) | null = null;
    if (echoMode !== 'off') onEcho = (i, buf, mono) => echoes?.onDatagram(i, buf, mono);
    const events = (sender = opts.multicast
      ? await EventSender.openMulticast(workers, opts.multicast, log, onEcho)
      : await EventSender.open(workers, opts.eventFaults ?? null, log, onEcho));
    if (echoMode !== 'off')
      echoes = new EchoRecorder({
        runId: opts.runId,
        key: opts.key,
        mode: echoMode,
        total,
        workers: workers.length,
        stamped,
        clock,
        stamp: events.stampKind,
        echoCsv: (node) => paths.echoCsv(node),
        summaryFile: paths.echoSummary,
        log,
        onFatal,
      });
    for (const s of all) await s.start();
    log.info(`waiting for ${workers.length} workers to be ready (up to ${opts.readyTimeoutS} s)`);
    await waitReadyIncludingOwnSources(control, all, opts.readyTimeoutS * 1000, log, () => interrupted !== null);
    const stoppedBeforeReady = interrupted !== null;

    const parts = eventParts(
      opts.runId,
      stamped.map((s) => s.name),
      opts.key,
    );
    const encode = (seq: number, stamps: readonly Reading[], trueNs: bigint | null, echo: boolean): Buffer =>
      parts.seal(parts.open(seq, stamps, trueNs, echo), null);
    const readings: Reading[] = new Array<Reading>(stamped.length);
    const eventRow = (seq: number, sendNs: bigint, trueSendNs: bigint | null, kernel: KernelStamp): Cell[] => {
      const row: Cell[] = [opts.runId, seq, seq, sendNs];
      for (let j = 0; j < readings.length; j++) {
        const r = readings[j]!;
        row.push(r.point_ns, r.lo_ns, r.hi_ns, r.status);
      }
      row.push(trueSendNs);
      if ('local' in kernel) row.push(kernel.local, null, kernel.truth);
      else row.push(null, kernel.reason, null);
      return row;
    };
    await warmUp(clock, stamped, readings, encode, eventRow);
    const kind = scheduleKind(opts.schedule);
    log.info(
      `sending ${total} events to ${workers.length} workers (schedule ${kind}${kind === 'fixed' ? '' : `, seed ${opts.schedule.seed}`})`,
    );
    // The first event is due 1 ms from now, so that it is waited for like every other one: due
    // "now", it was late by the first event-loop turn (~200 µs in every run).
    const startMono = process.hrtime.bigint() + 1_000_000n;
    let lastProgress = Date.now();
    for (const dueNs of dueTimesNs(opts.schedule)) {
      if (interrupted || fatal) break;
      await waitUntil(startMono + BigInt(dueNs));
      // Between the stamp and the datagrams only what the datagram needs: each source's reading
      // of the stamp and the encoding. The CSV row is built once the datagrams have left.
      const seq = sent;
      const sendNs = clock.nowNs();
      const trueSendNs = clock.simulated ? (clock.lastTrueNs ?? null) : null;
      // The stamp's monotonic instant (a few hundred ns later): a clock step found while reading
      // the sources must not move this stamp into the new frame.
      const sendMono = process.hrtime.bigint();
      for (let j = 0; j < stamped.length; j++) readings[j] = stamped[j]!.read(sendNs, sendMono);
      const ask = echoAsked(echoMode, seq);
      const open = parts.open(seq, readings, trueSendNs, ask);
      // Per-worker datagrams only for the workers that get a piggyback (at most one per 50 ms each);
      // none with multicast, where one datagram serves every worker.
      const rec = opts.multicast ? null : echoes;
      const perWorker =
        rec !== null && rec.piggybackDue(sendMono)
          ? (i: number): Buffer | null => {
              const sfx = rec.piggyback(i, sendMono, Buffer.byteLength(open));
              return sfx === null ? null : parts.seal(open, sfx);
            }
          : null;
      events.send(parts.seal(open, null), seq, perWorker);
      const kernelSend = kernelStamp(clock, events.kernelSend());
      echoes?.noteSend(seq, sendNs, 'local' in kernelSend ? kernelSend.local : null, ask);
      csv.append(eventRow(seq, sendNs, trueSendNs, kernelSend));
      sent++;
      if (Date.now() - lastProgress >= 5000) {
        lastProgress = Date.now();
        log.info(`progress: ${sent}/${total} events (${((100 * sent) / total).toFixed(0)} %)`);
      }
    }
    log.info(
      `sent ${sent} events in ${events.datagramsSent} datagrams (${opts.multicast ? 'multicast to the group' : 'unicast to each worker'}); ending workers`,
    );
    await sleep(200); // let delayed (fault-injected) datagrams leave before `end`
    // Stopped before every worker was ready: tell them to end, without waiting long for byes.
    const { silent } = await control.end((stoppedBeforeReady ? Math.min(opts.endTimeoutS, 2) : opts.endTimeoutS) * 1000);
    if (silent.length) log.error(`no bye from ${silent.join(', ')}: those workers may have died; their data so far is kept`);
    const exitCode = fatal ? EXIT.writeFailed : interrupted ? signalExit(interrupted) : silent.length ? EXIT.partial : EXIT.ok;
    return { sent, silentWorkers: silent, exitCode, datagramsSent: events.datagramsSent };
  } finally {
    for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
    stopStepCheck();
    for (const s of all) await s.stop().catch(() => {});
    await csv.close();
    await sync.writer.close();
    // Echoes that came during the end handshake were recorded until the event sockets closed.
    await sender?.close();
    await echoes?.close().catch((e: Error) => onFatal(e));
    await socket.close();
  }
}

/**
 * Run the send path's own code — wait, stamp, read every source, encode, build the row, render
 * rows as CSV text — for WARM_UP_MS before the first event, sending and recording nothing, so that
 * V8 has compiled it before it has to be on time. Without it the first ~50 events of a run at
 * 1,000 events/s were often late by 0.1–4 ms (interpreted code, lazy compilation, first
 * scavenges) — many of the ~30 late events that set a 3,000-event run's p99. Interleaved runs
 * (1 worker, 1,000 events/s): events among the first 50 late by > 100 µs, median 7 without a
 * warm-up, 3 with 50 ms, 1–2 with 150 ms; quiet runs with 100 ms: 1, 1, 1 (without: 7, 6, 3).
 */
const WARM_UP_MS = 100;
async function warmUp(
  clock: LocalClock,
  stamped: ClockSource[],
  readings: Reading[],
  encode: (seq: number, stamps: readonly Reading[], trueNs: bigint | null, echo: boolean) => Buffer,
  eventRow: (seq: number, sendNs: bigint, trueSendNs: bigint | null, kernel: KernelStamp) => Cell[],
): Promise<void> {
  const start = process.hrtime.bigint();
  const rows: Cell[][] = [];
  for (let i = 0; i < WARM_UP_MS * 4; i++) {
    await waitUntil(start + BigInt(i) * 250_000n);
    const ns = clock.nowNs();
    const mono = process.hrtime.bigint();
    for (let j = 0; j < stamped.length; j++) readings[j] = stamped[j]!.read(ns, mono);
    encode(i, readings, clock.simulated ? (clock.lastTrueNs ?? null) : null, i % 2 === 0);
    rows.push(eventRow(i, ns, null, kernelStamp(clock, i % 2 === 0 ? { mono } : { reason: 'not-sent' })));
    if (rows.length === 25) rowsToCsv(rows.splice(0));
  }
}

async function waitReadyIncludingOwnSources(
  control: ControlClient,
  own: { name: string; readiness(): { ready: boolean; detail: string } }[],
  timeoutMs: number,
  log: Logger,
  stopped: () => boolean,
): Promise<void> {
  const start = Date.now();
  await control.waitReady(timeoutMs, stopped);
  // The coordinator's own sources stamp the send side: wait for them too (bounded by the same deadline).
  for (;;) {
    const unready = own.filter((s) => !s.readiness().ready);
    if (unready.length === 0 || stopped()) return;
    if (Date.now() - start > timeoutMs) {
      log.warn(`coordinator sources not converged, continuing: ${unready.map((s) => `${s.name} (${s.readiness().detail})`).join('; ')}`);
      return;
    }
    await sleep(250);
  }
}

/** The kernel's send stamp in the local clock (and, simulated, its true time), or why there is none. */
type KernelStamp = { local: bigint; truth: bigint | null } | { reason: SendKernelReason };

function kernelStamp(clock: LocalClock, k: KernelSend): KernelStamp {
  if (!('mono' in k)) return k;
  const local = localAtMono(clock, k.mono);
  // atMonoNs leaves a simulated clock's lastTrueNs at that very instant: the stamp's own truth.
  return { local, truth: clock.simulated && clock.atMonoNs ? (clock.lastTrueNs ?? null) : null };
}

/**
 * The local clock's reading at a past CLOCK_MONOTONIC instant, as the worker maps its kernel
 * receive stamps: through atMonoNs (a simulated clock maps the instant through its own model),
 * else stepped back from nowNs() by the instant's age.
 */
function localAtMono(clock: LocalClock, mono: bigint): bigint {
  if (clock.atMonoNs) return clock.atMonoNs(mono);
  return clock.nowNs() - (process.hrtime.bigint() - mono);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
