// The run key: only from a 0600 file or the environment, never echoed, never silently mixed with --insecure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { KEY_ENV, loadKey, resolveKey, writeNewKeyFile } from '../../src/protocol/key.js';
import { tmpDir } from '../support/helpers.js';

const HEX = 'ab'.repeat(32);

async function withEnv<T>(value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const old = process.env[KEY_ENV];
  if (value === undefined) delete process.env[KEY_ENV];
  else process.env[KEY_ENV] = value;
  try {
    return await fn();
  } finally {
    if (old === undefined) delete process.env[KEY_ENV];
    else process.env[KEY_ENV] = old;
  }
}

test('writeNewKeyFile makes a 0600 file even over an existing world-readable one', async () => {
  const dir = tmpDir();
  const f = path.join(dir, 'run.key');
  writeFileSync(f, 'old');
  chmodSync(f, 0o644);
  const key = await writeNewKeyFile(f);
  assert.equal(statSync(f).mode & 0o777, 0o600);
  assert.equal(readFileSync(f, 'utf8').trim(), key.toString('hex'));
  await withEnv(undefined, async () => assert.deepEqual(await loadKey({ keyFile: f }), key));
});

test('a key file readable by others, a directory, a huge file or non-hex content is refused with a reason', async () => {
  const dir = tmpDir();
  await withEnv(undefined, async () => {
    const open = path.join(dir, 'open.key');
    writeFileSync(open, HEX);
    chmodSync(open, 0o640);
    await assert.rejects(loadKey({ keyFile: open }), /mode 0640.*chmod 600/);
    const sub = path.join(dir, 'd');
    mkdirSync(sub, { mode: 0o700 });
    await assert.rejects(loadKey({ keyFile: sub }), /not a regular file/);
    const big = path.join(dir, 'big.key');
    writeFileSync(big, 'a'.repeat(5000), { mode: 0o600 });
    await assert.rejects(loadKey({ keyFile: big }), /too large/);
    const bad = path.join(dir, 'bad.key');
    writeFileSync(bad, 'not-a-secret-but-not-hex-either', { mode: 0o600 });
    await assert.rejects(loadKey({ keyFile: bad }), (e: Error) => /hex digits/.test(e.message) && !e.message.includes('not-a-secret'));
    await assert.rejects(loadKey({ keyFile: path.join(dir, 'missing') }), /cannot read \(ENOENT\)/);
  });
});

test('environment key: used, recorded as env; empty is an error; the value never appears in errors', async () => {
  await withEnv(HEX, async () => {
    const r = await resolveKey({});
    assert.deepEqual(r.security, { authenticated: true, key_source: 'env' });
    assert.equal(r.key!.toString('hex'), HEX);
  });
  await withEnv('  ', async () => assert.rejects(resolveKey({}), /set but empty/));
  await withEnv('zz' + HEX, async () => assert.rejects(resolveKey({}), (e: Error) => !e.message.includes(HEX)));
});

test('--insecure alone gives no key and says so; with a key it is refused rather than guessed', async () => {
  await withEnv(undefined, async () => {
    assert.deepEqual((await resolveKey({ insecure: true })).security, { authenticated: false, key_source: 'none' });
    await assert.rejects(resolveKey({}), /--key-file FILE.*--insecure/);
  });
  await withEnv(HEX, async () => assert.rejects(resolveKey({ insecure: true }), /--insecure conflicts with \$CHRONOEVAL_KEY/));
  const f = path.join(tmpDir(), 'k');
  writeFileSync(f, HEX, { mode: 0o600 });
  await withEnv(undefined, async () => assert.rejects(resolveKey({ insecure: true, keyFile: f }), /--insecure conflicts with --key-file/));
});
