import type { ModeName } from '@jwt-blast-radius/keys';
import type { LoadFigures } from './load';
import type { BenchRouteId } from './routes';

// What the bench measures in one mode, apart from the run that measures it: the goals judge these figures.

/** One route loaded in one round. `valid`: every response was a 200, with no connection error. */
export interface RouteSample extends LoadFigures {
  readonly route: BenchRouteId;
  readonly round: number;
  readonly valid: boolean;
}

/**
 * A route's figures in one mode: the medians of its rounds. The ratios are those of the medians, so that they
 * can be checked against the figures they come from.
 */
export interface RouteFigure {
  readonly route: BenchRouteId;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly vsPublic: number;
  readonly vsBaseline: number;
  readonly invalidRounds: number;
}

/** What the API's fetches of the issuer's JWKS came to, counted where they are served and where they are logged. */
export interface JwksFigures {
  readonly cooldownSeconds: number;
  /** During the guarded rounds, after the warm-up. */
  readonly steady: {
    readonly guardedRequests: number;
    readonly fetchesServed: number;
    readonly fetchesLogged: number;
  };
  /** During the flood of tokens signed with the issuer's real key under kids it never published. */
  readonly flood: {
    readonly requests: number;
    readonly durationSeconds: number;
    /** The cooldown windows the flood touched: floor(duration / cooldown) + 1. */
    readonly windows: number;
    readonly statuses: Readonly<Record<string, number>>;
    readonly errors: number;
    readonly fetchesServed: number;
    readonly fetchesLogged: number;
    /** Every answer was a 401, with no connection error. */
    readonly valid: boolean;
  };
}

/** Everything the bench measured in one mode. */
export interface ModeBench {
  readonly mode: ModeName;
  readonly samples: readonly RouteSample[];
  readonly figures: readonly RouteFigure[];
  /** Undefined in a mode whose APIs hold their keys and fetch no JWKS. */
  readonly jwks: JwksFigures | undefined;
  readonly wallSeconds: number;
}
