// What a figure module provides: a builder from data to a vega-lite spec, or a reason to skip.
import type { TopLevelSpec } from 'vega-lite';
import type { Stats } from '../stats/types.js';
import type { CausalityData, SyncData } from './inputs.js';
import type { BracketSeries, HealthSeries } from '../stats/figures-data.js';

export interface FigureContext {
  stats: Stats;
  /** From figures-data.json (or, for older runs, stats.json's sample); null when neither has pairs. */
  causality: CausalityData | null;
  /** From figures-data.json (the binned sync log); null when the run has none. */
  sync: SyncData | null;
  /** From figures-data.json: the echo brackets' binned error (null: absent or no echo rows). */
  brackets?: BracketSeries[] | null;
  /** From figures-data.json: reading statuses over time per place and source (null: absent). */
  health?: HealthSeries[] | null;
  /** Why figures-data.json could not be used (absent, from another pass); null when it was. */
  figuresDataMissing?: string | null;
}

export type FigureBuild =
  { spec: TopLevelSpec; /** Facts for the caption, e.g. how the data was thinned. */ notes: string[] } | { skip: string };

export interface FigureDef {
  /** File stem: figures/<name>.png and .svg. */
  name: string;
  title: string;
  /** One or two sentences: how to read the figure (shown under it in the report). */
  howToRead: string;
  build(ctx: FigureContext): FigureBuild;
}

/** vega-lite's spec type is very strict about unions; specs here are built as plain objects. */
export function asSpec(o: Record<string, unknown>): TopLevelSpec {
  return o as unknown as TopLevelSpec;
}
