// One-command deploy against real sshd hosts: three network namespaces on a private bridge.
// Needs root (namespaces). Where they cannot be made, every test here FAILS saying why.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createLab, type Lab } from '../support/netns-lab.js';
import { runCli } from '../support/helpers.js';
import { parse } from 'csv-parse/sync';
import { csvRows, existingRuns, findStateFile, labInventory, runIdOf, startDeploy, strayPids, waitFor } from '../support/deploy-helpers.js';

/**
 * Each test gets its own lab (own namespaces, bridge, subnet and sshds), so they run side by side;
 * the lab is torn down even when the test fails. A lab that cannot be built fails the test with why.
 */
async function withLab(t: TestContext): Promise<Lab> {
  let lab: Lab;
  try {
    lab = await createLab(3);
  } catch (e) {
    throw new Error(`the deploy e2e tests need network namespaces and sshd, and could not get them: ${(e as Error).message}`, { cause: e });
  }
  t.after(() => lab.teardown());
  return lab;
}

const allStray = (l: Lab) => ({ h1: strayPids(l, 1), h2: strayPids(l, 2), h3: strayPids(l, 3), ctl: strayPids(l, 'ctl') });
const noStray = { h1: [], h2: [], h3: [], ctl: [] };

// Three at a time: the machine is shared; most of each test is waiting on warmup and timeouts.
describe('deploy over ssh to namespace hosts', { concurrency: 3 }, () => {
  // The main use path, as a new user runs it: sources system,ntp,bounded with the default
  // re-estimation delays (30 s, 60 s) and no end timeout given. Workers finish their 60 s
  // re-estimations before their bye; the coordinator waits for them (the run takes ~70 s).
  test(
    'deploy: coordinator + two workers on three sshd hosts, bounded with default re-estimations → exit 0, full results, logs, stats and report; an odd work dir is quoted, never run',
    { timeout: 300_000 },
    async (t) => {
      const l = await withLab(t);
      const pwned = `/tmp/pwned-${l.tag}`;
      // Host 3's work dir holds shell metacharacters: if any remote command spliced it unquoted,
      // the $( ), the backticks or the `;` would create the pwned file. Its quotes and spaces must
      // come back literally from every remote script. (A backslash is refused by pre-flight: Node.js
      // cannot load ES modules from such a path; test/unit/deploy-remote-scripts.test.ts.)
      const oddDir = path.join(l.dir, `remote-h3 $(touch ${pwned}-a) \`touch ${pwned}-b\` ';touch ${pwned}-c;' "q"`, 'work');
      const inv = path.join(l.dir, 'inv-ok.json');
      labInventory(l, inv, {
        durationS: 2,
        workDirs: { 3: oddDir },
        figures: true,
        run: { sources: ['system', 'ntp', 'bounded'], end_timeout_s: null, stop_timeout_s: null, ready_timeout_s: null },
      });
      const t0 = Date.now();
      const r = await startDeploy(l, [inv], 280_000).done; // ~75 s quiet; a loaded 2-core machine needs more
      const took = (Date.now() - t0) / 1000;
      const runId = runIdOf(r.stdout);
      assert.ok(runId, `no summary line; stderr:\n${r.stderr}`);
      const runDir = path.join(l.dir, 'results', runId);
      const logDir = path.join(l.dir, 'logs', runId);
      assert.equal(r.code, 0, `deploy exit ${r.code} after ${took} s:\n${r.stderr}`);

      // pre-flight table printed for all three hosts
      for (const n of ['coord', 'w1', 'w2']) assert.match(r.stderr, new RegExp(`^${n} .* ok$`, 'm'));
      // the results contract (DESIGN section 4), gathered from three different remote work dirs
      const manifest = JSON.parse(readFileSync(path.join(runDir, 'manifest.json'), 'utf8'));
      assert.equal(manifest.run_id, runId);
      assert.equal(manifest.kind, 'deploy');
      assert.equal(csvRows(path.join(runDir, 'coordinator.csv')), 100, '2 s at 50 events/s');
      for (const w of ['w1', 'w2']) {
        assert.equal(csvRows(path.join(runDir, 'workers', `${w}.csv`)), 100, `${w} stamped every event`);
        assert.ok(csvRows(path.join(runDir, 'sync', `${w}.csv`)) > 0, `${w} sync rows`);
        assert.ok(existsSync(path.join(runDir, 'workers', `${w}.summary.json`)));
        assert.ok(existsSync(path.join(logDir, `worker-${w}.jsonl`)));
        assert.equal(readFileSync(path.join(logDir, 'deploy', w, `worker-${w}.rc`), 'utf8').trim(), '0');
        // every event re-estimated at 30 s and at 60 s by bounded, and the summary written on bye
        assert.equal(csvRows(path.join(runDir, 'commit_wait', `${w}.csv`)), 200, `${w}: 100 events x 2 delays`);
        assert.equal(JSON.parse(readFileSync(path.join(runDir, 'workers', `${w}.summary.json`), 'utf8')).ended_by, 'end');
      }
      assert.ok(existsSync(path.join(logDir, 'coordinator.jsonl')));
      assert.ok(existsSync(path.join(logDir, 'deploy.jsonl')));
      assert.ok(existsSync(path.join(runDir, 'stats.json')), 'analysis wrote stats.json');
      const stats = JSON.parse(readFileSync(path.join(runDir, 'stats.json'), 'utf8'));
      // the deploy records the coordinator's schedule, so window figures say which one they rest on
      assert.equal(manifest.schedule?.kind, 'jittered', JSON.stringify(manifest.schedule));
      assert.equal(stats.run.schedule?.kind, 'jittered', JSON.stringify(stats.run.schedule));
      // no truth on real hosts: the echo brackets and self-consistency give the counts instead (issue 16)
      assert.deepEqual(stats.truth, { send: false, recv: false });
      for (const w of ['w1', 'w2']) {
        assert.equal(csvRows(path.join(runDir, 'echo', `${w}.csv`)), 100, `${w}: one echo row per event`);
        const node = stats.echo.nodes.find((n: { node: string }) => n.node === w);
        assert.equal(node?.recorded, 100, JSON.stringify(stats.echo));
        for (const src of ['system', 'ntp', 'bounded']) {
          const b = stats.bracketed.by_worker[w][src];
          assert.equal(b.error.compared + b.error.missing, 100, `${w}/${src} bracketed error: ${JSON.stringify(b.error)}`);
          assert.ok(b.error.provably_off.every((p: { count: { count: number } }) => Number.isInteger(p.count.count)));
        }
        const miss = stats.bracketed.by_worker[w].bounded.interval;
        assert.equal(miss.judged, miss.consistent.count + miss.provable_miss.count, JSON.stringify(miss));
        assert.ok(miss.judged > 0, `${w}: bounded intervals judged against brackets`);
        assert.equal(typeof stats.self_consistency.by_worker[w].bounded.must_miss, 'number');
      }
      assert.equal(stats.bracketed.truth_check, null, 'no truth check without true_* columns');
      assert.ok(Object.keys(stats.bracketed.ordering.by_pair).length > 0, 'bracket-judged ordering between the two workers');
      assert.match(readFileSync(path.join(runDir, 'report.html'), 'utf8'), /Bracketed truth/);
      assert.ok(existsSync(path.join(runDir, 'report.html')), 'analysis wrote report.html');
      const clashes = (readdirSync(runDir, { recursive: true }) as string[]).filter((f) => f.includes('.from-'));
      assert.deepEqual(clashes, [], "no two hosts wrote the same file (one manifest, the deploy's)");

      // shipped over ssh into each host's own work dir (the odd one included, literally named)
      for (const wd of [l.hosts[0].workDir, l.hosts[1].workDir, oddDir])
        assert.ok(existsSync(path.join(wd, 'app/dist/src/cli.js')), `no build in ${wd}`);
      for (const s of ['a', 'b', 'c'])
        assert.equal(existsSync(`${pwned}-${s}`), false, `an inventory value was executed as a command (${pwned}-${s} exists)`);
      // nothing left running anywhere: workers, coordinator, ntp-server, ssh masters
      assert.deepEqual(allStray(l), noStray);

      // compare across commands: this real deploy run beside a run-local run, kind a parameter
      const local = await runCli(
        [
          'run-local',
          '--workers',
          '2',
          '--count',
          '40',
          '--rate',
          '50',
          '--sources',
          'system,ntp,bounded',
          '--no-figures',
          '--results-dir',
          path.join(l.dir, 'local-results'),
          '--logs-dir',
          path.join(l.dir, 'local-logs'),
        ],
        { timeoutMs: 90_000 },
      );
      // a verdict (0 ok, 1 failed, 4 unjudged: 40 events are few for the default checks) with an analysed run
      assert.ok([0, 1, 4].includes(local.code ?? -1), `run-local exit ${local.code}: ${local.stderr}`);
      const localDir = path.join(l.dir, 'local-results', readdirSync(path.join(l.dir, 'local-results'))[0]!);
      assert.ok(existsSync(path.join(localDir, 'stats.json')), local.stderr);
      const cmpOut = path.join(l.dir, 'cmp');
      const cmp = await runCli(['compare', runDir, localDir, '--out', cmpOut, '--no-figures'], { timeoutMs: 60_000 });
      assert.equal(cmp.code, 0, `${cmp.stdout}\n${cmp.stderr}`);
      const rows = parse(readFileSync(path.join(cmpOut, 'summary.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
      assert.deepEqual(new Set(rows.map((r) => r['param.kind'])), new Set(['deploy', 'local']), Object.keys(rows[0] ?? {}).join(','));
      const deployRows = rows.filter((r) => r['run_id'] === runId);
      assert.ok(
        deployRows.some((r) => r['metric'] === 'bracketed_provable_miss' && /^\d+$/.test(r['total']!)),
        'the deploy run gives its bracket-judged counts',
      );
      // where the time went (deploy.jsonl and coordinator.jsonl, seconds from the deploy's start)
      const recs = ['deploy.jsonl', 'coordinator.jsonl'].flatMap((f) =>
        readFileSync(path.join(logDir, f), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { ts: string; msg: string }),
      );
      const t0ms = Date.parse(recs[0]!.ts);
      const at = (re: RegExp) => {
        const r = recs.find((x) => re.test(x.msg));
        return r ? ((Date.parse(r.ts) - t0ms) / 1000).toFixed(0) : '-';
      };
      process.stderr.write(
        `[deploy e2e] full deploy took ${took.toFixed(1)} s: shipped ${at(/^shipped/)} s, coordinator started ${at(/^started coordinator/)} s, ` +
          `sending ${at(/^sending/)} s, ending ${at(/ending workers/)} s, fetched ${at(/^fetched/)} s, analysing ${at(/^analysing/)} s\n`,
      );
    },
  );

  test('deploy: an unreachable host fails pre-flight and nothing starts anywhere', { timeout: 60_000 }, async (t) => {
    const l = await withLab(t);
    const inv = path.join(l.dir, 'inv-unreachable.json');
    const wds = { 1: path.join(l.dir, 'u-h1'), 2: path.join(l.dir, 'u-h2'), 3: path.join(l.dir, 'u-h3') };
    const ghost = l.ctlAddress.replace(/\.1$/, '.99'); // on the bridge's subnet, but no host answers
    labInventory(l, inv, { workDirs: wds, extraWorkers: [{ name: 'w3', host: ghost, work_dir: path.join(l.dir, 'u-h4') }] });
    const before = existsSync(path.join(l.dir, 'results')) ? readdirSync(path.join(l.dir, 'results')).length : 0;
    const r = await startDeploy(l, [inv]).done;
    assert.equal(r.code, 5, r.stderr); // pre-flight failed: not ready, nothing started
    assert.match(r.stderr, /^w3 +worker +10\.231\.\d+\.99 +FAIL .*FAIL$/m);
    assert.match(r.stderr, /w3: ssh: .*(timed out|No route|unreachable)/i);
    assert.match(r.stderr, /pre-flight failed on w3: nothing was started/);
    for (const wd of Object.values(wds)) {
      assert.equal(existsSync(path.join(wd, 'runs')), false, `a process was started in ${wd}`);
      assert.equal(existsSync(path.join(wd, 'app')), false, `the build was shipped to ${wd}`);
    }
    const afterCount = existsSync(path.join(l.dir, 'results')) ? readdirSync(path.join(l.dir, 'results')).length : 0;
    assert.equal(afterCount, before, 'no results directory was created');
    assert.deepEqual(allStray(l), noStray);
  });

  test('deploy: a host value carrying $(…) is refused before any ssh runs', { timeout: 30_000 }, async (t) => {
    const l = await withLab(t);
    const pwned = `/tmp/pwned-${l.tag}-host`;
    const inv = path.join(l.dir, 'inv-inject.json');
    labInventory(l, inv, {
      extraWorkers: [
        { name: 'w3', host: `$(touch ${pwned})` },
        { name: 'w4', host: l.hosts[1].address, ssh: { user: `root;touch ${pwned}` } },
      ],
    });
    const r = await startDeploy(l, [inv]).done;
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /workers\[2\]\.host: .*not a valid host name/);
    assert.match(r.stderr, /workers\[3\]\.ssh\.user: .*not a valid user name/);
    assert.doesNotMatch(r.stderr, /pre-flight on/, 'no host was contacted');
    assert.equal(existsSync(pwned), false);
  });

  test(
    'deploy: a worker killed mid-run is reported, the other finishes, and everything collected is kept',
    { timeout: 240_000 },
    async (t) => {
      const l = await withLab(t);
      const inv = path.join(l.dir, 'inv-kill.json');
      labInventory(l, inv, { durationS: 6 });
      // The kill is armed in a small shell watcher of its own, so a busy test process cannot make it
      // late: 1 s after the coordinator logs "sending", SIGKILL the pid in worker-w2's pid file.
      const watcher = spawn(
        'sh',
        [
          '-c',
          `
      while :; do
        for f in "$1"/runs/*/coordinator-coord.err; do [ -f "$f" ] && grep -q sending "$f" && break 2; done
        sleep 0.05
      done
      sleep 1
      for p in "$2"/runs/*/worker-w2.pid; do kill -9 "$(cat "$p")" && echo "killed $(cat "$p")"; done`,
          'sh',
          l.hosts[0].workDir,
          l.hosts[2].workDir,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let watched = '';
      watcher.stdout!.on('data', (d) => (watched += d));
      watcher.stderr!.on('data', (d) => (watched += d));
      t.after(() => {
        if (watcher.exitCode === null) watcher.kill('SIGKILL');
      });
      const run = startDeploy(l, [inv], 220_000);
      const r = await run.done;
      assert.match(
        watched,
        /^killed \d+$/m,
        `the watcher did not kill worker-w2 (watcher exit ${watcher.exitCode}): ${watched}\n${r.stderr}`,
      );
      const runId = runIdOf(r.stdout)!;
      assert.equal(r.code, 6, `expected exit 6 (partial):\n${r.stderr}`);
      assert.match(r.stderr, /worker-w2 on 10\.231\.\d+\.13 died during the run \(exit 137 \(signal 9\)\)/);
      const runDir = path.join(l.dir, 'results', runId);
      assert.equal(csvRows(path.join(runDir, 'coordinator.csv')), 300);
      assert.equal(csvRows(path.join(runDir, 'workers', 'w1.csv')), 300, 'the surviving worker stamped every event');
      const w2 = csvRows(path.join(runDir, 'workers', 'w2.csv'));
      assert.ok(w2 > 0 && w2 < 300, `the killed worker's rows so far are kept (${w2})`);
      assert.ok(existsSync(path.join(runDir, 'stats.json')), 'analysis ran on what was collected');
      const summary = JSON.parse(readFileSync(path.join(l.dir, 'logs', runId, 'deploy-summary.json'), 'utf8'));
      assert.deepEqual(summary.failed_workers, ['worker-w2']);
      assert.deepEqual(allStray(l), noStray);
    },
  );

  test(
    'deploy: Ctrl-C stops the coordinator first (it ends the workers), then anything left by pid file, and still fetches what exists',
    { timeout: 240_000 },
    async (t) => {
      const l = await withLab(t);
      const inv = path.join(l.dir, 'inv-int.json');
      labInventory(l, inv, { durationS: 60 });
      const old1 = existingRuns(l.hosts[0].workDir);
      const run = startDeploy(l, [inv], 220_000);
      await waitFor(
        'the coordinator to start sending',
        () => {
          const f = findStateFile(l.hosts[0].workDir, 'coordinator-coord.err', old1);
          return f && readFileSync(f, 'utf8').includes('sending');
        },
        150_000,
      );
      await new Promise((res) => setTimeout(res, 1000));
      run.child.kill('SIGINT');
      const r = await run.done;
      assert.equal(r.code, 130, r.stderr);
      // The coordinator is stopped by its pid file; told to stop, it ends its workers itself (any
      // worker still running by then gets SIGTERM too). Either way nothing may be left running.
      assert.match(r.stderr, /sent SIGTERM to coordinator-coord on .* \(pid file\)/);
      // The coordinator is stopped first and ends the workers itself: no worker is signalled, the
      // coordinator needs no SIGKILL, and every event it sent was received.
      assert.doesNotMatch(r.stderr, /sent SIG(TERM|KILL) to worker-/);
      assert.doesNotMatch(r.stderr, /sent SIGKILL to coordinator/);
      const runId = runIdOf(r.stdout)!;
      const runDir = path.join(l.dir, 'results', runId);
      const sent = csvRows(path.join(runDir, 'coordinator.csv'));
      assert.ok(sent > 0 && sent < 3000, `partial coordinator.csv fetched (${sent} rows)`);
      assert.equal(
        readFileSync(path.join(l.dir, 'logs', runId, 'deploy', 'coord', 'coordinator-coord.rc'), 'utf8').trim(),
        '143',
        'the coordinator ended on its own (stopped by the deploy: SIGTERM)',
      );
      for (const w of ['w1', 'w2']) {
        assert.equal(csvRows(path.join(runDir, 'workers', `${w}.csv`)), sent, `${w} received every event sent`);
        assert.equal(
          JSON.parse(readFileSync(path.join(runDir, 'workers', `${w}.summary.json`), 'utf8')).ended_by,
          'end',
          `${w} was ended by the coordinator`,
        );
      }
      assert.deepEqual(allStray(l), noStray, 'every remote process was stopped');
    },
  );

  test(
    'deploy --cleanup stops leftovers of a deploy that was itself killed, by pid file only, and removes its local temp dir and ssh masters',
    { timeout: 240_000 },
    async (t) => {
      const l = await withLab(t);
      const inv = path.join(l.dir, 'inv-cleanup.json');
      labInventory(l, inv, { durationS: 60 });
      const old1 = existingRuns(l.hosts[0].workDir);
      const old2 = existingRuns(l.hosts[1].workDir);
      const run = startDeploy(l, [inv], 220_000);
      await waitFor('the coordinator to start', () => findStateFile(l.hosts[0].workDir, 'coordinator-coord.pid', old1), 150_000);
      run.child.kill('SIGKILL'); // the deploy dies without stopping anything
      await run.done;
      const leftover = Number(readFileSync(findStateFile(l.hosts[1].workDir, 'worker-w1.pid', old2)!, 'utf8'));
      assert.doesNotThrow(() => process.kill(leftover, 0), 'the worker is still running before cleanup');
      // the killed deploy's temp dir (its bundle, if not yet shipped, and ssh control sockets) is still there
      const tmps = () => readdirSync(l.dir).filter((n) => n.startsWith('ce-ssh-'));
      assert.equal(tmps().length, 1, `the killed deploy's temp dir: ${tmps().join(', ')}`);
      assert.ok(strayPids(l, 'ctl').length > 0, 'its ssh masters are still running');
      const c = await startDeploy(l, [inv, '--cleanup']).done;
      assert.equal(c.code, 0, c.stderr);
      assert.match(
        c.stderr,
        /removed .*ce-ssh-\S+ of a deploy that is no longer running \(pid \d+\): [\d.]+ MB, [1-9]\d* ssh master connection\(s\) closed/,
      );
      assert.deepEqual(tmps(), [], 'no deploy temp dir is left');
      await waitFor("the killed deploy's ssh masters to exit", () => strayPids(l, 'ctl').length === 0, 10_000);
      // The coordinator, told to stop, ends its workers itself; a worker still running gets SIGTERM.
      assert.match(c.stderr, /coord: SIGTERM coordinator-coord/);
      assert.match(c.stderr, /coord: SIGTERM ntp-server/);
      assert.match(c.stderr, /w1: (SIGTERM worker-w1|no leftover processes)/);
      await waitFor(
        'the leftover worker to exit',
        () => {
          try {
            process.kill(leftover, 0);
            return false;
          } catch {
            return true;
          }
        },
        10_000,
      );
      await waitFor('no stray processes on the hosts', () => [1, 2, 3].every((i) => strayPids(l, i as 1 | 2 | 3).length === 0), 10_000);
      // a second cleanup finds nothing to do
      const again = await startDeploy(l, [inv, '--cleanup']).done;
      assert.equal(again.code, 0);
      assert.match(again.stderr, /no leftover processes/);
      rmSync(path.join(l.dir, 'results'), { recursive: true, force: true });
    },
  );
});
