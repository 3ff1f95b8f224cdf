import { markdownTable, textTable } from '../tables';
import { GOAL_MEASURES, type GoalResult } from './goals';
import { benchSummaryComment, summarizeBench } from '../docs/choosing';
import { machineLine } from './machine';
import { BENCH_ROUTES, benchRoute } from './routes';
import { benchFailures, describeStatuses, type BenchRun, type JwksFigures, type RouteFigure } from './run';

const LOAD_HEADER = ['mode', 'route', 'requests/s', 'p50', 'p99', 'vs public', 'vs baseline'];
const LOAD_FIGURES = [2, 3, 4, 5, 6];
const GOAL_HEADER = ['mode', 'goal', 'target', 'measured', 'met'];
const GOAL_FIGURES = [2, 3];
const VERIFICATION_FIGURES = [2, 3, 4];

/** What each column of the load table means, for the docs. */
export const LOAD_COLUMNS: readonly (readonly [string, string])[] = [
  ['route', `the route loaded: ${BENCH_ROUTES.map((route) => `**${route.label}** is ${route.description}`).join('; ')}`],
  ['requests/s', 'responses per second over a round, the median of the rounds; higher is better'],
  [
    'p50, p99',
    'the latency half of the requests (p50) and 99 in 100 (p99) stayed under, in whole milliseconds as autocannon measures them, medians of the rounds; lower is better',
  ],
  [
    'vs public',
    "the route's requests/s divided by the public route's, both as shown: what is left of the framework's bare speed once the route is guarded",
  ],
  ['vs baseline', 'the same ratio to the tutorial baseline: above 1.00x the route serves more requests than the tutorial pattern'],
];

const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '—');
const whole = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en') : '—');
const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : '—');
const fetches = (count: number) => `${count.toLocaleString('en')} fetch${count === 1 ? '' : 'es'}`;

function routeCell(figure: RouteFigure, markdown: boolean): string {
  const route = benchRoute(figure.route);
  const path = markdown ? `\`GET ${route.path}\`` : `GET ${route.path}`;
  const label = route.label;
  const invalid = figure.invalidRounds > 0 ? ` INVALID (${figure.invalidRounds} round${figure.invalidRounds === 1 ? '' : 's'})` : '';
  return `${markdown && figure.route === 'guarded' ? `**${label}**` : label} ${path}${invalid}`;
}

function loadRows(run: BenchRun, markdown: boolean): string[][] {
  return run.modes.flatMap((bench) =>
    bench.figures.map((figure, i) => [
      i === 0 || markdown ? bench.mode : '',
      routeCell(figure, markdown),
      whole(figure.requestsPerSecond),
      ms(figure.p50Ms),
      ms(figure.p99Ms),
      ratio(figure.vsPublic),
      ratio(figure.vsBaseline),
    ]),
  );
}

function goalRows(goals: readonly GoalResult[]): string[][] {
  return goals.map((goal) => {
    const measure = GOAL_MEASURES[goal.measure];
    return [
      goal.mode,
      measure.label,
      `${goal.bound === 'at least' ? '≥' : '≤'} ${measure.format(goal.target)}`,
      goal.measured === undefined || !Number.isFinite(goal.measured) ? 'not measured' : measure.format(goal.measured),
      goal.met === undefined ? '—' : goal.met ? 'yes' : 'NO',
    ];
  });
}

function verificationRows(run: BenchRun): string[][] {
  return run.verification.figures.map((figure) => [
    figure.mode,
    figure.path,
    whole(figure.verifiesPerSecond),
    ratio(figure.vsReference),
    Number.isFinite(figure.verifiesPerSecond) && figure.verifiesPerSecond > 0 ? `${(1e6 / figure.verifiesPerSecond).toFixed(1)} µs` : '—',
  ]);
}

function verificationHeader(run: BenchRun): string[] {
  const { mode, path } = run.verification.reference;
  return ['mode', 'verification path', 'verifies/s', `vs ${mode} ${path}`, 'per verify'];
}

function jwksLines(mode: string, jwks: JwksFigures): string[] {
  const { steady, flood } = jwks;
  const perRequest = steady.guardedRequests > 0 ? steady.fetchesServed / steady.guardedRequests : NaN;
  const agree = (served: number, logged: number) => (served === logged ? '' : ` (the log records ${logged}: the two counts differ)`);
  return [
    `${mode}: steady state, during the guarded rounds: ${fetches(steady.fetchesServed)} served by the issuer's JWKS endpoint ` +
      `in ${steady.guardedRequests.toLocaleString('en')} guarded requests (${perRequest === 0 ? '0' : Number.isFinite(perRequest) ? perRequest.toPrecision(2) : '—'} per request)` +
      agree(steady.fetchesServed, steady.fetchesLogged),
    `${mode}: flood of ${flood.requests.toLocaleString('en')} tokens signed with the issuer's key under random kids: ` +
      `${describeStatuses(flood.statuses)} in ${flood.durationSeconds.toFixed(1)} s, ${fetches(flood.fetchesServed)} served` +
      agree(flood.fetchesServed, flood.fetchesLogged) +
      `; with a ${jwks.cooldownSeconds} s cooldown the flood spanned ${flood.windows} cooldown window${flood.windows === 1 ? '' : 's'}`,
  ];
}

/** How the run was made, in one sentence. */
function methodSentence(run: BenchRun): string {
  const { rounds, durationSeconds, connections, warmupSeconds } = run.settings;
  return (
    `autocannon, ${connections} connections, ${rounds} round${rounds === 1 ? '' : 's'} of ${durationSeconds} s per route, ` +
    `the routes one after the other in each round and each round starting one route later` +
    `${warmupSeconds > 0 ? `, after ${warmupSeconds} s of warm-up per route` : ''}; figures are medians of the rounds`
  );
}

function wallSentence(run: BenchRun): string {
  const modes = run.modes.map((bench) => `${bench.mode} ${Math.round(bench.wallSeconds)} s`).join(', ');
  return `wall time ${formatDuration(run.wallSeconds)} (${modes}; the rest: verification alone)`;
}

function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

function failureLines(run: BenchRun): string[] {
  const failures = benchFailures(run);
  if (failures.length > 0) return ['THE RUN IS INVALID:', ...failures.map((failure) => `  ${failure}`)];
  const flooded = run.modes.some((bench) => bench.jwks !== undefined);
  return [`Every response of every round was a 200${flooded ? '; every answer to the flood of random kids was a 401' : ''}.`];
}

/**
 * The bench as terminal text: the load table (the public route's own figure in it), the JWKS counts, the goals,
 * the machine, the micro-bench of verification alone, and the wall time.
 *
 * @example
 * process.stdout.write(formatBenchTerminal(await runBench()));
 */
export function formatBenchTerminal(run: BenchRun): string {
  const jwks = run.modes.flatMap((bench) => (bench.jwks ? jwksLines(bench.mode, bench.jwks) : []));
  const { rounds, count } = run.verification;
  return [
    `dashboard-api under load, as npm start runs it: ${methodSentence(run)}`,
    `machine: ${machineLine(run.machine)}`,
    '',
    ...textTable(LOAD_HEADER, loadRows(run, false), LOAD_FIGURES),
    ...failureLines(run),
    '',
    'JWKS fetches',
    ...(jwks.length > 0 ? jwks.map((line) => `  ${line}`) : ['  none of the modes run fetches a JWKS']),
    '',
    'goals',
    ...textTable(GOAL_HEADER, goalRows(run.goals), GOAL_FIGURES),
    '',
    `verification alone, no HTTP: ${rounds} rounds of ${count.toLocaleString('en')} verifications per cell, one valid dashboard-api token, keys imported once`,
    ...textTable(verificationHeader(run), verificationRows(run), VERIFICATION_FIGURES),
    '',
    wallSentence(run),
    '',
  ].join('\n');
}

/**
 * The bench as Markdown, for docs/bench.md: the machine, how to reproduce, the tables, and what each column
 * means. Every figure in it comes from the run.
 *
 * @example
 * await writeFile('docs/bench.md', formatBenchMarkdown(run, 'npm run docs'));
 */
export function formatBenchMarkdown(run: BenchRun, command: string): string {
  const { rounds, count } = run.verification;
  const jwks = run.modes.flatMap((bench) => (bench.jwks ? jwksLines(bench.mode, bench.jwks) : []));
  return [
    '# What verification costs',
    '',
    `<!-- Generated by \`${command}\` from a real run: do not edit by hand. -->`,
    '',
    `Measured on ${run.startedAt.slice(0, 10)}: ${machineLine(run.machine)}. Reproduce with \`npm run bench\` (every mode, these settings; ` +
      '`--mode`, `--rounds`, `--duration`, `--connections` change them); `npm run docs` rewrites this page from a fresh run. ' +
      'Figures differ from machine to machine and from run to run: compare the ratios, which are taken within one run.',
    '',
    'For each mode, the bench starts the three services exactly as `npm start` does (fresh keys, free loopback ports, ' +
      'each app writing its own log), and beside them the tutorial baseline, a separate NestJS process of the lab ' +
      '(`apps/lab/src/vulnerable/tutorial-baseline-app.ts`). It logs alice in once, checks that each guarded route answers ' +
      'a valid token with the same JSON and refuses a request without one, then loads the routes with ' +
      `${methodSentence(run)}. On 2 cores the load generator takes one, so the routes share what is left alike.`,
    '',
    '## Requests per second',
    '',
    ...markdownTable(LOAD_HEADER, loadRows(run, true), LOAD_FIGURES),
    '',
    failureLines(run).join('\n'),
    '',
    ...LOAD_COLUMNS.map(([column, meaning]) => `- **${column}**: ${meaning}.`),
    '',
    '## JWKS fetches',
    '',
    'In a mode whose APIs fetch the issuer’s JWKS, dashboard-api’s `JWKS_URL` points at a pass-through in the bench that ' +
      'forwards to the issuer’s own endpoint and counts what it serves; the API’s log (its `jwks-fetch` lines) is counted too. ' +
      'The flood sends tokens signed with the issuer’s real key, read from its key folder, each under a kid the issuer never ' +
      'published: a verifier that fetched once per unknown kid would fetch thousands of times.',
    '',
    ...(jwks.length > 0 ? jwks.map((line) => `- ${line}.`) : ['None of the modes run fetches a JWKS.']),
    '',
    '## Goals',
    '',
    ...markdownTable(GOAL_HEADER, goalRows(run.goals), GOAL_FIGURES),
    '',
    '## Verification alone',
    '',
    `No HTTP: one valid dashboard-api token verified over and over, ${rounds} rounds of ${count.toLocaleString('en')} verifications ` +
      'per cell, alternating between every mode and path, keys imported once. **passport-jwt** is the apps’ path ' +
      '(jsonwebtoken given a KeyObject, then the claims the verifier checks itself); **jose** verifies the same token with ' +
      'jose, awaited (WebCrypto hands each operation to a worker thread).',
    '',
    ...markdownTable(verificationHeader(run), verificationRows(run), VERIFICATION_FIGURES),
    '',
    `The whole run: ${wallSentence(run)}.`,
    '',
    benchSummaryComment(summarizeBench(run, `${run.startedAt.slice(0, 10)}, ${machineLine(run.machine)}`)),
    '',
  ].join('\n');
}
