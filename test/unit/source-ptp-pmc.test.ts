// The pmc parser and the ptp status mapping on real captured pmc output (test/fixtures/pmc-output.ts),
// and the interval rule. A SLAVE port cannot be captured here without letting ptp4l steer the
// host clock, so those cases change one field of the real capture, as marked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePmcOutput, ptpVerdict } from '../../src/clock/sources/ptp-pmc.js';
import { PtpSource, ptpBound } from '../../src/clock/sources/ptp.js';
import { createSources, KNOWN_SOURCES, parseSourceList } from '../../src/clock/registry.js';
import { validateWorkerOptions } from '../../src/cli/config-validation.js';
import type { Logger } from '../../src/cli/logger.js';
import { PMC_FREE_RUNNING_SLAVE, PMC_LISTENING, PMC_MASTER, PMC_NO_DAEMON } from '../fixtures/pmc-output.js';

/** The real capture with every `portState UNCALIBRATED` line set to another state. */
const withState = (state: string): string => PMC_FREE_RUNNING_SLAVE.replace(/portState(\s+)UNCALIBRATED/g, `portState$1${state}`);

test('pmc parser: a free-running slave following its master', () => {
  const s = parsePmcOutput(PMC_FREE_RUNNING_SLAVE);
  assert.equal(s.time.masterOffsetNs, -996);
  assert.equal(s.time.ingressTimeNs, 1796290910351442837n);
  assert.equal(s.time.gmPresent, true);
  assert.equal(s.time.gmIdentity, '4e3b4f.fffe.38104d');
  assert.equal(s.current.offsetFromMasterNs, -996);
  assert.equal(s.current.meanPathDelayNs, 2649);
  assert.equal(s.current.stepsRemoved, 1);
  assert.deepEqual(s.ports, [
    { portIdentity: '360147.fffe.ab20b0-1', portState: 'UNCALIBRATED', logSyncInterval: -3, timestamping: 'SOFTWARE' },
  ]);
});

test('pmc parser: before a master, the master itself, nobody at the socket, malformed fields', () => {
  const l = parsePmcOutput(PMC_LISTENING);
  assert.equal(l.ports[0]!.portState, 'LISTENING');
  assert.equal(l.time.ingressTimeNs, 0n);
  assert.equal(l.time.gmPresent, false);
  assert.equal(parsePmcOutput(PMC_MASTER).ports[0]!.portState, 'MASTER');
  assert.throws(() => parsePmcOutput(PMC_NO_DAEMON, '/run/x.sock'), /no answer from ptp4l at \/run\/x\.sock \(is ptp4l running/);
  assert.throws(
    () => parsePmcOutput(PMC_FREE_RUNNING_SLAVE.replace('master_offset              -996', 'master_offset              x')),
    /TIME_STATUS_NP: field master_offset is not a number: "x"/,
  );
  assert.throws(
    () => parsePmcOutput(PMC_FREE_RUNNING_SLAVE.replace(/\t\tmeanPathDelay .*\n/, '')),
    /CURRENT_DATA_SET: field meanPathDelay is missing/,
  );
  assert.throws(
    () => parsePmcOutput(PMC_FREE_RUNNING_SLAVE.replace(/RESPONSE MANAGEMENT PORT_DATA_SET/, 'RESPONSE MANAGEMENT X')),
    /no PORT_DATA_SET/,
  );
});

test('ptp status mapping from the port state', () => {
  const v = (out: string, d: boolean | 'auto', phc: number[] = []) => ptpVerdict(parsePmcOutput(out), d, phc);
  // Before a master: warming in every mode.
  for (const d of [true, false, 'auto'] as const) assert.equal(v(PMC_LISTENING, d).status, 'warming');
  assert.match(v(PMC_LISTENING, 'auto').reason, /LISTENING: no master selected yet/);
  // This host leads: unsynced.
  assert.equal(v(PMC_MASTER, 'auto').status, 'unsynced');
  assert.match(v(PMC_MASTER, 'auto').reason, /MASTER: this host follows no master/);
  // Free-running slave (UNCALIBRATED for good): ok only when configured as free-running.
  const free = v(PMC_FREE_RUNNING_SLAVE, false);
  assert.deepEqual([free.status, free.frame], ['ok', 'free-running']);
  assert.equal(v(PMC_FREE_RUNNING_SLAVE, true).status, 'warming');
  assert.match(v(PMC_FREE_RUNNING_SLAVE, 'auto').reason, /servo not locked yet; if ptp4l runs with free_running 1/);
  // Changed field: SLAVE.
  const slave = v(withState('SLAVE'), 'auto');
  assert.deepEqual([slave.status, slave.frame], ['ok', 'disciplined']);
  assert.match(slave.reason, /ptp4l disciplines the system clock \(software timestamping\)/);
  assert.match(v(withState('SLAVE'), 'auto', [4242]).reason, /phc2sys \(pid 4242\) disciplines the system clock/);
  assert.equal(v(withState('SLAVE'), false).status, 'error');
  assert.match(v(withState('SLAVE'), false).reason, /never reaches SLAVE/);
  // Changed fields: SLAVE with hardware timestamping — the PHC is steered, the system clock only by phc2sys.
  const hw = withState('SLAVE').replace('timestamping            SOFTWARE', 'timestamping            HARDWARE');
  assert.equal(v(hw, 'auto').status, 'unsynced');
  assert.match(v(hw, 'auto').reason, /no phc2sys runs/);
  assert.equal(v(hw, 'auto', [7]).status, 'ok');
  assert.equal(v(hw.replace(/portState(\s+)SLAVE/g, 'portState$1UNCALIBRATED'), false).status, 'error');
  // Changed field: FAULTY / DISABLED → error; INITIALIZING → warming; PASSIVE → unsynced.
  assert.equal(v(withState('FAULTY'), 'auto').status, 'error');
  assert.equal(v(withState('DISABLED'), 'auto').status, 'error');
  assert.equal(v(withState('INITIALIZING'), 'auto').status, 'warming');
  assert.equal(v(withState('PASSIVE'), 'auto').status, 'unsynced');
  // Changed field: no path delay yet → no bound yet; a negative one → inconsistent stamps.
  const noDelay = PMC_FREE_RUNNING_SLAVE.replace('meanPathDelay    2649.0', 'meanPathDelay    0.0');
  assert.equal(v(noDelay, false).status, 'warming');
  assert.match(v(noDelay, false).reason, /no path delay measured yet/);
  assert.equal(v(PMC_FREE_RUNNING_SLAVE.replace('meanPathDelay    2649.0', 'meanPathDelay    -12.0'), false).status, 'error');
});

test('ptp interval rule: contains the truth for any path asymmetry within the mean path delay', () => {
  const g = { phi: 15e-6, maxDrift: 500e-6 };
  const D = 2000;
  // No margin: the rule alone must hold, tight at d = 0 and d = 2D (a D/2 rule would fail there).
  const M = 0;
  // The Sync's one-way delay d anywhere in [0, 2D] → θ = θtrue + (d − D).
  for (const thetaTrue of [-50_000, -1000, 0, 700, 40_000]) {
    for (const d of [0, 500, D, 3000, 2 * D]) {
      const theta = thetaTrue + (d - D);
      // Free-running: true − host = −θtrue must lie in centre ± halfWidth.
      const f = ptpBound('free-running', theta, D, M, 0, g);
      assert.ok(Math.abs(-thetaTrue - f.centreNs) <= f.halfWidthNs, `free-running θtrue ${thetaTrue} d ${d}`);
      // Disciplined: the same error, with the host clock as the point.
      const c = ptpBound('disciplined', theta, D, M, 0, g);
      assert.equal(c.centreNs, 0);
      assert.ok(Math.abs(-thetaTrue) <= c.halfWidthNs, `disciplined θtrue ${thetaTrue} d ${d}`);
    }
  }
  // Growth with the Sync's age.
  assert.equal(ptpBound('free-running', 0, D, M, 1e9, g).halfWidthNs, D + M + 500_000);
  assert.equal(ptpBound('disciplined', -300, D, M, 1e9, g).halfWidthNs, 300 + D + M + 15_000);
});

test('ptp: registered; --source-options under "ptp" reach the source; misspelt options are refused', () => {
  assert.deepEqual(parseSourceList('system,ptp'), ['system', 'ptp']);
  validateWorkerOptions({ node: 'w1', sources: 'system,ptp', 'results-dir': '/tmp', 'logs-dir': '/tmp' }, KNOWN_SOURCES);
  const quiet = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
  const ctx = { clock: { simulated: false, nowNs: () => 0n }, nodeId: 'w1', ntpServers: [], pollMs: 1000, sink: () => {}, logger: quiet };
  const { stamped, all } = createSources(['system', 'ptp'], { ...ctx, options: { ptp: { udsPath: '/run/ptp4l-eth1', domain: 24 } } });
  const p = stamped[1]!;
  assert.ok(p instanceof PtpSource);
  assert.equal(
    p.summary().command,
    'pmc -u -b 0 -d 24 -s /run/ptp4l-eth1 GET TIME_STATUS_NP GET CURRENT_DATA_SET GET PORT_DATA_SET GET PORT_PROPERTIES_NP',
  );
  assert.equal(all.length, 2, 'no NTP client created');
  // Before its first poll: warming, no value.
  assert.deepEqual(p.read(0n), { point_ns: null, lo_ns: null, hi_ns: null, status: 'warming' });
  assert.throws(() => createSources(['ptp'], { ...ctx, options: { ptp: { uds: '/x' } } }), /ptp source: unknown option "uds"/);
});
