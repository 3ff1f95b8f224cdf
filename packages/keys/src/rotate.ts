import { join } from 'node:path';
import type { JWK } from 'jose';
import { APP_NAMES, type AppName } from './apps';
import { KeysError } from './errors';
import { findKeyFolderProblem } from './folders';
import { generateKey } from './generate';
import { KEY_FILE_NAME, keyNameOf, readKeySetFile, writeKeyFolders, type JsonWebKeySet } from './keyset';
import { getMode } from './modes';

/**
 * The three steps of a rotation, the same in every mode. The last version of a key in a key set
 * signs; every version is trusted, and published where the mode publishes keys.
 * - `stage`: a new version of every mode key goes to every app that holds the key, before the
 *   current one: trusted (and published) everywhere, signing nowhere yet.
 * - `promote`: the staged version moves last and signs; the previous one is still trusted, so the
 *   tokens it signed stay valid until they expire.
 * - `retire`: only the signing version is kept.
 */
export const ROTATION_STEPS = ['stage', 'promote', 'retire'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/**
 * Applies one rotation step to the key sets of every app of a mode, returning the new sets. A new
 * version is generated once and given to every app that holds that key, so holders stay in step.
 *
 * @example
 * const staged = await rotateKeySet(material, 'rs256-jwks', 'stage');
 */
export async function rotateKeySet(
  material: Readonly<Record<AppName, JsonWebKeySet>>,
  modeName: string,
  step: RotationStep,
): Promise<Record<AppName, JsonWebKeySet>> {
  const mode = getMode(modeName, '--mode');
  const versionsOf = (set: JsonWebKeySet, name: string) => set.keys.filter((jwk) => keyNameOf(jwk.kid ?? '') === name);
  const wanted = { stage: 1, promote: 2, retire: undefined }[step];
  const staged = new Map<string, JWK>();
  for (const key of mode.keys) {
    const holders = APP_NAMES.filter((app) => mode.holdings[app].includes(key.name));
    const versions = holders.length > 0 ? versionsOf(material[holders[0]!], key.name).length : 0;
    if (wanted !== undefined && holders.length > 0 && versions !== wanted) {
      const state = versions === 1 ? 'one version (stage one first)' : `${versions} versions (promote or retire first)`;
      throw new KeysError('ERR_KEYS_CONFIG', `cannot ${step}: key "${key.name}" has ${state}`, '--step');
    }
    if (step === 'stage') staged.set(key.name, await generateKey(key.name, key.kty, mode));
  }
  const rotated = {} as Record<AppName, JsonWebKeySet>;
  for (const app of APP_NAMES) {
    const keys = mode.holdings[app].flatMap((name) => {
      const versions = versionsOf(material[app], name);
      if (step === 'stage') return [staged.get(name)!, ...versions];
      if (step === 'promote') return [...versions].reverse();
      return versions.slice(-1);
    });
    rotated[app] = { keys };
  }
  return rotated;
}

/**
 * Applies one rotation step to the key folders under `dir` (as `writeKeyFolders` lays them out),
 * after checking that they serve the mode. Running apps read their keys at start-up: each app
 * picks up a step when it restarts, the verifiers before the issuer.
 *
 * @example
 * await rotateKeyFolders('.keys/rs256-jwks', 'rs256-jwks', 'stage');
 */
export async function rotateKeyFolders(dir: string, modeName: string, step: RotationStep): Promise<Record<AppName, JsonWebKeySet>> {
  const problem = await findKeyFolderProblem(dir, modeName);
  if (problem !== undefined) throw new KeysError('ERR_KEYS_INVALID', `the key folders do not serve ${modeName}: ${problem}`, '--dir');
  const material = {} as Record<AppName, JsonWebKeySet>;
  for (const app of APP_NAMES) material[app] = (await readKeySetFile(join(dir, app, KEY_FILE_NAME), '--dir')) ?? { keys: [] };
  const rotated = await rotateKeySet(material, modeName, step);
  await writeKeyFolders(dir, rotated);
  return rotated;
}
