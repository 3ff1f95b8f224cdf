import 'reflect-metadata';
import { Logger, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type pino from 'pino';
import { SettingsError, describeStartupError } from './errors';
import { ServiceLogger, ServiceModule, createServiceLog, type ServiceLog } from './log';
import { assignRequestId } from './request-id';
import type { HttpSettings, LogSettings } from './settings';

export interface ServiceDescription {
  /** The app's name, which is also its audience. */
  readonly app: string;
  readonly title: string;
  readonly description: string;
}

/** What an app's `prepare` gives `runService`: its root module and settings, read before Nest starts. */
export interface PreparedService {
  readonly module: DynamicModule;
  readonly http: HttpSettings;
  readonly log: LogSettings;
}

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Creates an app as every app runs: its module under {@link ServiceModule}, Nest's own lines buffered
 * until the pino logger takes over, then {@link configureService}. Tests call it too (through
 * `startService`), so they test the app as it runs.
 *
 * @example
 * const app = await createServiceApp(AppModule.forRoot(ring), SERVICE, createServiceLog(SERVICE.app, { level: 'info' }).logger);
 */
export async function createServiceApp(module: DynamicModule, service: ServiceDescription, logger: pino.Logger): Promise<INestApplication> {
  const app = await NestFactory.create(ServiceModule.forRoot(module, logger), { bufferLogs: true });
  app.useLogger(app.get(ServiceLogger));
  configureService(app, service);
  return app;
}

/**
 * Wires what every app has beyond its own module: an id for every request (see `assignRequestId`) and
 * the OpenAPI document at `/docs`, with the bearer scheme declared.
 *
 * @example
 * configureService(app, { app: 'mobile-api', title: 'Mobile API', description: '...' });
 */
export function configureService(app: INestApplication, service: ServiceDescription): void {
  (app.getHttpAdapter().getInstance() as { disable?: (setting: string) => void }).disable?.('x-powered-by');
  app.use(assignRequestId);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(service.title)
      .setDescription(service.description)
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}

/**
 * Starts an app: `prepare` reads its config and loads its keys before Nest starts, so any bad
 * setting stops the process with one line naming the setting, and exit status 1. SIGTERM and SIGINT
 * close the app (every shutdown hook runs), log a `stopped` event, write out the log, and end the
 * process by the same signal. SIGHUP is left to the app: it reloads its keys (see `KeysModule`).
 *
 * @example
 * runService(description, async () => {
 *   const config = loadConfig(process.env);
 *   return { module: AppModule.forRoot(config, await loadKeyRing(config.keys)), http: config.http, log: config.log };
 * });
 */
export function runService(service: ServiceDescription, prepare: () => Promise<PreparedService>): void {
  start(service, prepare).catch((error: unknown) => {
    process.stderr.write(`${describeStartupError(service.app, error)}\n`);
    process.exit(1);
  });
}

async function start(service: ServiceDescription, prepare: () => Promise<PreparedService>): Promise<void> {
  const { module, http, log: settings } = await prepare();
  const log = createServiceLog(service.app, settings);
  const app = await createServiceApp(module, service, log.logger);
  // Only a listed proxy's X-Forwarded-For names the client (the login door's limits count per client).
  if (http.trustedProxies)
    (app.getHttpAdapter().getInstance() as { set(name: string, value: unknown): void }).set('trust proxy', [...http.trustedProxies]);
  stopOnSignals(app, log);
  try {
    await app.listen(http.port, http.host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new SettingsError('ERR_SETTINGS_LISTEN', `cannot listen on ${http.host}:${http.port} (${code})`, 'PORT');
  }
  const url = await app.getUrl();
  new Logger('service').log({ event: 'listening', url: url.replace('[::1]', 'localhost') });
}

function stopOnSignals(app: INestApplication, log: ServiceLog): void {
  const logger = new Logger('service');
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    // A second signal while stopping (Ctrl-C reaches every process of the group, and then the launcher
    // sends SIGTERM) must not end the process before its log is written out.
    if (stopping) return;
    stopping = true;
    let failed = false;
    try {
      await app.close();
      logger.log({ event: 'stopped', signal });
    } catch (error) {
      failed = true;
      logger.error({ event: 'stopped', signal, reason: error instanceof Error ? error.name : 'error' });
    }
    await log.close();
    for (const name of SHUTDOWN_SIGNALS) process.off(name, onSignal);
    if (failed) process.exit(1);
    process.kill(process.pid, signal);
  };
  const onSignal = (signal: NodeJS.Signals) => void stop(signal);
  for (const name of SHUTDOWN_SIGNALS) process.on(name, onSignal);
}
