import { join } from 'node:path';
import {
  DEFAULT_ISSUER,
  KEY_FILE_NAME,
  generateKeySet,
  writeKeyFolders,
  type AppName,
  type JsonWebKeySet,
  type ModeName,
} from '@jwt-blast-radius/keys';
import { parseLogLine, type LogLine } from '../log-line';
import { findFreePorts, spawnService, type SpawnOptions, type SpawnedService } from '@jwt-blast-radius/process';

/** A built app running as a child process, with every line it logs parsed as it comes. */
export interface LoggedService extends SpawnedService {
  /** Every line it has logged so far. */
  readonly lines: readonly LogLine[];
  /** The lines of one event it has logged so far. */
  events(event: string): LogLine[];
  /** Resolves with the next line of an event that it logs from now on; rejects if it exits first. */
  nextEvent(event: string): Promise<LogLine>;
  /** Sends it SIGHUP, and resolves with the `keys-reloaded` line it logs in answer. */
  reloadKeys(): Promise<LogLine>;
}

/**
 * Starts a built app as `spawnService` does, and reads its log from its standard output as it writes it,
 * so that a test can wait for an event rather than for a time.
 *
 * @example
 * await using api = await spawnLoggedService(main, { PORT: String(port), AUTH_MODE: mode, KEYS_DIR: folder });
 * const reloaded = await api.reloadKeys(); // { event: 'keys-reloaded', outcome: 'ok', kids: [...] }
 */
export async function spawnLoggedService(
  main: string,
  settings: Readonly<Record<string, string>> & { readonly PORT: string },
  options: Omit<SpawnOptions, 'logFile'> = {},
): Promise<LoggedService> {
  const lines: LogLine[] = [];
  const waiting = new Set<{ readonly event: string; resolve(line: LogLine): void; reject(error: Error): void }>();
  const service = await spawnService(main, settings, {
    ...options,
    onOutput: (text, stream) => {
      options.onOutput?.(text, stream);
      const line = stream === 'stdout' ? parseLogLine(text) : undefined;
      if (!line) return;
      lines.push(line);
      for (const waiter of waiting) {
        if (waiter.event !== line.event) continue;
        waiting.delete(waiter);
        waiter.resolve(line);
      }
    },
  });
  service.child.once('close', () => {
    for (const waiter of waiting) waiter.reject(new Error(`${main} exited while a test waited for its "${waiter.event}" line`));
    waiting.clear();
  });
  const nextEvent = (event: string) => new Promise<LogLine>((resolve, reject) => void waiting.add({ event, resolve, reject }));
  const stop = () => service.stop();
  return {
    url: service.url,
    child: service.child,
    stop,
    [Symbol.asyncDispose]: stop,
    lines,
    events: (event) => lines.filter((line) => line.event === event),
    nextEvent,
    reloadKeys() {
      const reloaded = nextEvent('keys-reloaded');
      service.child.kill('SIGHUP');
      return reloaded;
    },
  };
}

/** A built app started with a fresh key set, and what it was given. */
export interface FreshlyKeyedService {
  /** Every app's key set, as generated. */
  readonly material: Record<AppName, JsonWebKeySet>;
  /** The app's own key file, its `KEYS_DIR`'s `keys.json`: what a test rotates or rewrites under it. */
  readonly keyFile: string;
  readonly service: LoggedService;
}

export interface FreshKeysOptions {
  readonly app: AppName;
  readonly mode: ModeName;
  /** Where the key folders are written, one per app, as `writeKeyFolders` lays them out. */
  readonly keysDir: string;
  /** Settings added to the app's environment. */
  readonly settings?: Readonly<Record<string, string>>;
}

/**
 * Generates a fresh key set of a mode, writes every app's folder under `keysDir`, and starts the app's build
 * ({@link spawnLoggedService}) on a free port with its own folder as `KEYS_DIR` and the default issuer.
 *
 * @example
 * const { service, keyFile } = await spawnWithFreshKeys(main, { app: 'dashboard-api', mode, keysDir: dir });
 */
export async function spawnWithFreshKeys(
  main: string,
  { app, mode, keysDir, settings = {} }: FreshKeysOptions,
): Promise<FreshlyKeyedService> {
  const material = await generateKeySet(mode);
  const folders = await writeKeyFolders(keysDir, material);
  const [port] = await findFreePorts(1);
  const service = await spawnLoggedService(main, {
    PORT: String(port),
    AUTH_MODE: mode,
    KEYS_DIR: folders[app]!,
    ISSUER: DEFAULT_ISSUER,
    ...settings,
  });
  return { material, keyFile: join(folders[app]!, KEY_FILE_NAME), service };
}
