import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { APP_NAMES, MODE_NAMES, keyNameOf, type AppName, type ModeName } from '@jwt-blast-radius/keys';
import { secretValuesOf } from '@jwt-blast-radius/keys/testing';
import { DockerComposeEnvironment, Wait } from 'testcontainers';
import { EXPECTED_RECOVERY } from '../drill/expected';
import { runDrills, type DrillRecord } from '../drill/run';
import { EXPECTED } from './expected';
import { mismatches, runDemo, type Probe } from './run';
import {
  signingKeysIn,
  REPO_ROOT,
  composeCommand,
  composeSettingsOf,
  composeStack,
  containerOf,
  createComposeDriver,
  type ComposeLauncher,
} from '@jwt-blast-radius/stack';

jest.setTimeout(1_200_000);

// testcontainers' reaper is an image that would have to be pulled; these tests take their stacks
// down themselves (the lab stops each one, and afterAll clears one that failed coming up).
process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';

// The image builds from a Node base made here (docker/make-base-image.sh: Node 24 from the npm registry), passed as
// its build argument as CI does, unless NODE_IMAGE names another.
process.env.NODE_IMAGE ??= 'jwt-blast-radius/node-runtime:24';

// Without a Docker engine these tests skip, saying so in one line; with REQUIRE_DOCKER=1 (as in CI)
// they fail instead, so that a machine without Docker can never pass them silently.
const dockerAnswers = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
const dockerRequired = process.env.REQUIRE_DOCKER === '1';
if (!dockerAnswers && !dockerRequired) {
  process.stderr.write('compose tests skipped: no Docker engine answers `docker info` (REQUIRE_DOCKER=1 makes this a failure)\n');
}
const describeWithDocker = dockerAnswers || dockerRequired ? describe : describe.skip;

/** The key names each container must hold: the distribution of every mode, written out. */
const HELD: Readonly<Record<ModeName, Readonly<Record<AppName, readonly string[]>>>> = {
  'shared-hs256': { 'auth-service': ['shared'], 'dashboard-api': ['shared'], 'mobile-api': ['shared'] },
  'per-app-secret': {
    'auth-service': ['auth-service', 'dashboard-api', 'mobile-api'],
    'dashboard-api': ['dashboard-api'],
    'mobile-api': ['mobile-api'],
  },
  'rs256-jwks': { 'auth-service': ['issuer'], 'dashboard-api': [], 'mobile-api': [] },
};

const PROJECT = 'jwt-blast-radius-test';

/** Brings the stack up through testcontainers' DockerComposeEnvironment, with Compose v2 or v1. */
const testcontainersLauncher: ComposeLauncher = async (mode, env) => {
  const [command] = await composeCommand();
  let environment = new DockerComposeEnvironment(REPO_ROOT, 'docker-compose.yml')
    .withProjectName(PROJECT)
    .withBuild()
    .withEnvironment({ ...env })
    .withDefaultWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(180_000);
  if (command === 'docker-compose') {
    const executablePath = execFileSync('sh', ['-c', 'command -v docker-compose'], { encoding: 'utf8' }).trim();
    environment = environment.withClientOptions({ executable: { standalone: true, executablePath } });
  }
  const started = await environment.up();
  return { name: PROJECT, mode, env, down: async () => void (await started.down({ removeVolumes: true, timeout: 10_000 })) };
};

/** `docker compose` or `docker-compose`, as found before the tests. */
let compose: [string, ...string[]];

/** What one run of the lab's container printed, and its exit status. */
interface LabRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `docker-compose run --rm -T lab <args>` in the test's project, as a user runs it beside the stack. */
function runLab(args: readonly string[], env: Readonly<Record<string, string>>): LabRun {
  const [command, ...prefix] = compose;
  const run = spawnSync(command, [...prefix, '-p', PROJECT, 'run', '--rm', '-T', 'lab', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A matrix the demo prints (`Forge` or `Replay`) read back: compromised → target → accepted; `—` cells left out. */
function matrixIn(stdout: string, title: 'Forge' | 'Replay'): Record<string, Record<string, boolean>> {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => line.trim().startsWith(`${title}:`));
  const [header, , ...rows] = lines.slice(start + 1);
  const targets = header!
    .split('│')
    .slice(1)
    .map((cell) => cell.trim());
  const matrix: Record<string, Record<string, boolean>> = {};
  for (const row of rows) {
    const [compromised, ...cells] = row.split('│').map((cell) => cell.trim());
    if (!(APP_NAMES as readonly string[]).includes(compromised!)) break;
    matrix[compromised!] = Object.fromEntries(
      cells.flatMap((cell, i) => (cell === '—' ? [] : [[targets[i]!, cell.startsWith('ACCEPTED')]])),
    );
  }
  return matrix;
}

function leftovers(): string {
  const label = `label=com.docker.compose.project=${PROJECT}`;
  return ['ps', 'network', 'volume']
    .map((kind) =>
      execFileSync('docker', [...(kind === 'ps' ? ['ps', '-a'] : [kind, 'ls']), '-q', '--filter', label], { encoding: 'utf8' }).trim(),
    )
    .filter(Boolean)
    .join(' ');
}

describeWithDocker('the compose stack, through testcontainers', () => {
  beforeAll(async () => {
    if (!dockerAnswers)
      throw new Error('REQUIRE_DOCKER=1, but no Docker engine answers `docker info`: start one with docker/start-engine.sh');
    execFileSync('bash', [join(REPO_ROOT, 'docker', 'make-base-image.sh')], { stdio: 'inherit' });
    // The lab's image, built as `docker-compose run` would the first time (and again here, so that it is current).
    compose = await composeCommand();
    const [command, ...prefix] = compose;
    execFileSync(command, [...prefix, '-p', PROJECT, 'build', 'lab'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }, 900_000);

  // The lab takes each stack down itself; this also clears one that failed while coming up.
  afterAll(async () => {
    if (!dockerAnswers) return;
    const [command, ...prefix] = await composeCommand();
    execFileSync(command, [...prefix, '-p', PROJECT, 'down', '-v', '--remove-orphans'], { cwd: REPO_ROOT, stdio: 'ignore' });
  });

  it('builds its image with no build argument at all once a local image carries the official name', () => {
    // This shows that the Dockerfile's default resolves to node:24-slim, not that the official image works.
    const official = 'node:24-slim';
    const base = process.env.NODE_IMAGE!;
    const versionIn = (image: string) =>
      execFileSync('docker', ['run', '--rm', '--network', 'none', image, 'node', '-p', 'process.versions.node'], {
        encoding: 'utf8',
      }).trim();
    const present = spawnSync('docker', ['image', 'inspect', official], { stdio: 'ignore' }).status === 0;
    if (!present) execFileSync('docker', ['tag', base, official]);
    const built = 'jwt-blast-radius/default-base-check:local';
    try {
      execFileSync('docker', ['build', '-q', '--target', 'app', '-t', built, REPO_ROOT], { stdio: ['ignore', 'ignore', 'inherit'] });
      const version = versionIn(built);
      expect(version).toBe(versionIn(official));
      expect(version).toMatch(/^24\./);
      // The lab is a target of its own: the services' image carries neither its code nor its dependencies.
      const labIn = execFileSync(
        'docker',
        [
          'run',
          '--rm',
          '--network',
          'none',
          built,
          'node',
          '-p',
          "['apps/lab', 'node_modules/autocannon', 'node_modules/playwright-core'].filter(require('fs').existsSync)",
        ],
        { encoding: 'utf8' },
      ).trim();
      expect(labIn).toBe('[]');
    } finally {
      spawnSync('docker', ['rmi', built], { stdio: 'ignore' });
      if (!present) spawnSync('docker', ['rmi', official], { stdio: 'ignore' });
    }
  }, 900_000);

  describe.each(MODE_NAMES)('in %s', (mode) => {
    let probes: Probe[];
    const labRuns = {} as Record<'demo' | 'attacks', LabRun>;
    const held = {} as Record<AppName, string[]>;
    const mounts = {} as Record<AppName, { destination: string; rw: boolean }[]>;
    const environments = {} as Record<AppName, string[]>;
    const secrets: string[] = [];

    beforeAll(async () => {
      // The lab drives the stack; before it stops it, the same compromise is inspected here, and the lab's own
      // container runs its demo and its catalogue against it. Every run logs alice in for each audience: the limit
      // per user is raised so that no run waits out another's minute.
      const driver = createComposeDriver(async (launchMode, env, options) => {
        const project = await testcontainersLauncher(launchMode, { ...env, LOGIN_ATTEMPTS_PER_USER: '50' }, options);
        const stack = composeStack(project);
        for (const app of APP_NAMES) {
          const stolen = signingKeysIn(await stack.compromise(app));
          held[app] = stolen.map((jwk) => keyNameOf(jwk.kid ?? ''));
          secrets.push(...secretValuesOf({ keys: stolen }));
          const [inspected] = JSON.parse(execFileSync('docker', ['inspect', await containerOf(PROJECT, app)], { encoding: 'utf8' })) as {
            Mounts: { Destination: string; RW: boolean }[];
            Config: { Env: string[] };
          }[];
          mounts[app] = inspected!.Mounts.map((mount) => ({ destination: mount.Destination, rw: mount.RW }));
          environments[app] = inspected!.Config.Env;
        }
        // A shell's AUTH_MODE naming another mode changes nothing: the lab reads the mode from the key volumes.
        const other = MODE_NAMES.find((candidate) => candidate !== mode)!;
        labRuns.demo = runLab(['demo'], { AUTH_MODE: other });
        labRuns.attacks = runLab(['attacks'], { AUTH_MODE: other });
        return project;
      });
      probes = await runDemo({ modes: [mode], driver, variant: 'secure' });
    });

    it('finds every cell of the forge and replay matrices as the expected table says', () => {
      expect(probes).toHaveLength(15);
      const outcome = (pick: (probe: Probe) => boolean) =>
        Object.fromEntries(probes.map((probe) => [`${probe.attack} ${probe.compromised} → ${probe.target}`, pick(probe)]));
      // Read from the expected table itself, not from what each probe copied of it: a cell the run skipped, or one
      // the probe was given wrong, shows here.
      const table = EXPECTED.secure[mode];
      const fromTable = Object.fromEntries(
        (['forge', 'replay'] as const).flatMap((attack) =>
          APP_NAMES.flatMap((compromised) =>
            Object.entries(table[attack][compromised]).map(([target, accepted]) => [`${attack} ${compromised} → ${target}`, accepted]),
          ),
        ),
      );
      expect(outcome((probe) => probe.accepted)).toEqual(fromTable);
      expect(mismatches(probes)).toEqual([]);
    });

    it('gives each container only its own keys, on a read-only mount of its own, and no key in its environment', () => {
      expect(held).toEqual(HELD[mode]);
      for (const app of APP_NAMES) {
        // What the lab's container follows when it compromises the app is what compose gave the app.
        const settings = Object.entries(composeSettingsOf(app, mode, 'http://localhost:3000')).map(([name, value]) => `${name}=${value}`);
        expect(environments[app]).toEqual(expect.arrayContaining(settings));
        expect(mounts[app]).toEqual([{ destination: `/keys/${app}`, rw: false }]);
        expect(environments[app]).toContain(`KEYS_DIR=/keys/${app}`);
        expect(environments[app].filter((entry) => secrets.some((secret) => entry.includes(secret)))).toEqual([]);
      }
    });

    it('prints the same matrices from the lab’s own container (docker-compose run --rm lab), in the mode of the keys', () => {
      const { status, stdout, stderr } = labRuns.demo;
      expect({ status, verdict: stdout.trim().split('\n').at(-1) }).toEqual({
        status: 0,
        verdict: 'All 15 cells match the expected tables.',
      });
      expect(matrixIn(stdout, 'Forge')).toEqual(EXPECTED.secure[mode].forge);
      expect(matrixIn(stdout, 'Replay')).toEqual(EXPECTED.secure[mode].replay);
      // Each compromise took, from the volumes all mounted in the lab's container, the keys of that app alone.
      for (const app of APP_NAMES) {
        const line = stderr.split('\n').find((candidate) => candidate.startsWith(`[${mode}] compromised ${app} `));
        const kids = line?.replace(/.*signing keys: /, '');
        expect(kids === 'none' ? [] : kids?.split(', ').map(keyNameOf)).toEqual(HELD[mode][app]);
      }
    });

    it('runs the attack catalogue from the lab’s container (docker-compose run --rm lab attacks)', () => {
      const { status, stdout } = labRuns.attacks;
      expect({ status, verdict: stdout.trim().split('\n').at(-1) }).toEqual({
        status: 0,
        verdict: expect.stringMatching(/^All \d+ rows match the catalogue \(\d+ skipped\), and every check after each mode passed\.$/),
      });
      expect(stdout).toContain("the attacker's server was fetched 0 times");
    });

    it('leaves no container, network or volume behind', () => {
      expect(leftovers()).toBe('');
    });
  });

  // The recovery drill in containers: each step of the playbook runs in a one-shot keygen container, and the
  // services reload on SIGHUP without being recreated. One HS mode (key files re-read) and rs256-jwks (the
  // issuer's key replaced, the APIs refetching its JWKS).
  describe('the recovery drill', () => {
    let records: DrillRecord[];
    const drills = [
      ['per-app-secret', 'dashboard-api'],
      ['rs256-jwks', 'auth-service'],
    ] as const;

    beforeAll(async () => {
      records = [];
      for (const [mode, compromised] of drills) {
        records.push(
          ...(await runDrills({ modes: [mode], compromised: [compromised], driver: createComposeDriver(testcontainersLauncher) })),
        );
      }
    });

    it('goes as expected: the key volumes changed as expected, every forgery detected and contained, no valid request refused, no container restarted', () => {
      expect(records.map(({ mode, compromised, failures }) => ({ mode, compromised, failures }))).toEqual(
        drills.map(([mode, compromised]) => ({ mode, compromised, failures: [] })),
      );
      for (const record of records) {
        expect(record).toMatchObject({
          ...EXPECTED_RECOVERY[record.mode][record.compromised],
          forgedAcceptedBefore: expect.any(Number),
          forgedDetected: record.forgedAcceptedBefore,
          forgedAcceptedAfter: 0,
          validRefused: 0,
          restarts: 0,
          harvestedValidFor: 0,
        });
        expect(record.forgedAcceptedBefore).toBeGreaterThan(0);
        expect(record.validRequests).toBeGreaterThan(0);
      }
    });

    it('leaves no container, network or volume behind', () => {
      expect(leftovers()).toBe('');
    });
  });
});
