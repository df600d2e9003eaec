// Bad configuration: every field is checked before anything starts, and each error names the
// field, echoes the value and says what is allowed. All invalid fields are reported at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  ConfigError,
  validateCoordinatorOptions,
  validateNtpServerOptions,
  validateRunLocalOptions,
  validateWorkerOptions,
  type RawOptions,
} from '../../src/cli/config-validation.js';
import { tmpDir } from '../support/helpers.js';

const KNOWN = ['system', 'ntp', 'bounded', 'chrony'];
const dir = tmpDir('chronoeval-config-');
const okWorker: RawOptions = {
  'run-id': 'r1',
  node: 'w1',
  bind: '127.0.0.1',
  port: 0,
  sources: 'system,ntp',
  'ntp-server': ['127.0.0.1:123'],
  'results-dir': path.join(dir, 'r'),
  'logs-dir': path.join(dir, 'l'),
  'poll-ms': 1000,
  insecure: true,
};
const okCoord: RawOptions = {
  'run-id': 'r1',
  workers: ['127.0.0.1:4000', '127.0.0.1:4001'],
  rate: 50,
  sources: 'system',
  'results-dir': path.join(dir, 'r'),
  'logs-dir': path.join(dir, 'l'),
  insecure: true,
};

function errorsOf(fn: () => void): ConfigError['errors'] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.errors;
  }
  return [];
}

test('valid options pass', () => {
  assert.deepEqual(
    errorsOf(() => validateWorkerOptions(okWorker, KNOWN)),
    [],
  );
  assert.deepEqual(
    errorsOf(() => validateCoordinatorOptions(okCoord, KNOWN)),
    [],
  );
  assert.deepEqual(
    errorsOf(() => validateNtpServerOptions({ bind: '::1', port: 0, 'logs-dir': dir })),
    [],
  );
  assert.deepEqual(
    errorsOf(() => validateWorkerOptions({ ...okWorker, 'ntp-server': ['[::1]:123', 'time.example.org'] }, KNOWN)),
    [],
  );
});

const workerCases: [string, RawOptions, RegExp][] = [
  ['port', { port: 70000 }, /--port 70000: must be a whole number in \[0, 65535\]/], // dgram would silently bind 70000 − 65536
  ['port', { port: -1 }, /--port -1: must be a whole number in \[0, 65535\]/],
  ['port', { port: 1.5 }, /--port 1.5/],
  ['port', { port: 'abc' }, /--port "abc"/],
  ['bind', { bind: '999.1.1.1' }, /--bind "999.1.1.1": is not a valid IPv4 address/],
  ['bind', { bind: 'a b' }, /--bind "a b": must be an IP address or host name/],
  ['ntp-server', { 'ntp-server': ['127.0.0.1:99999'] }, /--ntp-server "127.0.0.1:99999": must be host:port.*port 1-65535/],
  ['ntp-server', { 'ntp-server': ['1.2.3.4:0'] }, /--ntp-server "1.2.3.4:0"/],
  ['ntp-server', { 'ntp-server': ['[zz]:123'] }, /--ntp-server "\[zz\]:123"/],
  ['ntp-server', { 'ntp-server': [] }, /at least one host:port is needed by source\(s\) ntp/],
  ['poll-ms', { 'poll-ms': 1e12 }, /--poll-ms 1000000000000: must be a whole number in \[16, 86400000\]/], // setInterval would fire every 1 ms
  ['poll-ms', { 'poll-ms': 0 }, /--poll-ms 0/],
  ['poll-ms', { 'poll-ms': Number.NaN }, /--poll-ms NaN/],
  ['sources', { sources: 'system,sundial' }, /--sources "system,sundial": unknown source "sundial"; known: system, ntp/],
  ['sources', { sources: 'system,system' }, /"system" is given twice/],
  ['sources', { sources: '' }, /must name at least one of/],
  ['node', { node: '../etc' }, /--node "..\/etc": must be letters/],
  ['run-id', { 'run-id': 'a b' }, /--run-id "a b"/],
  ['warmup-max-s', { 'warmup-max-s': -3 }, /--warmup-max-s -3: must be a number in \(0, 86400\]/],
  ['recv-pause-ms', { 'recv-pause-ms': 2.5 }, /--recv-pause-ms 2\.5: must be a whole number in \[0, 100\]/],
  ['recv-pause-ms', { 'recv-pause-ms': 500 }, /--recv-pause-ms 500: must be a whole number in \[0, 100\]/],
  ['insecure', { 'key-file': '/k' }, /--insecure true: conflicts with --key-file/],
  ['key-file', { 'key-file': '', insecure: false }, /--key-file "": must be a path/],
];
for (const [field, patch, re] of workerCases) {
  test(`worker: bad ${field} ${JSON.stringify(patch)} is named with its value and what is allowed`, () => {
    const errs = errorsOf(() => validateWorkerOptions({ ...okWorker, ...patch }, KNOWN));
    assert.ok(
      errs.some((e) => e.field === field && re.test(e.message)),
      `got ${JSON.stringify(errs.map((e) => e.message))}`,
    );
  });
}

const coordCases: [string, RawOptions, RegExp][] = [
  ['workers', { workers: [] }, /at least one worker/],
  ['workers', { workers: ['nohostport'] }, /--workers "nohostport": must be host:port/],
  ['workers', { workers: ['127.0.0.1:0'] }, /--workers "127.0.0.1:0"/],
  ['workers', { workers: ['127.0.0.1:5,127.0.0.1:5'] }, /each worker address once/],
  ['rate', { rate: 0 }, /--rate 0: must be a number in \(0, 1000000\]/],
  ['rate', { rate: 1e9 }, /--rate 1000000000/],
  ['count', { count: 1.5 }, /--count 1.5: must be a whole number in \[1, 1000000000\]/],
  ['count', { count: 5, 'duration-s': 3 }, /not both/],
  ['duration-s', { 'duration-s': -1 }, /--duration-s -1/],
  ['pattern', { pattern: 'a,b' }, /--pattern "a,b": must be comma-separated spacings/],
  ['pattern', { pattern: '0,0' }, /at least one spacing must be > 0/],
  ['schedule', { schedule: 'random' }, /--schedule "random": must be one of jittered, poisson, fixed/],
  ['schedule', { schedule: 'poisson', pattern: '5,5,50' }, /--schedule "poisson": poisson draws its own gaps and takes no --pattern/],
  ['schedule-seed', { 'schedule-seed': -3 }, /--schedule-seed -3: must be a whole number in \[0, 4294967295\]/],
  ['schedule-seed', { 'schedule-seed': 1.5 }, /--schedule-seed 1.5/],
  ['ready-timeout-s', { 'ready-timeout-s': 0 }, /--ready-timeout-s 0/],
  ['end-timeout-s', { 'end-timeout-s': 'x' }, /--end-timeout-s "x"/],
];
for (const [field, patch, re] of coordCases) {
  test(`coordinator: bad ${field} ${JSON.stringify(patch)} is named with its value and what is allowed`, () => {
    const errs = errorsOf(() => validateCoordinatorOptions({ ...okCoord, ...patch }, KNOWN));
    assert.ok(
      errs.some((e) => e.field === field && re.test(e.message)),
      `got ${JSON.stringify(errs.map((e) => e.message))}`,
    );
  });
}

test('every invalid field is reported at once, in one error', () => {
  const errs = errorsOf(() => validateWorkerOptions({ ...okWorker, port: 70000, 'poll-ms': 0, node: '' }, KNOWN));
  assert.deepEqual(errs.map((e) => e.field).sort(), ['node', 'poll-ms', 'port']);
  assert.throws(
    () => validateWorkerOptions({ ...okWorker, port: 70000, 'poll-ms': 0 }, KNOWN),
    /2 invalid options:\n {2}--poll-ms 0.*\n {2}--port 70000/s,
  );
});

test('an output directory under a regular file is refused before anything is created', () => {
  const f = path.join(dir, 'plain-file');
  writeFileSync(f, 'x');
  const errs = errorsOf(() => validateWorkerOptions({ ...okWorker, 'results-dir': path.join(f, 'results') }, KNOWN));
  assert.ok(errs.some((e) => e.field === 'results-dir' && /is not a directory/.test(e.message)));
});

test('hostile values are echoed safely: control characters replaced, long values cut', () => {
  const errs = errorsOf(() => validateWorkerOptions({ ...okWorker, bind: '\u001b[31m' + 'x'.repeat(500) }, KNOWN));
  const m = errs.find((e) => e.field === 'bind')!.message;
  assert.ok(!/\u001b/.test(m) && m.length < 200, m);
});

test('run-local: output directories and run id are checked before anything starts, all at once', () => {
  const f = path.join(dir, 'plain-file-rl');
  writeFileSync(f, 'x');
  assert.deepEqual(
    errorsOf(() => validateRunLocalOptions({ 'results-dir': path.join(dir, 'r'), 'logs-dir': path.join(dir, 'l') })),
    [],
  );
  const errs = errorsOf(() =>
    validateRunLocalOptions({ 'run-id': '../x', 'results-dir': path.join(f, 'results'), 'logs-dir': path.join(f, 'logs') }),
  );
  assert.deepEqual(errs.map((e) => e.field).sort(), ['logs-dir', 'results-dir', 'run-id']);
  assert.ok(
    errs.every((e) => e.field === 'run-id' || /is not a directory/.test(e.message)),
    JSON.stringify(errs),
  );
});
