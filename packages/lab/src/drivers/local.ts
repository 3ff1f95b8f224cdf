import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APP_NAMES,
  ROTATION_STEPS,
  generateKeySet,
  rotateKeySet,
  type AppName,
  type JsonWebKeySet,
  type ModeName,
} from '@jwt-blast-radius/keys';
import { collectKeyFiles, parseEnviron, type FileReader, type Loot } from '../loot';
import { startLocalStack, type LocalStack } from '../local-stack';
import type { RunningStack, StackDriver, StackOptions } from './types';

const hostFiles: FileReader = { list: (dir) => readdir(dir), read: (path) => readFile(path, 'utf8') };

/**
 * The three services as separate local processes on free loopback ports, each given only its own
 * key folder. A compromise reads the process's environment from /proc/<pid>/environ and follows it
 * to the key files, as an attacker with the app's user would. Each service's log is kept for `logs()`;
 * with `rotateKeys`, the keys go through one full rotation before the services start.
 */
export const localDriver: StackDriver = {
  name: 'local',
  async start(mode: ModeName, { insecure, progress, rotateKeys = false }: StackOptions): Promise<RunningStack> {
    const dir = await mkdtemp(join(tmpdir(), `blast-radius-${mode}-`));
    const removeDir = () => rm(dir, { recursive: true, force: true });
    let stack: LocalStack;
    let backup: Record<AppName, JsonWebKeySet> | undefined;
    try {
      progress('generating a fresh key set');
      let material = await generateKeySet(mode);
      if (rotateKeys) {
        progress(`rotating every key once (${ROTATION_STEPS.join(', ')}); the old versions are kept as a backup`);
        backup = material;
        for (const step of ROTATION_STEPS) material = await rotateKeySet(material, mode, step);
      }
      progress(`starting ${APP_NAMES.join(', ')}`);
      stack = await startLocalStack({ mode, material, keysDir: join(dir, 'keys'), logsDir: join(dir, 'logs'), insecure });
    } catch (error) {
      await removeDir();
      throw error;
    }
    return {
      urls: stack.urls,
      compromise: (app) => lootLocalProcess(app, stack.services[app].child.pid!),
      async logs() {
        const lines = async (app: AppName) => (await readFile(stack.logFiles[app], 'utf8')).split('\n').filter(Boolean);
        return Object.fromEntries(await Promise.all(APP_NAMES.map(async (app) => [app, await lines(app)]))) as Record<AppName, string[]>;
      },
      ...(backup ? { backup } : {}),
      async stop() {
        await stack.stop();
        await removeDir();
      },
    };
  },
};

/**
 * Takes what a local app's process holds, as an attacker with the app's user would: its environment, read from
 * /proc/<pid>/environ, followed to its key files.
 *
 * @example
 * const loot = await lootLocalProcess('dashboard-api', stack.services['dashboard-api'].child.pid!);
 */
export async function lootLocalProcess(app: AppName, pid: number): Promise<Loot> {
  const env = parseEnviron(await readFile(`/proc/${pid}/environ`, 'utf8'));
  return { app, source: `pid ${pid}`, env, files: await collectKeyFiles(env, hostFiles) };
}
