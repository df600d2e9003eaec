// The validation kit's core: one problem per invalid field (named, its value echoed, what to do),
// collected so that every problem is reported at once, not just the first.
import { EXIT } from '../cli/exit-codes.js';

/** One invalid field. `message` is the whole line shown to the user. */
export interface FieldProblem {
  field: string;
  value: unknown;
  allowed: string;
  message: string;
}

/** Bad input from the user: the CLI exits with EXIT.usage (2). */
export class UsageError extends Error {
  readonly exitCode: number = EXIT.usage;
}

/** Every problem found in one input (flags, a spec, an inventory). */
export class ValidationError extends UsageError {
  constructor(
    readonly problems: FieldProblem[],
    message = defaultMessage(problems),
  ) {
    super(message);
  }

  /** The problems' lines, in the order found. */
  get messages(): string[] {
    return this.problems.map((p) => p.message);
  }
}

function defaultMessage(problems: FieldProblem[]): string {
  return problems.length === 1 ? problems[0]!.message : `${problems.length} problems:\n  ${problems.map((p) => p.message).join('\n  ')}`;
}

/**
 * One problem, thrown by the expect* checks of JSON specs (a field's nested checks cannot go on
 * without its value). `Problems.attempt` turns it back into one collected problem.
 */
export class SpecError extends UsageError {
  readonly field: string;
  constructor(
    field: string,
    readonly problem: string,
    readonly value?: unknown,
  ) {
    // Checks called with an empty prefix build fields such as ".offset_ms": drop the dot.
    const f = field.replace(/^\./, '');
    super(f ? `${f}: ${problem}` : problem);
    this.field = f;
    this.name = 'SpecError';
  }
}

/** A user's value, printed back without control characters or floods. */
export function showValue(v: unknown, max = 80): string {
  let s: string;
  try {
    s = typeof v === 'number' ? String(v) : v === undefined ? '(missing)' : (JSON.stringify(v) ?? String(v as string));
  } catch {
    s = typeof v;
  }
  s = s.replace(/[^\x20-\x7e]/g, '?');
  return s.length > max ? s.slice(0, max - 3) + '...' : s;
}

/** How a problem reads: "field: what to do" unless a kind of input says otherwise. */
export type ProblemFormat = (field: string, value: unknown, allowed: string) => string;

const fieldFirst: ProblemFormat = (field, _value, allowed) => (field ? `${field}: ${allowed}` : allowed);

/** Collects problems; each check returns the normalised value, or undefined when it failed. */
export class Problems {
  readonly found: FieldProblem[] = [];
  constructor(private readonly format: ProblemFormat = fieldFirst) {}

  fail(field: string, value: unknown, allowed: string): undefined {
    this.found.push({ field, value, allowed, message: this.format(field, value, allowed) });
    return undefined;
  }

  /** Run a check that throws on its first problem (the expect* helpers); record it and go on. */
  attempt<T>(check: () => T): T | undefined {
    try {
      return check();
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      this.found.push({ field: e.field, value: e.value, allowed: e.problem, message: e.message });
      return undefined;
    }
  }

  /** Adopt problems found by another collector (or a ValidationError), keeping their wording. */
  adopt(problems: readonly FieldProblem[]): void {
    this.found.push(...problems);
  }

  get ok(): boolean {
    return this.found.length === 0;
  }

  /** Throw every problem at once, if any; `make` chooses the error (and its header). */
  throwIfAny(make: (problems: FieldProblem[]) => Error = (p) => new ValidationError(p)): void {
    if (this.found.length) throw make(this.found);
  }
}
