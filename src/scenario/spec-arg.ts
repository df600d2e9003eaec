import { existsSync, readFileSync, statSync } from 'node:fs';
import { validateClockFaultSpec, type ClockFaultSpec } from '../sim/clock-faults.js';
import { validateNtpFaultSpec, type NtpFaultSpec } from '../sim/ntp-faults.js';
import { validateEventPathFaultSpec, type EventPathFaultSpec } from '../sim/event-faults.js';
import { SpecError } from '../validate/index.js';

export interface SpecSchemas {
  'clock-faults': ClockFaultSpec;
  faults: NtpFaultSpec;
  'event-faults': EventPathFaultSpec;
}
export type SpecSchemaName = keyof SpecSchemas;

const VALIDATORS: { [K in SpecSchemaName]: (v: unknown, field: string) => SpecSchemas[K] } = {
  'clock-faults': validateClockFaultSpec,
  faults: validateNtpFaultSpec,
  'event-faults': validateEventPathFaultSpec,
};

/**
 * Parse the value of --clock-faults / --faults / --event-faults: inline JSON (starts with "{")
 * or a path to a JSON file. Throws an Error whose message names the flag, the file if any, and
 * the field, e.g. `--clock-faults: steps[0].at_s: must be a number ≥ 0, got "x"`.
 */
export function parseSpecArg<K extends SpecSchemaName>(value: string, schemaName: K): SpecSchemas[K] {
  const flag = `--${schemaName}`;
  if (!(schemaName in VALIDATORS)) throw new Error(`unknown spec schema "${schemaName}" (have: ${Object.keys(VALIDATORS).join(', ')})`);
  if (typeof value !== 'string' || value.trim() === '')
    throw new Error(`${flag}: expected inline JSON or a JSON file path, got an empty value`);
  const text = value.trim();
  let raw: unknown;
  let where = flag;
  if (text.startsWith('{')) {
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new Error(`${flag}: not valid JSON (${(e as Error).message}); pass inline JSON such as '{"offset_ms":5}' or a file path`, {
        cause: e,
      });
    }
  } else {
    if (!existsSync(text) || !statSync(text).isFile()) {
      throw new Error(`${flag}: "${text}" is neither inline JSON (starting with "{") nor an existing file`);
    }
    where = `${flag} ${text}`;
    try {
      raw = JSON.parse(readFileSync(text, 'utf8'));
    } catch (e) {
      throw new Error(`${where}: not valid JSON (${(e as Error).message})`, { cause: e });
    }
  }
  try {
    return VALIDATORS[schemaName](raw, '') as SpecSchemas[K];
  } catch (e) {
    if (e instanceof SpecError) throw new Error(`${where}: ${e.field ? `${e.field}: ` : ''}${e.problem}`, { cause: e });
    throw e;
  }
}
