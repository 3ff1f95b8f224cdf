import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { DEFAULT_MODE, MODE_NAMES, type AppName, type ModeName } from '@jwt-blast-radius/keys';
import {
  composeStack,
  lootLocalProcess,
  type Loot,
  REPO_ROOT,
  appEntryPoint,
  isProcessRunning,
  stackFileOf,
  readStackRecord,
  type StackRecord,
} from '@jwt-blast-radius/stack';
import { findComposeContainer } from './compose-container';
import { HandError } from './errors';

/** Where the record of the running `npm start` stack is read from. */
export interface StackFileOptions {
  /** The stack record; `.logs/stack.json`, as `npm start` writes it, unless given. */
  readonly stackFile?: string;
}

/**
 * The record of the running `npm start` stack; fails with one line (exit 1) when none runs: no record, or the
 * `npm start` process that wrote it has gone.
 *
 * @example
 * const record = await readRunningStack({ stackFile });
 */
export async function readRunningStack({ stackFile = stackFileOf(process.env) }: StackFileOptions = {}): Promise<StackRecord> {
  let record: StackRecord | undefined;
  try {
    record = await readStackRecord(stackFile);
  } catch (error) {
    throw new HandError('ERR_HAND_NO_STACK', error instanceof Error ? error.message : String(error), { cause: error });
  }
  if (!record) throw new HandError('ERR_HAND_NO_STACK', 'no npm start stack is running: start one with npm start');
  if (!isProcessRunning(record.pid)) {
    throw new HandError(
      'ERR_HAND_NO_STACK',
      `no npm start stack is running (the one recorded, pid ${record.pid}, has stopped): start one with npm start`,
    );
  }
  return record;
}

/**
 * Takes what an app of the running `npm start` stack holds, exactly as the lab's local driver compromises it:
 * the process's environment from /proc/<pid>/environ, followed to its key files. Fails with one line (exit 1)
 * when no stack runs or the app's process is not the app any more.
 *
 * @example
 * const loot = await takeStackLoot('dashboard-api'); // { app, source: 'pid 41234', env, files }
 */
export async function takeStackLoot(app: AppName, options: StackFileOptions = {}): Promise<Loot> {
  const record = await readRunningStack(options);
  const { pid } = record.services[app];
  // A pid of a stopped service may be reused by another process: read only one that runs the app's entry point.
  const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!commandLine.split('\0').includes(appEntryPoint(app))) {
    throw new HandError('ERR_HAND_NO_STACK', `${app} (pid ${pid}) is not running: restart the stack with npm start`);
  }
  try {
    return await lootLocalProcess(app, pid);
  } catch (error) {
    throw new HandError('ERR_HAND_IO', `cannot read ${app}'s process (pid ${pid}): ${(error as NodeJS.ErrnoException).code ?? 'error'}`, {
      cause: error,
    });
  }
}

export interface ComposeLootOptions {
  /** The folder the stack was started from; the repository's unless given. */
  readonly root?: string;
  /** The project to take when several from the folder run the app (`COMPOSE_PROJECT_NAME`). */
  readonly project?: string;
}

/**
 * Takes what an app of the running compose stack holds, exactly as the lab's compose driver compromises it
 * (`docker exec` into its container: the app process's environment, followed to its key files). The container is
 * found by its labels, whatever the project is called. Fails with one line (exit 1) when Docker does not answer or
 * no compose stack from the folder runs the app.
 *
 * @example
 * const loot = await takeComposeLoot('mobile-api'); // source: 'container 3f2a9c1b2d4e, pid 7, compose project main'
 */
export async function takeComposeLoot(app: AppName, { root = REPO_ROOT, project }: ComposeLootOptions = {}): Promise<Loot> {
  const container = await findComposeContainer(app, { root, ...(project ? { project } : {}) });
  let loot: Loot;
  try {
    const mode = await composeModeOf(container.id);
    // The stack is the user's: looting it never takes it down.
    loot = await composeStack({ name: container.project, mode, env: { AUTH_MODE: mode }, down: async () => {} }).compromise(app);
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    const why = typeof stderr === 'string' && stderr.trim() !== '' ? stderr.trim().split('\n').at(-1)! : (error as Error).message;
    throw new HandError('ERR_HAND_IO', `cannot read ${app}'s container ${container.name}: ${why}`, { cause: error });
  }
  return { ...loot, source: `${loot.source}, compose project ${container.project}` };
}

/**
 * Whether a loot was taken from a container (the compose stack) rather than from a local process (`npm start`).
 *
 * @example
 * isComposeLoot(loot); // true for source 'container 3f2a9c1b2d4e, pid 7, compose project main'
 */
export function isComposeLoot(loot: Loot): boolean {
  return loot.source.startsWith('container ');
}

/** The mode a compose service runs in: its container's AUTH_MODE, as compose set it ({@link DEFAULT_MODE} unset). */
async function composeModeOf(container: string): Promise<ModeName> {
  const { stdout } = await promisify(execFile)('docker', ['inspect', '--format', '{{range .Config.Env}}{{println .}}{{end}}', container]);
  const setting = stdout.split('\n').find((entry) => entry.startsWith('AUTH_MODE='));
  const mode = setting?.slice('AUTH_MODE='.length).trim() || DEFAULT_MODE;
  return (MODE_NAMES as readonly string[]).includes(mode) ? (mode as ModeName) : DEFAULT_MODE;
}
