import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APP_NAMES,
  ROTATION_STEPS,
  generateKeySet,
  rotateKeySet,
  writeKeyFolders,
  type AppName,
  type JsonWebKeySet,
  type ModeName,
} from '@jwt-blast-radius/keys';
import { collectKeyFiles, parseEnviron, type FileReader } from '../loot';
import { findFreePorts, spawnService, type SpawnedService } from '@jwt-blast-radius/service-kit/process';
import { appEntryPoint, serviceSettings } from '../services';
import type { RunningStack, StackDriver, StackOptions } from './types';

const hostFiles: FileReader = { list: (dir) => readdir(dir), read: (path) => readFile(path, 'utf8') };

/**
 * The three services as separate local processes on free loopback ports, each given only its own
 * key folder. A compromise reads the process's environment from /proc/<pid>/environ and follows it
 * to the key files, as an attacker with the app's user would. Each service's output is kept for
 * `logs()`; with `rotateKeys`, the keys go through one full rotation before the services start.
 */
export const localDriver: StackDriver = {
  name: 'local',
  async start(mode: ModeName, { insecure, progress, rotateKeys = false }: StackOptions): Promise<RunningStack> {
    const dir = await mkdtemp(join(tmpdir(), `blast-radius-${mode}-`));
    const services: { app: AppName; service: SpawnedService }[] = [];
    const output = Object.fromEntries(APP_NAMES.map((app) => [app, [] as string[]])) as Record<AppName, string[]>;
    let backup: Record<AppName, JsonWebKeySet> | undefined;
    const stop = async () => {
      await Promise.all(services.map(({ service }) => service.stop()));
      await rm(dir, { recursive: true, force: true });
    };
    try {
      progress('generating a fresh key set');
      let material = await generateKeySet(mode);
      if (rotateKeys) {
        progress(`rotating every key once (${ROTATION_STEPS.join(', ')}); the old versions are kept as a backup`);
        backup = material;
        for (const step of ROTATION_STEPS) material = await rotateKeySet(material, mode, step);
      }
      const folders = await writeKeyFolders(dir, material);
      const free = await findFreePorts(APP_NAMES.length);
      const ports = Object.fromEntries(APP_NAMES.map((app, i) => [app, free[i]!])) as Record<AppName, number>;
      const issuer = `http://127.0.0.1:${ports['auth-service']}`;
      progress(`starting ${APP_NAMES.join(', ')} on ports ${APP_NAMES.map((app) => ports[app]).join(', ')}`);
      await Promise.all(
        APP_NAMES.map(async (app) => {
          const env = serviceSettings({ mode, port: ports[app], issuer, keysDir: folders[app]!, insecure });
          const onOutput = (line: string) => void output[app].push(line);
          services.push({ app, service: await spawnService(appEntryPoint(app), env, { onOutput }) });
        }),
      );
    } catch (error) {
      await stop();
      throw error;
    }
    const byApp = (app: AppName) => services.find((entry) => entry.app === app)!.service;
    return {
      urls: Object.fromEntries(APP_NAMES.map((app) => [app, byApp(app).url])) as Record<AppName, string>,
      async compromise(app) {
        const pid = byApp(app).child.pid!;
        const env = parseEnviron(await readFile(`/proc/${pid}/environ`, 'utf8'));
        return { app, source: `pid ${pid}`, env, files: await collectKeyFiles(env, hostFiles) };
      },
      logs: () => Promise.resolve(Object.fromEntries(APP_NAMES.map((app) => [app, [...output[app]]])) as Record<AppName, string[]>),
      ...(backup ? { backup } : {}),
      stop,
    };
  },
};
