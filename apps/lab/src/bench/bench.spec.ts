import { GOALS } from './goals';
import { formatBenchMarkdown, formatBenchTerminal } from './report';
import { BENCH_ROUTES } from './routes';
import { benchFailures, runBench, type BenchRun } from './run';

// The full bench takes minutes and is not part of the tests: this short run checks what a run gives, never a speed.
describe('a smoke run of the bench: one mode, one round of 1 s per route, a small flood of random kids', () => {
  let run: BenchRun;

  beforeAll(async () => {
    run = await runBench({
      modes: ['rs256-jwks'],
      rounds: 1,
      durationSeconds: 1,
      connections: 4,
      warmupSeconds: 0,
      floodRequests: 300,
      jwksCooldownSeconds: 1,
      verification: { rounds: 1, count: 50 },
    });
  }, 120_000);

  it('measures every route, and every response of every round is a 200', () => {
    const [bench] = run.modes;
    expect(bench?.mode).toBe('rs256-jwks');
    expect(bench?.samples.map((sample) => sample.route).sort()).toEqual(BENCH_ROUTES.map((route) => route.id).sort());
    for (const sample of bench?.samples ?? []) {
      expect(sample).toMatchObject({ valid: true, non2xx: 0, errors: 0 });
      expect(Object.keys(sample.statuses)).toEqual(['200']);
      expect(sample.requests).toBeGreaterThan(0);
    }
    expect(benchFailures(run)).toEqual([]);
  });

  it('gives each route finite figures and ratios, the public route its own', () => {
    const figures = run.modes[0]?.figures ?? [];
    expect(figures.map((figure) => figure.route)).toEqual(BENCH_ROUTES.map((route) => route.id));
    for (const figure of figures) {
      for (const value of [figure.requestsPerSecond, figure.p50Ms, figure.p99Ms, figure.vsPublic, figure.vsBaseline]) {
        expect(Number.isFinite(value)).toBe(true);
      }
    }
    expect(figures.find((figure) => figure.route === 'public')?.vsPublic).toBe(1);
    expect(figures.find((figure) => figure.route === 'baseline')?.vsBaseline).toBe(1);
  });

  it('counts the JWKS fetches where they are served and where they are logged, and the flood is all 401s', () => {
    const jwks = run.modes[0]?.jwks;
    expect(jwks?.cooldownSeconds).toBe(1);
    expect(jwks?.steady.guardedRequests).toBeGreaterThan(0);
    expect(jwks?.flood).toMatchObject({ requests: 300, statuses: { '401': 300 }, errors: 0, valid: true });
    expect(jwks?.flood.windows).toBeGreaterThanOrEqual(1);
    for (const phase of [jwks?.steady, jwks?.flood]) {
      expect(Number.isInteger(phase?.fetchesServed)).toBe(true);
      expect(phase?.fetchesLogged).toBe(phase?.fetchesServed);
    }
  });

  it('judges every goal, those of modes it did not run as not measured', () => {
    expect(run.goals).toHaveLength(GOALS.length);
    for (const goal of run.goals) {
      if (goal.mode === 'rs256-jwks') expect(typeof goal.met).toBe('boolean');
      else expect(goal).toMatchObject({ measured: undefined, met: undefined });
    }
  });

  it('renders the report as Markdown and as terminal text, with the machine and the micro-bench', () => {
    const markdown = formatBenchMarkdown(run, 'npm run bench');
    expect(markdown).toContain('| mode | route | requests/s | p50 | p99 | vs public | vs baseline |');
    expect(markdown).toContain(`${run.machine.cores} cores`);
    expect(markdown).toContain('Reproduce with `npm run bench`');
    expect(markdown).toContain('| rs256-jwks | jose |');
    const terminal = formatBenchTerminal(run);
    expect(terminal).toContain('public GET /health');
    expect(terminal).toContain('tutorial baseline GET /dashboard/summary');
    expect(terminal).toContain(`Node ${process.version}`);
  });
});
