// Inventory validation: the examples load, defaults merge, and every dangerous value is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { InventoryError, loadInventory, parseInventoryText, validateInventory } from '../../src/deploy/inventory.js';
import { dryRunLines } from '../../src/deploy/index.js';
import { PACKAGE_ROOT } from '../support/helpers.js';
import { loadRoleOptions } from '../../src/deploy/role-options.js';

// The inventory checks options against the CLI's own declarations.
await loadRoleOptions();

const base = () => ({
  run: { duration_s: 2 },
  ntp: { embedded_server: { port: 12300 } },
  coordinator: { name: 'coord', host: '10.0.0.1' },
  workers: [{ name: 'w1', host: 'w1.example.org', address: '10.0.0.2' }],
});

function problems(raw: unknown): string[] {
  try {
    validateInventory(raw, 'inv.yaml');
  } catch (e) {
    assert.ok(e instanceof InventoryError, String(e));
    return e.messages;
  }
  return [];
}

test('both shipped example inventories load and agree', () => {
  const y = loadInventory(path.join(PACKAGE_ROOT, 'deploy/inventory.example.yaml'));
  const j = loadInventory(path.join(PACKAGE_ROOT, 'deploy/inventory.example.json'));
  assert.equal(y.workers.length, 2);
  assert.deepEqual({ ...y, file: '' }, { ...j, file: '' });
  const w2 = y.workers[1];
  assert.equal(w2.ssh.user, 'bob'); // host override beats defaults
  assert.equal(w2.ssh.port, 2222);
  assert.deepEqual(w2.ssh.options, [['ServerAliveInterval', '15']]);
  assert.deepEqual(w2.ntpServers, ['10.0.0.1:12300', '10.0.0.254:123']); // "embedded" → coordinator address
  assert.deepEqual(w2.sources, ['system', 'ntp', 'chrony']);
  assert.deepEqual(y.workers[0].sources, ['system', 'ntp']);
  assert.equal(y.coordinator.workDir, 'chronoeval-work');
});

test('defaults: duration 30 s when neither duration nor count, worker port 47100, key on', () => {
  const inv = validateInventory(
    { ntp: { embedded_server: true }, coordinator: { name: 'c', host: 'a' }, workers: [{ name: 'w', host: 'b' }] },
    'x.yaml',
  );
  assert.equal(inv.run.durationS, 30);
  assert.deepEqual(inv.workers[0].ntpServers, ['a:12300'], 'embedded NTP is the default server when it is on');
  assert.equal(inv.workers[0].port, 47100);
  assert.equal(inv.run.insecure, false);
  assert.equal(inv.workers[0].address, 'b');
});

test('shell metacharacters in host, user, names, sources and addresses are refused with the field named', () => {
  const cases: Array<[(r: ReturnType<typeof base>) => void, RegExp]> = [
    [
      (r) => {
        r.coordinator.host = '$(touch /tmp/pwned-x)';
      },
      /coordinator\.host: .*not a valid host/,
    ],
    [
      (r) => {
        r.workers[0].host = '-oProxyCommand=touch /tmp/pwned';
      },
      /workers\[0\]\.host/,
    ],
    [
      (r) => {
        r.workers[0].host = 'a;b';
      },
      /workers\[0\]\.host/,
    ],
    [
      (r) => {
        r.workers[0].host = 'a b';
      },
      /workers\[0\]\.host/,
    ],
    [
      (r) => {
        r.workers[0].address = '10.0.0.2`id`';
      },
      /workers\[0\]\.address/,
    ],
    [
      (r) => {
        r.workers[0].name = '../w1';
      },
      /workers\[0\]\.name/,
    ],
    [
      (r) => {
        (r.workers[0] as Record<string, unknown>).ssh = { user: 'root;id' };
      },
      /workers\[0\]\.ssh\.user/,
    ],
    [
      (r) => {
        (r.workers[0] as Record<string, unknown>).ssh = { options: { ProxyCommand: 'touch /tmp/pwned' } };
      },
      /ProxyCommand: runs a local command/,
    ],
    [
      (r) => {
        (r.workers[0] as Record<string, unknown>).ssh = { options: { 'Port 22\nProxyCommand': 'x' } };
      },
      /not an ssh option name/,
    ],
    [
      (r) => {
        (r.workers[0] as Record<string, unknown>).ssh = { options: { User: 'a\nProxyCommand x' } };
      },
      /one-line value/,
    ],
    [
      (r) => {
        (r.run as Record<string, unknown>).sources = ['system', 'ntp;reboot'];
      },
      /run\.sources/,
    ],
    [
      (r) => {
        (r.workers[0] as Record<string, unknown>).work_dir = '/tmp/a\n touch /tmp/pwned';
      },
      /work_dir: .*control character/,
    ],
    [
      (r) => {
        (r.workers[0] as Record<string, unknown>).work_dir = '/tmp/../etc';
      },
      /work_dir: .*"\.\." segment/,
    ],
    [
      (r) => {
        (r.workers[0] as Record<string, unknown>).work_dir = '-rf';
      },
      /work_dir: .*starts with "-"/,
    ],
    [
      (r) => {
        (r.workers[0] as Record<string, unknown>).ntp_servers = ['x;y:123'];
      },
      /ntp_servers\[0\].*host:port/,
    ],
    [
      (r) => {
        (r.workers[0] as Record<string, unknown>).prot = 1;
      },
      /workers\[0\]\.prot: unknown key/,
    ],
    [
      (r) => {
        (r.workers[0] as Record<string, unknown>).port = 70000;
      },
      /workers\[0\]\.port: must be an integer from 0 to 65535/,
    ],
    [
      (r) => {
        r.workers.push({ name: 'w1', host: 'c', address: 'c' });
      },
      /"w1" is used twice/,
    ],
  ];
  for (const [mutate, re] of cases) {
    const raw = base();
    mutate(raw);
    const p = problems(raw);
    assert.ok(
      p.some((x) => re.test(x)),
      `expected ${re} in ${JSON.stringify(p)}`,
    );
  }
});

test('every problem is reported at once, not only the first', () => {
  const p = problems({
    run: { rate: -1, sources: ['system'] },
    coordinator: { name: 'c', host: '$(x)' },
    workers: [{ name: 'w', host: 'a|b' }],
  });
  assert.equal(p.length, 3, JSON.stringify(p));
});

test('"embedded" NTP without ntp.embedded_server is an error, and so is source ntp without any server', () => {
  const p = problems({ coordinator: { name: 'c', host: 'a' }, workers: [{ name: 'w', host: 'b', ntp_servers: ['embedded'] }] });
  assert.ok(
    p.some((x) => /embedded_server/.test(x)),
    JSON.stringify(p),
  );
  const q = problems({ coordinator: { name: 'c', host: 'a', sources: ['system'] }, workers: [{ name: 'w', host: 'b' }] });
  assert.deepEqual(q, ['w.ntp_servers: source "ntp" needs at least one NTP server (host:port, or "embedded" with ntp.embedded_server)']);
});

test('unreadable files and YAML/JSON syntax errors say so', () => {
  assert.throws(() => loadInventory(path.join(PACKAGE_ROOT, 'no-such-inventory.yaml')), /cannot read the file/);
  assert.throws(() => parseInventoryText('workers: [a, b\n', 'x.yaml'), /cannot parse YAML/);
  assert.throws(() => parseInventoryText('{"workers": ', 'x.json'), /cannot parse JSON/);
});

test('work dirs may hold odd characters: every remote command carries them quoted, never bare', () => {
  const raw = base() as Record<string, unknown> & ReturnType<typeof base>;
  const odd = "/tmp/x $(touch /tmp/pwned-q) 'q' `id`";
  (raw.workers[0] as Record<string, unknown>).work_dir = odd;
  const inv = validateInventory(raw, 'inv.yaml');
  const lines = dryRunLines(inv, false, 'RID');
  const quoted = "'/tmp/x $(touch /tmp/pwned-q) '\\''q'\\'' `id`";
  const withOdd = lines.filter((l) => l.includes('pwned-q'));
  assert.ok(withOdd.length >= 4, 'pre-flight, ship, key, launch, stop and fetch all mention the work dir');
  for (const l of withOdd) assert.ok(l.includes(quoted), `unquoted work dir in: ${l}`);
});
