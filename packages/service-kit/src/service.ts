import 'reflect-metadata';
import { ConsoleLogger, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { SettingsError, describeStartupError } from './errors';
import type { HttpSettings } from './settings';

export interface ServiceDescription {
  /** The app's name, which is also its audience. */
  readonly app: string;
  readonly title: string;
  readonly description: string;
}

/**
 * Wires what every app has beyond its own module: the OpenAPI document at `/docs` (with the bearer
 * scheme declared) and shutdown hooks. Tests call it too, so they test the app as it runs.
 *
 * @example
 * configureService(app, { app: 'mobile-api', title: 'Mobile API', description: '...' });
 */
export function configureService(app: INestApplication, service: ServiceDescription): void {
  // Only these: Nest would otherwise also stop on SIGHUP, which reloads the app's trusted keys.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  (app.getHttpAdapter().getInstance() as { disable?: (setting: string) => void }).disable?.('x-powered-by');
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
 * setting stops the process with one line naming the setting, and exit status 1.
 *
 * @example
 * runService(description, async () => {
 *   const config = loadConfig(process.env);
 *   return { module: AppModule.forRoot(config, await loadKeyRing(config.keys)), http: config.http };
 * });
 */
export function runService(service: ServiceDescription, prepare: () => Promise<{ module: DynamicModule; http: HttpSettings }>): void {
  start(service, prepare).catch((error: unknown) => {
    process.stderr.write(`${describeStartupError(service.app, error)}\n`);
    process.exit(1);
  });
}

async function start(service: ServiceDescription, prepare: () => Promise<{ module: DynamicModule; http: HttpSettings }>): Promise<void> {
  const { module, http } = await prepare();
  const app = await NestFactory.create(module, { logger: new ConsoleLogger(service.app, { json: true }) });
  configureService(app, service);
  try {
    await app.listen(http.port, http.host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new SettingsError('ERR_SETTINGS_LISTEN', `cannot listen on ${http.host}:${http.port} (${code})`, 'PORT');
  }
  const url = await app.getUrl();
  new ConsoleLogger(service.app, { json: true }).log({ event: 'listening', app: service.app, url: url.replace('[::1]', 'localhost') });
}
