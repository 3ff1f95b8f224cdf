import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_NAMES, writeKeyFolders, type AppName, type JsonWebKeySet, type ModeName } from '@jwt-blast-radius/keys';
import { findFreePorts, spawnService, type SpawnedService } from '@jwt-blast-radius/process';
import { appEntryPoint, serviceSettings } from './services';

export interface LocalStackOptions {
  readonly mode: ModeName;
  /** Every app's key set: each app is given its own folder under `keysDir`, holding only its share. */
  readonly material: Readonly<Record<AppName, JsonWebKeySet>>;
  readonly keysDir: string;
  /** Where each app writes its log, `<logsDir>/<app>.jsonl`: the app writes it itself, as its standard output. */
  readonly logsDir: string;
  /** The port of each app; free loopback ports unless given. */
  readonly ports?: Readonly<Record<AppName, number>>;
  /** Turns the audience check off in every app (the workshop's misconfiguration). */
  readonly insecure?: boolean;
  /** Settings added to every app's environment (limits, say). */
  readonly settings?: Readonly<Record<string, string>>;
}

/** The three services running as local processes; `await using` stops them. */
export interface LocalStack extends AsyncDisposable {
  readonly urls: Readonly<Record<AppName, string>>;
  readonly services: Readonly<Record<AppName, SpawnedService>>;
  /** The file each app writes its log to. */
  readonly logFiles: Readonly<Record<AppName, string>>;
  /** Stops every app. */
  stop(): Promise<void>;
}

/**
 * Starts the three built apps as separate processes on loopback, as `npm start`, the lab and the bench
 * all run them: each with only its own key folder and the settings `serviceSettings` gives it, its log
 * written by itself to `<logsDir>/<app>.jsonl` (emptied first).
 *
 * @example
 * await using stack = await startLocalStack({ mode, material: await generateKeySet(mode), keysDir, logsDir });
 * await fetch(`${stack.urls['dashboard-api']}/health`);
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { mode, material, keysDir, logsDir, insecure = false } = options;
  const folders = await writeKeyFolders(keysDir, material);
  const ports = options.ports ?? portsOf(await findFreePorts(APP_NAMES.length));
  const issuer = `http://127.0.0.1:${ports['auth-service']}`;
  await mkdir(logsDir, { recursive: true, mode: 0o700 });
  const logFiles = Object.fromEntries(APP_NAMES.map((app) => [app, join(logsDir, `${app}.jsonl`)])) as Record<AppName, string>;
  await Promise.all(APP_NAMES.map((app) => rm(logFiles[app], { force: true })));
  const started = await Promise.allSettled(
    APP_NAMES.map((app) => {
      const env = { ...serviceSettings({ mode, port: ports[app], issuer, keysDir: folders[app]!, insecure }), ...options.settings };
      return spawnService(appEntryPoint(app), env, { logFile: logFiles[app] });
    }),
  );
  const running = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async () => void (await Promise.all(running.map((service) => service.stop())));
  const failure = started.find((result) => result.status === 'rejected');
  if (failure) {
    await stop();
    throw failure.reason;
  }
  const services = Object.fromEntries(APP_NAMES.map((app, i) => [app, running[i]!])) as Record<AppName, SpawnedService>;
  const urls = Object.fromEntries(APP_NAMES.map((app) => [app, services[app].url])) as Record<AppName, string>;
  return { urls, services, logFiles, stop, [Symbol.asyncDispose]: stop };
}

function portsOf(free: readonly number[]): Record<AppName, number> {
  return Object.fromEntries(APP_NAMES.map((app, i) => [app, free[i]!])) as Record<AppName, number>;
}
