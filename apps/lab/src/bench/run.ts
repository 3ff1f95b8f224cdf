import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  APP_NAMES,
  JWKS_DEFAULTS,
  KEY_FILE_NAME,
  MODE_NAMES,
  generateKeySet,
  getMode,
  readClaims,
  readKeySetFile,
  signingVersions,
  type AppName,
  type ModeName,
} from '@jwt-blast-radius/keys';
import { fetchWithin, findFreePorts } from '@jwt-blast-radius/process';
import type { JWK } from 'jose';
import { startLocalStack } from '@jwt-blast-radius/stack';
import { harvestToken } from '../demo/probes';
import { floodWithTokens, signRandomKidTokens } from './flood';
import { judgeGoals, type GoalResult } from './goals';
import { countLoggedJwksFetches, startJwksTap } from './jwks-tap';
import { applyLoad, type LoadFigures } from './load';
import { describeMachine, type Machine } from './machine';
import { BENCH_ROUTES, benchRoute, type BenchRoute, type BenchRouteId } from './routes';
import { median } from './stats';
import { startTutorialBaseline } from './tutorial-baseline';
import { runVerificationBench, type VerificationBench } from './verify-paths';

/** How a bench runs. */
export interface BenchSettings {
  readonly modes: readonly ModeName[];
  /** Rounds per route; each round loads every route once, one after the other. */
  readonly rounds: number;
  /** Seconds each route is loaded in a round. */
  readonly durationSeconds: number;
  /** autocannon's concurrent keep-alive connections. */
  readonly connections: number;
  /** Seconds each route is loaded, unmeasured, before the first round (JIT, connection pools, the first JWKS fetch). */
  readonly warmupSeconds: number;
  /** Requests in the flood of random kids, in a mode whose APIs fetch the issuer's JWKS. */
  readonly floodRequests: number;
  /** `JWKS_COOLDOWN_SECONDS` given to the services; unset (their default, 30 s) when undefined. */
  readonly jwksCooldownSeconds: number | undefined;
  /** The micro-bench of verification alone: rounds, and verifications per cell and round. */
  readonly verification: { readonly rounds: number; readonly count: number };
}

/**
 * The settings of `npm run bench` unless told otherwise: chosen so that a run of every mode ends within five
 * minutes on 2 cores (about 4 here).
 */
export const BENCH_DEFAULTS: BenchSettings = Object.freeze({
  modes: MODE_NAMES,
  rounds: 3,
  durationSeconds: 7,
  connections: 50,
  warmupSeconds: 2,
  floodRequests: 10_000,
  jwksCooldownSeconds: undefined,
  verification: Object.freeze({ rounds: 7, count: 2000 }),
});

export interface BenchOptions extends Partial<BenchSettings> {
  readonly progress?: (line: string) => void;
}

export type { JwksFigures, ModeBench, RouteFigure, RouteSample } from './figures';
import type { JwksFigures, ModeBench, RouteFigure, RouteSample } from './figures';

/** A whole run of the bench. */
export interface BenchRun {
  readonly startedAt: string;
  readonly wallSeconds: number;
  readonly machine: Machine;
  readonly settings: BenchSettings;
  readonly modes: readonly ModeBench[];
  readonly goals: readonly GoalResult[];
  readonly verification: VerificationBench;
}

/**
 * Runs the bench: for each mode, one at a time, starts the three services as `npm start` runs them (fresh keys,
 * free ports, each app writing its own log, here to a temporary folder) and the tutorial baseline beside them,
 * logs alice in once, checks that every route answers as it should, then loads dashboard-api's public route, its
 * guarded route and the baseline in alternating rounds with autocannon. Where the API fetches the issuer's JWKS,
 * it counts the fetches during those rounds and during a flood of random kids. Last, with every service stopped,
 * the micro-bench of verification alone.
 *
 * The one difference from `npm start`: where the API fetches the JWKS, its `JWKS_URL` is a counting
 * pass-through in front of the issuer's own endpoint, so that fetches are counted where they are served.
 *
 * @example
 * const run = await runBench({ modes: ['rs256-jwks'], rounds: 1, durationSeconds: 1, connections: 4 });
 */
export async function runBench({ progress = () => {}, ...overrides }: BenchOptions = {}): Promise<BenchRun> {
  const settings: BenchSettings = { ...BENCH_DEFAULTS, ...overrides };
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const modes: ModeBench[] = [];
  for (const mode of settings.modes) modes.push(await benchMode(mode, settings, (line) => progress(`[${mode}] ${line}`)));
  const verification = await runVerificationBench({ modes: settings.modes, ...settings.verification, progress });
  return {
    startedAt,
    wallSeconds: (performance.now() - started) / 1000,
    machine: describeMachine(),
    settings,
    modes,
    goals: judgeGoals(modes),
    verification,
  };
}

/**
 * Why a run cannot be trusted, one line each: a round whose responses were not all 200s, a flood whose
 * answers were not all 401s. Empty when the run is sound.
 *
 * @example
 * if (benchFailures(run).length > 0) process.exitCode = 1;
 */
export function benchFailures(run: BenchRun): string[] {
  return run.modes.flatMap((bench) => [
    ...bench.samples
      .filter((sample) => !sample.valid)
      .map(
        (sample) =>
          `${bench.mode} ${sample.route} round ${sample.round}: ${sample.requests} responses, ${sample.non2xx} not 2xx, ` +
          `${sample.errors} errors (${describeStatuses(sample.statuses)})`,
      ),
    ...(bench.jwks && !bench.jwks.flood.valid
      ? [`${bench.mode} flood: expected ${bench.jwks.flood.requests} 401s, got ${describeStatuses(bench.jwks.flood.statuses)}`]
      : []),
  ]);
}

/** Status codes and their counts, as `200 × 1,234, 401 × 2`. */
export function describeStatuses(statuses: Readonly<Record<string, number>>): string {
  const entries = Object.entries(statuses);
  return entries.length === 0 ? 'no response' : entries.map(([code, count]) => `${code} × ${count.toLocaleString('en')}`).join(', ');
}

/** The longest the bench waits for a service's log to catch up with the fetches served (it returns once it has). */
const LOG_CATCH_UP_MS = 30_000;

async function benchMode(mode: ModeName, settings: BenchSettings, say: (line: string) => void): Promise<ModeBench> {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), `blast-radius-bench-${mode}-`));
  const running: { stop(): Promise<void> }[] = [];
  try {
    const { stack, tap, urlOf, signingJwk } = await startSubjects(mode, settings, dir, running, say);
    say('logging alice in for dashboard-api');
    const tokens = new TokenSource(() => harvestToken(stack.urls['auth-service'], 'dashboard-api'));
    await checkRoutes(urlOf, await tokens.valid(0));
    const load = async (route: BenchRoute, durationSeconds: number) =>
      applyLoad({
        url: urlOf(route),
        connections: settings.connections,
        durationSeconds,
        headers: route.withToken ? { authorization: `Bearer ${await tokens.valid(durationSeconds)}` } : {},
      });

    if (settings.warmupSeconds > 0) {
      say(`warming up: ${settings.warmupSeconds} s per route`);
      for (const route of BENCH_ROUTES) await load(route, settings.warmupSeconds);
    }
    // The API logs each fetch once its answer is in, asynchronously: counted once the log has caught up.
    const counts = async (): Promise<FetchCounts> => {
      const deadline = Date.now() + LOG_CATCH_UP_MS;
      for (;;) {
        const served = tap?.served() ?? 0;
        const logged = await countLoggedJwksFetches(stack.logFiles['dashboard-api']);
        if (logged >= served || Date.now() > deadline) return { served, logged };
        await sleep(50);
      }
    };
    const beforeRounds = await counts();
    const samples = await loadInRounds(settings, load, say);
    const afterRounds = await counts();
    const rounds = { samples, before: beforeRounds, after: afterRounds };
    const jwks = tap
      ? await floodAndCount({ settings, signingJwk, issuer: stack.urls['auth-service'], urlOf, counts, rounds, say })
      : undefined;
    return { mode, samples, figures: figuresOf(samples), jwks, wallSeconds: (performance.now() - started) / 1000 };
  } finally {
    say('stopping');
    for (const service of running.reverse()) await service.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** What the bench loads in one mode: the three services as `npm start` runs them, and the tutorial baseline. */
async function startSubjects(
  mode: ModeName,
  settings: BenchSettings,
  dir: string,
  running: { stop(): Promise<void> }[],
  say: (line: string) => void,
) {
  say('generating a fresh key set');
  const material = await generateKeySet(mode);
  const free = await findFreePorts(APP_NAMES.length + 1);
  const ports = Object.fromEntries(APP_NAMES.map((app, i) => [app, free[i]!])) as Record<AppName, number>;
  const issuer = `http://127.0.0.1:${ports['auth-service']}`;
  const tap = getMode(mode).publishesJwks ? await startJwksTap(`${issuer}/.well-known/jwks.json`) : undefined;
  if (tap) running.push({ stop: () => tap.close() });
  const cooldown = settings.jwksCooldownSeconds;
  say(`starting ${APP_NAMES.join(', ')}${tap ? ' (dashboard-api fetches the JWKS through a counting pass-through)' : ''}`);
  const stack = await startLocalStack({
    mode,
    material,
    keysDir: join(dir, 'keys'),
    logsDir: join(dir, 'logs'),
    ports,
    // Only an API that fetches the JWKS reads these; the apps that hold their keys ignore them.
    settings: { ...(tap ? { JWKS_URL: tap.url } : {}), ...(cooldown !== undefined ? { JWKS_COOLDOWN_SECONDS: String(cooldown) } : {}) },
  });
  running.push(stack);
  const signingJwk = await readSigningJwk(join(dir, 'keys', 'auth-service'), mode, 'dashboard-api');
  say('starting the tutorial baseline');
  const baseline = await startTutorialBaseline({
    port: free[APP_NAMES.length]!,
    signingJwk,
    dir: join(dir, 'baseline'),
    logFile: join(dir, 'logs', 'tutorial-baseline.log'),
  });
  running.push(baseline);
  const urlOf = (route: BenchRoute) => `${route.server === 'dashboard-api' ? stack.urls['dashboard-api'] : baseline.url}${route.path}`;
  return { stack, tap, urlOf, signingJwk };
}

/** The JWKS fetches of the steady rounds, then the flood of unknown kids and the fetches it caused. */
async function floodAndCount(options: {
  readonly settings: BenchSettings;
  readonly signingJwk: JWK;
  readonly issuer: string;
  readonly urlOf: (route: BenchRoute) => string;
  readonly counts: () => Promise<FetchCounts>;
  readonly rounds: { readonly samples: readonly RouteSample[]; readonly before: FetchCounts; readonly after: FetchCounts };
  readonly say: (line: string) => void;
}): Promise<JwksFigures> {
  const { settings, rounds } = options;
  const cooldownSeconds = settings.jwksCooldownSeconds ?? JWKS_DEFAULTS.cooldownMs / 1000;
  const { after, ...flood } = await floodRandomKids({
    settings,
    signingJwk: options.signingJwk,
    issuer: options.issuer,
    url: options.urlOf(benchRoute('guarded')),
    cooldownSeconds,
    counts: options.counts,
    say: options.say,
  });
  return {
    cooldownSeconds,
    steady: {
      guardedRequests: rounds.samples.filter((sample) => sample.route === 'guarded').reduce((sum, sample) => sum + sample.requests, 0),
      fetchesServed: rounds.after.served - rounds.before.served,
      fetchesLogged: rounds.after.logged - rounds.before.logged,
    },
    flood: { ...flood, fetchesServed: after.served - rounds.after.served, fetchesLogged: after.logged - rounds.after.logged },
  };
}

/** The JWKS fetches counted so far: served by the issuer's endpoint (through the tap), and logged by the API. */
interface FetchCounts {
  readonly served: number;
  readonly logged: number;
}

/** Loads every route in every round, the routes one after the other, each round starting one route later. */
async function loadInRounds(
  settings: BenchSettings,
  load: (route: BenchRoute, durationSeconds: number) => Promise<LoadFigures>,
  say: (line: string) => void,
): Promise<RouteSample[]> {
  const samples: RouteSample[] = [];
  for (let round = 1; round <= settings.rounds; round += 1) {
    // Starting one route later each round, no route always follows the same one.
    for (const route of rotate(BENCH_ROUTES, round - 1)) {
      const figures = await load(route, settings.durationSeconds);
      const valid = figures.requests > 0 && figures.errors === 0 && Object.keys(figures.statuses).every((code) => code === '200');
      samples.push({ route: route.id, round, ...figures, valid });
      say(
        `round ${round}/${settings.rounds} ${route.id}: ${Math.round(figures.requestsPerSecond).toLocaleString('en')} requests/s, ` +
          `p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms${valid ? '' : ` INVALID (${describeStatuses(figures.statuses)}, ${figures.errors} errors)`}`,
      );
    }
  }
  return samples;
}

/**
 * Sends the guarded route one token per request, each signed with the issuer's real key under a kid of its own,
 * and reads the fetch counts once the flood is over.
 */
async function floodRandomKids({
  settings,
  signingJwk,
  issuer,
  url,
  cooldownSeconds,
  counts,
  say,
}: {
  readonly settings: BenchSettings;
  readonly signingJwk: JWK;
  readonly issuer: string;
  readonly url: string;
  readonly cooldownSeconds: number;
  readonly counts: () => Promise<FetchCounts>;
  readonly say: (line: string) => void;
}): Promise<Omit<JwksFigures['flood'], 'fetchesServed' | 'fetchesLogged'> & { readonly after: FetchCounts }> {
  say(`signing ${settings.floodRequests.toLocaleString('en')} tokens with the issuer's key under random kids`);
  const tokens = signRandomKidTokens({ signingJwk, count: settings.floodRequests, issuer, audience: 'dashboard-api' });
  say(`flooding ${new URL(url).pathname} with them`);
  const started = performance.now();
  const flood = await floodWithTokens({ url, tokens, connections: settings.connections });
  const durationSeconds = (performance.now() - started) / 1000;
  const after = await counts();
  say(`flood: ${flood.requests.toLocaleString('en')} requests in ${durationSeconds.toFixed(1)} s (${describeStatuses(flood.statuses)})`);
  return {
    requests: flood.requests,
    durationSeconds,
    windows: Math.floor(durationSeconds / cooldownSeconds) + 1,
    statuses: flood.statuses,
    errors: flood.errors,
    valid: flood.requests === settings.floodRequests && flood.errors === 0 && Object.keys(flood.statuses).every((code) => code === '401'),
    after,
  };
}

/** A valid token for alice, logged in again only when the one held would expire within a round (the login door allows 5 a minute). */
class TokenSource {
  private token: string | undefined;
  private expiresAt = 0;

  constructor(private readonly logIn: () => Promise<string>) {}

  async valid(forSeconds: number): Promise<string> {
    if (this.token === undefined || this.expiresAt - Date.now() / 1000 < forSeconds + 30) {
      this.token = await this.logIn();
      this.expiresAt = Number(readClaims(this.token).exp ?? 0);
    }
    return this.token;
  }
}

/**
 * Checks before any load that each route answers as the bench assumes: the public route and both guarded routes
 * a 200 with a valid token, the baseline the very JSON dashboard-api answers, and both guarded routes a 401
 * without a token (a guard that lets everything through would otherwise look fast).
 */
async function checkRoutes(urlOf: (route: BenchRoute) => string, token: string): Promise<void> {
  const authorization = { authorization: `Bearer ${token}` };
  const answers = new Map<BenchRouteId, string>();
  for (const route of BENCH_ROUTES) {
    const response = await fetchWithin(10_000, urlOf(route), { headers: route.withToken ? authorization : {} });
    if (response.status !== 200) throw new Error(`${route.id} route ${urlOf(route)} answered ${response.status}, not 200`);
    answers.set(route.id, await response.text());
    if (!route.withToken) continue;
    const refused = await fetchWithin(10_000, urlOf(route));
    await refused.arrayBuffer();
    if (refused.status !== 401) throw new Error(`${route.id} route ${urlOf(route)} answered ${refused.status} without a token, not 401`);
  }
  if (answers.get('guarded') !== answers.get('baseline')) {
    throw new Error(`the baseline answers ${answers.get('baseline')}, not what dashboard-api answers: ${answers.get('guarded')}`);
  }
}

/** The issuer's key version that signs an audience's tokens, read from the issuer's key folder as the app reads it. */
async function readSigningJwk(folder: string, mode: ModeName, audience: AppName): Promise<JWK> {
  const set = await readKeySetFile(join(folder, KEY_FILE_NAME), 'KEYS_DIR');
  const name = getMode(mode).signingKey[audience];
  const jwk = signingVersions(set?.keys ?? []).get(name);
  if (!jwk) throw new Error(`the issuer's key folder holds no "${name}" key`);
  return jwk;
}

function rotate<T>(list: readonly T[], by: number): T[] {
  return list.map((_, i) => list[(i + by) % list.length]!);
}

function figuresOf(samples: readonly RouteSample[]): RouteFigure[] {
  const medianOf = (route: BenchRouteId, read: (sample: RouteSample) => number) =>
    median(samples.filter((sample) => sample.route === route).map(read));
  const rate = (route: BenchRouteId) => medianOf(route, (sample) => sample.requestsPerSecond);
  return BENCH_ROUTES.map(({ id }) => ({
    route: id,
    requestsPerSecond: rate(id),
    p50Ms: medianOf(id, (sample) => sample.p50Ms),
    p99Ms: medianOf(id, (sample) => sample.p99Ms),
    vsPublic: rate(id) / rate('public'),
    vsBaseline: rate(id) / rate('baseline'),
    invalidRounds: samples.filter((sample) => sample.route === id && !sample.valid).length,
  }));
}
