import { ROUTES } from '../targets';

/** The routes the bench loads, by the name its reports give them. */
export type BenchRouteId = 'public' | 'guarded' | 'baseline';

/** One route the bench loads in every mode, in alternating rounds with the others. */
export interface BenchRoute {
  readonly id: BenchRouteId;
  /** What the reports call it. */
  readonly label: string;
  /** Who answers: dashboard-api as `npm start` runs it, or the lab's tutorial baseline app. */
  readonly server: 'dashboard-api' | 'tutorial-baseline';
  readonly path: string;
  /** Whether each request carries alice's access token for dashboard-api. */
  readonly withToken: boolean;
  /** What the row measures, for the reports. */
  readonly description: string;
}

/**
 * The routes of the bench: dashboard-api's public route (what the framework costs without a guard), its
 * guarded route with a valid token (what the project's guards add), and the same guarded route in a
 * separate NestJS app guarded the way most tutorials show (the baseline to beat). Every response of every
 * round must be a 200, or the round is invalid.
 */
export const BENCH_ROUTES: readonly BenchRoute[] = [
  {
    id: 'public',
    label: 'public',
    server: 'dashboard-api',
    path: '/health',
    withToken: false,
    description: "dashboard-api's public route: no token, no guard runs",
  },
  {
    id: 'guarded',
    label: 'guarded',
    server: 'dashboard-api',
    path: ROUTES['dashboard-api'].user,
    withToken: true,
    description: "dashboard-api's guarded route with a valid token: the project's guards, as the app runs them",
  },
  {
    id: 'baseline',
    label: 'tutorial baseline',
    server: 'tutorial-baseline',
    path: ROUTES['dashboard-api'].user,
    withToken: true,
    description:
      "the same route and answer in a separate NestJS app guarded the tutorials' way: AuthGuard('jwt'), passport-jwt given " +
      'the key as a PEM string (or the raw secret), no pinning',
  },
];

/**
 * A bench route by its id.
 *
 * @example
 * benchRoute('guarded').path; // '/dashboard/summary'
 */
export function benchRoute(id: BenchRouteId): BenchRoute {
  const route = BENCH_ROUTES.find((candidate) => candidate.id === id);
  if (!route) throw new Error(`no bench route "${id}"`);
  return route;
}
