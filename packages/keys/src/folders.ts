import { join } from 'node:path';
import { APP_NAMES } from './apps';
import { readKeysSettings } from './config';
import { describeStartupError } from './errors';
import { loadKeyRing } from './ring';

/**
 * Why the key folders under `dir` (one per app, as `writeKeyFolders` lays them out) cannot serve a
 * mode as they are, or undefined when every app can load its own and apps that share a mode key hold
 * the same versions of it, in the same order.
 *
 * @example
 * await findKeyFolderProblem('/keygen', 'per-app-secret'); // 'mobile-api: KEYS_DIR: has no keys.json; ...'
 */
export async function findKeyFolderProblem(dir: string, mode: string): Promise<string | undefined> {
  const versions = new Map<string, { app: string; kids: string }>();
  for (const app of APP_NAMES) {
    let ring;
    try {
      ring = await loadKeyRing(readKeysSettings({ AUTH_MODE: mode, KEYS_DIR: join(dir, app) }, app));
    } catch (error) {
      return describeStartupError(app, error);
    }
    for (const name of new Set(ring.keys.map((key) => key.name))) {
      const kids = ring.keys
        .filter((key) => key.name === name)
        .map((key) => key.kid)
        .join(', ');
      const other = versions.get(name) ?? { app, kids };
      if (other.kids !== kids) return `${app} holds ${kids} where ${other.app} holds ${other.kids}`;
      versions.set(name, other);
    }
  }
  return undefined;
}
