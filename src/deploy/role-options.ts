// The options a worker and a coordinator accept, read from the CLI's own declarations, so that
// every option reaches deploy inventories and the Slurm template without being listed again:
// flag `--commit-wait-s` is inventory key `commit_wait_s` and Slurm variable `COMMIT_WAIT_S`.
import os from 'node:os';
import yargs, { type Argv } from 'yargs';
import { parseSourceOptions } from '../cli/options.js';
import { KNOWN_SOURCES } from '../clock/registry.js';
import { ConfigError, validateCoordinatorOptions, validateWorkerOptions, type FieldError } from '../cli/config-validation.js';

export type ProcessRole = 'worker' | 'coordinator';

export interface OptionSpec {
  flag: string;
  /** Inventory key: the flag with `_` for `-`. */
  key: string;
  /** Slurm variable: the key in upper case. */
  env: string;
  type: 'string' | 'number' | 'boolean';
  /** Repeatable (`--ntp-server a --ntp-server b`). */
  array: boolean;
  choices: readonly string[] | null;
  /** The CLI's default, as declared. */
  default: unknown;
}

export type RoleOptions = Record<ProcessRole, OptionSpec[]>;

/**
 * Flags the deploy and the Slurm template set themselves for every process (identity, addresses,
 * sources, NTP servers, directories, the run key), and yargs' own.
 */
export const OWNED: Record<ProcessRole, readonly string[]> = {
  worker: [
    'help',
    'version',
    'config',
    'run-id',
    'node',
    'bind',
    'port',
    'sources',
    'ntp-server',
    'results-dir',
    'logs-dir',
    'key-file',
    'insecure',
  ],
  coordinator: [
    'help',
    'version',
    'config',
    'run-id',
    'workers',
    'sources',
    'ntp-server',
    'results-dir',
    'logs-dir',
    'key-file',
    'insecure',
  ],
};

interface YargsOptions {
  key: Record<string, unknown>;
  string: string[];
  number: string[];
  boolean: string[];
  array: string[];
  choices: Record<string, readonly string[]>;
  default: Record<string, unknown>;
}
interface CommandHandler {
  builder: (y: Argv) => unknown;
}

type Handlers = Record<string, CommandHandler>;

/**
 * The CLI's command builders (yargs' command registry). Read before the CLI parses: once inside a
 * command, yargs keeps only that command's.
 */
function handlersOf(cli: unknown): Handlers {
  const h = (cli as { getInternalMethods(): { getCommandInstance(): { getCommandHandlers(): Handlers } } })
    .getInternalMethods()
    .getCommandInstance()
    .getCommandHandlers();
  return { ...h };
}

/** A fresh yargs instance with a command's options declared on it. */
function commandYargs(handlers: Handlers, command: ProcessRole, argv: string[] = []): Argv {
  const h = handlers[command];
  if (!h || typeof h.builder !== 'function') throw new Error(`internal: the CLI has no "${command}" command to read options from`);
  // fail(false): a bad value is thrown to the caller, which names it, without yargs printing the help
  const y = yargs(argv).exitProcess(false).strict().help(false).version(false).fail(false);
  h.builder(y);
  return y;
}

function specsOf(handlers: Handlers): RoleOptions {
  const one = (role: ProcessRole): OptionSpec[] => {
    const o = (commandYargs(handlers, role) as unknown as { getOptions(): YargsOptions }).getOptions();
    return Object.keys(o.key)
      .filter((f) => !OWNED[role].includes(f))
      .map((flag) => ({
        flag,
        key: flag.replace(/-/g, '_'),
        env: flag.replace(/-/g, '_').toUpperCase(),
        type: o.boolean.includes(flag) ? 'boolean' : o.number.includes(flag) ? 'number' : 'string',
        array: o.array.includes(flag),
        choices: o.choices[flag] ?? null,
        default: o.default[flag],
      }));
  };
  return { worker: one('worker'), coordinator: one('coordinator') };
}

let loaded: { handlers: Handlers; specs: RoleOptions | null } | null = null;

/** Called by the CLI before it parses (a copy of references: cheap), so that a running `chronoeval deploy` can read them. */
export function captureCliCommands(cli: unknown): void {
  loaded = { handlers: handlersOf(cli), specs: null };
}

/**
 * The worker's and coordinator's option declarations: from `cli` if given, else as captured by
 * the running CLI, else from importing the CLI module (which then does not parse).
 */
export async function loadRoleOptions(cli?: unknown): Promise<RoleOptions> {
  if (cli !== undefined) captureCliCommands(cli);
  if (!loaded) captureCliCommands(((await import('../cli.js')) as { cli: unknown }).cli);
  return roleOptions();
}

export function roleOptions(): RoleOptions {
  if (!loaded) throw new Error('internal: the CLI option declarations are not loaded (call loadRoleOptions first)');
  return (loaded.specs ??= specsOf(loaded.handlers));
}

/** Inventory keys / Slurm variables any process accepts: worker's, then coordinator's. */
export function allSpecs(specs: RoleOptions = roleOptions()): OptionSpec[] {
  const seen = new Set<string>();
  return [...specs.worker, ...specs.coordinator].filter((s) => !seen.has(s.key) && seen.add(s.key));
}

/**
 * One value from an inventory (YAML/JSON) → command-line words, or a problem text.
 * Strings take a string, a number, a list (joined with ",") or a mapping (as JSON text).
 */
export function optionArgv(spec: OptionSpec, v: unknown): string[] | { problem: string } {
  const bad = (what: string) => ({ problem: `must be ${what}, got ${JSON.stringify(v)}` });
  const scalar = (x: unknown) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x));
  if (spec.type === 'boolean') return typeof v === 'boolean' ? [v ? `--${spec.flag}` : `--no-${spec.flag}`] : bad('true or false');
  if (spec.type === 'number') {
    if (typeof v !== 'number' || !Number.isFinite(v)) return bad('a number');
    return [`--${spec.flag}`, String(v)];
  }
  if (spec.array) {
    const list = Array.isArray(v) ? v : [v];
    if (!list.every(scalar)) return bad('a string or a list of strings');
    return list.flatMap((x) => [`--${spec.flag}`, String(x)]);
  }
  let text: string;
  if (scalar(v)) text = String(v);
  else if (Array.isArray(v) && v.every(scalar)) text = v.join(',');
  else if (typeof v === 'object' && v !== null && !Array.isArray(v)) text = JSON.stringify(v);
  else return bad('a string, a number, a list or a mapping');
  if (spec.choices && !spec.choices.includes(text)) return bad(`one of ${spec.choices.join(', ')}`);
  if (/[\0\n\r]/.test(text)) return bad('one line of text');
  return [`--${spec.flag}`, text];
}

/** Seconds of the longest re-estimation delay a worker with these words runs (its CLI default if unset). */
export function longestCommitWaitS(words: readonly string[], specs: RoleOptions = roleOptions()): number {
  const i = words.lastIndexOf('--commit-wait-s');
  const def = specs.worker.find((s) => s.flag === 'commit-wait-s')?.default;
  const text = i >= 0 ? (words[i + 1] ?? '') : typeof def === 'string' ? def : '';
  const nums = text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map(Number);
  return nums.length && nums.every((n) => Number.isFinite(n)) ? Math.max(0, ...nums) : 0;
}

/** The coordinator's wait for byes when none is given: the longest re-estimation plus slack (as run-local). */
export const END_SLACK_S = 30;

/**
 * The checks the CLI itself makes on a worker's or coordinator's options, run here before any
 * host is touched. `words` are the option words only; the flags the deploy sets itself get
 * harmless stand-ins. Returns each invalid field with what was given and what is allowed.
 */
export function checkRoleArgv(role: ProcessRole, words: readonly string[]): FieldError[] {
  if (!loaded) throw new Error('internal: CLI option declarations not loaded');
  const tmp = os.tmpdir();
  const owned =
    role === 'worker'
      ? ['--node', 'check', '--sources', 'system', '--insecure']
      : ['--workers', '127.0.0.1:9', '--sources', 'system', '--insecure'];
  let parsed: Record<string, unknown>;
  try {
    parsed = commandYargs(loaded.handlers, role, [...owned, ...words, '--results-dir', tmp, '--logs-dir', tmp]).parseSync() as Record<
      string,
      unknown
    >;
  } catch (e) {
    // The CLI's flag parsers say `--flag: …`: name that flag, so the inventory key is named too.
    const msg = (e as Error).message;
    const flag = /^--([a-z0-9-]+): /.exec(msg)?.[1];
    return [{ field: flag ?? role, value: words.join(' '), allowed: msg, message: msg }];
  }
  const errors: FieldError[] = [];
  try {
    if (role === 'worker') validateWorkerOptions(parsed, KNOWN_SOURCES);
    else validateCoordinatorOptions(parsed, KNOWN_SOURCES);
  } catch (e) {
    if (e instanceof ConfigError) errors.push(...e.errors);
    else throw e;
  }
  // Checks the commands make after validation: per-source options and re-estimation delays.
  const so = parsed['source-options'];
  if (typeof so === 'string' && so.trim().startsWith('{')) {
    try {
      parseSourceOptions(so, undefined);
    } catch (e) {
      errors.push(field('source-options', so, (e as Error).message));
    }
  }
  const url = parsed['chronotick-url'];
  if (typeof url === 'string') {
    try {
      parseSourceOptions(undefined, url);
    } catch (e) {
      errors.push(field('chronotick-url', url, (e as Error).message));
    }
  }
  const cw = parsed['commit-wait-s'];
  if (
    typeof cw === 'string' &&
    cw
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)
      .some((x) => !(Number(x) > 0 && Number.isFinite(Number(x))))
  ) {
    errors.push(field('commit-wait-s', cw, 'must be comma-separated delays in seconds, each > 0 (or "" for none)'));
  }
  return errors.filter((e) => !OWNED[role].includes(e.field) || e.field === 'config');
}

function field(f: string, value: unknown, allowed: string): FieldError {
  return { field: f, value, allowed, message: `--${f} ${JSON.stringify(value)}: ${allowed}` };
}
