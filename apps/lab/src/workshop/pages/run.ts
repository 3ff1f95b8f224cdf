import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { APP_NAMES, generateKeySet, type AppName, type ModeName } from '@jwt-blast-radius/keys';
import { parseLogLine } from '@jwt-blast-radius/service-kit';
import { EXPECTED } from '../../demo/expected';
import { NPM_START_PORTS } from '../../hand/check';
import {
  startLocalStack,
  type LocalStack,
  readableLogLine,
  REPO_ROOT,
  removeStackRecord,
  writeStackRecord,
  type StackRecord,
} from '@jwt-blast-radius/stack';
import { ROUTES } from '../../targets';
import { curlWithBearer } from './curl';
import { excerptCatalogue } from './excerpt';
import { EXERCISES, commandOf, kidPattern, lootFileOf, type Exercise, type Step } from './exercises';

/** A command of an exercise, and what it printed. */
export interface StepRun {
  readonly command: string;
  readonly output: string;
}

/** An exercise as it ran: each command's output, the access lines its npm start terminal showed, and how long it took. */
export interface ExerciseRun {
  readonly exercise: Exercise;
  readonly steps: readonly StepRun[];
  /** The access decisions the npm start terminal showed while the commands ran, as it shows them. */
  readonly serverLines: readonly string[];
  /** The seconds its commands took, one after the other (not the stack's start). */
  readonly seconds: number;
}

/** A run of the whole workshop: the machine check, then every exercise. */
export interface WorkshopRun {
  /** What `npm run lab -- check` printed, and its exit status. */
  readonly check: { readonly output: string; readonly status: number };
  readonly exercises: readonly ExerciseRun[];
}

export interface WorkshopRunOptions {
  readonly progress?: (line: string) => void;
  /**
   * Stops before any exercise when `npm run lab -- check` fails here: the plan shows its output, which must then be a
   * ready machine's. The drift test lets it fail (the user's own stack may hold 3000-3002).
   */
  readonly requireReadyMachine?: boolean;
}

const DIST = join(REPO_ROOT, 'apps', 'lab', 'dist');
const COMMAND_TIMEOUT_MS = 120_000;
const LOG_WAIT_MS = 60_000;
let outputs = 0;

/** The state a participant's shell keeps between commands, and the stack in their second terminal. */
interface Session {
  readonly work: string;
  readonly stackFile: string;
  stack?: { readonly mode: ModeName; readonly local: LocalStack };
  token?: string;
  kid?: string;
  forgedWith?: AppName;
}

/**
 * Runs the workshop for real, as a participant would: the machine check, then each exercise's commands in order, the
 * first three against a stack started as `npm start` starts it (fresh keys, one folder per app) but on free ports,
 * with its record in a temporary folder that the built `npm run lab` is pointed at. The built commands run as child
 * processes, from a temporary folder standing for the clone (loot files, `.keys/<mode>/`, `.logs/`). Each output is
 * what the command printed, with the free ports written as npm start's and the temporary folder left out. Fails when a
 * command's outcome is not the one the page and the lab's expected matrix say.
 *
 * @example
 * const run = await runWorkshop({ progress: (line) => process.stderr.write(`${line}\n`) });
 */
export async function runWorkshop({ progress = () => {}, requireReadyMachine = false }: WorkshopRunOptions = {}): Promise<WorkshopRun> {
  const checked = await runBuilt('lab', ['check'], { cwd: REPO_ROOT, shows: 'all' });
  const check = { output: checked.shown, status: checked.status };
  progress(`npm run lab -- check: exit status ${check.status}`);
  if (requireReadyMachine && check.status !== 0) {
    throw new Error(`npm run lab -- check fails on this machine, and the plan shows its output:\n${check.output.trimEnd()}`);
  }
  const work = await mkdtemp(join(tmpdir(), 'workshop-'));
  const session: Session = { work, stackFile: join(work, '.logs', 'stack.json') };
  try {
    const exercises: ExerciseRun[] = [];
    for (const [i, exercise] of EXERCISES.entries()) {
      if (exercise.stack) await startStack(session, exercise.stack);
      const logSizes = await logSizesOf(session);
      const steps: StepRun[] = [];
      let seconds = 0;
      for (const step of exercise.steps) {
        const started = performance.now();
        const output = await runStep(session, step);
        seconds += (performance.now() - started) / 1000;
        steps.push({ command: commandOf(step), output: localize(session, output) });
      }
      const calls = exercise.steps.filter((step) => step.kind === 'call').length;
      const serverLines = exercise.stack ? await accessLinesSince(session, logSizes, calls) : [];
      exercises.push({ exercise, steps, serverLines: serverLines.map((line) => localize(session, line)), seconds });
      progress(`exercise ${i + 1} (${exercise.title}): its commands ran in ${seconds.toFixed(1)} s`);
    }
    return { check, exercises };
  } finally {
    await stopStack(session);
    await rm(work, { recursive: true, force: true });
  }
}

/** Starts the exercise's stack as `npm start -- --mode <mode>` would, after stopping the one before (Ctrl-C). */
async function startStack(session: Session, mode: ModeName): Promise<void> {
  await stopStack(session);
  const keysDir = join(session.work, '.keys', mode);
  await rm(keysDir, { recursive: true, force: true });
  const local = await startLocalStack({ mode, material: await generateKeySet(mode), keysDir, logsDir: join(session.work, '.logs') });
  session.stack = { mode, local };
  const services = Object.fromEntries(
    APP_NAMES.map((app) => [app, { pid: local.services[app].child.pid!, url: local.urls[app], logFile: local.logFiles[app] }]),
  ) as StackRecord['services'];
  await writeStackRecord(session.stackFile, { mode, keysDir, pid: process.pid, services });
  session.token = session.kid = session.forgedWith = undefined;
}

async function stopStack(session: Session): Promise<void> {
  await removeStackRecord(session.stackFile);
  const running = session.stack;
  session.stack = undefined;
  await running?.local.stop();
}

function stackOf(session: Session, step: Step): { readonly mode: ModeName; readonly local: LocalStack } {
  if (!session.stack) throw new Error(`${commandOf(step)} needs the npm start stack, and its exercise names none`);
  return session.stack;
}

async function runStep(session: Session, step: Step): Promise<string> {
  const command = commandOf(step);
  switch (step.kind) {
    case 'loot': {
      const { local } = stackOf(session, step);
      const ran = await runBuilt('lab', ['loot', '--app', step.app, '--out', lootFileOf(step.app)], {
        cwd: session.work,
        shows: 'all',
        session,
      });
      expectStatus(command, ran, 0);
      // The command must have taken the generator's stack, never the clone's own npm start.
      const pid = local.services[step.app].child.pid;
      if (!ran.shown.split('\n')[0]!.endsWith(`pid ${pid}`))
        throw new Error(`${command} did not take pid ${pid}: ${ran.shown.split('\n')[0]}`);
      return ran.shown;
    }
    case 'forge': {
      if (step.kid && !session.kid) throw new Error(`${command}: no KID was kept before it`);
      const args = ['forge', '--with', lootFileOf(step.with), '--sub', 'admin', '--roles', 'admin', '--aud', step.aud];
      const ran = await runBuilt('lab', [...args, ...(step.kid ? ['--kid', session.kid!] : [])], {
        cwd: session.work,
        shows: 'stdout',
        session,
      });
      expectStatus(command, ran, step.refused ? 2 : 0);
      session.token = step.refused ? undefined : ran.stdout.trim();
      session.forgedWith = step.with;
      return ran.stderr;
    }
    case 'kid': {
      const found = new RegExp(kidPattern(step.of)).exec(await readFile(join(session.work, lootFileOf(step.from)), 'utf8'));
      if (!found) throw new Error(`${command}: ${lootFileOf(step.from)} holds no kid of ${step.of}`);
      session.kid = found[0];
      return '';
    }
    case 'call': {
      const { mode, local } = stackOf(session, step);
      if (!session.token || !session.forgedWith) throw new Error(`${command}: no TOKEN was forged before it`);
      const expected = EXPECTED.secure[mode].forge[session.forgedWith][step.target] ? 200 : 401;
      const response = await curlWithBearer(`${local.urls[step.target]}${ROUTES[step.target].admin}`, session.token);
      if (response.status !== expected) {
        throw new Error(`${command}: ${response.status}, where the expected matrix of ${mode} says ${expected}`);
      }
      return response.text;
    }
    case 'decode': {
      if (!session.token) throw new Error(`${command}: no TOKEN was forged before it`);
      const ran = await runBuilt('lab', ['decode', session.token], { cwd: session.work, shows: 'all' });
      expectStatus(command, ran, 0);
      return ran.shown;
    }
    case 'npm': {
      // npm run detect reads the clone's .logs; here, the folder of the generator's stack, written as the clone's.
      const args = step.script === 'detect' ? [...step.args, '--logs', '.logs'] : step.args;
      const ran = await runBuilt(step.script, args, { cwd: session.work, shows: step.shows });
      expectStatus(command, ran, step.status);
      return step.excerpt ? excerptCatalogue(ran.shown, step.excerpt) : ran.shown;
    }
  }
}

function expectStatus(command: string, ran: Ran, status: number): void {
  if (ran.status !== status) {
    throw new Error(`${command} ended with exit status ${ran.status}, not ${status}:\n${(ran.shown || ran.stderr).trimEnd()}`);
  }
}

interface Ran {
  readonly status: number;
  /** What the page shows: stdout and stderr as they came, or stdout alone. */
  readonly shown: string;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a built command of the lab (`apps/lab/dist/cli/<name>.js`) as npm runs it, from `cwd`. With `shows: 'all'`
 * its stdout and stderr go to one file, in the order it wrote them, as a terminal shows them; with `'stdout'` they are
 * read apart. With a session, the command reads the record of the session's stack (the preload) rather than the clone's.
 */
async function runBuilt(
  name: string,
  args: readonly string[],
  { cwd, shows, session }: { readonly cwd: string; readonly shows: 'all' | 'stdout'; readonly session?: Session },
): Promise<Ran> {
  const cli = join(DIST, 'cli', `${name}.js`);
  if (!existsSync(cli)) throw new Error(`${cli} is not built: run npx turbo run build first`);
  const argv = [cli, ...args];
  // The generator's stack runs on free ports with its record in its own folder: STACK_FILE points the real
  // command there, so that it prints what a participant sees without touching the clone's own stack.
  const env = session ? { ...process.env, STACK_FILE: session.stackFile } : process.env;
  const outputFile = join(tmpdir(), `workshop-output-${process.pid}-${(outputs += 1)}`);
  const fd = shows === 'all' ? openSync(outputFile, 'w', 0o600) : undefined;
  try {
    const child = spawn(process.execPath, argv, { cwd, env, stdio: ['ignore', fd ?? 'pipe', fd ?? 'pipe'] });
    if (fd !== undefined) closeSync(fd);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill(), COMMAND_TIMEOUT_MS);
    const status = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    }).finally(() => clearTimeout(timer));
    if (fd === undefined) return { status, shown: stdout, stdout, stderr };
    const all = await readFile(outputFile, 'utf8');
    return { status, shown: all, stdout: all, stderr: '' };
  } finally {
    if (fd !== undefined) await rm(outputFile, { force: true });
  }
}

/** Writes an output as it reads on a participant's machine: npm start's ports for the free ones, the clone for the temporary folder. */
function localize(session: Session, text: string): string {
  const ports = new Map<string, string>();
  if (session.stack) {
    for (const app of APP_NAMES) ports.set(new URL(session.stack.local.urls[app]).port, String(NPM_START_PORTS[app]));
  }
  return text
    .replaceAll(`${session.work}/`, '')
    .replace(/\b127\.0\.0\.1:(\d+)\b/g, (whole, port: string) => (ports.has(port) ? `127.0.0.1:${ports.get(port)}` : whole))
    .replace(/^(\s+PORT\s+)(\d+)$/gm, (whole, label: string, port: string) => (ports.has(port) ? `${label}${ports.get(port)}` : whole));
}

async function logSizesOf(session: Session): Promise<Partial<Record<AppName, number>>> {
  if (!session.stack) return {};
  const sizes: Partial<Record<AppName, number>> = {};
  for (const app of APP_NAMES) sizes[app] = (await readFile(session.stack.local.logFiles[app])).length;
  return sizes;
}

/**
 * The access decisions the services logged since the sizes were taken, as `npm start` shows them (the app, then the
 * readable line), in the order they were logged. Waits until as many as the exercise's calls were logged: a service
 * writes its log line once it has answered.
 */
async function accessLinesSince(session: Session, sizes: Partial<Record<AppName, number>>, calls: number): Promise<string[]> {
  const deadline = Date.now() + LOG_WAIT_MS;
  for (;;) {
    const entries: { app: AppName; time: number; line: string }[] = [];
    for (const app of APP_NAMES) {
      const text = (await readFile(session.stack!.local.logFiles[app])).subarray(sizes[app] ?? 0).toString('utf8');
      for (const line of text.split('\n')) {
        const entry = parseLogLine(line);
        if (entry?.event === 'access') entries.push({ app, time: entry.time, line });
      }
    }
    if (entries.length >= calls || Date.now() > deadline) {
      return entries.sort((a, b) => a.time - b.time).map(({ app, line }) => `${app.padEnd(14)} ${readableLogLine(line) ?? line}`);
    }
    await sleep(20);
  }
}
