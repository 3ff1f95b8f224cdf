import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { Logger, LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import type { LogSettings } from './settings';

/** Where an app's log lines go: pino's asynchronous destination, or any stream that ends and then closes. */
export type ServiceLogDestination = pino.DestinationStream & { end(): void; once(event: 'close', listener: () => void): unknown };

/** An app's pino logger and its destination. */
export interface ServiceLog {
  readonly logger: pino.Logger;
  /**
   * Writes out every line logged so far, then closes the destination (never the standard output
   * itself). For the end of the process: a line logged afterwards is an error. Gives up after 2 s, so
   * that a standard output nobody reads cannot keep a stopping app alive.
   */
  close(): Promise<void>;
}

// How long a service on its way out waits for its log to be written out; only a reader that stopped reading
// makes it wait this long, and a busy machine may need seconds for a large backlog.
const CLOSE_WITHIN_MS = 10_000;

/**
 * The logger of an app: pino, one JSON line per entry on the standard output, with the level by name,
 * the time in milliseconds since the epoch (pino's own, the cheapest to write) and the app's name on
 * every line. The destination is asynchronous: a line joins a buffer, which libuv's thread pool writes
 * to the file descriptor at once (the lines that come while a write is under way go together in the
 * next), so no request waits on a write and a reader of the file sees a line within about a
 * millisecond. It is written out before the process ends: pino does so on `exit`, and
 * {@link ServiceLog.close} on the way out of a signal.
 *
 * @example
 * const log = createServiceLog('mobile-api', { level: 'info' });
 * log.logger.info({ event: 'listening', url }); // {"level":"info","time":1795946059000,"app":"mobile-api","event":"listening","url":"…"}
 */
export function createServiceLog(
  app: string,
  { level }: LogSettings,
  destination: ServiceLogDestination = pino.destination({ dest: 1, sync: false }),
): ServiceLog {
  const logger = pino({ level, base: { app }, formatters: { level: (label) => ({ level: label }) } }, destination);
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CLOSE_WITHIN_MS);
      destination.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      destination.end();
    }));
  return { logger, close };
}

function isEvent(message: unknown): boolean {
  return typeof message === 'object' && message !== null && 'event' in message;
}

/**
 * nestjs-pino's Nest logger with one change: a `log()` that is not an event is written at debug.
 * Those are Nest's own start-up lines (each module initialised, each route mapped): the same at every
 * start, and most of a quiet service's log. So at `info`, every line is an event, a warning or an error.
 */
@Injectable()
export class ServiceLogger extends Logger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    if (isEvent(message)) super.log(message, ...optionalParams);
    else super.debug(message, ...optionalParams);
  }
}

/**
 * The root module of every app: nestjs-pino over the app's logger, and the app's own module. No
 * request middleware (`forRoutes: []`): pino-http would serialise each request into a child logger
 * and keep it in an async context, for every route, to write a line per request that the events make
 * redundant. An event that concerns a request carries what it needs of it (route, address, request id).
 *
 * nestjs-pino keeps the first logger a process gives it: one app per process, as `runService` runs it.
 */
@Module({})
export class ServiceModule {
  static forRoot(appModule: DynamicModule, logger: pino.Logger): DynamicModule {
    return {
      module: ServiceModule,
      imports: [LoggerModule.forRoot({ pinoHttp: { logger }, forRoutes: [] }), appModule],
      providers: [ServiceLogger],
    };
  }
}
