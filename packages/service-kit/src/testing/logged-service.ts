import { parseLogLine, type LogLine } from '../log-line';
import { spawnService, type SpawnOptions, type SpawnedService } from '../process';

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
