// Everything the CLI and run-local need from scenarios and simulated faults.
export type { Scenario, CheckSpec } from './types.js';
export { loadScenario, resolveScenario, defaultScenario, builtinScenarioNames, ScenarioError } from './load.js';
export { planScenario, withTruthAnchor, scenarioManifest, expectedRunSeconds, coordinatorSchedule, type LocalRunPlan } from './plan.js';
export { evaluateChecks, checksExitCode, checksVerdictText, formatCheckResults, formatCheckValue } from './checks.js';
export { parseStatsPath, selectStats, parseThreshold } from './stats-path.js';
export { repeatOverSeeds } from './repeat.js';
export { ntpServerArgs, workerArgs, coordinatorArgs } from './process-args.js';
export { parseSpecArg } from './spec-arg.js';

// Fault models, for the processes that apply them.
export { measureTruthAnchor } from '../sim/faulty-clock.js';
