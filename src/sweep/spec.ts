// The sweep file (docs/experiments.md): parsed and checked whole before anything runs. Every
// problem is listed (with the value typed and what to do), each combination's scenario is
// resolved and validated by the scenario loader itself, so a dotted path that is no scenario
// field is refused with the scenario schema's own message.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { isPlainObject } from '../files/json-shape.js';
import { loadScenario, resolveScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import { UsageError } from '../validate/index.js';
import { combinations, setDotted, type Combination } from './matrix.js';

/** run-local flags a sweep may set (in `options` or `matrix`); every other key is a scenario field. */
export const RUN_FLAGS = ['figures', 'reference', 'figure_size', 'titles'] as const;
type RunFlag = (typeof RUN_FLAGS)[number];

const TOP_KEYS = ['scenario', 'seeds', 'matrix', 'options'] as const;
const MAX_SEEDS = 10_000;
const MAX_CELLS = 10_000;

/** A combination ready to run: its resolved scenario and run-local flags. */
export interface PlannedCombination extends Combination {
  scenario: Scenario;
  flags: Partial<Record<RunFlag, unknown>>;
}

export interface SweepPlan {
  /** The sweep file, absolute. */
  file: string;
  /** The parsed file (kept in sweep.json; a resume must match it). */
  spec: unknown;
  specSha256: string;
  /** `scenario:` as written. */
  scenarioArg: string;
  seeds: number[];
  parameters: string[];
  combos: PlannedCombination[];
}

const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 60) + '…' : s;
};

/** Canonical JSON (sorted keys) for the spec hash: key order in YAML does not change it. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isPlainObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

export function specSha256(spec: unknown): string {
  return createHash('sha256').update(canonical(spec)).digest('hex');
}

function parseSeeds(v: unknown, problems: string[]): number[] {
  const what = 'write seeds: [1, 2, 3] or seeds: {from: 1, count: 3} (whole numbers ≥ 0)';
  if (v === undefined) {
    problems.push(`seeds: missing; ${what}`);
    return [];
  }
  let seeds: unknown[];
  if (Array.isArray(v)) seeds = v;
  else if (isPlainObject(v) && Object.keys(v).every((k) => k === 'from' || k === 'count')) {
    const { from, count } = v;
    if (
      !Number.isSafeInteger(from) ||
      (from as number) < 0 ||
      !Number.isSafeInteger(count) ||
      (count as number) < 1 ||
      (count as number) > MAX_SEEDS
    ) {
      problems.push(`seeds: ${show(v)}: from must be a whole number ≥ 0 and count one from 1 to ${MAX_SEEDS}; ${what}`);
      return [];
    }
    seeds = Array.from({ length: count as number }, (_, i) => (from as number) + i);
  } else {
    problems.push(`seeds: ${show(v)} is neither a list nor {from, count}; ${what}`);
    return [];
  }
  if (seeds.length === 0) problems.push(`seeds: the list is empty; ${what}`);
  const bad = seeds.filter((s) => !Number.isSafeInteger(s) || (s as number) < 0 || (s as number) > 2 ** 32 - 1);
  if (bad.length) problems.push(`seeds: ${bad.map(show).join(', ')} ${bad.length === 1 ? 'is not a seed' : 'are not seeds'}; ${what}`);
  const dup = seeds.filter((s, i) => seeds.indexOf(s) !== i);
  if (dup.length) problems.push(`seeds: ${[...new Set(dup)].map(show).join(', ')} listed twice; list each seed once`);
  return bad.length || dup.length ? [] : (seeds as number[]);
}

const KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)*$/;

function checkKey(key: string, where: string, problems: string[]): boolean {
  if (!KEY_RE.test(key)) {
    problems.push(`${where}.${key}: not a field name; write a scenario field as a dotted path, e.g. servers.main.faults.request_delay`);
    return false;
  }
  if (key === 'seed') {
    problems.push(`${where}.seed: seeds are swept with the top-level "seeds:" list; move it there`);
    return false;
  }
  if (key === 'extends' || key === 'name') {
    problems.push(`${where}.${key}: a sweep cannot change the scenario's ${key}; name the scenario with "scenario:"`);
    return false;
  }
  return true;
}

/** The scenario argument resolved against the sweep file's folder when it is a path. */
function scenarioRef(arg: string, specDir: string): string {
  return /[/\\]/.test(arg) || arg.endsWith('.json') ? path.resolve(specDir, arg) : arg;
}

/** Parse and check a sweep file's text; throws a UsageError listing every problem. */
export function planSweep(file: string, text: string): SweepPlan {
  const abs = path.resolve(file);
  const problems: string[] = [];
  let spec: unknown;
  try {
    spec = YAML.parse(text);
  } catch (e) {
    throw new UsageError(`sweep file ${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}; fix the line it names`);
  }
  if (!isPlainObject(spec))
    throw new UsageError(`sweep file ${file}: must be a YAML mapping with scenario:, seeds:, matrix: (see docs/experiments.md)`);
  for (const k of Object.keys(spec))
    if (!(TOP_KEYS as readonly string[]).includes(k))
      problems.push(`${k}: unknown key (allowed: ${TOP_KEYS.join(', ')}); remove or rename it`);

  const scenarioArg = spec['scenario'];
  let base: Scenario | null = null;
  if (typeof scenarioArg !== 'string' || scenarioArg === '')
    problems.push(`scenario: ${show(scenarioArg)}; name a built-in scenario (e.g. lan) or a scenario file`);
  else {
    try {
      base = loadScenario(scenarioRef(scenarioArg, path.dirname(abs))).scenario;
    } catch (e) {
      problems.push(`scenario: ${(e as Error).message}`);
    }
  }
  const seeds = parseSeeds(spec['seeds'], problems);

  const matrix: [string, unknown[]][] = [];
  const rawMatrix = spec['matrix'] ?? {};
  if (!isPlainObject(rawMatrix)) problems.push(`matrix: ${show(rawMatrix)}; write one "field: [values]" line per swept parameter`);
  else
    for (const [k, v] of Object.entries(rawMatrix)) {
      if (!checkKey(k, 'matrix', problems)) continue;
      if (!Array.isArray(v)) problems.push(`matrix.${k}: ${show(v)} is not a list; write [${show(v)}] or move it to options`);
      else if (v.length === 0) problems.push(`matrix.${k}: the list is empty; give at least one value`);
      else if (new Set(v.map((x) => JSON.stringify(x))).size !== v.length)
        problems.push(`matrix.${k}: ${show(v)} lists a value twice; list each once`);
      else matrix.push([k, v]);
    }
  const options = spec['options'] ?? {};
  const fixed: [string, unknown][] = [];
  if (!isPlainObject(options)) problems.push(`options: ${show(options)}; write "field: value" lines (fixed for every cell)`);
  else
    for (const [k, v] of Object.entries(options)) {
      if (!checkKey(k, 'options', problems)) continue;
      if (matrix.some(([m]) => m === k)) problems.push(`options.${k}: also swept in matrix; keep it in one of them`);
      else fixed.push([k, v]);
    }
  // "a" and "a.b" both set: one would silently overwrite the other.
  const keys = [...matrix.map(([k]) => k), ...fixed.map(([k]) => k)];
  for (const a of keys)
    for (const b of keys) if (b.startsWith(a + '.')) problems.push(`${b}: inside ${a}, which is also set; set one of them`);
  for (const [k, v] of [...fixed, ...matrix.flatMap(([k, vs]) => vs.map((x): [string, unknown] => [k, x]))]) {
    if (k === 'figures' && typeof v !== 'boolean') problems.push(`figures: ${show(v)}; write true or false`);
    if (k === 'reference' && typeof v !== 'string') problems.push(`reference: ${show(v)}; write a source name, e.g. bounded, or system`);
    if (k === 'figure_size' && v !== 'single' && v !== 'double')
      problems.push(`figure_size: ${show(v)}; write single (3.5 in) or double (7.16 in)`);
    if (k === 'titles' && typeof v !== 'boolean') problems.push(`titles: ${show(v)}; write true or false`);
  }

  const combos0 = combinations(matrix);
  if (combos0.length * Math.max(1, seeds.length) > MAX_CELLS)
    problems.push(`the sweep has ${combos0.length * seeds.length} cells (more than ${MAX_CELLS}); sweep fewer values or seeds`);
  const combos: PlannedCombination[] = [];
  if (base) {
    const { extends: _e, ...baseLayer } = base;
    const byMessage = new Map<string, string[]>();
    for (const c of combos0) {
      const layer: Record<string, unknown> = {};
      const flags: PlannedCombination['flags'] = {};
      for (const [k, v] of [...fixed, ...Object.entries(c.values)]) {
        if ((RUN_FLAGS as readonly string[]).includes(k)) flags[k as RunFlag] = v;
        else setDotted(layer, k, v);
      }
      try {
        const scenario = resolveScenario([baseLayer as unknown as Record<string, unknown>, layer], {}, 'scenario');
        if (typeof flags.reference === 'string' && flags.reference !== 'system' && !scenario.sources.includes(flags.reference))
          throw new Error(
            `reference ${show(flags.reference)} is not among the cell's sources (${scenario.sources.join(', ')}); name one of them or system`,
          );
        combos.push({ ...c, scenario, flags });
      } catch (e) {
        const msg = (e as Error).message;
        const label = `${c.cell} (${
          Object.entries(c.values)
            .map(([k, v]) => `${k}=${show(v)}`)
            .join(', ') || 'no swept parameters'
        })`;
        byMessage.set(msg, [...(byMessage.get(msg) ?? []), label]);
      }
    }
    for (const [msg, cells] of byMessage) {
      const lines = msg.split('\n').map((l) => l.trim());
      const found = /^scenario: \d+ problems:$/.test(lines[0]!)
        ? lines.slice(1)
        : [lines[0]!.replace(/^scenario: /, ''), ...lines.slice(1)];
      problems.push(
        `${cells.length === 1 ? `cell ${cells[0]}` : `cells ${cells.join('; ')}`}: its scenario is invalid; fix the value in the sweep file (scenario fields: docs/scenarios.md):${found.map((l) => `\n      ${l}`).join('')}`,
      );
    }
  }
  if (problems.length > 0)
    throw new UsageError(
      `sweep file ${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}, nothing was run:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  return {
    file: abs,
    spec,
    specSha256: specSha256(spec),
    scenarioArg: scenarioArg as string,
    seeds,
    parameters: matrix.map(([k]) => k),
    combos,
  };
}

/** Read and plan a sweep file. */
export function loadSweepFile(file: string): SweepPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(
      `sweep file ${JSON.stringify(file)}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give the path of a YAML sweep file`,
    );
  }
  return planSweep(file, text);
}
