import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { APP_NAMES, INSECURE_ACKNOWLEDGEMENT, KEY_FILE_NAME, type AppName, type FolderKids, type ModeName } from '@jwt-blast-radius/keys';
import { collectKeyFiles, parseEnviron, type FileReader } from '../loot';
import { parseLogLine } from '@jwt-blast-radius/service-kit';
import { REPO_ROOT } from '../paths';
import { DeadlinePassed, readHealth, reloadServices, type ReloadTarget } from '../reload';
import type { LiveKeys, RunningStack, StackDriver, StackOptions } from './types';

const run = promisify(execFile);

/** Each service's port in docker-compose.yml, inside the compose network and published on the host's 127.0.0.1 alike. */
export const COMPOSE_PORTS: Readonly<Record<AppName, number>> = { 'auth-service': 3000, 'dashboard-api': 3001, 'mobile-api': 3002 };

/** Where docker-compose.yml publishes each service on the host. */
export const COMPOSE_URLS = Object.fromEntries(APP_NAMES.map((app) => [app, `http://127.0.0.1:${COMPOSE_PORTS[app]}`])) as Readonly<
  Record<AppName, string>
>;

/** A compose project that is up, and how to take it down. */
export interface ComposeProject {
  readonly name: string;
  readonly mode: ModeName;
  /** The settings the compose file was read with (`AUTH_MODE`, ...): every later compose command reads it the same. */
  readonly env: Readonly<Record<string, string>>;
  down(): Promise<void>;
}

/** Brings the compose stack up in a mode; the CLI by default, testcontainers in the tests. */
export type ComposeLauncher = (mode: ModeName, env: Readonly<Record<string, string>>, options: StackOptions) => Promise<ComposeProject>;

async function docker(args: readonly string[]): Promise<string> {
  const { stdout } = await run('docker', args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** What a container has printed, stdout and stderr, as lines; only since a time (epoch seconds) when given. */
async function containerOutput(container: string, sinceSeconds?: number): Promise<string[]> {
  const since = sinceSeconds === undefined ? [] : ['--since', String(sinceSeconds)];
  const { stdout, stderr } = await run('docker', ['logs', ...since, container], { maxBuffer: 64 * 1024 * 1024 });
  return [...stdout.split('\n'), ...stderr.split('\n')].filter((line) => line !== '');
}

/**
 * Runs a compose command on a project, from the repository's root and with the settings the project was
 * brought up with; a failure rejects with the command's last lines of error output.
 *
 * @example
 * await runCompose(project, ['kill', '-s', 'HUP', 'mobile-api']);
 */
export async function runCompose(project: Pick<ComposeProject, 'name' | 'env'>, args: readonly string[]): Promise<string> {
  const [command, ...prefix] = await composeCommand();
  try {
    const { stdout } = await run(command, [...prefix, '-p', project.name, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...project.env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const said = String((error as { stderr?: string }).stderr ?? '')
      .trim()
      .split('\n')
      .slice(-3)
      .join(' | ');
    throw new Error(`${command} ${[...prefix, ...args.slice(0, 2)].join(' ')} failed: ${said || String(error)}`, { cause: error });
  }
}

// Runs inside the compromised container, as the app's own user: finds the app's process and
// prints its environment, as /proc holds it.
const READ_APP_ENVIRON = `
const fs = require('fs');
const pid = fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p) && Number(p) !== process.pid).find((p) => {
  // The node process itself, not the init process (init: true) whose command line names it too.
  try { const argv = fs.readFileSync('/proc/' + p + '/cmdline', 'utf8').split('\\0'); return /(^|\\/)node$/.test(argv[0]) && argv.some((arg) => arg.endsWith('/dist/main.js')); } catch { return false; }
});
if (!pid) { process.stderr.write('no app process'); process.exit(1); }
process.stdout.write(JSON.stringify({ pid, environ: fs.readFileSync('/proc/' + pid + '/environ', 'utf8') }));
`;

function containerFiles(container: string): FileReader {
  const node = (script: string, arg: string) => docker(['exec', container, 'node', '-e', script, arg]);
  return {
    list: async (dir) =>
      JSON.parse(await node('process.stdout.write(JSON.stringify(require("fs").readdirSync(process.argv[1])))', dir)) as string[],
    read: (path) => node('process.stdout.write(require("fs").readFileSync(process.argv[1], "utf8"))', path),
  };
}

/**
 * The id of the running container of a compose service, found by the labels Compose v1 and v2 both set.
 *
 * @example
 * await containerOf('jwt-blast-radius-lab', 'mobile-api'); // '3f2a9c...'
 */
export async function containerOf(project: string, service: string): Promise<string> {
  const filters = [`label=com.docker.compose.project=${project}`, `label=com.docker.compose.service=${service}`];
  const id = (await docker(['ps', '-q', ...filters.flatMap((filter) => ['--filter', filter])])).trim().split('\n')[0];
  if (!id) throw new Error(`no running container for ${service} in the compose project ${project}`);
  return id;
}

/**
 * The running compose stack as the lab sees it: a compromise is `docker exec` into the app's
 * container, taking the app process's environment and every key file its settings point to; the
 * services' output is `docker logs` of their containers.
 */
export function composeStack(project: ComposeProject): RunningStack {
  return {
    urls: COMPOSE_URLS,
    async compromise(app) {
      const container = await containerOf(project.name, app);
      const { pid, environ } = JSON.parse(await docker(['exec', container, 'node', '-e', READ_APP_ENVIRON])) as {
        pid: string;
        environ: string;
      };
      const env = parseEnviron(environ);
      return {
        app,
        source: `container ${container.slice(0, 12)}, pid ${pid}`,
        env,
        files: await collectKeyFiles(env, containerFiles(container)),
      };
    },
    async logs() {
      const lines = await Promise.all(APP_NAMES.map(async (app) => containerOutput(await containerOf(project.name, app))));
      return Object.fromEntries(APP_NAMES.map((app, i) => [app, lines[i]!])) as Record<AppName, string[]>;
    },
    keys: composeKeys(project),
    async processes() {
      const named = await Promise.all(
        APP_NAMES.map(async (app) => {
          const container = await containerOf(project.name, app).catch(() => undefined);
          if (container === undefined) return 'not running';
          return (await docker(['inspect', '-f', '{{.Id}} started {{.State.StartedAt}}', container])).trim();
        }),
      );
      return Object.fromEntries(APP_NAMES.map((app, i) => [app, named[i]!])) as Record<AppName, string>;
    },
    stop: () => project.down(),
    [Symbol.asyncDispose]: () => project.down(),
  };
}

/** Where docker-compose.yml mounts each app's key volume in its container, its `KEYS_DIR`; the lab's container mounts it there too. */
export const containerKeysDir = (app: AppName) => `/keys/${app}`;

// Prints only the kids of a key file (never a key), or [] when there is none.
const PRINT_KIDS = `
const fs = require('fs');
let set;
try { set = JSON.parse(fs.readFileSync(process.argv[1], 'utf8')); } catch (error) { if (error.code !== 'ENOENT') throw error; }
process.stdout.write(JSON.stringify(((set && set.keys) || []).map((jwk) => jwk.kid || '')));
`;

/**
 * The compose stack's key volumes: each rotation step runs in a one-shot \`keygen\` container, the only one that
 * mounts every volume (\`docker-compose run --rm keygen ... rotate\`); the services reload on SIGHUP
 * (\`docker kill -s HUP\`), without being recreated.
 */
function composeKeys(project: ComposeProject): LiveKeys {
  const keygen = (...args: string[]) =>
    runCompose(project, [
      'run',
      '--rm',
      '-T',
      'keygen',
      'node',
      'packages/keys/dist/cli.js',
      ...args,
      '--mode',
      project.mode,
      '--dir',
      '/keygen',
    ]);
  return {
    async held() {
      const held = {} as Record<AppName, string[]>;
      for (const app of APP_NAMES) {
        const container = await containerOf(project.name, app);
        const path = `${containerKeysDir(app)}/${KEY_FILE_NAME}`;
        held[app] = (JSON.parse(await docker(['exec', container, 'node', '-e', PRINT_KIDS, path])) as string[]).sort();
      }
      return held;
    },
    async rotate(step, key) {
      await keygen('rotate', '--step', step, '--key', key);
    },
    reload: (options) =>
      reloadServices(
        composeReloadTarget(project, async () => JSON.parse(await keygen('kids')) as Record<AppName, FolderKids>),
        options,
      ),
  };
}

/**
 * How a reload reaches the compose stack's services: what they must report, read by `keys kids` in the
 * one-shot \`keygen\` container; SIGHUP by \`docker kill\`; the \`keys-reloaded\` line read from \`docker logs\`.
 */
function composeReloadTarget(project: ComposeProject, expectedKids: () => Promise<Record<AppName, FolderKids>>): ReloadTarget {
  const containers = new Map<AppName, string>();
  const containerFor = async (app: AppName) => {
    const id = containers.get(app) ?? (await containerOf(project.name, app));
    containers.set(app, id);
    return id;
  };
  return {
    urls: COMPOSE_URLS,
    where: (app) => `container ${containers.get(app)?.slice(0, 12) ?? `of ${app}`}`,
    expectedKids,
    async check(app, deadline) {
      await containerFor(app);
      const health = await readHealth(app, COMPOSE_URLS[app], deadline);
      if (health.app !== app) throw new Error(`${COMPOSE_URLS[app]} does not answer as ${app}; is another stack using the port?`);
    },
    async signal(app, deadline) {
      const container = await containerFor(app);
      const sent = Date.now();
      await docker(['kill', '-s', 'HUP', container]);
      for (;;) {
        const lines = await containerOutput(container, Math.floor(sent / 1000) - 1);
        const reloaded = lines
          .map(parseLogLine)
          .find((line) => line?.event === 'keys-reloaded' && typeof line.time === 'number' && line.time >= sent);
        if (reloaded) return reloaded;
        if (Date.now() > deadline) throw new DeadlinePassed();
        await sleep(100);
      }
    },
  };
}

/**
 * A lab driver for the compose stack, brought up in each mode by the given launcher.
 *
 * @example
 * const probes = await runDemo({ modes, driver: createComposeDriver(cliLauncher), variant: 'secure' });
 */
export function createComposeDriver(launch: ComposeLauncher): StackDriver {
  return {
    name: 'compose',
    async start(mode, options) {
      if (options.rotateKeys) options.progress('the compose driver does not rotate keys: rows that need a retired key are skipped');
      const env = {
        AUTH_MODE: mode,
        INSECURE_SKIP_AUDIENCE_CHECK: String(options.insecure),
        [INSECURE_ACKNOWLEDGEMENT]: options.insecure ? 'INSECURE_SKIP_AUDIENCE_CHECK' : '',
        ...options.settings,
      };
      return composeStack(await launch(mode, env, options));
    },
  };
}

/** `docker compose` (v2) where there is one, else `docker-compose` (v1). */
export async function composeCommand(): Promise<[string, ...string[]]> {
  try {
    await run('docker', ['compose', 'version']);
    return ['docker', 'compose'];
  } catch {
    return ['docker-compose'];
  }
}

/** The project name the lab's stacks run under, apart from a stack started by hand. */
export const LAB_PROJECT = 'jwt-blast-radius-lab';

/**
 * Brings the stack up with the compose CLI (building the image when needed, then waiting until every
 * service is healthy) and down again with its volumes, so that no key outlives the run.
 */
export const cliLauncher: ComposeLauncher = async (mode, env, { progress }) => {
  const [command, ...prefix] = await composeCommand();
  const project = { name: LAB_PROJECT, mode, env };
  const down = async () => {
    await runCompose(project, ['down', '-v', '--remove-orphans']);
  };
  progress(`docker compose up (${command}${prefix.length ? ` ${prefix.join(' ')}` : ''}), building the image if needed`);
  await down();
  try {
    await runCompose(project, ['up', '-d', '--build']);
  } catch (error) {
    await down().catch(() => {});
    throw new Error(`compose up failed in ${mode}: ${(error as Error).message}`, { cause: error });
  }
  progress('waiting until every service answers /health');
  if ((await servicesNotAnswering(COMPOSE_URLS, 120_000)).length > 0) {
    await down().catch(() => {});
    throw new Error(`the compose stack in ${mode} did not become healthy within 120 s`);
  }
  return { ...project, down };
};

/**
 * Waits until every service answers /health as itself, at most `waitMs`: resolves with the services that still do
 * not (none once every one does).
 *
 * @example
 * const missing = await servicesNotAnswering(COMPOSE_URLS, 120_000); // [] when the stack is up
 */
export async function servicesNotAnswering(urls: Readonly<Record<AppName, string>>, waitMs: number): Promise<AppName[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const answers = await Promise.all(
      APP_NAMES.map((app) =>
        readHealth(app, urls[app], Date.now() + 2_000).then(
          (health) => health.app,
          () => undefined,
        ),
      ),
    );
    const missing = APP_NAMES.filter((app, i) => answers[i] !== app);
    if (missing.length === 0 || Date.now() > deadline) return missing;
    await sleep(500);
  }
}

export const composeDriver = createComposeDriver(cliLauncher);
