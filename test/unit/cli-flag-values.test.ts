import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { numberOption, parseNumberFlag, parseNumberList, rewordYargsMessage } from '../../src/cli/flag-values.js';
import { commandHelpHint, formatCliError, readConfigFile } from '../../src/cli/errors.js';
import { PACKAGE_ROOT, tmpDir } from '../support/helpers.js';

const SECONDS = { what: 'a number of seconds' };

test('parseNumberFlag: numbers pass, anything else is echoed as typed', () => {
  assert.equal(parseNumberFlag('duration-s', '2.5', SECONDS), 2.5);
  assert.equal(parseNumberFlag('duration-s', ' 1e3 ', SECONDS), 1000);
  assert.equal(parseNumberFlag('duration-s', 7, SECONDS), 7); // from a --config file or a default
  assert.throws(() => parseNumberFlag('duration-s', 'abc', SECONDS), /^Error: --duration-s: expected a number of seconds, got 'abc'$/);
  assert.throws(() => parseNumberFlag('duration-s', 'Infinity', SECONDS), /got 'Infinity'/);
  assert.throws(() => parseNumberFlag('duration-s', NaN, SECONDS), /got 'null'|got 'NaN'/);
  assert.throws(
    () => parseNumberFlag('rate', true, { what: 'a number of events per second' }),
    /--rate: expected a number of events per second, got no value/,
  );
  assert.throws(() => parseNumberFlag('rate', '', { what: 'x' }), /got no value/);
  assert.throws(() => parseNumberFlag('rate', ['1', '2'], { what: 'x' }), /got 2 values \('1', '2'\); give it once/);
  assert.throws(
    () => parseNumberFlag('count', '1.5', { what: 'a whole number of events', integer: true }),
    /--count: expected a whole number of events, got '1.5'/,
  );
  assert.throws(() => parseNumberFlag('count', { a: 1 }, { what: 'x' }), /got '\{"a":1\}'/);
  assert.throws(() => parseNumberFlag('x', 'a\u0000b', { what: 'x' }), /got 'a\?b'/, 'control characters are not printed');
});

test('parseNumberList: names the element that is not a number, and the whole list', () => {
  const what = { what: 'comma-separated seconds' };
  assert.deepEqual(parseNumberList('commit-wait-s', '2, 5', what), [2, 5]);
  assert.deepEqual(parseNumberList('commit-wait-s', '', what), []);
  assert.deepEqual(parseNumberList('commit-wait-s', [2, 5], what), [2, 5]);
  assert.deepEqual(parseNumberList('commit-wait-s', undefined, what), []);
  assert.throws(
    () => parseNumberList('commit-wait-s', '2,abc', what),
    /^Error: --commit-wait-s: expected comma-separated seconds, got 'abc' in '2,abc'$/,
  );
  assert.throws(
    () => parseNumberList('commit-wait-s', 'abc', what),
    /^Error: --commit-wait-s: expected comma-separated seconds, got 'abc'$/,
  );
});

test('numberOption: a bare flag is refused (yargs would hand over the default) and the value is coerced', () => {
  const o = numberOption('rate', { what: 'a number of events per second', default: 50, describe: 'd' });
  assert.equal(o.requiresArg, true);
  assert.equal(o.default, 50);
  assert.throws(() => o.coerce('fast'), /--rate: expected a number of events per second, got 'fast'/);
  assert.equal(rewordYargsMessage('Not enough arguments following: rate'), '--rate: expected a value after the flag, got none');
  assert.equal(rewordYargsMessage('Unknown argument: x'), 'Unknown argument: x');
});

test('every numeric option of every command goes through numberOption (no yargs number type left)', () => {
  for (const f of ['src/cli.ts', 'src/cli/options.ts']) {
    const text = readFileSync(path.join(PACKAGE_ROOT, f), 'utf8');
    assert.doesNotMatch(text, /type: 'number'/, `${f}: a yargs number type turns 'abc' into NaN`);
  }
});

test("errors end with the command's own --help", () => {
  const cmds = ['run-local', 'worker'];
  assert.equal(commandHelpHint(['run-local', '--rate', 'x'], cmds), 'See: chronoeval run-local --help');
  assert.equal(commandHelpHint(['--config', 'c.json', 'worker'], cmds), 'See: chronoeval worker --help');
  assert.equal(commandHelpHint(['frob'], cmds), 'See: chronoeval --help');
  assert.equal(
    formatCliError("--rate: expected a number, got 'x'", 'See: chronoeval run-local --help'),
    "chronoeval: --rate: expected a number, got 'x'. See: chronoeval run-local --help\n",
  );
  assert.equal(
    formatCliError('2 invalid options:\n  a\n  b', 'See: chronoeval worker --help'),
    'chronoeval: 2 invalid options:\n  a\n  b\nSee: chronoeval worker --help\n',
  );
});

test('readConfigFile: missing, a directory, bad JSON and not an object are told apart', () => {
  const dir = tmpDir();
  assert.throws(() => readConfigFile(path.join(dir, 'none.json')), /--config '.*none\.json': cannot read it \(no such file, ENOENT\)/);
  mkdirSync(path.join(dir, 'd.json'));
  assert.throws(() => readConfigFile(path.join(dir, 'd.json')), /cannot read it \(is a directory, EISDIR\)/);
  writeFileSync(path.join(dir, 'bad.json'), '{"rate":');
  assert.throws(() => readConfigFile(path.join(dir, 'bad.json')), /--config '.*bad\.json': not valid JSON/);
  writeFileSync(path.join(dir, 'arr.json'), '[1]');
  assert.throws(() => readConfigFile(path.join(dir, 'arr.json')), /expected a JSON object of options/);
  writeFileSync(path.join(dir, 'ok.json'), '{"rate": 5}');
  assert.deepEqual(readConfigFile(path.join(dir, 'ok.json')), { rate: 5 });
});
