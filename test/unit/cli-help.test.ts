// Every command's --help shows examples; --sources names the valid sources; the exit-code table
// the CLI prints is the one README.md and docs/reliability.md document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CLI_PATH, PACKAGE_ROOT } from '../../src/files/paths.js';
import { COMMAND_NAMES } from '../../src/cli/command-runner.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { KNOWN_SOURCES } from '../../src/clock/registry.js';

function help(cmd: string): string {
  const r = spawnSync(process.execPath, [CLI_PATH, cmd, '--help'], { encoding: 'utf8', env: { ...process.env, COLUMNS: '200' } });
  assert.equal(r.status, EXIT.ok, r.stderr);
  return r.stdout;
}

for (const cmd of COMMAND_NAMES) {
  test(`${cmd} --help has examples of the command and the exit codes`, () => {
    const text = help(cmd);
    assert.match(text, /^Examples:$/m);
    assert.match(text, new RegExp(`^ +chronoeval ${cmd}\\b`, 'm'), 'an example runs this command');
    assert.match(text, /^Exit codes:$/m);
  });
}

for (const cmd of ['run-local', 'worker', 'coordinator']) {
  test(`${cmd} --help lists every valid --sources name`, () => {
    const text = help(cmd).replace(/\s+/g, ' ');
    const line = text.slice(text.indexOf('--sources'), text.indexOf(' --', text.indexOf('--sources') + 2));
    for (const s of KNOWN_SOURCES) assert.ok(line.includes(s), `${s} in: ${line}`);
  });
}

test('an invalid --sources name is refused with every valid name listed', () => {
  const r = spawnSync(process.execPath, [CLI_PATH, 'worker', '--node', 'w1', '--sources', 'system,atomic', '--insecure'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, EXIT.usage, r.stderr);
  assert.match(r.stderr, /unknown source "atomic"; known: system, ntp, bounded, chrony, clockbound, chronotick/);
});

for (const doc of ['README.md', 'docs/reliability.md']) {
  test(`${doc} documents every exit code of the table`, () => {
    const text = readFileSync(path.join(PACKAGE_ROOT, doc), 'utf8');
    for (const [name, code] of Object.entries(EXIT)) {
      assert.match(text, new RegExp(`^\\| *\`?${code}\`? *\\|`, 'm'), `a table row for ${code} (${name})`);
    }
  });
}
