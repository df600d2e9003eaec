// Everything the CLI and run-local need from scenarios and simulated faults.
export type { Scenario, ScenarioOverrides, ServerSpec, WorkerSpec, CheckSpec, CheckOp } from './types.js';
export { SCENARIO_DEFAULTS } from './defaults.js';
export {
  loadScenario,
  resolveScenario,
  defaultScenario,
  builtinScenarioNames,
  resolveScenarioFile,
  ScenarioError,
  type LoadedScenario,
} from './load.js';
export { validateScenario, validateCheck } from './validate.js';
export {
  planScenario,
  withTruthAnchor,
  scenarioManifest,
  expectedRunSeconds,
  nodeName,
  coordinatorSchedule,
  type LocalRunPlan,
  type ServerPlan,
  type WorkerPlan,
  type CoordinatorPlan,
} from './plan.js';
export {
  evaluateChecks,
  evaluateCheck,
  checksExitCode,
  formatCheckResults,
  formatCheckValue,
  type CheckResult,
  type Verdict,
} from './checks.js';
export { parseStatsPath, selectStats, parseThreshold } from './stats-path.js';
export { repeatOverSeeds, type RepeatOptions, type RepeatReport, type RepeatRun, type RepeatCheckSummary } from './repeat.js';
export { ntpServerArgs, workerArgs, coordinatorArgs, type ServerAddresses } from './process-args.js';
export { parseSpecArg, type SpecSchemaName, type SpecSchemas } from './spec-arg.js';

// Fault models, for the processes that apply them.
export {
  FaultyClock,
  AnchoredTrueClock,
  measureTruthAnchor,
  type RealisedClockFaults,
  type FaultyClockOptions,
} from '../sim/faulty-clock.js';
export { validateClockFaultSpec, isPerfectClock, type ClockFaultSpec, type TruthAnchor } from '../sim/clock-faults.js';
export { NtpFaultBehaviour, validateNtpFaultSpec, type NtpFaultSpec, type RealisedNtpFaults } from '../sim/ntp-faults.js';
export {
  eventPathFaults,
  validateEventPathFaultSpec,
  EventFaultTally,
  type EventPathFaultSpec,
  type EventPathFaults,
  type EventFaultDecision,
} from '../sim/event-faults.js';
export { SpecError } from '../validate/index.js';
