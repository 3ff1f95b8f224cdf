import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_NAMES, isAppName, type AppName, type ModeName } from '@jwt-blast-radius/keys';
import { REPO_ROOT } from './paths';

/** Where `npm start` keeps its services' logs, and its record of the stack while it runs. */
export const LOGS_DIR = join(REPO_ROOT, '.logs');
/**
 * Where the running `npm start` stack is recorded (written once every service answers, removed when it stops),
 * and where the commands that act on it (`reload`, `loot`) read it: `STACK_FILE` when set, `.logs/stack.json`
 * otherwise.
 *
 * @example
 * const record = await readStackRecord(stackFileOf(process.env));
 */
export function stackFileOf(env: Readonly<Record<string, string | undefined>>): string {
  return env.STACK_FILE || join(LOGS_DIR, 'stack.json');
}

/** One service of a running stack. */
export interface RecordedService {
  readonly pid: number;
  /** Its base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The file it writes its log to, one JSON line per event. */
  readonly logFile: string;
}

/** What `npm start` runs, for the commands that act on the running stack (`npm run reload`). */
export interface StackRecord {
  readonly mode: ModeName;
  /** The folder holding one key folder per app, each app's `KEYS_DIR`. */
  readonly keysDir: string;
  /** The pid of the `npm start` process itself. */
  readonly pid: number;
  readonly services: Readonly<Record<AppName, RecordedService>>;
}

/**
 * Writes the record of a running stack, replacing the file whole (a reader never sees half of it).
 *
 * @example
 * await writeStackRecord(stackFileOf(process.env), { mode, keysDir, pid: process.pid, services });
 */
export async function writeStackRecord(path: string, record: StackRecord): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, path);
}

/** Removes the record of a stack that has stopped. */
export async function removeStackRecord(path: string): Promise<void> {
  await rm(path, { force: true });
}

/**
 * Reads the record of the running stack: undefined when there is none (no stack was started, or it has
 * stopped), and an error when the file is not such a record.
 *
 * @example
 * const record = await readStackRecord(stackFileOf(process.env));
 */
export async function readStackRecord(path: string): Promise<StackRecord | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!isStackRecord(parsed)) throw new Error(`${path} is not the record npm start writes; stop the stack and start it again`);
  return parsed;
}

function isStackRecord(value: unknown): value is StackRecord {
  if (typeof value !== 'object' || value === null) return false;
  const { mode, keysDir, pid, services } = value as Partial<Record<keyof StackRecord, unknown>>;
  if (typeof mode !== 'string' || typeof keysDir !== 'string' || !isPid(pid) || typeof services !== 'object' || services === null) {
    return false;
  }
  const apps = Object.keys(services);
  return (
    apps.length === APP_NAMES.length &&
    apps.every(isAppName) &&
    Object.values(services).every((service: unknown) => {
      const { pid: servicePid, url, logFile } = (service ?? {}) as Partial<Record<keyof RecordedService, unknown>>;
      return isPid(servicePid) && typeof url === 'string' && typeof logFile === 'string';
    })
  );
}

function isPid(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

/**
 * Whether a process with this pid runs (one that this user may not signal counts as running).
 *
 * @example
 * if (!isProcessRunning(record.pid)) throw new Error('the stack has stopped');
 */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
