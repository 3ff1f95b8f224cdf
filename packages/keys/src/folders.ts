import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readKeysSettings } from './config';
import { KeysError, describeStartupError } from './errors';
import { publicJwks } from './jwks';
import { KEY_FILE_NAME, readKeySetFile } from './keyset';
import { DEFAULT_MODE, findMode } from './modes';
import { loadKeyRing, type KeyRing } from './ring';
import { signingKidsOf } from './sign';
import { DEMO_TOPOLOGY, readTopology, type Topology } from './topology';
import { trustedKeysOf } from './verify';

/** What the key files under a folder record of themselves: the mode and the services they were made for. */
export interface KeyFolders {
  /** The mode the files record; undefined when none does (files made before modes were recorded). */
  readonly mode: string | undefined;
  /** The services the files record; the demo's when none does. */
  readonly topology: Topology;
}

/**
 * Reads what the key files under `dir` (one folder per service, as `writeKeyFolders` lays them out) record of
 * the mode and the services they were made for, so that a command need not be told again. Files that disagree,
 * or a record that is not one, throw a `KeysError` naming `setting`.
 *
 * @example
 * await readKeyFolders('keys-out'); // { mode: 'per-app-secret', topology: { issuer: 'identity', apps: [...] } }
 */
export async function readKeyFolders(dir: string, setting = '--dir'): Promise<KeyFolders> {
  let entries: string[];
  try {
    entries = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return { mode: undefined, topology: DEMO_TOPOLOGY };
  }
  let found: { readonly app: string; readonly mode: unknown; readonly topology: Topology } | undefined;
  for (const app of entries.sort()) {
    const set = await readKeySetFile(join(dir, app, KEY_FILE_NAME), setting).catch(() => undefined);
    const topology = set === undefined ? undefined : readTopology(set.topology, setting);
    if (set === undefined || topology === undefined) continue;
    const record = { app, mode: set.mode, topology };
    if (found === undefined) found = record;
    else if (describe(found) !== describe(record)) {
      throw new KeysError(
        'ERR_KEYS_INVALID',
        `${found.app} and ${app} hold keys made for ${describe(found)} and ${describe(record)}`,
        setting,
      );
    }
  }
  if (found === undefined) return { mode: undefined, topology: DEMO_TOPOLOGY };
  return { mode: typeof found.mode === 'string' ? findMode(found.mode, setting).name : undefined, topology: found.topology };
}

function describe({ mode, topology }: { readonly mode: unknown; readonly topology: Topology }): string {
  return `${String(mode)} (issuer ${topology.issuer}; ${topology.apps.join(', ')})`;
}

/**
 * The mode a command works in, for the key folders under `dir`: the one they record, or the one given, or the
 * default; a given mode that disagrees with the folders is refused with a `KeysError` naming `setting`.
 *
 * @example
 * const { mode, topology } = await resolveFolderMode('keys-out', undefined); // as recorded
 */
export async function resolveFolderMode(
  dir: string,
  given: string | undefined,
  setting = '--mode',
): Promise<KeyFolders & { mode: string }> {
  const folders = await readKeyFolders(dir);
  if (given !== undefined) findMode(given, setting);
  if (given !== undefined && folders.mode !== undefined && given !== folders.mode) {
    throw new KeysError('ERR_KEYS_CONFIG', `is ${given}, but the keys in ${dir} were made for ${folders.mode}`, setting);
  }
  return { ...folders, mode: given ?? folders.mode ?? DEFAULT_MODE };
}

/**
 * Why the key folders under `dir` (one per service, as `writeKeyFolders` lays them out) cannot serve a
 * mode as they are, or undefined when every service can load its own and services that share a mode key hold
 * the same versions of it, in the same order. The services are those the folders record (the demo's when they
 * record none).
 *
 * @example
 * await findKeyFolderProblem('/keygen', 'per-app-secret'); // 'mobile-api: KEYS_DIR: has no keys.json; ...'
 */
export async function findKeyFolderProblem(dir: string, mode: string): Promise<string | undefined> {
  const versions = new Map<string, { app: string; kids: string }>();
  let topology: Topology;
  try {
    ({ topology } = await readKeyFolders(dir));
  } catch (error) {
    return describeStartupError(dir, error);
  }
  for (const app of topology.apps) {
    let ring;
    try {
      ring = await loadKeyRing(readKeysSettings({ AUTH_MODE: mode, KEYS_DIR: join(dir, app) }, app));
      if (app === topology.issuer && ring.keys.length === 0) {
        throw new KeysError('ERR_KEYS_MISSING', `has no ${KEY_FILE_NAME}; the issuer holds keys in every mode`, 'KEYS_DIR');
      }
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
 * Reads the key folders under `dir` (one per service, as `writeKeyFolders` lays them out) through the checks of
 * start-up, and says what each service trusts and signs with once it has loaded them: after a reload, what
 * each service's `/health` must report. A service that fetches the issuer's JWKS trusts what the issuer
 * publishes. A folder that does not load throws a `KeysError` naming the service, as its start-up would.
 *
 * @example
 * const kids = await readFolderKids('.keys/rs256-jwks', 'rs256-jwks');
 * kids['dashboard-api'].trusted; // ['issuer.1a2b3c4d', 'issuer.9f2c41ab']
 */
export async function readFolderKids(dir: string, mode: string): Promise<Record<string, FolderKids>> {
  const { topology } = await readKeyFolders(dir);
  const rings: Record<string, KeyRing> = {};
  for (const app of topology.apps) {
    try {
      rings[app] = await loadKeyRing(readKeysSettings({ AUTH_MODE: mode, KEYS_DIR: join(dir, app) }, app));
    } catch (error) {
      if (!(error instanceof KeysError)) throw error;
      throw new KeysError(error.code, `${app}: ${error.setting ? `${error.setting}: ` : ''}${error.message}`);
    }
  }
  const issuerRing = rings[topology.issuer]!;
  const published = (publicJwks(issuerRing)?.keys ?? []).map((jwk) => jwk.kid ?? '');
  const kids: Record<string, FolderKids> = {};
  for (const app of topology.apps) {
    const held = trustedKeysOf(rings[app]!).map((key) => key.kid);
    const fromJwks = held.length === 0 && rings[app]!.mode.publishesJwks;
    kids[app] = { trusted: fromJwks ? published : held, signing: app === topology.issuer ? signingKidsOf(issuerRing) : [], fromJwks };
  }
  return kids;
}
