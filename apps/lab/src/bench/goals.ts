import type { ModeName } from '@jwt-blast-radius/keys';
import type { ModeBench } from './figures';

/** What a goal is measured by. */
export type GoalMeasure = 'guarded-vs-public' | 'guarded-vs-baseline' | 'flood-fetches-per-window';

/** How each measure is read from a mode's figures, and written. */
export const GOAL_MEASURES: Readonly<
  Record<
    GoalMeasure,
    { readonly label: string; readonly read: (bench: ModeBench) => number | undefined; readonly format: (value: number) => string }
  >
> = {
  'guarded-vs-public': {
    label: 'guarded route vs public route (requests/s)',
    read: (bench) => bench.figures.find((figure) => figure.route === 'guarded')?.vsPublic,
    format: (value) => `${value.toFixed(2)}x`,
  },
  'guarded-vs-baseline': {
    label: 'guarded route vs tutorial baseline (requests/s)',
    read: (bench) => bench.figures.find((figure) => figure.route === 'guarded')?.vsBaseline,
    format: (value) => `${value.toFixed(2)}x`,
  },
  'flood-fetches-per-window': {
    label: 'JWKS fetches per cooldown window in a flood of random kids',
    read: (bench) => (bench.jwks ? bench.jwks.flood.fetchesServed / bench.jwks.flood.windows : undefined),
    format: (value) => `${Number.isInteger(value) ? value : value.toFixed(2)} per window`,
  },
};

/** One goal: a measure in one mode, and the bound it must reach. */
export interface Goal {
  readonly mode: ModeName;
  readonly measure: GoalMeasure;
  readonly bound: 'at least' | 'at most';
  readonly target: number;
}

/**
 * The goals of the bench, one entry each. The ratios are the token guard's to reach; the flood's is the
 * JWKS cache's (at most one fetch per cooldown window, however many unknown kids arrive).
 */
export const GOALS: readonly Goal[] = [
  { mode: 'shared-hs256', measure: 'guarded-vs-public', bound: 'at least', target: 0.7 },
  { mode: 'per-app-secret', measure: 'guarded-vs-public', bound: 'at least', target: 0.7 },
  { mode: 'rs256-jwks', measure: 'guarded-vs-public', bound: 'at least', target: 0.62 },
  { mode: 'rs256-jwks', measure: 'guarded-vs-baseline', bound: 'at least', target: 2.5 },
  { mode: 'rs256-jwks', measure: 'flood-fetches-per-window', bound: 'at most', target: 1 },
];

/** A goal and what a run measured for it: `met` is undefined when the run did not measure it (its mode did not run). */
export interface GoalResult extends Goal {
  readonly measured: number | undefined;
  readonly met: boolean | undefined;
}

/**
 * Judges every goal against the modes a run measured.
 *
 * @example
 * judgeGoals(run.modes).filter((goal) => goal.met === false);
 */
export function judgeGoals(modes: readonly ModeBench[], goals: readonly Goal[] = GOALS): GoalResult[] {
  return goals.map((goal) => {
    const bench = modes.find((candidate) => candidate.mode === goal.mode);
    const measured = bench ? GOAL_MEASURES[goal.measure].read(bench) : undefined;
    const met =
      measured === undefined || !Number.isFinite(measured)
        ? undefined
        : goal.bound === 'at least'
          ? measured >= goal.target
          : measured <= goal.target;
    return { ...goal, measured, met };
  });
}
