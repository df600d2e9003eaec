// Inventory file (JSON or YAML) → a validated, fully-defaulted plan of hosts and run parameters.
// Every value that later reaches a remote shell or an ssh argument is checked here first.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { isValidNodeId } from '../files/paths.js';
import { isPlainObject as isObj, MappingProblems, ValidationError, type FieldProblem, type RangeRule } from '../validate/index.js';
import {
  checkRoleArgv,
  END_SLACK_S,
  longestCommitWaitS,
  optionArgv,
  roleOptions,
  type OptionSpec,
  type ProcessRole,
} from './role-options.js';

export interface SshSettings {
  user?: string;
  port?: number;
  identityFile?: string;
  configFile?: string;
  /** `-o Key=Value` options, in order. */
  options: Array<[string, string]>;
}

export type Role = 'coordinator' | 'worker';

export interface HostPlan {
  role: Role;
  /** Node id: names result files and remote process files. */
  name: string;
  /** ssh destination (host name, address, or an alias from the user's ssh config). */
  host: string;
  /** Address other hosts use to reach this one (defaults to `host`). */
  address: string;
  ssh: SshSettings;
  /** Remote work directory as written (relative paths are relative to the remote home). */
  workDir: string;
  node: string;
  sources: string[];
  /** Resolved `host:port` NTP servers (the token `embedded` is replaced). */
  ntpServers: string[];
  /** Workers: UDP port to bind (0 = let the OS choose) and bind address. */
  port: number;
  bind: string;
  /**
   * Every other option of this host's command (`chronoeval worker` / `coordinator`) as
   * command-line words: from the inventory's `run` keys, overridden by the host's own keys.
   */
  args: string[];
}

/** What the deploy itself needs to know of the run (to time its own waits). */
export interface RunParams {
  rate: number;
  durationS?: number;
  count?: number;
  readyTimeoutS: number;
  insecure: boolean;
  /** Seconds to wait for workers to exit after the coordinator finished before stopping them. */
  stopTimeoutS: number;
  /** Coordinator's wait for every worker's bye: as given, else the longest re-estimation delay + 30 s. */
  endTimeoutS: number;
  /** Longest re-estimation (commit-wait) delay of any worker, s: workers finish those before exiting. */
  longestCommitWaitS: number;
}

export interface Inventory {
  file: string;
  run: RunParams;
  coordinator: HostPlan;
  workers: HostPlan[];
  /** Embedded `chronoeval ntp-server` on the coordinator host, if requested. */
  embeddedNtp: { port: number; bind: string } | null;
  resultsDir: string;
  logsDir: string;
  compress: boolean;
  /** Render figures and report.html after the run (`analyze --no-figures` when false). */
  figures: boolean;
}

/** Every problem of an inventory, each naming its key (e.g. `workers[1].ssh.port`). */
export class InventoryError extends ValidationError {
  constructor(problems: FieldProblem[], file: string) {
    super(problems, `inventory ${file} is not valid:\n  - ${problems.map((p) => p.message).join('\n  - ')}`);
  }
}

const HOST_RE = /^[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,252})$/;
const IPV6_RE = /^\[?[0-9A-Fa-f:.]+(?:%[A-Za-z0-9]+)?\]?$/;
const USER_RE = /^[A-Za-z_][A-Za-z0-9._-]{0,31}$/;
const SOURCE_RE = /^[a-z][a-z0-9_-]{0,31}$/;
const SSH_OPT_KEY_RE = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
/** ssh options that run local commands: those belong in the user's own ssh config, not here. */
const FORBIDDEN_SSH_OPTIONS = new Set([
  'proxycommand',
  'localcommand',
  'permitlocalcommand',
  'knownhostscommand',
  'remotecommand',
  'match',
  'include',
]);

export function isValidHost(h: string): boolean {
  return (HOST_RE.test(h) || (h.includes(':') && IPV6_RE.test(h))) && !h.startsWith('-');
}

export function isValidUser(u: string): boolean {
  return USER_RE.test(u);
}

/**
 * Remote paths may hold any printable character (they are always quoted), but not control
 * characters, a leading `-` (would read as an option), or a `..` segment (escapes the work dir).
 */
export function remotePathProblem(p: string): string | null {
  if (p.length === 0) return 'is empty';
  if (p.length > 1024) return 'is longer than 1024 characters';
  if (/[\x00-\x1f\x7f]/.test(p)) return 'contains a control character (line break, tab, NUL, ...)';
  if (p.startsWith('-')) return 'starts with "-" (would be read as an option)';
  if (p.split('/').includes('..')) return 'contains a ".." segment';
  return null;
}

/** Expand a leading `~/` in a local path (ssh does this itself for its own config). */
export function expandLocal(p: string, base: string): string {
  if (p === '~') return os.homedir();
  if (p.startsWith('~/')) return path.join(os.homedir(), p.slice(2));
  return path.resolve(base, p);
}

export function parseInventoryText(text: string, file: string): unknown {
  const ext = path.extname(file).toLowerCase();
  try {
    return ext === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new InventoryError([fileProblem(`cannot parse ${ext === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`)], file);
  }
}

export function loadInventory(file: string): Inventory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InventoryError([fileProblem(`cannot read the file: ${(err as Error).message}`)], file);
  }
  return validateInventory(parseInventoryText(text, file), file);
}

type Obj = Record<string, unknown>;

/** A problem of the whole file (unreadable, not YAML), not of one key. */
function fileProblem(msg: string): FieldProblem {
  return { field: '', value: undefined, allowed: msg, message: msg };
}

/** Check and default a parsed inventory; collects every problem before throwing. */
export function validateInventory(raw: unknown, file: string): Inventory {
  const p = new MappingProblems();
  const base = path.dirname(path.resolve(file));
  const bad: Bad = (where, msg, value) => {
    p.fail(where, value, msg);
  };
  const known = (o: Obj, where: string, keys: string[]) => p.knownKeys(o, where, keys);
  const num = (o: Obj, key: string, where: string, r: RangeRule) => p.number(o, key, where, r);
  const str = (o: Obj, key: string, where: string) => p.string(o, key, where);
  const bool = (o: Obj, key: string, where: string, def: boolean) => p.boolean(o, key, where, def);

  if (!isObj(raw)) throw new InventoryError([fileProblem('the top level must be a mapping with coordinator, workers, run')], file);
  known(raw, '', ['run', 'defaults', 'ntp', 'coordinator', 'workers', 'local']);

  // run parameters
  const runRaw = isObj(raw.run) ? raw.run : {};
  if (raw.run !== undefined && !isObj(raw.run)) bad('run', 'must be a mapping');
  const specs = roleOptions();
  const optionKeys = [...new Set([...specs.worker, ...specs.coordinator].map((o) => o.key))];
  const runOwn = ['sources', 'insecure', 'stop_timeout_s'];
  known(runRaw, 'run', [...runOwn, ...optionKeys]);
  const run: RunParams = {
    rate: 50,
    readyTimeoutS: 60,
    endTimeoutS: 0,
    longestCommitWaitS: 0,
    stopTimeoutS: num(runRaw, 'stop_timeout_s', 'run', { min: 1, max: 3600, def: 30 })!,
    insecure: bool(runRaw, 'insecure', 'run', false),
  };
  // Option words of one process: `run` keys its command accepts, then the host's own (which win).
  const roleArgs = (role: ProcessRole, hostRaw: Obj, where: string): string[] => {
    const words: string[] = [];
    for (const spec of specs[role]) {
      const fromHost = hostRaw[spec.key] !== undefined && hostRaw[spec.key] !== null;
      const v = fromHost ? hostRaw[spec.key] : runRaw[spec.key];
      if (v === undefined || v === null) continue;
      const w = optionArgv(spec, v);
      if ('problem' in w) {
        bad(`${fromHost ? where : 'run'}.${spec.key}`, w.problem);
        continue;
      }
      words.push(...w);
    }
    return words;
  };
  const runSources = sourcesOf(runRaw, 'run', bad) ?? ['system', 'ntp'];

  // defaults shared by every host
  const defRaw = isObj(raw.defaults) ? raw.defaults : {};
  if (raw.defaults !== undefined && !isObj(raw.defaults)) bad('defaults', 'must be a mapping');
  known(defRaw, 'defaults', ['ssh', 'node', 'work_dir', 'ntp_servers', 'sources']);
  const defSsh = sshOf(defRaw.ssh, 'defaults.ssh', base, bad, known, num, str);
  const defNode = pathOf(str(defRaw, 'node', 'defaults'), 'defaults.node', bad) ?? 'node';
  const defWork = pathOf(str(defRaw, 'work_dir', 'defaults'), 'defaults.work_dir', bad) ?? 'chronoeval-work';
  const defNtp = listOf(defRaw, 'ntp_servers', 'defaults', bad);
  const defSources = sourcesOf(defRaw, 'defaults', bad);

  // embedded NTP server
  let embeddedNtp: Inventory['embeddedNtp'] = null;
  if (raw.ntp !== undefined) {
    if (!isObj(raw.ntp)) bad('ntp', 'must be a mapping');
    else {
      known(raw.ntp, 'ntp', ['embedded_server']);
      const e = raw.ntp.embedded_server;
      if (e === true) embeddedNtp = { port: 12300, bind: '0.0.0.0' };
      else if (isObj(e)) {
        known(e, 'ntp.embedded_server', ['port', 'bind']);
        const bind = str(e, 'bind', 'ntp.embedded_server') ?? '0.0.0.0';
        if (!isValidHost(bind)) bad('ntp.embedded_server.bind', `not a valid address: ${JSON.stringify(bind)}`);
        embeddedNtp = { port: num(e, 'port', 'ntp.embedded_server', { min: 1, max: 65535, int: true, def: 12300 })!, bind };
      } else if (e !== undefined && e !== false) bad('ntp.embedded_server', 'must be true, false or {port, bind}');
    }
  }

  const hostOf = (h: unknown, where: string, role: Role): HostPlan | null => {
    if (!isObj(h)) {
      bad(where, 'must be a mapping with at least name and host');
      return null;
    }
    known(h, where, [
      'name',
      'host',
      'address',
      'ssh',
      'node',
      'work_dir',
      'ntp_servers',
      'sources',
      'port',
      'bind',
      ...specs[role].map((o) => o.key),
    ]);
    const name = str(h, 'name', where);
    const host = str(h, 'host', where);
    if (name === undefined) bad(`${where}.name`, 'is required');
    else if (!isValidNodeId(name))
      bad(`${where}.name`, `${JSON.stringify(name)} is not a valid node name (letters, digits, ".", "_", "-"; at most 64)`);
    if (host === undefined) bad(`${where}.host`, 'is required');
    else if (!isValidHost(host))
      bad(
        `${where}.host`,
        `${JSON.stringify(host)} is not a valid host name or address (letters, digits, ".", "_", "-", or an IPv6 address)`,
      );
    const address = str(h, 'address', where) ?? host;
    if (address !== undefined && address !== host && !isValidHost(address))
      bad(`${where}.address`, `${JSON.stringify(address)} is not a valid host name or address`);
    const bind = str(h, 'bind', where) ?? '0.0.0.0';
    if (!isValidHost(bind)) bad(`${where}.bind`, `${JSON.stringify(bind)} is not a valid address`);
    const own = sshOf(h.ssh, `${where}.ssh`, base, bad, known, num, str);
    const ntpRaw = listOf(h, 'ntp_servers', where, bad) ?? defNtp ?? (embeddedNtp ? ['embedded'] : []);
    return {
      role,
      name: name ?? '?',
      host: host ?? '?',
      address: address ?? '?',
      // ssh keeps the first value it sees for an option: the host's own options go first
      ssh: { ...defSsh, ...dropUndefined(own), options: [...own.options, ...defSsh.options] },
      workDir: pathOf(str(h, 'work_dir', where), `${where}.work_dir`, bad) ?? defWork,
      node: pathOf(str(h, 'node', where), `${where}.node`, bad) ?? defNode,
      sources: sourcesOf(h, where, bad) ?? defSources ?? runSources,
      ntpServers: ntpRaw, // resolved below once the coordinator address is known
      port: num(h, 'port', where, { min: 0, max: 65535, int: true, def: role === 'worker' ? 47100 : 0 })!,
      bind,
      args: roleArgs(role, h, where),
    };
  };

  const coordinator = hostOf(raw.coordinator, 'coordinator', 'coordinator');
  const workers: HostPlan[] = [];
  if (!Array.isArray(raw.workers) || raw.workers.length === 0) bad('workers', 'must be a non-empty list of hosts');
  else
    raw.workers.forEach((w, i) => {
      const p = hostOf(w, `workers[${i}]`, 'worker');
      if (p) workers.push(p);
    });

  const all = [coordinator, ...workers].filter((h): h is HostPlan => h !== null);
  const seen = new Set<string>();
  for (const h of all) {
    if (seen.has(h.name)) bad('workers', `node name ${JSON.stringify(h.name)} is used twice`);
    seen.add(h.name);
  }
  for (const h of all) {
    h.ntpServers = h.ntpServers.map((s, i) => {
      if (s === 'embedded') {
        if (!embeddedNtp) {
          bad(`${h.name}.ntp_servers[${i}]`, '"embedded" needs ntp.embedded_server in the inventory');
          return s;
        }
        return `${hostForUrl(coordinator?.address ?? '?')}:${embeddedNtp.port}`;
      }
      if (!isValidHostPort(s)) bad(`${h.name}.ntp_servers[${i}]`, `${JSON.stringify(s)} must be host:port or "embedded"`);
      return s;
    });
  }

  for (const h of all) {
    if (h.sources.includes('ntp') && h.ntpServers.length === 0)
      bad(`${h.name}.ntp_servers`, 'source "ntp" needs at least one NTP server (host:port, or "embedded" with ntp.embedded_server)');
  }

  // The CLI's own checks of every option, for each process (each problem once).
  const seenProblem = new Set<string>();
  for (const h of all) {
    const where = h.role === 'coordinator' ? 'coordinator' : `workers[${workers.indexOf(h)}]`;
    const hostRaw = h.role === 'coordinator' ? (raw.coordinator as Obj) : (raw.workers as Obj[])[workers.indexOf(h)];
    for (const e of checkRoleArgv(h.role, h.args)) {
      const spec = specs[h.role].find((o: OptionSpec) => o.flag === e.field);
      const loc = spec && isObj(hostRaw) && hostRaw[spec.key] !== undefined ? `${where}.${spec.key}` : spec ? `run.${spec.key}` : where;
      const text = `${loc}: ${e.message}`;
      if (!seenProblem.has(text)) {
        seenProblem.add(text);
        bad(loc, e.message);
      }
    }
  }
  if (coordinator) {
    const get = (flag: string): string | undefined => {
      const i = coordinator.args.lastIndexOf(`--${flag}`);
      return i >= 0 ? coordinator.args[i + 1] : undefined;
    };
    const n = (flag: string) => (get(flag) === undefined ? undefined : Number(get(flag)));
    run.rate = n('rate') ?? 50;
    run.count = n('count');
    run.durationS = n('duration-s') ?? (run.count === undefined ? 30 : undefined);
    run.readyTimeoutS = n('ready-timeout-s') ?? 60;
    run.longestCommitWaitS = Math.max(0, ...workers.map((w) => longestCommitWaitS(w.args)));
    run.endTimeoutS = n('end-timeout-s') ?? run.longestCommitWaitS + END_SLACK_S;
    // The coordinator is told explicitly: its CLI default (30 s) knows nothing of the workers' delays.
    if (get('end-timeout-s') === undefined) coordinator.args.push('--end-timeout-s', String(run.endTimeoutS));
  }

  const localRaw = isObj(raw.local) ? raw.local : {};
  known(localRaw, 'local', ['results_dir', 'logs_dir', 'compress', 'figures']);
  const resultsDir = expandLocal(str(localRaw, 'results_dir', 'local') ?? 'results', process.cwd());
  const logsDir = expandLocal(str(localRaw, 'logs_dir', 'local') ?? 'logs', process.cwd());
  const compress = bool(localRaw, 'compress', 'local', true);
  const figures = bool(localRaw, 'figures', 'local', true);

  if (!coordinator && p.ok) bad('coordinator', 'is required');
  p.throwIfAny((found) => new InventoryError(found, file));
  if (!coordinator) throw new InventoryError([fileProblem('coordinator is required')], file);
  return { file: path.resolve(file), run, coordinator, workers, embeddedNtp, resultsDir, logsDir, compress, figures };
}

export function hostForUrl(h: string): string {
  return h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
}

export function isValidHostPort(s: string): boolean {
  const m = /^(.*):(\d{1,5})$/.exec(s);
  if (!m) return false;
  const port = Number(m[2]);
  const host = m[1].replace(/^\[(.*)\]$/, '$1');
  return port >= 1 && port <= 65535 && isValidHost(host);
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

type Bad = (where: string, msg: string, value?: unknown) => void;

function pathOf(v: string | undefined, where: string, bad: Bad): string | undefined {
  if (v === undefined) return undefined;
  // Node.js refuses to load ES modules from a path with a backslash (ERR_INVALID_MODULE_SPECIFIER).
  if (where.endsWith('work_dir') && v.includes('\\')) {
    bad(where, `${JSON.stringify(v)} contains a backslash: Node.js cannot load its modules from such a path; choose another work_dir`);
    return undefined;
  }
  const p = remotePathProblem(v);
  if (p) {
    bad(where, `${JSON.stringify(v)} ${p}`);
    return undefined;
  }
  return v;
}

function listOf(o: Obj, key: string, where: string, bad: Bad): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    bad(`${where}.${key}`, 'must be a list of strings');
    return undefined;
  }
  return v as string[];
}

function sourcesOf(o: Obj, where: string, bad: Bad): string[] | undefined {
  const v = o.sources;
  if (v === undefined || v === null) return undefined;
  const list = typeof v === 'string' ? v.split(',').map((s) => s.trim()) : v;
  if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string' && SOURCE_RE.test(s))) {
    bad(`${where}.sources`, `must be a list of source names (lower-case letters, digits, "_", "-"), got ${JSON.stringify(v)}`);
    return undefined;
  }
  return list as string[];
}

function sshOf(
  v: unknown,
  where: string,
  base: string,
  bad: Bad,
  known: (o: Obj, where: string, keys: string[]) => void,
  num: (o: Obj, key: string, where: string, r: RangeRule) => number | undefined,
  str: (o: Obj, key: string, where: string) => string | undefined,
): SshSettings {
  const out: SshSettings = { options: [] };
  if (v === undefined || v === null) return out;
  if (!isObj(v)) {
    bad(where, 'must be a mapping');
    return out;
  }
  known(v, where, ['user', 'port', 'identity_file', 'config_file', 'options']);
  const user = str(v, 'user', where);
  if (user !== undefined) {
    if (isValidUser(user)) out.user = user;
    else
      bad(
        `${where}.user`,
        `${JSON.stringify(user)} is not a valid user name (letters, digits, ".", "_", "-"; starting with a letter or "_")`,
      );
  }
  out.port = num(v, 'port', where, { min: 1, max: 65535, int: true });
  for (const key of ['identity_file', 'config_file'] as const) {
    const p = str(v, key, where);
    if (p === undefined) continue;
    if (/[\x00-\x1f]/.test(p) || p.startsWith('-')) {
      bad(`${where}.${key}`, `${JSON.stringify(p)} is not a usable local path`);
      continue;
    }
    const full = expandLocal(p, base);
    if (key === 'identity_file') out.identityFile = full;
    else out.configFile = full;
  }
  const opts = v.options;
  if (opts !== undefined && opts !== null) {
    if (!isObj(opts)) bad(`${where}.options`, 'must be a mapping of ssh option name to value, e.g. {ServerAliveInterval: 15}');
    else {
      for (const [k, val] of Object.entries(opts)) {
        const text = typeof val === 'number' || typeof val === 'boolean' ? String(val) : val;
        if (!SSH_OPT_KEY_RE.test(k)) bad(`${where}.options.${k}`, 'is not an ssh option name');
        else if (FORBIDDEN_SSH_OPTIONS.has(k.toLowerCase()))
          bad(`${where}.options.${k}`, 'runs a local command; put it in your own ~/.ssh/config instead of the inventory');
        else if (typeof text !== 'string' || /[\x00-\x1f]/.test(text) || text.length === 0)
          bad(`${where}.options.${k}`, `needs a one-line value, got ${JSON.stringify(val)}`);
        else out.options.push([k, text]);
      }
    }
  }
  return out;
}
