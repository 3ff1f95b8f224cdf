import { join } from 'node:path';
import { APP_NAMES } from './apps';
import { readKeysSettings } from './config';
import { describeStartupError } from './errors';
import { loadKeyRing } from './ring';

/**
 * Why the key folders under `dir` (one per app, as `writeKeyFolders` lays them out) cannot serve a
 * mode as they are, or undefined when every app can load its own and apps that share a mode key hold
 * the same version of it.
 *
 * @example
 * await findKeyFolderProblem('/keygen', 'per-app-secret'); // 'mobile-api: KEYS_DIR: has no keys.json; ...'
 */
export async function findKeyFolderProblem(dir: string, mode: string): Promise<string | undefined> {
  const kids = new Map<string, string>();
  for (const app of APP_NAMES) {
    try {
      const ring = await loadKeyRing(readKeysSettings({ AUTH_MODE: mode, KEYS_DIR: join(dir, app) }, app));
      for (const key of ring.keys) {
        const kid = kids.get(key.name) ?? key.kid;
        if (kid !== key.kid) return `${app} holds "${key.kid}" where another app holds "${kid}"`;
        kids.set(key.name, kid);
      }
    } catch (error) {
      return describeStartupError(app, error);
    }
  }
  return undefined;
}
