// Pre-flight: every host reachable and able to run its role before anything starts anywhere.
import type { HostPlan, Inventory } from './inventory.js';
import { nodeMajor, parsePreflight, preflightCommand, type PreflightFacts } from './remote-scripts.js';
import { destinationKey, type SshClient } from './ssh.js';

export const MIN_NODE_MAJOR = 20;

export interface PreflightRow {
  host: HostPlan;
  reachable: boolean;
  facts: PreflightFacts | null;
  problems: string[];
  /** Absolute remote work dir (from `pwd -P`), when writable. */
  absWorkDir: string | null;
}

/** UDP ports this host entry must find free. */
export function portsToCheck(inv: Inventory, h: HostPlan): number[] {
  const ports: number[] = [];
  if (h.role === 'worker' && h.port > 0) ports.push(h.port);
  if (h.role === 'coordinator' && inv.embeddedNtp) ports.push(inv.embeddedNtp.port);
  return ports;
}

/** Judges one host's facts; pure so the rules are unit-tested. */
export function judgePreflight(inv: Inventory, h: HostPlan, f: PreflightFacts): string[] {
  const p: string[] = [];
  if (!f.complete) p.push('pre-flight script did not finish (remote shell not POSIX sh?)');
  const major = nodeMajor(f.node);
  if (major === null) p.push(`node not found as ${JSON.stringify(h.node)} (set node: /path/to/node in the inventory)`);
  else if (major < MIN_NODE_MAJOR) p.push(`node ${f.node} is too old (need >= ${MIN_NODE_MAJOR})`);
  if (!f.workdir) p.push(`work dir ${JSON.stringify(h.workDir)} is not writable`);
  else if (f.workdir.includes('\\'))
    p.push(
      `work dir ${JSON.stringify(f.workdir)} contains a backslash: Node.js cannot load its modules from such a path; choose another work_dir`,
    );
  if (!f.tar) p.push('tar not found');
  if (inv.compress && !f.gzip) p.push('gzip not found (or set local.compress: false)');
  for (const [port, state] of Object.entries(f.ports)) if (state === 'busy') p.push(`UDP port ${port} is in use`);
  return p;
}

/**
 * Pre-flight of every host entry. Entries with the same destination, work dir and node (several
 * workers on one machine) share one remote check over the union of their ports; each entry is
 * then judged on its own ports.
 */
export async function runPreflight(inv: Inventory, ssh: SshClient, hosts: HostPlan[]): Promise<PreflightRow[]> {
  const groups = new Map<string, HostPlan[]>();
  for (const h of hosts) {
    const k = JSON.stringify([destinationKey(h), h.workDir, h.node]);
    const g = groups.get(k);
    if (g) g.push(h);
    else groups.set(k, [h]);
  }
  const rows = new Map<HostPlan, PreflightRow>();
  await Promise.all(
    [...groups.values()].map(async (g) => {
      for (const [h, row] of await checkGroup(inv, ssh, g)) rows.set(h, row);
    }),
  );
  return hosts.map((h) => rows.get(h)!);
}

async function checkGroup(inv: Inventory, ssh: SshClient, g: HostPlan[]): Promise<[HostPlan, PreflightRow][]> {
  const h0 = g[0]!;
  const m = await ssh.openMaster(h0);
  if (m.code !== 0) {
    const why = lastLine(m.stderr) || (m.timedOut ? 'timed out' : `ssh exit ${m.code}`);
    return g.map((h) => [h, { host: h, reachable: false, facts: null, problems: [`ssh: ${why}`], absWorkDir: null }]);
  }
  const ports = [...new Set(g.flatMap((h) => portsToCheck(inv, h)))].sort((a, b) => a - b);
  const r = await ssh.exec(h0, preflightCommand(h0.workDir, h0.node, ports), { timeoutMs: 60_000 });
  if (r.code !== 0 && !r.stdout.includes('end=ok')) {
    const problem = `pre-flight command failed (exit ${r.code}${r.timedOut ? ', timed out' : ''}): ${lastLine(r.stderr)}`;
    return g.map((h) => [h, { host: h, reachable: true, facts: null, problems: [problem], absWorkDir: null }]);
  }
  const all = parsePreflight(r.stdout);
  return g.map((h) => {
    const own = new Set(portsToCheck(inv, h).map(String));
    const facts: PreflightFacts = { ...all, ports: Object.fromEntries(Object.entries(all.ports).filter(([p]) => own.has(p))) };
    return [h, { host: h, reachable: true, facts, problems: judgePreflight(inv, h, facts), absWorkDir: facts.workdir || null }];
  });
}

function lastLine(s: string): string {
  return s.trim().split('\n').filter(Boolean).pop()?.trim() ?? '';
}

/** A plain-text table of the pre-flight results (one line per host, problems underneath). */
export function preflightTable(rows: PreflightRow[]): string {
  const head = ['node', 'role', 'host', 'ssh', 'node.js', 'work dir', 'ports', 'clock', 'result'];
  const body = rows.map((r) => [
    r.host.name,
    r.host.role,
    r.host.host,
    r.reachable ? 'ok' : 'FAIL',
    r.facts?.node || '-',
    r.facts ? (r.facts.workdir ? 'writable' : 'NOT writable') : '-',
    r.facts
      ? Object.entries(r.facts.ports)
          .map(([p, s]) => `${p}:${s}`)
          .join(' ') || '-'
      : '-',
    r.facts?.clock ?? '-',
    r.problems.length ? 'FAIL' : 'ok',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const lines = [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...body.map(fmt)];
  for (const r of rows) for (const p of r.problems) lines.push(`  ${r.host.name}: ${p}`);
  return lines.join('\n');
}
