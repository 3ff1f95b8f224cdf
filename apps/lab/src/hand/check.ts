import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { APP_NAMES, type AppName } from '@jwt-blast-radius/keys';
import { COMPOSE_URLS, REPO_ROOT } from '@jwt-blast-radius/stack';

/** What a check found: `ok`; `FAIL` for a required check; `skip` for an optional one that is not there. */
export type CheckStatus = 'ok' | 'FAIL' | 'skip';

/** One line of `npm run lab -- check`. */
export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

/** What the checks look at; each is this machine's own unless given (the tests give others). */
export interface MachineCheckOptions {
  /** The clone to check: its package.json's `engines.node`, and its built files. */
  readonly root?: string;
  /** The version of Node.js, as `process.versions.node` gives it. */
  readonly nodeVersion?: string;
  readonly platform?: NodeJS.Platform;
  /** Where the process table is read: `/proc`. */
  readonly procRoot?: string;
  /** The port each app listens on under `npm start`. */
  readonly ports?: Readonly<Record<AppName, number>>;
  /** The commands run to find curl, Docker and Compose v1. */
  readonly commands?: { readonly curl?: string; readonly docker?: string; readonly dockerCompose?: string };
}

type CheckContext = Required<Omit<MachineCheckOptions, 'commands'>> & {
  readonly commands: Required<NonNullable<MachineCheckOptions['commands']>>;
};

interface Finding {
  readonly passed: boolean;
  readonly detail: string;
}

/** One thing a participant's machine needs: required ones decide the exit status, optional ones only inform. */
interface MachineCheck {
  readonly name: string;
  readonly optional: boolean;
  readonly run: (context: CheckContext) => Finding | Promise<Finding>;
}

/** The port each app listens on under `npm start`: the ports compose publishes them on. */
export const NPM_START_PORTS: Readonly<Record<AppName, number>> = Object.fromEntries(
  APP_NAMES.map((app) => [app, Number(new URL(COMPOSE_URLS[app]).port)]),
) as Record<AppName, number>;

/** The files the workshop runs, relative to the clone: the three apps and the commands of the exercises. */
export const BUILT_FILES: readonly string[] = [
  ...APP_NAMES.map((app) => `apps/${app}/dist/main.js`),
  'packages/keys/dist/cli.js',
  ...['start', 'lab', 'demo', 'attacks', 'drill', 'detect', 'workshop'].map((command) => `apps/lab/dist/cli/${command}.js`),
];

const COMMAND_TIMEOUT_MS = 5_000;
const CONNECT_TIMEOUT_MS = 1_000;

/**
 * Everything `npm run lab -- check` checks, in the order it prints them. Adding a check is one entry.
 */
export const MACHINE_CHECKS: readonly MachineCheck[] = [
  { name: 'Node.js', optional: false, run: checkNode },
  { name: 'Linux /proc', optional: false, run: checkProc },
  { name: "npm start's ports", optional: false, run: checkPorts },
  { name: 'workspace built', optional: false, run: checkBuilt },
  { name: 'curl', optional: false, run: checkCurl },
  { name: 'Docker (optional)', optional: true, run: checkDocker },
];

/**
 * Runs every check of {@link MACHINE_CHECKS} at once, and answers their results in the table's order. A check never
 * throws: what goes wrong is its finding.
 *
 * @example
 * const results = await checkMachine();
 * process.stdout.write(formatMachineCheck(results));
 */
export async function checkMachine(options: MachineCheckOptions = {}): Promise<CheckResult[]> {
  const context: CheckContext = {
    root: options.root ?? REPO_ROOT,
    nodeVersion: options.nodeVersion ?? process.versions.node,
    platform: options.platform ?? process.platform,
    procRoot: options.procRoot ?? '/proc',
    ports: options.ports ?? NPM_START_PORTS,
    commands: { curl: 'curl', docker: 'docker', dockerCompose: 'docker-compose', ...options.commands },
  };
  return Promise.all(
    MACHINE_CHECKS.map(async ({ name, optional, run }) => {
      // A check that throws, even at once, fails with what it threw rather than stopping the others.
      const { passed, detail } = await Promise.resolve()
        .then(() => run(context))
        .catch((error: unknown) => ({
          passed: false,
          detail: `could not check: ${error instanceof Error ? error.message : String(error)}`,
        }));
      const status: CheckStatus = passed ? 'ok' : optional ? 'skip' : 'FAIL';
      return { name, status, detail };
    }),
  );
}

/**
 * Whether every required check passed (an optional one never counts).
 *
 * @example
 * process.exitCode = machineReady(results) ? 0 : 1;
 */
export function machineReady(results: readonly CheckResult[]): boolean {
  return results.every((result) => result.status !== 'FAIL');
}

/**
 * The results as `npm run lab -- check` prints them: one line per check, `<status>  <name>: <detail>`, then a verdict.
 *
 * @example
 * formatMachineCheck(results); // 'ok    Node.js: v20.20.2 (the workspace needs >=20.19)\n...'
 */
export function formatMachineCheck(results: readonly CheckResult[]): string {
  const lines = results.map(({ name, status, detail }) => `${status.padEnd(4)}  ${name}: ${detail}`);
  const failed = results.filter((result) => result.status === 'FAIL').length;
  const skipped = results.filter((result) => result.status === 'skip').map((result) => result.name);
  lines.push(
    failed > 0
      ? `not ready for the workshop: ${failed} ${failed === 1 ? 'check' : 'checks'} failed (FAIL above)`
      : `ready for the workshop${skipped.length > 0 ? `: every required check passed (${skipped.join(', ')}: not needed by any exercise)` : ': every check passed'}`,
  );
  return `${lines.join('\n')}\n`;
}

/** The lowest version `engines.node` of the clone's package.json allows, `>=20.19` read as [20, 19, 0]. */
function requiredNode(root: string): { readonly range: string; readonly lowest: readonly number[] } {
  const range = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines?: { node?: unknown } }).engines?.node;
  const match = typeof range === 'string' ? /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim()) : null;
  if (!match) throw new Error(`package.json's engines.node is not a ">=" version`);
  return { range: String(range), lowest: [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)] };
}

function checkNode({ root, nodeVersion }: CheckContext): Finding {
  const { range, lowest } = requiredNode(root);
  const given = nodeVersion.split('.').map(Number);
  const older = lowest.findIndex((part, i) => (given[i] ?? 0) !== part);
  const passed = older === -1 || (given[older] ?? 0) > lowest[older]!;
  return {
    passed,
    detail: passed
      ? `v${nodeVersion} (the workspace needs ${range})`
      : `v${nodeVersion}, and the workspace needs ${range}: install a maintained Node.js (nvm install 24, say), then npm install again`,
  };
}

/** Reads the environment of a process of this user, as `npm run lab -- loot` does: a child started with a marker. */
async function checkProc({ platform, procRoot }: CheckContext): Promise<Finding> {
  if (platform !== 'linux') {
    return {
      passed: false,
      detail:
        `this is ${platform}, not Linux: loot reads a process's environment from /proc/<pid>/environ; ` +
        "use a Linux machine, VM or container (WSL 2 on Windows), or follow on the trainer's console",
    };
  }
  const marker = randomUUID();
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { env: { LAB_CHECK: marker }, stdio: 'ignore' });
  try {
    await once(child, 'spawn');
    const environ = await readFile(join(procRoot, String(child.pid), 'environ'), 'utf8');
    return environ.split('\0').includes(`LAB_CHECK=${marker}`)
      ? { passed: true, detail: 'the environment of a process of yours can be read, as npm run lab -- loot reads one' }
      : { passed: false, detail: `${join(procRoot, String(child.pid), 'environ')} does not hold the environment the process was given` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return {
      passed: false,
      detail:
        code === 'ENOENT'
          ? `no ${procRoot}/<pid>/environ here: loot needs Linux's /proc (a container without /proc mounted will not do)`
          : `cannot read ${procRoot}/<pid>/environ of a process of yours (${code}): loot reads it the same way`,
    };
  } finally {
    child.kill();
  }
}

/** Whether something listens on a loopback port: a connection is made (taken) or refused (free); it binds nothing. */
function probePort(port: number): Promise<'free' | 'taken' | 'unknown'> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(CONNECT_TIMEOUT_MS);
    socket.once('connect', () => {
      socket.destroy();
      resolve('taken');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('unknown');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED' ? 'free' : 'unknown'));
  });
}

async function checkPorts({ ports }: CheckContext): Promise<Finding> {
  const found = await Promise.all(APP_NAMES.map(async (app) => ({ app, port: ports[app], state: await probePort(ports[app]) })));
  const busy = found.filter(({ state }) => state !== 'free');
  const listed = found.map(({ port }) => port);
  if (busy.length === 0) return { passed: true, detail: `127.0.0.1:${listed.join(', ')} are free` };
  const named = busy.map(({ app, port, state }) => `${port} (${app})${state === 'unknown' ? ' did not answer' : ''}`).join(', ');
  return {
    passed: false,
    detail:
      `${named} ${busy.length === 1 ? 'is' : 'are'} taken: an npm start still running (Ctrl-C it), the compose stack ` +
      '(docker-compose down), or another program (ss -ltnp shows which)',
  };
}

function checkBuilt({ root }: CheckContext): Finding {
  const missing = BUILT_FILES.filter((file) => !existsSync(join(root, file)));
  if (missing.length === 0) return { passed: true, detail: "the three apps and the lab's commands are in their dist/ folders" };
  const more = missing.length > 1 ? ` and ${missing.length - 1} more` : '';
  return { passed: false, detail: `${missing[0]}${more} missing: run npm install, then npx turbo run build` };
}

async function firstLineOf(command: string, args: readonly string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(command, args, { timeout: COMMAND_TIMEOUT_MS });
  return stdout.split('\n')[0]!.trim();
}

async function checkCurl({ commands }: CheckContext): Promise<Finding> {
  try {
    const version = (await firstLineOf(commands.curl, ['--version'])).split(' ').slice(0, 2).join(' ');
    return { passed: true, detail: version };
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      passed: false,
      detail: `${missing ? 'not found' : 'does not run'}: the exercises send their requests with curl (apt-get install curl)`,
    };
  }
}

async function checkDocker({ commands }: CheckContext): Promise<Finding> {
  let engine: string;
  try {
    engine = await firstLineOf(commands.docker, ['version', '--format', '{{.Server.Version}}']);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT'
      ? { passed: false, detail: 'not installed; no exercise needs it (only docker-compose up and --driver compose do)' }
      : { passed: false, detail: 'docker is installed, but no engine answers; no exercise needs one' };
  }
  const compose = await firstLineOf(commands.docker, ['compose', 'version', '--short'])
    .then((version) => `docker compose ${version}`)
    .catch(() => firstLineOf(commands.dockerCompose, ['version', '--short']).then((version) => `docker-compose ${version}`))
    .catch(() => undefined);
  return compose
    ? { passed: true, detail: `engine ${engine}, ${compose}` }
    : { passed: false, detail: `engine ${engine}, but neither docker compose (v2) nor docker-compose (v1); no exercise needs them` };
}
