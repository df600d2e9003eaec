#!/usr/bin/env node
// The Slurm template's options: every worker / coordinator option is an environment variable
// named after its flag (--commit-wait-s → COMMIT_WAIT_S). Prints the words for one role, NUL
// separated, after the CLI's own checks; exit 2 with every problem named otherwise.
//   node dist/src/deploy/slurm-args.js worker|coordinator
import {
  checkRoleArgv,
  END_SLACK_S,
  longestCommitWaitS,
  loadRoleOptions,
  type OptionSpec,
  type ProcessRole,
  type RoleOptions,
} from './role-options.js';
import { isMainModule } from '../cli/main-module.js';

/** One environment value → command-line words, or a problem text. */
export function envWords(spec: OptionSpec, text: string): string[] | { problem: string } {
  if (spec.type === 'boolean') {
    if (/^(1|true|yes)$/i.test(text)) return [`--${spec.flag}`];
    if (/^(0|false|no)$/i.test(text)) return [`--no-${spec.flag}`];
    return { problem: 'must be 1 or 0 (true or false)' };
  }
  if (spec.type === 'number') {
    const n = text.trim() === '' ? NaN : Number(text);
    return Number.isFinite(n) ? [`--${spec.flag}`, String(n)] : { problem: 'must be a number' };
  }
  if (spec.choices && !spec.choices.includes(text)) return { problem: `must be one of ${spec.choices.join(', ')}` };
  if (spec.array)
    return text
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)
      .flatMap((x) => [`--${spec.flag}`, x]);
  return [`--${spec.flag}`, text];
}

/** Words for `role` from `env`; the coordinator's end timeout follows the workers' re-estimations. */
export function slurmRoleArgs(role: ProcessRole, env: NodeJS.ProcessEnv, specs: RoleOptions): { words: string[]; problems: string[] } {
  const problems: string[] = [];
  const of = (r: ProcessRole): string[] => {
    const words: string[] = [];
    for (const spec of specs[r]) {
      const v = env[spec.env];
      if (v === undefined) continue;
      const w = envWords(spec, v);
      if ('problem' in w) problems.push(`${spec.env}=${JSON.stringify(v)}: ${w.problem} (for --${spec.flag})`);
      else words.push(...w);
    }
    return words;
  };
  const words = of(role);
  if (role === 'coordinator' && !words.includes('--end-timeout-s')) {
    words.push('--end-timeout-s', String(longestCommitWaitS(of('worker'), specs) + END_SLACK_S));
  }
  if (problems.length === 0) {
    for (const e of checkRoleArgv(role, words)) {
      const spec = specs[role].find((s) => s.flag === e.field);
      problems.push(spec ? `${spec.env}: ${e.message}` : e.message);
    }
  }
  return { words, problems };
}

if (isMainModule(import.meta.url)) {
  const role = process.argv[2];
  if (role !== 'worker' && role !== 'coordinator') {
    process.stderr.write(`usage: slurm-args.js worker|coordinator (got ${JSON.stringify(role ?? '')})\n`);
    process.exit(2);
  }
  const specs = await loadRoleOptions();
  const { words, problems } = slurmRoleArgs(role, process.env, specs);
  if (problems.length) {
    process.stderr.write(`chronoeval.sbatch: invalid ${role} settings:\n  ${problems.join('\n  ')}\n`);
    process.exit(2);
  }
  process.stdout.write(words.map((w) => `${w}\0`).join(''));
}
