// One deploy, start to finish: pre-flight → ship → start → run → stop → fetch → analyse.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { toJson, writeJsonAtomic } from '../files/atomic-json.js';
import type { Logger } from '../cli/logger.js';
import { baseVersions, writeManifest, type Manifest } from '../files/manifest.js';
import { provenance } from '../files/provenance.js';
import { CLI_PATH, runPaths } from '../files/paths.js';
import { buildBundle, type Bundle } from './bundle.js';
import { fetchHost, type FetchOutcome } from './fetch.js';
import type { HostPlan, Inventory } from './inventory.js';
import { preflightTable, runPreflight, type PreflightRow } from './preflight.js';
import { workersDiedMidRun } from './worker-deaths.js';
import { coordinatorArgv, ntpServerArgv, procName, workerArgv, workerTarget, type RemoteCtx } from './process-argv.js';
import {
  jsonLines,
  launchManyCommand,
  parseLaunch,
  parseStatus,
  putSecretCommand,
  remoteLayout,
  shipCommand,
  statusCommand,
  stopCommand,
  type ProcStatus,
} from './remote-scripts.js';
import { destinationKey, groupByPlace, SshClient } from './ssh.js';
import { makeDeployTmp } from './leftovers.js';
import { PACKAGE_ROOT } from '../files/paths.js';
import { defaultScheduleSeed, scheduleRecord, type ScheduleKind } from '../coordinator/schedule.js';
import { EXIT, signalExit } from '../cli/exit-codes.js';
import { parseEchoMode, type EchoMode } from '../coordinator/echo-mode.js';

/** 128 + n for the stop signal the deploy was aborted with (its abort reason). */
function stoppedCode(signal: AbortSignal): number {
  return typeof signal.reason === 'string' && signal.reason.startsWith('SIG')
    ? signalExit(signal.reason as NodeJS.Signals)
    : EXIT.interrupted;
}

/** A remote process this deploy started: enough to poll it and to stop it by pid file. */
interface Started {
  host: HostPlan;
  name: string;
  absWorkDir: string;
  stateDir: string;
}

export interface DeployRunResult {
  runId: string;
  exitCode: number;
  runDir: string | null;
}

/**
 * A temp dir for ssh control sockets and the bundle: $TMPDIR when short enough (a unix socket
 * path is limited to ~104 bytes), else /tmp.
 */
export function shortTmp(): string {
  const t = process.env.TMPDIR;
  if (t && path.isAbsolute(t) && t.length <= 60 && existsSync(t)) return t;
  return existsSync('/tmp') ? '/tmp' : os.tmpdir();
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** Distinct (ssh destination, work dir) pairs: shipping and fetching happen once per pair. */
function uniqueTargets(hosts: HostPlan[], abs: Map<string, string>): Array<{ host: HostPlan; absWorkDir: string }> {
  return groupByPlace(
    hosts,
    (h) => h,
    (h) => abs.get(h.name)!,
  ).map(([h]) => ({ host: h!, absWorkDir: abs.get(h!.name)! }));
}

export async function deployRun(inv: Inventory, log: Logger, signal: AbortSignal, runId: string): Promise<DeployRunResult> {
  const hosts = [inv.coordinator, ...inv.workers];
  const paths = runPaths(inv.resultsDir, inv.logsDir, runId);
  const controlDir = makeDeployTmp(shortTmp());
  const ssh = new SshClient(controlDir);
  const started: Started[] = [];
  const summary: Record<string, unknown> = { run_id: runId, inventory: inv.file, started_utc: new Date().toISOString() };
  let exitCode: number = EXIT.ok;
  let runDirReady = false;
  const phases = async (): Promise<void> => {
    // 1. pre-flight everywhere, bundle built meanwhile
    log.info(`run ${runId}: pre-flight on ${hosts.length} hosts`);
    const bundlePromise = buildBundle(PACKAGE_ROOT, controlDir, inv.compress).catch((e: Error) => e);
    const rows = await runPreflight(inv, ssh, hosts);
    process.stderr.write(preflightTable(rows) + '\n');
    summary.preflight = rows.map((r) => ({
      node: r.host.name,
      role: r.host.role,
      host: r.host.host,
      reachable: r.reachable,
      facts: r.facts,
      problems: r.problems,
    }));
    const failed = rows.filter((r) => r.problems.length > 0);
    if (failed.length) {
      log.error(`pre-flight failed on ${failed.map((r) => r.host.name).join(', ')}: nothing was started`, {
        problems: Object.fromEntries(failed.map((r) => [r.host.name, r.problems])),
      });
      exitCode = EXIT.notReady;
      return;
    }
    if (signal.aborted) {
      exitCode = stoppedCode(signal);
      return;
    }
    const abs = new Map(rows.map((r) => [r.host.name, r.absWorkDir!]));
    const bundle = await bundlePromise;
    if (bundle instanceof Error) {
      log.error(bundle.message);
      exitCode = EXIT.failed;
      return;
    }

    // 2. ship (skipped where the same bundle is already unpacked)
    const targets = uniqueTargets(hosts, abs);
    const shipped = await ship(ssh, log, targets, rows, bundle);
    rmSync(bundle.file, { force: true }); // not needed any more; a killed deploy leaves less behind
    if (!shipped) {
      exitCode = EXIT.failed;
      return;
    }

    // 3. local run dirs and manifest; per-run HMAC key on every target (0600, never on a command line)
    mkdirSync(paths.runDir, { recursive: true });
    mkdirSync(paths.logDir, { recursive: true });
    runDirReady = true;
    const manifest: Manifest = {
      run_id: runId,
      kind: 'deploy',
      started_utc: new Date().toISOString(),
      ended_utc: null,
      command_line: process.argv.slice(1),
      config: { inventory: inv.file, run: inv.run, embedded_ntp: inv.embeddedNtp, echo: deployEcho(inv) },
      hosts: hosts.map((h) => ({ role: h.role, node: h.name, host: h.address, ...(h.role === 'worker' ? { port: h.port } : {}) })),
      versions: baseVersions(),
      provenance: provenance(process.argv.slice(1)),
      security: { authenticated: !inv.run.insecure },
      schedule: deploySchedule(inv, runId),
    };
    await writeManifest(paths.manifest, manifest);
    const key = inv.run.insecure ? null : randomBytes(32).toString('hex') + '\n';
    const ctx = (h: HostPlan): RemoteCtx => {
      const a = abs.get(h.name)!;
      return { runId, absWorkDir: a, keyFile: key ? remoteLayout.key(a, runId) : null };
    };
    if (key) {
      const res = await Promise.all(
        targets.map((t) => ssh.exec(t.host, putSecretCommand(remoteLayout.key(t.absWorkDir, runId)), { input: key, timeoutMs: 30_000 })),
      );
      const bad = res.map((r, i) => ({ r, t: targets[i] })).filter(({ r }) => r.code !== 0);
      if (bad.length) {
        log.error(`could not write the run key on ${bad.map((b) => b.t.host.name).join(', ')}: ${bad[0].r.stderr.trim()}`);
        exitCode = EXIT.failed;
        return;
      }
    }

    // 4. embedded NTP server, then workers, each detached with a pid file. A machine that starts
    // many processes at once (dozens of workers on one host) is slow to answer each launch and
    // each status: the waits grow with the processes per machine and in all.
    const perDestination = new Map<string, number>();
    for (const h of [inv.coordinator, ...inv.workers])
      perDestination.set(destinationKey(h), (perDestination.get(destinationKey(h)) ?? 0) + 1);
    // Processes sharing a destination and work dir start in one ssh session.
    const launchOn = async (h: HostPlan, entries: Array<{ host: HostPlan; name: string; argv: string[] }>): Promise<Started[]> => {
      const absWorkDir = abs.get(h.name)!;
      const stateDir = remoteLayout.state(absWorkDir, runId);
      const timeoutMs = 30_000 + 1_000 * (perDestination.get(destinationKey(h)) ?? 1);
      const r = await ssh.exec(h, launchManyCommand(stateDir, entries), { timeoutMs });
      const res = parseLaunch(r.stdout);
      const ok: Started[] = [];
      for (const e of entries) {
        const one = res.get(e.name);
        if (one && 'pid' in one) {
          const s: Started = { host: e.host, name: e.name, absWorkDir, stateDir };
          started.push(s);
          ok.push(s);
          log.info(`started ${e.name} on ${h.host} (pid ${one.pid})`);
        } else {
          const why = one ? one.error : r.timedOut ? `no answer within ${timeoutMs / 1000} s` : `exit ${r.code}`;
          log.error(`${e.name} on ${h.host} did not start (${why}): ${r.stderr.trim()}`);
        }
      }
      return ok;
    };
    const launch = async (h: HostPlan, name: string, argv: string[]): Promise<Started | null> =>
      (await launchOn(h, [{ host: h, name, argv }]))[0] ?? null;
    if (inv.embeddedNtp) {
      const s = await launch(inv.coordinator, procName.ntp, ntpServerArgv(inv, ctx(inv.coordinator)));
      const ok = s && (await waitListening(ssh, log, [s], 20_000, signal)).size === 1;
      if (!ok) {
        log.error('the embedded ntp-server did not start; stopping');
        exitCode = EXIT.failed;
        return;
      }
    }
    const workerStarts = await Promise.all(
      groupByPlace(
        inv.workers,
        (w) => w,
        (w) => abs.get(w.name)!,
      ).map((g) =>
        launchOn(
          g[0]!,
          g.map((w) => ({ host: w, name: procName.worker(w), argv: workerArgv(inv, w, ctx(w)) })),
        ),
      ),
    );
    const order = new Map(inv.workers.map((w, i) => [procName.worker(w), i]));
    const workers = workerStarts.flat().sort((a, b) => order.get(a.name)! - order.get(b.name)!);
    const ports =
      workers.length === inv.workers.length
        ? await waitListening(ssh, log, workers, 30_000 + 500 * workers.length, signal)
        : new Map<string, number>();
    if (signal.aborted) {
      exitCode = stoppedCode(signal);
      return;
    }
    if (ports.size !== inv.workers.length) {
      log.error(`only ${ports.size} of ${inv.workers.length} workers are listening; stopping everything`);
      exitCode = EXIT.failed;
      return;
    }
    const workerPorts = new Map(inv.workers.map((w) => [w.name, ports.get(procName.worker(w))!]));
    manifest.hosts = manifest.hosts.map((h) => (h.role === 'worker' ? { ...h, port: workerPorts.get(h.node) } : h));
    await writeManifest(paths.manifest, manifest);

    // The coordinator finds the deploy's manifest in place and so does not write a hand-run one.
    const coordAbs = abs.get(inv.coordinator.name)!;
    const mput = await ssh.exec(inv.coordinator, putSecretCommand(`${remoteLayout.results(coordAbs)}/${runId}/manifest.json`), {
      input: toJson(manifest) + '\n',
      timeoutMs: 30_000,
    });
    if (mput.code !== 0) log.warn(`could not copy the manifest to ${inv.coordinator.host}: ${mput.stderr.trim()}`);

    // 5. the coordinator waits on its ready? barrier, runs, sends end; we watch and report
    const coord = await launch(
      inv.coordinator,
      procName.coordinator(inv.coordinator),
      coordinatorArgv(inv, ctx(inv.coordinator), workerPorts),
    );
    if (!coord) {
      exitCode = EXIT.failed;
      return;
    }
    // ready barrier + events + the workers' re-estimations before their byes + slack
    const expectedS =
      inv.run.readyTimeoutS +
      (inv.run.durationS ?? inv.run.count! / inv.run.rate) +
      Math.max(inv.run.endTimeoutS, inv.run.longestCommitWaitS + 10) +
      60;
    const silentNames = new Map(inv.workers.map((w) => [procName.worker(w), workerTarget(w, workerPorts)]));
    const watch = await watchRun(ssh, log, coord, workers, silentNames, expectedS * 1000, signal);
    summary.coordinator = watch.coordinator;
    if (signal.aborted) exitCode = stoppedCode(signal);
    else if (watch.coordinator.rc !== 0) {
      // Events were sent but some workers never said bye: a partial run, not a failed one.
      const silent = Array.isArray(watch.summary?.silent_workers) ? (watch.summary!.silent_workers as string[]) : [];
      if (silent.length && Number(watch.summary?.sent) > 0) {
        log.error(
          `coordinator sent ${String(watch.summary!.sent)} events; no bye from ${silent.join(', ')} (${describeEnd(watch.coordinator)})`,
        );
        exitCode = EXIT.partial;
      } else if (watch.coordinator.rc === EXIT.notReady) {
        log.error(`the workers were not ready in time: coordinator ended with ${describeEnd(watch.coordinator)}`);
        exitCode = EXIT.notReady;
      } else {
        log.error(`coordinator ended with ${describeEnd(watch.coordinator)}`);
        exitCode = EXIT.failed;
      }
    }

    // 6. workers exit on `end`; whoever has not within stop_timeout_s is stopped by pid file
    const ntp = started.find((s) => s.name === procName.ntp);
    if (ntp) await stopStarted(ssh, log, [ntp], 5000, 'info');
    if (!signal.aborted) {
      const finals = await waitExit(ssh, workers, inv.run.stopTimeoutS * 1000, signal);
      const dead = [...watch.diedMidRun];
      for (const w of workers) {
        const st = finals.get(w.name);
        if (!st || st.alive) {
          log.warn(`${w.name} did not exit within ${inv.run.stopTimeoutS} s of the end; stopping it`);
          if (!dead.includes(w.name)) dead.push(w.name);
        } else if (st.rc !== 0 && !dead.includes(w.name)) {
          log.error(`${w.name} ended with ${describeEnd(st)}`);
          dead.push(w.name);
        }
      }
      summary.workers = Object.fromEntries(workers.map((w) => [w.name, finals.get(w.name) ? strip(finals.get(w.name)!) : null]));
      summary.failed_workers = dead;
      if (dead.length && (exitCode === EXIT.ok || exitCode === EXIT.partial)) exitCode = EXIT.partial;
    }
    manifest.ended_utc = new Date().toISOString();
    manifest.exit = { coordinator: watch.coordinator.rc, deploy: exitCode };
    await writeManifest(paths.manifest, manifest);
    return;
  };
  try {
    await phases();
  } catch (e) {
    log.error(`deploy failed: ${(e as Error).stack ?? String(e)}`);
    exitCode = EXIT.failed;
  } finally {
    // 7. always: stop what is still running (pid files only), fetch what exists, analyse
    if (started.length) {
      // The coordinator first: told to stop, it sends `end` and waits for the workers' byes (after
      // their re-estimations), so no event goes to a stopped worker and every summary is written.
      const coordName = procName.coordinator(inv.coordinator);
      const coord = started.filter((s) => s.name === coordName);
      if (coord.length) {
        if (signal.aborted)
          log.warn(
            `stopping the coordinator first; it ends the workers (up to ${inv.run.endTimeoutS + 10} s while they finish re-estimations; again to quit at once)`,
          );
        await stopStarted(ssh, log, coord, (inv.run.endTimeoutS + 10) * 1000);
      }
      await stopStarted(
        ssh,
        log,
        started.filter((s) => s.name !== coordName),
        signal.aborted ? 5000 : 10_000,
      );
    }
    if (runDirReady && started.length) {
      const fetched = await fetchAll(ssh, log, hosts, started, runId, paths.runDir, paths.logDir, controlDir);
      summary.fetch = fetched;
      if (fetched.some((f) => !f.ok) && exitCode === EXIT.ok) exitCode = EXIT.partial;
      if (!signal.aborted && existsSync(paths.coordinatorCsv)) {
        const rc = await analyse(paths.runDir, log, inv.figures);
        summary.analysis_exit = rc;
        if (rc !== 0 && exitCode === EXIT.ok) exitCode = EXIT.failed;
      } else if (!signal.aborted) log.error(`no coordinator.csv was collected; analysis skipped (collected files are in ${paths.runDir})`);
    }
    await ssh.closeAll();
    rmSync(controlDir, { recursive: true, force: true });
    summary.ended_utc = new Date().toISOString();
    summary.exit_code = signal.aborted ? stoppedCode(signal) : exitCode;
    mkdirSync(paths.logDir, { recursive: true });
    await writeJsonAtomic(path.join(paths.logDir, 'deploy-summary.json'), summary).catch(() => undefined);
  }
  if (signal.aborted) exitCode = stoppedCode(signal);
  return { runId, exitCode, runDir: runDirReady ? paths.runDir : null };
}

function strip(s: ProcStatus): Omit<ProcStatus, 'out'> {
  const { out: _out, ...rest } = s;
  return rest;
}

function describeEnd(s: { rc: number | null; alive?: boolean }): string {
  if (s.rc === null) return 'no exit status (killed together with its wrapper, or still running)';
  if (s.rc > 128) return `exit ${s.rc} (signal ${s.rc - 128})`;
  return `exit ${s.rc}`;
}

async function ship(
  ssh: SshClient,
  log: Logger,
  targets: Array<{ host: HostPlan; absWorkDir: string }>,
  rows: PreflightRow[],
  b: Bundle,
): Promise<boolean> {
  const already = new Set(rows.filter((r) => r.facts?.bundle === b.sha256).map((r) => r.host.name));
  const t0 = Date.now();
  const results = await Promise.all(
    targets.map(async (t) => {
      if (already.has(t.host.name)) {
        log.info(`${t.host.name}: build ${b.sha256.slice(0, 12)} already in place`);
        return true;
      }
      const r = await ssh.exec(t.host, shipCommand(t.absWorkDir, b.sha256, b.gzipped), { stdinFile: b.file, timeoutMs: 600_000 });
      if (r.code !== 0) {
        log.error(`shipping the build to ${t.host.name} (${t.host.host}) failed (exit ${r.code}): ${r.stderr.trim()}`);
        return false;
      }
      return true;
    }),
  );
  log.info(`shipped ${(b.bytes / 1e6).toFixed(1)} MB build ${b.sha256.slice(0, 12)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return results.every(Boolean);
}

/** Polls every started process of a host in one ssh call per host. */
async function pollAll(ssh: SshClient, procs: Started[]): Promise<Map<string, ProcStatus>> {
  const out = new Map<string, ProcStatus>();
  await Promise.all(
    groupByPlace(
      procs,
      (p) => p.host,
      (p) => p.stateDir,
    ).map(async (group) => {
      const r = await ssh.exec(
        group[0].host,
        statusCommand(
          group[0].stateDir,
          group.map((g) => g.name),
        ),
        { timeoutMs: 30_000 },
      );
      if (r.code === 0) for (const [k, v] of parseStatus(r.stdout)) out.set(k, v);
    }),
  );
  return out;
}

/** Resolves with name → port of each process that printed {"event":"listening"}. */
async function waitListening(
  ssh: SshClient,
  log: Logger,
  procs: Started[],
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Map<string, number>> {
  const ports = new Map<string, number>();
  const deadline = Date.now() + timeoutMs;
  while (!signal.aborted && Date.now() < deadline && ports.size < procs.length) {
    const st = await pollAll(ssh, procs);
    for (const p of procs) {
      const s = st.get(p.name);
      if (!s || ports.has(p.name)) continue;
      const l = jsonLines(s.out).find((j) => j.event === 'listening' && typeof j.port === 'number');
      if (l) {
        ports.set(p.name, l.port as number);
        log.info(`${p.name} listening on ${p.host.address}:${String(l.port)}`);
      } else if (!s.alive) {
        log.error(
          `${p.name} on ${p.host.host} exited before listening (${describeEnd(s)}); see logs/<run_id>/deploy/${p.host.name}/${p.name}.err`,
        );
        return ports;
      }
    }
    if (ports.size < procs.length) await sleep(250, signal);
  }
  return ports;
}

interface WatchResult {
  coordinator: { rc: number | null; alive: boolean };
  diedMidRun: string[];
  summary: Record<string, unknown> | null;
}

/**
 * Streams the coordinator's progress lines and reports workers that die while it runs. `targets`:
 * each worker's name as the coordinator gives it in `silent_workers`.
 */
async function watchRun(
  ssh: SshClient,
  log: Logger,
  coord: Started,
  workers: Started[],
  targets: Map<string, string>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<WatchResult> {
  const deadline = Date.now() + timeoutMs;
  let shown = 0;
  let errShown = 0;
  const died: string[] = [];
  let last: ProcStatus | undefined;
  let summary: Record<string, unknown> | null = null;
  while (!signal.aborted) {
    const st = await pollAll(ssh, [coord, ...workers]);
    last = st.get(coord.name) ?? last;
    if (last) {
      const lines = jsonLines(last.out);
      for (const j of lines.slice(shown)) log.info(`coordinator: ${JSON.stringify(j)}`);
      shown = Math.max(shown, lines.length);
      // Its human log lines (ready barrier, progress) that we have not shown yet.
      const fresh = Math.min(last.errLines - errShown, last.errTail.length);
      for (const l of last.errTail.slice(last.errTail.length - fresh)) if (fresh > 0) process.stderr.write(`  ${coord.host.name}| ${l}\n`);
      errShown = Math.max(errShown, last.errLines);
    }
    const ended = last !== undefined && !last.alive;
    if (last && ended) {
      const sum = jsonLines(last.out)
        .reverse()
        .find((j) => j.event === 'summary');
      if (sum) summary = sum;
    }
    const silent = new Set(Array.isArray(summary?.silent_workers) ? (summary.silent_workers as unknown[]).map(String) : []);
    for (const name of workersDiedMidRun(workers, st, last?.alive ?? false, silent, targets, died)) {
      const w = workers.find((x) => x.name === name)!;
      died.push(name);
      log.error(
        `${name} on ${w.host.host} died during the run (${describeEnd(st.get(name)!)}); the others continue, its data so far is kept`,
      );
    }
    if (ended) break;
    if (Date.now() > deadline) {
      log.error(`coordinator still running after ${Math.round(timeoutMs / 1000)} s; stopping it`);
      break;
    }
    await sleep(1000, signal);
  }
  return { coordinator: { rc: last?.rc ?? null, alive: last?.alive ?? false }, diedMidRun: died, summary };
}

async function waitExit(ssh: SshClient, procs: Started[], timeoutMs: number, signal: AbortSignal): Promise<Map<string, ProcStatus>> {
  const deadline = Date.now() + timeoutMs;
  let st = await pollAll(ssh, procs);
  while (!signal.aborted && Date.now() < deadline && procs.some((p) => st.get(p.name)?.alive)) {
    await sleep(500, signal);
    st = await pollAll(ssh, procs);
  }
  return st;
}

/** TERM (processes flush and write summaries), then KILL after `graceMs`; pid files only. */
async function stopStarted(ssh: SshClient, log: Logger, procs: Started[], graceMs: number, level: 'info' | 'warn' = 'warn'): Promise<void> {
  const send = async (sig: 'TERM' | 'KILL') => {
    let signalled = 0;
    await Promise.all(
      groupByPlace(
        procs,
        (p) => p.host,
        (p) => p.absWorkDir,
      ).map(async (g) => {
        const files = g.map((p) => `${p.stateDir}/${p.name}.pid`);
        const r = await ssh.exec(g[0].host, stopCommand(sig, remoteLayout.cli(g[0].absWorkDir), files), { timeoutMs: 30_000 });
        for (const line of r.stdout.split('\n')) {
          if (line.includes(' signalled ')) {
            signalled++;
            log[level](`sent SIG${sig} to ${line.split(' ')[1]} on ${g[0].host.host} (pid file)`);
          }
          if (line.includes(' notours '))
            log.warn(`${line.split(' ')[1]} on ${g[0].host.host}: the pid now belongs to another program; left alone`);
        }
        if (r.code !== 0) log.error(`could not reach ${g[0].host.host} to stop its processes: ${r.stderr.trim()}`);
      }),
    );
    return signalled;
  };
  if ((await send('TERM')) === 0) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    const st = await pollAll(ssh, procs);
    if (!procs.some((p) => st.get(p.name)?.alive)) return;
  }
  await send('KILL');
}

async function fetchAll(
  ssh: SshClient,
  log: Logger,
  hosts: HostPlan[],
  started: Started[],
  runId: string,
  runDir: string,
  logDir: string,
  stageRoot: string,
): Promise<FetchOutcome[]> {
  const abs = new Map(started.map((s) => [s.host.name, s.absWorkDir]));
  const targets = uniqueTargets(
    hosts.filter((h) => abs.has(h.name)),
    abs,
  );
  const stageDir = path.join(stageRoot, 'fetch');
  mkdirSync(stageDir, { recursive: true });
  const out: FetchOutcome[] = [];
  // Sequential, coordinator first: its files win a name clash; the other copy is kept beside it.
  for (const t of targets) {
    const f = await fetchHost(ssh, t.host, t.absWorkDir, runId, { runDir, logDir, stageDir });
    if (f.ok)
      log.info(
        `fetched ${f.files} files from ${t.host.name}${f.conflicts.length ? ` (${f.conflicts.length} kept beside a clashing name)` : ''}`,
      );
    else log.error(`${t.host.name}: ${f.error}`);
    out.push(f);
  }
  return out;
}

/**
 * `chronoeval analyze RUN_DIR` as a child process: the same analyzeRun the CLI uses, plus figures
 * and report.html once the CLI renders them, and its memory is gone when it exits.
 */
async function analyse(runDir: string, log: Logger, figures: boolean): Promise<number> {
  log.info(`analysing ${runDir}`);
  const args = [CLI_PATH, 'analyze', runDir, ...(figures ? [] : ['--no-figures'])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (e) => {
      log.error(`analysis could not start: ${e.message}`);
      resolve(1);
    });
    child.on('close', (code) => {
      if (code !== 0) log.error(`analysis failed (exit ${code}); the collected files are kept in ${runDir}`);
      resolve(code ?? 1);
    });
  });
}

/** The event schedule the coordinator will run, from its own arguments (its seed default is the run id's, as here). */
function deploySchedule(inv: Inventory, runId: string): Record<string, unknown> {
  const args = inv.coordinator.args;
  const get = (flag: string): string | undefined => {
    const i = args.lastIndexOf(`--${flag}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const pattern = get('pattern');
  return scheduleRecord({
    kind: get('schedule') as ScheduleKind | undefined,
    seed: get('schedule-seed') === undefined ? defaultScheduleSeed(runId) : Number(get('schedule-seed')),
    rate: inv.run.rate,
    patternMs: pattern === undefined ? undefined : pattern.split(',').map(Number),
    count: inv.run.count,
    durationS: inv.run.durationS,
  });
}

/** The coordinator's --echo mode, from its own arguments (the CLI's default, on, when none is given). */
function deployEcho(inv: Inventory): EchoMode {
  const i = inv.coordinator.args.lastIndexOf('--echo');
  return parseEchoMode(i >= 0 ? inv.coordinator.args[i + 1] : 'on');
}
