// The tidy export's tables (docs/csv-schema.md, "Tidy exports"): export/readings.*, export/echo.*
// and export/summary.* under a run directory, written by `analyze --export`. One column list per
// table, used by the writers and by the tests that read the files back.

/** A column of an exported table: int64 cells are exact integers (ns never pass through a double). */
export interface ExportColumn {
  name: string;
  kind: 'string' | 'int64' | 'float64';
  /** An empty cell means null (never 0); a non-nullable column always has a value. */
  nullable: boolean;
}

const str = (name: string): ExportColumn => ({ name, kind: 'string', nullable: false });
const int = (name: string, nullable = true): ExportColumn => ({ name, kind: 'int64', nullable });

/** The folder inside a run directory and its files (one name, two formats). */
export const EXPORT_LAYOUT = { dir: 'export', readings: 'readings', echo: 'echo', summary: 'summary' } as const;

/** The node name of the coordinator's rows (workers' names come from workers/<node>.csv). */
export const COORDINATOR_NODE = 'coordinator';

/** One row per (event, place, source): the coordinator's send stamps and each worker's receive stamps. */
export const READING_COLUMNS: readonly ExportColumn[] = [
  str('run_id'),
  int('event_id', false),
  int('seq', false),
  str('role'),
  str('node'),
  int('local_ns'),
  str('source'),
  int('point_ns'),
  int('lo_ns'),
  int('hi_ns'),
  str('status'),
  int('true_ns'),
];

/** One row per accepted echo: s, r, h, e, the truth at e and the kernel's send stamp (echo/<node>.csv without the sources read at e). */
export const ECHO_EXPORT_COLUMNS: readonly ExportColumn[] = [
  str('run_id'),
  str('node'),
  int('event_id', false),
  int('seq', false),
  int('send_local_ns'),
  int('recv_local_ns'),
  int('held_ns'),
  int('echo_recv_local_ns'),
  int('true_echo_recv_ns'),
  int('send_kernel_ns'),
  int('held_kernel_ns'),
];

/** One row per source × metric × worker-or-pooled ('' = all workers pooled) of stats.json's headline. */
export const SUMMARY_COLUMNS: readonly ExportColumn[] = [
  str('run_id'),
  str('source'),
  str('metric'),
  str('node'),
  int('count'),
  int('total'),
  { name: 'value', kind: 'float64', nullable: true },
  str('unit'),
];
