import type { Scenario } from './types.js';
import { DEFAULT_SCHEDULE } from '../coordinator/schedule.js';

/**
 * Every field a scenario file may leave out. A file overrides these (objects merge key by key,
 * arrays and scalars replace), then the CLI's flags override the file.
 */
export const SCENARIO_DEFAULTS: Omit<Scenario, 'name'> = {
  description: '',
  seed: 1,
  expected_verdict: 'pass',
  workers: 3,
  rate: 50,
  duration_s: 20,
  count: null,
  pattern: null,
  schedule: DEFAULT_SCHEDULE,
  sources: ['system', 'ntp', 'bounded'],
  poll_ms: 1000,
  warmup_max_s: 15,
  commit_wait_s: [1, 3],
  servers: { main: { faults: {}, clock_faults: {} } },
  coordinator: { clock_faults: {}, ntp_servers: ['main'] },
  worker_defaults: { clock_faults: {}, ntp_servers: ['main'] },
  per_worker: {},
  event_faults: {},
  checks: [],
  echo: 'on',
  transport: 'unicast',
  source_options: {},
};
