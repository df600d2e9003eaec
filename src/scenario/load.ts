import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { SCENARIO_DIR } from '../files/paths.js';
import { isPlainObject, SpecError, UsageError, ValidationError } from '../validate/index.js';
import { workerKeyIndex } from '../sim/event-faults.js';
import { SCENARIO_DEFAULTS } from './defaults.js';
import { validateScenario } from './validate.js';
import type { Scenario, ScenarioOverrides } from './types.js';

/** A scenario that could not be loaded: says which file and which field, and what to do. */
export class ScenarioError extends UsageError {
  constructor(
    message: string,
    readonly file: string | null,
    readonly field: string | null,
  ) {
    super(message);
    this.name = 'ScenarioError';
  }
}

export interface LoadedScenario {
  scenario: Scenario;
  /** Absolute path of the file read, or null for a scenario built from an object. */
  file: string | null;
  /** Files merged, base first (from `extends`). */
  chain: string[];
}

/** Names of the built-in scenarios (scenarios/*.json), sorted. */
export function builtinScenarioNames(dir = SCENARIO_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** A built-in name ("lan") or a path to a JSON file. */
export function resolveScenarioFile(nameOrFile: string, dir = SCENARIO_DIR): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(nameOrFile) && !nameOrFile.endsWith('.json')) {
    const builtin = path.join(dir, `${nameOrFile}.json`);
    if (existsSync(builtin)) return builtin;
  }
  const p = path.resolve(nameOrFile);
  if (existsSync(p) && statSync(p).isFile()) return p;
  throw new ScenarioError(
    `no scenario "${nameOrFile}": not a built-in (${builtinScenarioNames(dir).join(', ') || 'none found'}) and not a file`,
    null,
    null,
  );
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioError(`cannot read scenario file ${file}: ${(e as Error).message}`, file, null);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(`scenario file ${file} is not valid JSON: ${(e as Error).message}`, file, null);
  }
}

/** Objects merge key by key (recursively); arrays, scalars and null replace. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : v;
  return out;
}

/** Merge one layer; a layer that sets duration_s clears count and vice versa. */
function applyLayer(base: Record<string, unknown>, layer: Record<string, unknown>): Record<string, unknown> {
  const merged = deepMerge(base, layer) as Record<string, unknown>;
  if (layer.duration_s !== undefined && layer.duration_s !== null && layer.count === undefined) merged.count = null;
  if (layer.count !== undefined && layer.count !== null && layer.duration_s === undefined) merged.duration_s = null;
  return merged;
}

function overridesLayer(o: ScenarioOverrides): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  for (const k of [
    'seed',
    'workers',
    'rate',
    'schedule',
    'duration_s',
    'count',
    'sources',
    'poll_ms',
    'warmup_max_s',
    'commit_wait_s',
    'echo',
  ] as const) {
    if (o[k] !== undefined) layer[k] = o[k];
  }
  if (o.clock_faults !== undefined) layer.worker_defaults = { clock_faults: o.clock_faults };
  if (o.faults !== undefined) layer.servers = { main: { faults: o.faults } };
  return layer;
}

/**
 * When a later layer lowers `workers` (e.g. `--workers 2` on a 3-worker scenario), per-worker
 * entries from earlier layers for workers that no longer exist are dropped. An entry beyond the
 * count in the same or a later layer stays, and validation reports it (a typo, not a cut).
 */
function dropWorkersCutByLaterLayer(merged: Record<string, unknown>, layers: Record<string, unknown>[]): void {
  let setAt = -1;
  layers.forEach((l, i) => {
    if (l.workers !== undefined) setAt = i;
  });
  if (setAt < 0 || typeof merged.workers !== 'number') return;
  const n = merged.workers;
  const introducedAfterCut = (get: (l: Record<string, unknown>) => unknown, key: string): boolean =>
    layers.slice(setAt).some((l) => {
      const o = get(l);
      return isPlainObject(o) && key in o;
    });
  const prune = (obj: unknown, get: (l: Record<string, unknown>) => unknown): void => {
    if (!isPlainObject(obj)) return;
    for (const key of Object.keys(obj)) {
      const idx = workerKeyIndex(key);
      if (idx !== null && idx >= n && !introducedAfterCut(get, key)) delete obj[key];
    }
  };
  if (isPlainObject(merged.per_worker)) {
    merged.per_worker = { ...merged.per_worker };
    prune(merged.per_worker, (l) => l.per_worker);
  }
  if (isPlainObject(merged.event_faults) && isPlainObject(merged.event_faults.per_worker)) {
    merged.event_faults = { ...merged.event_faults, per_worker: { ...merged.event_faults.per_worker } };
    prune((merged.event_faults as Record<string, unknown>).per_worker, (l) =>
      isPlainObject(l.event_faults) ? l.event_faults.per_worker : undefined,
    );
  }
}

/** The raw layers of a file and the files it extends, base first. */
function fileLayers(file: string, dir: string, seen: string[]): { layers: Record<string, unknown>[]; chain: string[] } {
  if (seen.includes(file)) throw new ScenarioError(`scenario "extends" loop: ${[...seen, file].join(' → ')}`, file, 'extends');
  const raw = readJsonFile(file);
  if (!isPlainObject(raw)) throw new ScenarioError(`scenario file ${file} must hold a JSON object`, file, null);
  if (raw.extends === undefined) return { layers: [raw], chain: [file] };
  if (typeof raw.extends !== 'string') throw new ScenarioError(`${file}: extends: must be a scenario name or file`, file, 'extends');
  const baseFile = resolveScenarioFile(raw.extends, dir);
  const base = fileLayers(baseFile, dir, [...seen, file]);
  const { extends: _ignored, ...own } = raw;
  // The base's name/description/checks are inherited only when this file does not set them.
  return { layers: [...base.layers, own], chain: [...base.chain, file] };
}

/**
 * Resolve layers into a validated scenario: defaults ← layers (in order) ← CLI overrides.
 * `origin` names the source of the layers in error messages.
 */
export function resolveScenario(layers: Record<string, unknown>[], overrides: ScenarioOverrides = {}, origin = 'scenario'): Scenario {
  let merged = { ...SCENARIO_DEFAULTS } as Record<string, unknown>;
  const all = [...layers, overridesLayer(overrides)];
  for (const l of all) merged = applyLayer(merged, l);
  // --event-faults replaces the scenario's event-path faults wholesale.
  if (overrides.event_faults !== undefined) merged.event_faults = overrides.event_faults;
  delete merged.extends;
  dropWorkersCutByLaterLayer(merged, all);
  const ext = layers.length > 1 ? (layers[layers.length - 2]!.name as string | undefined) : undefined;
  try {
    const s = validateScenario(merged);
    if (ext !== undefined) s.extends = ext;
    return s;
  } catch (e) {
    if (e instanceof SpecError) throw new ScenarioError(`${origin}: ${e.message}`, null, e.field);
    if (e instanceof ValidationError) throw new ScenarioError(`${origin}: ${e.message}`, null, e.problems[0]?.field ?? null);
    throw e;
  }
}

/** Load a built-in scenario by name, or a JSON file, with CLI overrides on top. */
export function loadScenario(nameOrFile: string, overrides: ScenarioOverrides = {}, dir = SCENARIO_DIR): LoadedScenario {
  const file = resolveScenarioFile(nameOrFile, dir);
  const { layers, chain } = fileLayers(file, dir, []);
  try {
    return { scenario: resolveScenario(layers, overrides, `scenario ${file}`), file, chain };
  } catch (e) {
    if (e instanceof ScenarioError) throw new ScenarioError(e.message, file, e.field);
    throw e;
  }
}

/**
 * The scenario run-local uses when none is named: defaults plus the CLI's flags (no checks).
 */
export function defaultScenario(overrides: ScenarioOverrides = {}): Scenario {
  return resolveScenario(
    [{ name: 'default', description: 'Defaults of run-local with the command-line flags; perfect simulated clocks.' }],
    overrides,
    'default scenario',
  );
}
