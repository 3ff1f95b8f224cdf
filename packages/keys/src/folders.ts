import { join } from 'node:path';
import { APP_NAMES, type AppName } from './apps';
import { readKeysSettings } from './config';
import { KeysError, describeStartupError } from './errors';
import { publicJwks } from './jwks';
import { loadKeyRing, type KeyRing } from './ring';
import { signingKidsOf } from './sign';
import { trustedKeysOf } from './verify';

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

/** What an app trusts, and signs with, once it has loaded its key folder: what its `/health` then reports. */
export interface FolderKids {
  /** The kids it trusts: the versions of the key that signs its own audience, held or published by the issuer. */
  readonly trusted: readonly string[];
  /** The kids it signs with: the issuer's; none for any other app. */
  readonly signing: readonly string[];
  /** Whether it fetches the keys it trusts from the issuer's JWKS, rather than holding them. */
  readonly fromJwks: boolean;
}

/**
 * Reads the key folders under `dir` (one per app, as `writeKeyFolders` lays them out) through the checks of
 * start-up, and says what each app trusts and signs with once it has loaded them: after a reload, what each
 * app's `/health` must report. An app that fetches the issuer's JWKS trusts what the issuer publishes.
 * A folder that does not load throws a `KeysError` naming the app, as its start-up would.
 *
 * @example
 * const kids = await readFolderKids('.keys/rs256-jwks', 'rs256-jwks', 'auth-service');
 * kids['dashboard-api'].trusted; // ['issuer.1a2b3c4d', 'issuer.9f2c41ab']
 */
export async function readFolderKids(dir: string, mode: string, issuer: AppName): Promise<Record<AppName, FolderKids>> {
  const rings = {} as Record<AppName, KeyRing>;
  for (const app of APP_NAMES) {
    try {
      rings[app] = await loadKeyRing(readKeysSettings({ AUTH_MODE: mode, KEYS_DIR: join(dir, app) }, app));
    } catch (error) {
      if (!(error instanceof KeysError)) throw error;
      throw new KeysError(error.code, `${app}: ${error.setting ? `${error.setting}: ` : ''}${error.message}`);
    }
  }
  const published = (publicJwks(rings[issuer])?.keys ?? []).map((jwk) => jwk.kid ?? '');
  const kids = {} as Record<AppName, FolderKids>;
  for (const app of APP_NAMES) {
    const held = trustedKeysOf(rings[app]).map((key) => key.kid);
    const fromJwks = held.length === 0 && rings[app].mode.publishesJwks;
    kids[app] = { trusted: fromJwks ? published : held, signing: app === issuer ? signingKidsOf(rings[issuer]) : [], fromJwks };
  }
  return kids;
}
