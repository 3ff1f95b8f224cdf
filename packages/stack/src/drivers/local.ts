import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APP_NAMES,
  KEY_FILE_NAME,
  ROTATION_STEPS,
  generateKeySet,
  readKeySetFile,
  rotateKeyFolders,
  rotateKeySet,
  type AppName,
  type JsonWebKeySet,
  type ModeName,
} from '@jwt-blast-radius/keys';
import { collectKeyFiles, hostFiles, parseEnviron, type Loot } from '../loot';
import { startLocalStack, type LocalStack } from '../local-stack';
import { reloadStack } from '../reload';
import type { StackRecord } from '../stack-record';
import type { LiveKeys, RunningStack, StackDriver, StackOptions } from './types';

/**
 * The three services as separate local processes on free loopback ports, each given only its own
 * key folder. A compromise reads the process's environment from /proc/<pid>/environ and follows it
 * to the key files, as an attacker with the app's user would. Each service's log is kept for `logs()`;
 * with `rotateKeys`, the keys go through one full rotation before the services start. Live rotation writes the
 * key folders and signals each process, as `npm run reload` does for `npm start`'s stack.
 */
export const localDriver: StackDriver = {
  name: 'local',
  async start(mode: ModeName, { insecure, progress, rotateKeys = false, settings }: StackOptions): Promise<RunningStack> {
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
      stack = await startLocalStack({ mode, material, keysDir: join(dir, 'keys'), logsDir: join(dir, 'logs'), insecure, settings });
    } catch (error) {
      await removeDir();
      throw error;
    }
    const stop = async () => {
      await stack.stop();
      await removeDir();
    };
    return {
      urls: stack.urls,
      compromise: (app) => lootLocalProcess(app, stack.services[app].child.pid!),
      async logs() {
        const lines = async (app: AppName) => (await readFile(stack.logFiles[app], 'utf8')).split('\n').filter(Boolean);
        return Object.fromEntries(await Promise.all(APP_NAMES.map(async (app) => [app, await lines(app)]))) as Record<AppName, string[]>;
      },
      ...(backup ? { backup } : {}),
      keys: localKeys(mode, join(dir, 'keys'), stack),
      processes() {
        const running = (app: AppName) => stack.services[app].child;
        return Promise.resolve(
          Object.fromEntries(
            APP_NAMES.map((app) => [app, running(app).exitCode === null ? `pid ${running(app).pid}` : `exited (${running(app).exitCode})`]),
          ) as Record<AppName, string>,
        );
      },
      stop,
      [Symbol.asyncDispose]: stop,
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

/** The local stack's key folders: rotated in place, reloaded by signalling each process as `npm run reload` does. */
function localKeys(mode: ModeName, keysDir: string, stack: LocalStack): LiveKeys {
  const record: StackRecord = {
    mode,
    keysDir,
    pid: process.pid,
    services: Object.fromEntries(
      APP_NAMES.map((app) => [app, { pid: stack.services[app].child.pid!, url: stack.urls[app], logFile: stack.logFiles[app] }]),
    ) as StackRecord['services'],
  };
  return {
    async held() {
      const held = {} as Record<AppName, string[]>;
      for (const app of APP_NAMES) {
        const set = await readKeySetFile(join(keysDir, app, KEY_FILE_NAME), 'KEYS_DIR');
        held[app] = (set?.keys ?? []).map((jwk) => jwk.kid ?? '').sort();
      }
      return held;
    },
    async rotate(step, key) {
      await rotateKeyFolders(keysDir, mode, step, { key });
    },
    reload: (options) => reloadStack(record, options),
  };
}
