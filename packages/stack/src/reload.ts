import { stat } from 'node:fs/promises';
import { relative } from 'node:path';
import {
  APP_NAMES,
  ISSUER_APP,
  KeysError,
  describeKeysError,
  kidsDiffer,
  kidsOf,
  readFolderKids,
  type AppName,
  type FolderKids,
  type HealthKids,
} from '@jwt-blast-radius/keys';
import { fetchWithin } from '@jwt-blast-radius/process';
import { parseLogLine, type LogLine } from '@jwt-blast-radius/service-kit';
import { followLines } from './follow-lines';
import { isProcessRunning, type StackRecord } from './stack-record';

/** What one service reported once it had reloaded: the kids it trusts, and for the issuer, those it signs with. */
export interface ReloadedService {
  readonly app: AppName;
  readonly trusted: readonly string[];
  readonly signing: readonly string[] | undefined;
}

export interface ReloadOptions {
  /** How long the whole reload may take, every service included, before it fails. */
  readonly timeoutMs: number;
}

/** The part of a service's `/health` answer a reload checks. */
export interface Health extends HealthKids {
  readonly app?: unknown;
}

/**
 * How a reload reaches the services of one stack (local processes, or containers): what their key folders say
 * each must report, a check that each can be signalled, and the signal itself.
 */
export interface ReloadTarget {
  /** Each service's base URL. */
  readonly urls: Readonly<Record<AppName, string>>;
  /** Where the service runs, for the messages: `pid 4242`, `container 3f2a9c0b1d2e`. */
  where(app: AppName): string;
  /** What each service must report once it has reloaded, read from the key folders through the checks of start-up. */
  expectedKids(): Promise<Record<AppName, FolderKids>>;
  /** Rejects, in one line, when the service cannot be signalled: not running, or not answering as itself. */
  check(app: AppName, deadline: number): Promise<void>;
  /**
   * Sends the service SIGHUP and resolves with the `keys-reloaded` line it logs next; rejects with
   * {@link DeadlinePassed} when none comes before the deadline.
   */
  signal(app: AppName, deadline: number): Promise<LogLine>;
}

/** No line came before the deadline. */
export class DeadlinePassed extends Error {}

/**
 * Reloads every service of a running stack and resolves once each one reports the kids its key folder gives it.
 * The key folders are read first, through the checks of start-up: folders that do not load stop the reload
 * before any service is signalled. Then each service gets SIGHUP: the apps that hold the keys they verify with,
 * then the issuer, then the apps that fetch its JWKS (so that no app signs with a key another does not trust
 * yet, and none fetches a JWKS before it publishes the new keys). A service has reloaded when it logs a
 * `keys-reloaded` line; its `/health` must then report exactly the kids the key folders give it. Rejects with a
 * one-line error: a service that kept its old keys (with its reason), one that reports other kids, one that
 * cannot be signalled, or the deadline.
 *
 * @example
 * const reloaded = await reloadServices(composeReloadTarget(project, mode), { timeoutMs: 20_000 });
 */
export async function reloadServices(target: ReloadTarget, { timeoutMs }: ReloadOptions): Promise<ReloadedService[]> {
  const deadline = Date.now() + timeoutMs;
  let expected: Record<AppName, FolderKids>;
  try {
    expected = await target.expectedKids();
  } catch (error) {
    const why = error instanceof KeysError ? describeKeysError(error) : error instanceof Error ? error.message : String(error);
    throw new Error(`the key files do not load, so no service was signalled: ${why}`, { cause: error });
  }
  for (const app of APP_NAMES) await target.check(app, deadline);
  const phases = [
    APP_NAMES.filter((app) => app !== ISSUER_APP && !expected[app].fromJwks),
    [ISSUER_APP],
    APP_NAMES.filter((app) => expected[app].fromJwks),
  ];
  const reloaded: ReloadedService[] = [];
  for (const phase of phases) {
    reloaded.push(...(await Promise.all(phase.map((app) => reloadService(target, app, expected[app], deadline)))));
  }
  return APP_NAMES.map((app) => reloaded.find((service) => service.app === app)!);
}

/**
 * Reloads every service of the stack `npm start` runs ({@link reloadServices}): SIGHUP to each pid, the reload
 * seen in its log file (watched, not polled).
 *
 * @example
 * const reloaded = await reloadStack(await readStackRecord(stackFileOf(process.env)), { timeoutMs: 10_000 });
 */
export async function reloadStack(record: StackRecord, options: ReloadOptions): Promise<ReloadedService[]> {
  if (!isProcessRunning(record.pid)) throw new Error(`the stack npm start ran (pid ${record.pid}) has stopped; start one with npm start`);
  return reloadServices(localReloadTarget(record), options);
}

function localReloadTarget(record: StackRecord): ReloadTarget {
  return {
    urls: Object.fromEntries(APP_NAMES.map((app) => [app, record.services[app].url])) as Record<AppName, string>,
    where: (app) => `pid ${record.services[app].pid}`,
    expectedKids: () => readFolderKids(record.keysDir, record.mode),
    async check(app, deadline) {
      const service = record.services[app];
      if (!isProcessRunning(service.pid)) throw new Error(`${app} (pid ${service.pid}) is not running; restart the stack with npm start`);
      const health = await readHealth(app, service.url, deadline);
      // A pid of a stopped stack may be reused by another process: signal only what answers as the app.
      if (health.app !== app) throw new Error(`${service.url} does not answer as ${app}; restart the stack with npm start`);
    },
    async signal(app, deadline) {
      const service = record.services[app];
      const from = (await stat(service.logFile)).size;
      const reloaded = nextLine(service.logFile, from, (line) => line.event === 'keys-reloaded', deadline);
      try {
        process.kill(service.pid, 'SIGHUP');
      } catch (error) {
        reloaded.cancel();
        throw new Error(`${app} (pid ${service.pid}) cannot be signalled (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
          cause: error,
        });
      }
      return reloaded.line;
    },
  };
}

/**
 * The kids each service reported, as a table: app, kids trusted, and the kids the issuer signs with.
 *
 * @example
 * process.stdout.write(formatReload(record, reloaded));
 */
export function formatReload(record: StackRecord, reloaded: readonly ReloadedService[]): string {
  const rows = [
    ['app', 'trusts', 'signs with'],
    ...reloaded.map(({ app, trusted, signing }) => [app, trusted.join(', '), signing?.join(', ') ?? '']),
  ];
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) => `  ${row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell)).join('  ')}`.trimEnd());
  return `${record.mode}: every service reloaded the keys in ${relative(process.cwd(), record.keysDir) || '.'}\n${lines.join('\n')}\n`;
}

async function reloadService(target: ReloadTarget, app: AppName, expected: FolderKids, deadline: number): Promise<ReloadedService> {
  const line = await target.signal(app, deadline).catch((error: unknown) => {
    if (error instanceof DeadlinePassed) throw new Error(`${app} did not report a reload before the time ran out (${target.where(app)})`);
    throw error;
  });
  if (line.outcome !== 'ok') {
    throw new Error(`${app} kept the keys it had: ${typeof line.reason === 'string' ? line.reason : 'no reason given'}`);
  }
  const health = await readHealth(app, target.urls[app], deadline);
  const differs = kidsDiffer(app, health, expected);
  if (differs !== undefined) throw new Error(differs);
  return { app, trusted: kidsOf(health.kids), signing: health.signing === undefined ? undefined : kidsOf(health.signing) };
}

/** The first line appended to a log from byte `from` on that `match` accepts; rejects with {@link DeadlinePassed} at the deadline. */
function nextLine(path: string, from: number, match: (line: LogLine) => boolean, deadline: number) {
  let cancel = () => {};
  const line = new Promise<LogLine>((resolve, reject) => {
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      follower.close();
      settle();
    };
    const follower = followLines(
      path,
      from,
      (text) => {
        const entry = parseLogLine(text);
        if (entry && match(entry)) finish(() => resolve(entry));
      },
      (error) => finish(() => reject(error instanceof Error ? error : new Error(String(error)))),
    );
    const timer = setTimeout(() => finish(() => reject(new DeadlinePassed())), Math.max(0, deadline - Date.now()));
    cancel = () => finish(() => undefined);
  });
  return { line, cancel: () => cancel() };
}

/**
 * A service's `/health` answer, for the parts a reload checks.
 *
 * @example
 * const { app } = await readHealth('mobile-api', 'http://127.0.0.1:3002', Date.now() + 5000);
 */
export async function readHealth(app: AppName, url: string, deadline: number): Promise<Health> {
  let response: Response;
  try {
    response = await fetchWithin(Math.max(1, deadline - Date.now()), `${url}/health`);
  } catch {
    throw new Error(`${app} does not answer at ${url}/health; is the stack still running?`);
  }
  if (!response.ok) throw new Error(`${app} answered ${response.status} at ${url}/health`);
  return (await response.json()) as Health;
}
